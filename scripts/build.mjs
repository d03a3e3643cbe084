// npm run build:
// - dist/kubectl-netdiag.mjs: one esbuild ESM bundle, run by any Node >= 22 (`node dist/kubectl-netdiag.mjs`).
// - dist/kubectl-netdiag: a Node single executable application for this machine, built by the same
//   Node that runs it (node_modules/.bin/node, Node 26). Its main is the same sources bundled as
//   CommonJS: measured here, an ESM main gets no benefit from the SEA code cache (a yargs-only
//   program starts in ~88 ms either way) while a CommonJS main with the code cache starts in ~39 ms.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
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

// string-width for yargs' help layout only (see scripts/stubs/string-width-ascii.mjs).
const lightStringWidth = {
  name: 'light-string-width-for-cliui',
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, (args) =>
      /node_modules\/(cliui|wrap-ansi|yargs)\//.test(args.importer)
        ? { path: join(root, 'scripts/stubs/string-width-ascii.mjs') }
        : undefined,
    );
  },
};

const common = {
  plugins: [lightStringWidth],
  entryPoints: [join(root, 'src/cli/bin.ts')],
  bundle: true,
  platform: 'node',
  target: 'node22',
  minify: true,
  keepNames: true,
  sourcemap: false,
  legalComments: 'none',
  jsx: 'automatic',
  alias: { 'react-devtools-core': join(root, 'scripts/stubs/react-devtools-core.mjs') },
  define: { 'process.env.DEV': '"false"', 'process.env.NODE_ENV': '"production"' },
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

if (!onlyBundle) {
  // yargs' ESM entry calls createRequire(import.meta.url); give the CommonJS bundle a real URL.
  await build({
    ...common,
    outfile: seaMain,
    format: 'cjs',
    define: { ...common.define, 'import.meta.url': '__netdiagMetaUrl' },
    banner: { js: "var __netdiagMetaUrl = require('node:url').pathToFileURL(process.execPath).href;" },
  });
  const seaConfig = join(dist, 'sea', 'sea.json');
  writeFileSync(
    seaConfig,
    JSON.stringify({ main: seaMain, output: exe, disableExperimentalSEAWarning: true, useCodeCache: true, useSnapshot: false }),
  );
  rmSync(exe, { force: true });
  execFileSync(process.execPath, ['--build-sea', seaConfig], { stdio: ['ignore', 'ignore', 'inherit'] });
  chmodSync(exe, 0o755);
  console.log(`executable: ${exe} (node ${process.version})`);
}
