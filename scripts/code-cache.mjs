// node scripts/code-cache.mjs --main BUNDLE OUT_SOURCE OUT_CACHE [--cert BUNDLE OUT_SOURCE OUT_CACHE]
// node scripts/code-cache.mjs BUNDLE OUT_SOURCE OUT_CACHE          (the whole program's alone)
//
// The single executable's code caches, made after the code has run (V8 then holds the bytecode of
// every function that ran, not only the top level that Node's own `useCodeCache` compiles).
// Each CommonJS bundle is wrapped in a function (OUT_SOURCE, what scripts/sea-loader.cjs compiles
// with the cache), run here for its common paths (main, the whole program: version, --help, `cert`
// and `api` against a TLS server on 127.0.0.1 in json and text, the terminal UI's menu; an entry
// of one command, such as `cert` (src/cli/bin-cert.ts): that command's lines, through its start()),
// and V8's cache of that script is written to OUT_CACHE. Measured here: `cert` 120 -> 98 ms, `version` 74 -> 57 ms, the menu's first paint
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

const args = process.argv.slice(2);
if (args.length === 3) args.unshift('--main');
/** name -> { bundle, source, cache } */
const entries = new Map();
for (let i = 0; i < args.length; i += 4) {
  const [flag, bundle, source, cache] = args.slice(i, i + 4);
  if (!flag?.startsWith('--') || !cache) {
    console.error('usage: node scripts/code-cache.mjs --main BUNDLE OUT_SOURCE OUT_CACHE [--NAME BUNDLE OUT_SOURCE OUT_CACHE ...]');
    process.exit(2);
  }
  entries.set(flag.slice(2), { bundle, source, cache });
}
if (!entries.has('main')) {
  console.error('code-cache: --main is required');
  process.exit(2);
}

const WRAP_HEAD = '(function (require, module, __filename, __dirname) {';
for (const e of entries.values()) writeFileSync(e.source, `${WRAP_HEAD}${readFileSync(e.bundle, 'utf8')}\n})`);

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
  { name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }, { type: 2, value: 'localhost' }] },
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

const require = createRequire(import.meta.url);
// the file names scripts/sea-loader.cjs gives them
const filename = (name) => (name === 'main' ? 'kubectl-netdiag.cjs' : `kubectl-netdiag-${name}.cjs`);
const scripts = new Map([...entries].map(([name, e]) => [name, new vm.Script(readFileSync(e.source, 'utf8'), { filename: filename(name) })]));
/** Runs a bundle's top level; an entry of one command is then started with the line. */
const start = (name, argv) => {
  process.argv = [process.execPath, 'kubectl-netdiag', ...argv];
  const m = { exports: {} };
  scripts.get(name).runInThisContext()(require, m, filename(name), dir);
  if (name !== 'main' && !m.exports.start(argv)) throw new Error(`the ${name} entry does not run: ${argv.join(' ')}`);
};
// the program ends itself with process.exit once its report is written; here the runs share one
// process, which must live until the caches are written
const exit = process.exit.bind(process);
process.exit = () => {};
const home = join(dir, 'home');
const LINES = {
  main: [
    ['version'],
    ['--help'],
    ['cert', target, '--ca-file', caFile, '-o', 'json'],
    ['cert', target, '--ca-file', caFile, '--timeout', '5s'],
    ['api', '--kubeconfig', kubeconfig, '-o', 'json'],
    ['api', '--kubeconfig', kubeconfig],
  ],
  cert: [
    ['cert', target, '--ca-file', caFile, '-o', 'json'],
    // a host name, as users type it: the name lookup (/etc/hosts here) and SNI paths
    ['cert', `localhost:${server.address().port}`, '--ca-file', caFile, '-o', 'json'],
    ['cert', target, '--ca-file', caFile, '--timeout', '5s'],
  ],
};
for (const name of entries.keys()) {
  if (!LINES[name]) throw new Error(`code-cache: no warm-up lines for the ${name} entry`);
  for (const argv of LINES[name]) {
    // no kubeconfig: `cert` takes its no-cluster path, as on a machine without one
    process.env = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1' };
    start(name, argv);
  }
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
process.env = { PATH: process.env.PATH, HOME: home, TERM: 'xterm-256color', KUBECONFIG: join(dir, 'no-kubeconfig') };
start('main', []);

let written = false;
const finish = () => {
  if (written) return;
  written = true;
  for (const [name, e] of entries) writeFileSync(e.cache, scripts.get(name).createCachedData());
  rmSync(dir, { recursive: true, force: true });
};
process.on('beforeExit', finish);
// a run that never ends (the menu never painted) must not hang the build: a cache of what ran
setTimeout(() => {
  process.stderr.write('code cache: a warm-up run did not finish within 20 s; writing the cache of what ran\n');
  finish();
  exit(0);
}, 20_000).unref();
