// npm run package: the krew archive for linux/amd64 (the single executable + LICENSE), built
// reproducibly (fixed mtime, owner and order; gzip without name/time), and plugin.yaml's sha256
// updated to match it.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const exe = join(dist, 'kubectl-netdiag');
if (!existsSync(exe)) {
  console.error('error: dist/kubectl-netdiag is missing: run `npm run build` first');
  process.exit(2);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(`error: this builds the linux/amd64 archive and must run there (this is ${process.platform}/${process.arch})`);
  process.exit(2);
}
const stage = join(dist, 'package');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
copyFileSync(exe, join(stage, 'kubectl-netdiag'));
copyFileSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));
// --out DIR writes the archive elsewhere (tests: an archive in dist/ is itself a kubectl-* file
// that `kubectl plugin list` warns about, being not executable)
const oi = process.argv.indexOf('--out');
const archive = join(oi > 0 ? process.argv[oi + 1] : dist, 'kubectl-netdiag_linux_amd64.tar.gz');
const tar = execFileSync(
  'tar',
  ['--sort=name', '--mtime=2026-01-01 00:00:00Z', '--owner=0', '--group=0', '--numeric-owner', '--mode=u+rwX,go+rX,go-w', '-C', stage, '-cf', '-', 'kubectl-netdiag', 'LICENSE'],
  { maxBuffer: 1 << 30 },
);
const gz = execFileSync('gzip', ['-n', '-6'], { input: tar, maxBuffer: 1 << 30 });
writeFileSync(archive, gz);
rmSync(stage, { recursive: true, force: true });
const sha = createHash('sha256').update(gz).digest('hex');

// --manifest PATH writes the updated manifest elsewhere (tests); by default plugin.yaml itself.
const mi = process.argv.indexOf('--manifest');
const manifestPath = mi > 0 ? process.argv[mi + 1] : join(root, 'plugin.yaml');
const templatePath = join(root, 'plugin.yaml');
const manifest = readFileSync(templatePath, 'utf8');
const updated = manifest.replace(/sha256: "?[0-9a-f]{64}"?/, `sha256: "${sha}"`);
if (updated === manifest && !manifest.includes(sha)) {
  console.error('error: plugin.yaml has no sha256 field to update');
  process.exit(2);
}
writeFileSync(manifestPath, updated);
console.log(`${archive}\nsha256 ${sha} (written to ${manifestPath})`);
