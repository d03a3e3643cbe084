// The single executable's main: compile a bundle (asset NAME.js, a CommonJS bundle wrapped in a
// function by scripts/code-cache.mjs) with the code cache made after a warm-up run (asset
// NAME.cache), then run it. When V8 rejects the cache (another V8 or other flags) it compiles the
// source as usual: slower, never different. Targets whose cache cannot be made here (another
// platform this machine cannot run: scripts/release.mjs) carry no cache at all.
//
// main.js is the whole program (src/cli/bin.ts). An asset named after the first argument (cert.js:
// src/cli/bin-cert.ts, see scripts/build.mjs) is the bundle of that command alone, much smaller:
// it is loaded first, and its start(argv) runs the line or answers false, and then (--help, a
// usage error, a flag it does not read, the live view on a terminal) the whole program runs it.
// NETDIAG_DEBUG_CODE_CACHE=1 says on stderr, for each bundle loaded, whether its cache was accepted.
// The assets are read in place (getRawAsset: no copy); a bundle is ASCII (scripts/build.mjs makes
// it so), so Latin-1 gives the same text as UTF-8, without decoding.
const { getRawAsset, getAssetKeys } = require('node:sea');
const { Script } = require('node:vm');

const keys = getAssetKeys();
function load(name) {
  const cached = keys.includes(`${name}.cache`);
  const script = new Script(Buffer.from(getRawAsset(`${name}.js`)).latin1Slice(), {
    filename: name === 'main' ? 'kubectl-netdiag.cjs' : `kubectl-netdiag-${name}.cjs`,
    cachedData: cached ? Buffer.from(getRawAsset(`${name}.cache`)) : undefined,
  });
  if (process.env.NETDIAG_DEBUG_CODE_CACHE) {
    process.stderr.write(`code cache${name === 'main' ? '' : ` (${name})`}: ${!cached ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`);
  }
  const m = { exports: {} };
  script.runInThisContext()(require, m, __filename, __dirname);
  return m.exports;
}

const argv = process.argv.slice(2);
const first = argv[0];
const own = first && first !== 'main' && /^[a-z]+$/.test(first) && keys.includes(`${first}.js`);
if (!(own && load(first).start(argv))) load('main');
