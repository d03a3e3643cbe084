// npm run package: the krew archive of THIS machine's platform (scripts/release.mjs builds every
// platform's), from the current build (`npm run build` first), and that platform's sha256 in
// plugin.yaml updated to match it.
//   node scripts/package.mjs [--out DIR] [--manifest PATH]
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TARGETS, buildTarget, root } from './release.mjs';

const dist = join(root, 'dist');
if (!existsSync(join(dist, 'sea', 'main.cjs')) || !existsSync(join(dist, 'kubectl-netdiag.mjs'))) {
  console.error('error: dist/ has no build: run `npm run build` first');
  process.exit(2);
}
const os = { win32: 'windows' }[process.platform] ?? process.platform;
const arch = { x64: 'amd64' }[process.arch] ?? process.arch;
const target = TARGETS.find((t) => t.os === os && t.arch === arch);
if (!target) {
  console.error(`error: no release target for ${os}/${arch} (scripts/node-targets.json)`);
  process.exit(2);
}
const arg = (name) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
};
// --out DIR writes the archive elsewhere (tests: an archive in dist/ is itself a kubectl-* file
// that `kubectl plugin list` warns about, being not executable)
const r = buildTarget(target, arg('--out') ?? dist);

// --manifest PATH writes the updated manifest elsewhere (tests); by default plugin.yaml itself.
const manifestPath = arg('--manifest') ?? join(root, 'plugin.yaml');
const manifest = readFileSync(join(root, 'plugin.yaml'), 'utf8');
const blocks = manifest.split(/(?=^ {4}- selector:$)/m);
const i = blocks.findIndex((b) => b.includes(`\n          os: ${os}\n`) && b.includes(`\n          arch: ${arch}\n`));
if (i < 0 || !/sha256: "?[0-9a-f]{64}"?/.test(blocks[i])) {
  console.error(`error: plugin.yaml has no ${os}/${arch} entry with a sha256 to update`);
  process.exit(2);
}
blocks[i] = blocks[i].replace(/sha256: "?[0-9a-f]{64}"?/, `sha256: "${r.sha256}"`);
writeFileSync(manifestPath, blocks.join(''));
console.log(`${r.path}\nsha256 ${r.sha256} (written to ${manifestPath})`);
