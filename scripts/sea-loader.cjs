// The single executable's main: compile the bundle (asset main.js, the CommonJS bundle wrapped in
// a function by scripts/code-cache.mjs) with the code cache made after a warm-up run (asset
// main.cache), then run it. When V8 rejects the cache (another V8 or other flags) it compiles the
// source as usual: slower, never different. Targets whose cache cannot be made here (another
// platform this machine cannot run: scripts/release.mjs) carry no main.cache at all.
// NETDIAG_DEBUG_CODE_CACHE=1 says which on stderr.
const { getAsset, getAssetKeys } = require('node:sea');
const { Script } = require('node:vm');

const cached = getAssetKeys().includes('main.cache');
const script = new Script(getAsset('main.js', 'utf8'), {
  filename: 'kubectl-netdiag.cjs',
  cachedData: cached ? Buffer.from(getAsset('main.cache')) : undefined,
});
if (process.env.NETDIAG_DEBUG_CODE_CACHE) process.stderr.write(`code cache: ${!cached ? 'none' : script.cachedDataRejected ? 'rejected' : 'accepted'}\n`);
script.runInThisContext()(require, module, __filename, __dirname);
