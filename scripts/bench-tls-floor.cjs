// The least any Node executable does for `kubectl netdiag cert HOST`: one TLS handshake with SNI,
// then the chain the server sent (subject, issuer, SHA-256 of each). scripts/bench.ts builds it as
// a single executable the way scripts/build.mjs builds ours (same Node, code cache, execArgv) and
// times it beside openssl: the part of the cert ratio that no code of ours can remove.
const tls = require('node:tls');
const [host, port = '443'] = process.argv[2].split(':');
const socket = tls.connect({ host, port: Number(port), servername: host, rejectUnauthorized: false }, () => {
  const seen = new Set();
  for (let c = socket.getPeerCertificate(true); c && c.raw && !seen.has(c.fingerprint256); c = c.issuerCertificate) {
    seen.add(c.fingerprint256);
    process.stdout.write(`${c.subject && c.subject.CN} <- ${c.issuer && c.issuer.CN} ${c.fingerprint256}\n`);
  }
  socket.destroy();
});
socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
socket.on('error', (e) => {
  process.stderr.write(`error: ${e.message}\n`);
  process.exitCode = 1;
});
