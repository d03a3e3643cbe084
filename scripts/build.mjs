// npm run build:
// - dist/kubectl-netdiag.mjs: one esbuild ESM bundle, run by any Node >= 22 (`node dist/kubectl-netdiag.mjs`).
// - dist/kubectl-netdiag: a Node single executable application for this machine, built by the same
//   Node that runs it (node_modules/.bin/node, Node 26). Its main is a small loader
//   (scripts/sea-loader.cjs) that compiles the same sources bundled as CommonJS with a V8 code cache
//   made after a warm-up run (scripts/code-cache.mjs): measured here, an ESM main gets no benefit
//   from a code cache, Node's own SEA code cache covers only the top level, and the cache made
//   after running covers what ran (`version` 74 -> 57 ms, `cert` 120 -> 98 ms).
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// --outdir DIR builds elsewhere (parallel work must not replace a binary a test is running)
const oi = process.argv.indexOf('--outdir');
const dist = oi > 0 ? process.argv[oi + 1] : join(root, 'dist');
const bundle = join(dist, 'kubectl-netdiag.mjs');
const seaMain = join(dist, 'sea', 'main.cjs');
const exe = join(dist, 'kubectl-netdiag');
const onlyBundle = process.argv.includes('--bundle-only');

// string-width for yargs' help layout only (see scripts/stubs/string-width-ascii.mjs). Ink and what
// it measures text with (its own wrap-ansi in node_modules/ink/node_modules, cli-truncate, ...) get
// scripts/stubs/string-width-fast.mjs: the real results, without the real module's load cost on
// the TUI's first paint; it falls back to the real string-width (netdiag-real-string-width).
const lightStringWidth = {
  name: 'light-string-width-for-cliui',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) =>
      /node_modules\/(cliui|wrap-ansi|yargs)\//.test(args.importer) && !/node_modules\/ink\//.test(args.importer)
        ? { path: join(root, 'scripts/stubs/string-width-ascii.mjs') }
        : { path: join(root, 'scripts/stubs/string-width-fast.mjs') },
    );
    b.onResolve({ filter: /^netdiag-real-string-width$/ }, () => ({ path: join(root, 'node_modules/string-width/index.js') }));
  },
};

// Ink's layout engine, yoga-layout, starts with a top-level await: its Emscripten module compiles
// the wasm it carries inline (base64) asynchronously. A CommonJS bundle cannot hold a top-level
// await, and neither can a module reached through `await import()` in a bundle. Emscripten lets the
// embedder instantiate the wasm itself (Module.instantiateWasm), and its start-up is synchronous once
// the instance exists, so compile the same bytes with the synchronous WebAssembly.Module/Instance
// (~95 KB of wasm; this happens only when the TUI loads). The patterns are checked: a yoga-layout
// release that no longer matches fails the build instead of shipping a broken TUI.
const YOGA_DATA_URI = /"(data:application\/octet-stream;base64,[A-Za-z0-9+/=]+)"/;
const syncYoga = {
  name: 'yoga-layout-sync-wasm',
  setup(b) {
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]binaries[\\/]yoga-wasm-base64-esm\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      const m = YOGA_DATA_URI.exec(src);
      if (!m || !src.includes('h.instantiateWasm')) throw new Error(`${args.path}: unexpected yoga-layout build (no inline wasm or no instantiateWasm hook)`);
      return {
        contents: `${src.replace(m[0], '__yogaWasmDataUri')}\nexport const __yogaWasmDataUri = ${JSON.stringify(m[1])};\n`,
        loader: 'js',
      };
    });
    b.onLoad({ filter: /[\\/]yoga-layout[\\/]dist[\\/]src[\\/]index\.js$/ }, (args) => {
      const src = readFileSync(args.path, 'utf8');
      if (!src.includes('wrapAssembly(await loadYoga())')) throw new Error(`${args.path}: unexpected yoga-layout entry`);
      return {
        contents: [
          "import loadYoga, { __yogaWasmDataUri } from '../binaries/yoga-wasm-base64-esm.js';",
          "import wrapAssembly from './wrapAssembly.js';",
          'const bytes = Buffer.from(__yogaWasmDataUri.slice(__yogaWasmDataUri.indexOf(",") + 1), "base64");',
          'const mod = { instantiateWasm(imports, done) { done(new WebAssembly.Instance(new WebAssembly.Module(bytes), imports)); return {}; } };',
          'loadYoga(mod);',
          'if (!mod.calledRun) throw new Error("yoga-layout did not start synchronously");',
          'const Yoga = wrapAssembly(mod);',
          'export default Yoga;',
          "export * from './generated/YGEnums.js';",
        ].join('\n'),
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
    // Ink's reconciler awaits at top level only under DEV=true (React devtools, which we never
    // ship: DEV is defined "false" below). Those two statements are dead code; drop them so the
    // module has no top-level await.
    b.onLoad({ filter: /[\\/]node_modules[\\/]ink[\\/]build[\\/]reconciler\.js$/ }, (args) => {
      let src = readFileSync(args.path, 'utf8');
      for (const [from, to] of [
        ["await import('./devtools.js');", '/* devtools are not shipped */'],
        ['const loaded = await loadPackageJson();', 'const loaded = {};'],
      ]) {
        if (src.split(from).length !== 2) throw new Error(`${args.path}: unexpected ink build (${from})`);
        src = src.replace(from, to);
      }
      return { contents: src, loader: 'js', resolveDir: dirname(args.path) };
    });
  },
};

// The packages Ink draws text with each create an Intl.Segmenter when they load (Ink's output
// tokenizer @alcalzone/ansi-tokenize, Ink's line-update and its own wrap-ansi, slice-ansi) or per call
// (cli-truncate). The first one a process creates costs ~15 ms (ICU's break iterator data), on the
// TUI's first paint, although what the TUI draws needs no segmentation. They get
// scripts/stubs/grapheme-segmenter.mjs instead: the same segments, unit by unit for the blocks where
// that is what Intl.Segmenter gives, a real Intl.Segmenter (created on first need) for the rest.
// Checked: a release that no longer creates exactly one fails the build.
const SEGMENTER_USERS = [
  /[\\/]@alcalzone[\\/]ansi-tokenize[\\/]build[\\/]tokenize\.js$/,
  /[\\/]ink[\\/]build[\\/]line-update\.js$/,
  /[\\/]ink[\\/]node_modules[\\/]wrap-ansi[\\/]index\.js$/,
  /[\\/]slice-ansi[\\/]tokenize-ansi\.js$/,
  /[\\/]cli-truncate[\\/]index\.js$/,
];
const lazySegmenter = {
  name: 'grapheme-segmenter-for-ink',
  setup(b) {
    const stub = join(root, 'scripts/stubs/grapheme-segmenter.mjs');
    const seen = new Set();
    b.onLoad({ filter: /(tokenize|line-update|index|tokenize-ansi)\.js$/ }, (args) => {
      const i = SEGMENTER_USERS.findIndex((re) => re.test(args.path));
      if (i < 0) return undefined;
      const src = readFileSync(args.path, 'utf8');
      if (src.split('new Intl.Segmenter(').length !== 2) throw new Error(`${args.path}: unexpected build (not one \`new Intl.Segmenter(\`)`);
      seen.add(i);
      return {
        contents: `import { GraphemeSegmenter as __NetdiagGraphemeSegmenter } from ${JSON.stringify(stub)};\n${src.replace('new Intl.Segmenter(', 'new __NetdiagGraphemeSegmenter(')}`,
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
    b.onEnd((result) => {
      if (result.errors.length) return;
      const missing = SEGMENTER_USERS.filter((_, i) => !seen.has(i));
      if (missing.length) throw new Error(`grapheme segmenter: not bundled any more: ${missing.join(' ')} (update SEGMENTER_USERS)`);
    });
  },
};

// `kubectl netdiag version`: the commit (with "-dirty" when the tree has changes) and the build
// date. The date is the commit's (or SOURCE_DATE_EPOCH), so the same commit builds the same bytes.
function buildInfo() {
  const git = (...args) => {
    try {
      return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const commit = git('rev-parse', '--short=12', 'HEAD');
  const dirty = commit && git('status', '--porcelain', '--untracked-files=no', '--', 'src', 'scripts', 'package.json') !== '';
  const epoch = process.env.SOURCE_DATE_EPOCH || git('log', '-1', '--format=%ct');
  return {
    commit: commit ? `${commit}${dirty ? '-dirty' : ''}` : 'unknown',
    date: epoch ? new Date(Number(epoch) * 1000).toISOString().replace(/\.000Z$/, 'Z') : 'unknown',
  };
}
export const BUILD_INFO = buildInfo();

const common = {
  plugins: [lightStringWidth, syncYoga, lazySegmenter],
  entryPoints: [join(root, 'src/cli/bin.ts')],
  bundle: true,
  platform: 'node',
  target: 'node22',
  // NETDIAG_MINIFY=0 keeps names readable in CPU profiles (NODE_OPTIONS=--cpu-prof)
  minify: process.env.NETDIAG_MINIFY !== '0',
  keepNames: true,
  sourcemap: false,
  legalComments: 'none',
  jsx: 'automatic',
  alias: { 'react-devtools-core': join(root, 'scripts/stubs/react-devtools-core.mjs') },
  define: { 'process.env.DEV': '"false"', 'process.env.NODE_ENV': '"production"', __NETDIAG_BUILD__: JSON.stringify(BUILD_INFO) },
  logLevel: 'warning',
};

mkdirSync(join(dist, 'sea'), { recursive: true });
const t0 = performance.now();
await build({
  ...common,
  outfile: bundle,
  format: 'esm',
  banner: {
    js: "#!/usr/bin/env node\nimport {createRequire as __netdiagCreateRequire} from 'node:module'; const require = __netdiagCreateRequire(import.meta.url);",
  },
});
// executable (it has a shebang): kubectl's plugin discovery warns about, and fails on,
// a non-executable kubectl-* file on PATH
chmodSync(bundle, 0o755);
console.log(`bundle: ${bundle} (${Math.round(performance.now() - t0)} ms)`);

// The single executable's entries besides the whole program (src/cli/bin.ts, asset main.js): each a
// CommonJS bundle of one command alone with its own code cache, which scripts/sea-loader.cjs picks
// from the first argument; its start() answers false for a line it does not run, and the loader
// then runs the whole program. `cert`: ~290 KB instead of ~1 MB to read and compile. What a bundle
// must not hold (`forbid`) fails the build: the point is what it leaves out.
const SEA_ENTRIES = {
  cert: {
    entry: 'src/cli/bin-cert.ts',
    // a terminal without -o/-v (the live view) is main's (src/cli/bin-cert.ts)
    stub: { 'live-view.tsx': 'export function startLiveView() { throw new Error("the live view is not in the cert bundle"); }' },
    forbid: /node_modules[\\/](yargs|ink|react|yoga-layout)[\\/]|src[\\/](tui|cli[\\/]main\.ts)/,
  },
};

/** Replaces the modules named in `stubs` (by file name) with the given source. */
const stubModules = (stubs) => ({
  name: 'stub-modules',
  setup(b) {
    const names = Object.keys(stubs).map((n) => n.replace(/[.]/g, '\\.')).join('|');
    b.onResolve({ filter: new RegExp(`(^|[\\\\/])(${names})$`) }, (args) => ({ path: args.path.replace(/^.*[\\/]/, ''), namespace: 'netdiag-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'netdiag-stub' }, (args) => ({ contents: stubs[args.path], loader: 'js' }));
  },
});

if (!onlyBundle) {
  // yargs' ESM entry calls createRequire(import.meta.url); give the CommonJS bundle a real URL.
  const cjs = {
    ...common,
    format: 'cjs',
    define: { ...common.define, 'import.meta.url': '__netdiagMetaUrl' },
    banner: { js: "var __netdiagMetaUrl = require('node:url').pathToFileURL(process.execPath).href;" },
  };
  // The loader reads each bundle as Latin-1 (a plain copy into a one-byte string: ~5x faster than
  // decoding UTF-8, and V8 keeps one-byte source at half the size): every bundle must be ASCII.
  // esbuild escapes strings and identifiers but leaves a regular expression's characters as they
  // are (`µs` in src/cli/duration.ts); \uXXXX means the same character in a regular expression,
  // a string, a template or a comment.
  const asciiOnly = (file) => {
    const text = readFileSync(file, 'utf8');
    if (/\\[^\x00-\x7f]/.test(text)) throw new Error(`${file}: an escaped non-ASCII character (\\ before it): escape it by hand`);
    const out = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
    if (out !== text) writeFileSync(file, out);
  };
  await build({ ...cjs, outfile: seaMain });
  asciiOnly(seaMain);
  for (const [name, e] of Object.entries(SEA_ENTRIES)) {
    const r = await build({
      ...cjs,
      entryPoints: [join(root, e.entry)],
      outfile: join(dist, 'sea', `${name}.cjs`),
      // without Ink: its plugins check that they found what they patch
      plugins: [lightStringWidth, stubModules(e.stub ?? {})],
      metafile: true,
    });
    asciiOnly(join(dist, 'sea', `${name}.cjs`));
    const held = Object.keys(Object.values(r.metafile.outputs)[0].inputs).filter((f) => e.forbid.test(f));
    if (held.length) throw new Error(`the ${name} entry bundles what it must leave out (an import to move behind a loader?):\n  ${held.join('\n  ')}`);
  }
  // V8 starts with a 1 MB young generation and scavenges it several times while the bundle
  // loads; a 16 MB one does not (measured: ~10 ms less on every run, a few MB more RSS).
  // It costs the healthy fleet (200 contexts, `api --all-contexts -o json`) about a tenth: 705-740
  // ms against 625-655 ms without the flag or with 4 MB, and 737 ms with 8 MB (three A/B runs of
  // 7-15 rounds in one timer, 2026-12-06), its many short-lived objects then no longer
  // recycled in the CPU's caches. Kept: `cert` against its floor (1.20-1.24 with it, 1.24-1.25
  // without, same runs) has the tighter budget, and the fleet is over its own either way.
  const SEA_EXEC_ARGV = ['--min-semi-space-size=16'];
  // each bundle's code cache, made after a warm-up run on this Node (scripts/code-cache.mjs), with
  // the executable's flags: the SEA's main is a small loader that compiles a bundle with its cache
  const names = ['main', ...Object.keys(SEA_ENTRIES)];
  const file = (name, ext) => join(dist, 'sea', `${name}.${ext}`);
  const t1 = performance.now();
  // (its output is the warm-up runs' reports and terminal UI; shown only when it fails)
  try {
    execFileSync(
      process.execPath,
      [...SEA_EXEC_ARGV, join(root, 'scripts', 'code-cache.mjs'), ...names.flatMap((n) => [`--${n}`, file(n, 'cjs'), file(n, 'js'), file(n, 'cache')])],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
  } catch (e) {
    process.stderr.write(String(e.stderr ?? ''));
    throw e;
  }
  console.log(`code caches: ${names.map((n) => file(n, 'cache')).join(' ')} (${Math.round(performance.now() - t1)} ms)`);
  const seaConfig = join(dist, 'sea', 'sea.json');
  writeFileSync(
    seaConfig,
    JSON.stringify({
      main: join(root, 'scripts', 'sea-loader.cjs'),
      output: exe,
      disableExperimentalSEAWarning: true,
      useCodeCache: true,
      useSnapshot: false,
      execArgv: SEA_EXEC_ARGV,
      assets: Object.fromEntries(names.flatMap((n) => [[`${n}.js`, file(n, 'js')], [`${n}.cache`, file(n, 'cache')]])),
    }),
  );
  rmSync(exe, { force: true });
  execFileSync(process.execPath, ['--build-sea', seaConfig], { stdio: ['ignore', 'ignore', 'inherit'] });
  chmodSync(exe, 0o755);
  console.log(`executable: ${exe} (node ${process.version})`);
}
