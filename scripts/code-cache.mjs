// node scripts/code-cache.mjs BUNDLE OUT_SOURCE OUT_CACHE
//
// The single executable's code cache, made after the code has run (V8 then holds the bytecode of
// every function that ran, not only the top level that Node's own `useCodeCache` compiles).
// The CommonJS bundle is wrapped in a function (OUT_SOURCE, what scripts/sea-loader.cjs compiles
// with the cache), run here for the common paths (version, --help, `cert` and `api` against a TLS
// server on 127.0.0.1 in json and text, the terminal UI's menu), and V8's cache of that script is written
// to OUT_CACHE. Measured here: `cert` 120 -> 98 ms, `version` 74 -> 57 ms, the menu's first paint
// 145 -> 104 ms. The cache changes no behaviour: V8
// checks it against its version, flags and the source, and compiles normally when it does not
// match (scripts/sea-loader.cjs can say which: NETDIAG_DEBUG_CODE_CACHE=1).
//
// Must run on the Node that builds the executable (the cache is tied to its V8), with the
// executable's execArgv. Network traffic: 127.0.0.1 only.
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import https from 'node:https';
import { PassThrough } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import vm from 'node:vm';
import forge from 'node-forge';

const [bundle, outSource, outCache] = process.argv.slice(2);
if (!outCache) {
  console.error('usage: node scripts/code-cache.mjs BUNDLE OUT_SOURCE OUT_CACHE');
  process.exit(2);
}

const WRAP_HEAD = '(function (require, module, __filename, __dirname) {';
const source = `${WRAP_HEAD}${readFileSync(bundle, 'utf8')}\n})`;
writeFileSync(outSource, source);

// a certificate for 127.0.0.1 (the key from node:crypto: forge's own RSA key generation is slow)
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const cert = forge.pki.createCertificate();
cert.publicKey = forge.pki.publicKeyFromPem(publicKey.export({ type: 'spki', format: 'pem' }).toString());
cert.serialNumber = '01';
cert.validity.notBefore = new Date(Date.now() - 3600_000);
cert.validity.notAfter = new Date(Date.now() + 86_400_000);
const name = [{ name: 'commonName', value: 'netdiag-build-warmup' }];
cert.setSubject(name);
cert.setIssuer(name);
cert.setExtensions([
  { name: 'basicConstraints', cA: true },
  { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] },
]);
cert.sign(forge.pki.privateKeyFromPem(keyPem), forge.md.sha256.create());
const certPem = forge.pki.certificateToPem(cert);
const dir = mkdtempSync(join(tmpdir(), 'netdiag-code-cache-'));
const caFile = join(dir, 'ca.pem');
writeFileSync(caFile, certPem);

// answers like a healthy API server, enough for `api` to run all its checks
const server = https.createServer({ key: keyPem, cert: certPem }, (req, res) => {
  const json = (o) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(o));
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/version') return json({ major: '1', minor: '31', gitVersion: 'v1.31.0', platform: 'linux/amd64' });
  if (path.startsWith('/readyz') || path.startsWith('/livez') || path === '/healthz') return res.end('ok');
  if (path.includes('selfsubjectreviews')) return json({ kind: 'SelfSubjectReview', apiVersion: 'authentication.k8s.io/v1', status: { userInfo: { username: 'warmup', groups: ['system:authenticated'] } } });
  if (path.includes('endpointslices')) return json({ kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', items: [{ addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'] }], ports: [{ name: 'https', port: server.address().port }] }] });
  return res.end('ok');
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
server.unref();
const target = `127.0.0.1:${server.address().port}`;

const kubeconfig = join(dir, 'kubeconfig');
writeFileSync(
  kubeconfig,
  `apiVersion: v1\nkind: Config\ncurrent-context: warmup\nclusters: [{name: warmup, cluster: {server: "https://${target}", certificate-authority: "${caFile}"}}]\n` +
    'users: [{name: warmup, user: {token: warmup}}]\ncontexts: [{name: warmup, context: {cluster: warmup, user: warmup}}]\n',
  { mode: 0o600 },
);

const script = new vm.Script(source, { filename: 'kubectl-netdiag.cjs' });
const run = script.runInThisContext();
const require = createRequire(import.meta.url);
// the program ends itself with process.exit once its report is written; here the runs share one
// process, which must live until the cache is written
const exit = process.exit.bind(process);
process.exit = () => {};
const home = join(dir, 'home');
for (const argv of [
  ['version'],
  ['--help'],
  ['cert', target, '--ca-file', caFile, '-o', 'json'],
  ['cert', target, '--ca-file', caFile, '--timeout', '5s'],
  ['api', '--kubeconfig', kubeconfig, '-o', 'json'],
  ['api', '--kubeconfig', kubeconfig],
]) {
  process.argv = [process.execPath, 'kubectl-netdiag', ...argv];
  // no kubeconfig: `cert` takes its no-cluster path, as on a machine without one
  process.env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' };
  run(require, { exports: {} }, 'kubectl-netdiag.cjs', dir);
}
// The terminal UI's menu, as on a terminal: stdout and stdin are TTYs as far as the program can
// tell, and `q` comes from here once the menu is painted (its first paint is what this is for).
const keys = new PassThrough();
Object.assign(keys, { isTTY: true, setRawMode: () => keys, ref: () => keys, unref: () => keys });
Object.defineProperty(process, 'stdin', { value: keys, configurable: true });
Object.assign(process.stdout, { isTTY: true, columns: 100, rows: 30 });
const write = process.stdout.write.bind(process.stdout);
let quit = false;
process.stdout.write = (chunk, ...rest) => {
  if (!quit && String(chunk).includes('Diagnose')) {
    quit = true;
    setTimeout(() => keys.write('q'), 50);
  }
  return write(chunk, ...rest);
};
process.argv = [process.execPath, 'kubectl-netdiag'];
process.env = { PATH: process.env.PATH, HOME: home, TERM: 'xterm-256color', KUBECONFIG: join(dir, 'no-kubeconfig') };
run(require, { exports: {} }, 'kubectl-netdiag.cjs', dir);

let written = false;
const finish = () => {
  if (written) return;
  written = true;
  writeFileSync(outCache, script.createCachedData());
  rmSync(dir, { recursive: true, force: true });
};
process.on('beforeExit', finish);
// a run that never ends (the menu never painted) must not hang the build: a cache of what ran
setTimeout(() => {
  process.stderr.write('code cache: a warm-up run did not finish within 20 s; writing the cache of what ran\n');
  finish();
  exit(0);
}, 20_000).unref();
