import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpConnect } from '../../../src/net/connect.ts';
import { tlsHandshake } from '../../../src/net/tls.ts';
import { verifyChain } from '../../../src/net/x509.ts';
import { mintCert, type Pem } from '../../lab/pki.ts';
import { closedPort, startTcpServer } from './helpers.ts';

interface Started {
  port: number;
  close(): Promise<void>;
}

const ca = mintCert({ cn: 'tls-test-ca', o: 'netdiag tests', isCA: true });
const intermediate = mintCert({ cn: 'tls-test-intermediate', isCA: true, issuer: ca });
const SANS = { dns: ['localhost', 'api.lab.test'], ips: ['127.0.0.1', '::1'] };
const rsaLeaf = mintCert({ cn: 'kube-apiserver', ...SANS, issuer: intermediate });
const ecLeaf = mintCert({ cn: 'kube-apiserver-ec', ...SANS, keyType: 'ecdsa', issuer: ca });
const edCa = mintCert({ cn: 'tls-test-ed-ca', isCA: true, keyType: 'ed25519' });
const edLeaf = mintCert({ cn: 'kube-apiserver-ed', ...SANS, keyType: 'ed25519', issuer: edCa });
const clientCert = mintCert({ cn: 'lab-admin', o: 'system:masters', clientAuth: true, issuer: ca });

async function startTls(options: tls.TlsOptions, onSecure?: (s: tls.TLSSocket) => void): Promise<Started & { snis: string[] }> {
  const sockets = new Set<net.Socket>();
  const snis: string[] = [];
  // SNICallback runs while the server reads the ClientHello, before the client finishes
  const SNICallback = (name: string, cb: (err: Error | null, ctx?: tls.SecureContext) => void) => {
    snis.push(name);
    cb(null, undefined);
  };
  const server = tls.createServer({ ...options, SNICallback }, (s) => onSecure?.(s));
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    snis,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const servers: Started[] = [];
let rsa: Awaited<ReturnType<typeof startTls>>;
let ec: Awaited<ReturnType<typeof startTls>>;
let ed: Awaited<ReturnType<typeof startTls>>;
let mtls: Awaited<ReturnType<typeof startTls>>;
let plainHttp: Started;
let hang: Started;
let garbage: Started;
let trickle: Started;
let proxy: Started;

const chainPem = (leaf: Pem, ...rest: Pem[]) => [leaf.cert, ...rest.map((p) => p.cert)].join('');

beforeAll(async () => {
  rsa = await startTls({ cert: chainPem(rsaLeaf, intermediate), key: rsaLeaf.key, ALPNProtocols: ['h2', 'http/1.1'] }, (s) => s.end());
  ec = await startTls({ cert: ecLeaf.cert, key: ecLeaf.key }, (s) => s.end());
  ed = await startTls({ cert: edLeaf.cert, key: edLeaf.key }, (s) => s.end());
  mtls = await startTls({ cert: rsaLeaf.cert + intermediate.cert, key: rsaLeaf.key, requestCert: true, rejectUnauthorized: true, ca: [ca.cert], maxVersion: 'TLSv1.2' }, (s) =>
    s.end(),
  );
  const h = http.createServer((_q, r) => r.end('plain'));
  await new Promise<void>((r) => h.listen(0, '127.0.0.1', () => r()));
  plainHttp = {
    port: (h.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        h.closeAllConnections();
        h.close(() => r());
      }),
  };
  hang = await startTcpServer(() => {});
  garbage = await startTcpServer((s) => s.write(Buffer.from('\x00\x01\x02 this is not TLS at all, sorry\r\n\r\n')));
  trickle = await startTcpServer((s) => {
    // a TLS record header, then one byte every 100 ms
    s.write(Buffer.from([0x16, 0x03, 0x03, 0x40, 0x00]));
    const t = setInterval(() => s.write(Buffer.from([0x02])), 100);
    s.on('close', () => clearInterval(t));
  });
  // a minimal CONNECT proxy that tunnels to any loopback port
  proxy = await startTcpServer((s) => {
    s.once('data', (d) => {
      const target = d.toString('latin1').split(' ')[1];
      const port = Number(target.slice(target.lastIndexOf(':') + 1));
      const up = net.connect(port, '127.0.0.1', () => {
        s.write('HTTP/1.1 200 Connection established\r\n\r\n');
        s.pipe(up).pipe(s);
      });
      up.on('error', () => s.destroy());
    });
  });
  servers.push(rsa, ec, ed, mtls, plainHttp, hang, garbage, trickle, proxy);
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

describe('tlsHandshake', () => {
  it('captures the presented RSA chain (leaf + intermediate, not the root)', async () => {
    const n = rsa.snis.length;
    const r = await tlsHandshake({ host: '127.0.0.1', port: rsa.port, servername: 'api.lab.test', alpn: ['h2', 'http/1.1'], timeoutMs: 3000 });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.servername).toBe('api.lab.test');
    expect(rsa.snis.slice(n)).toEqual(['api.lab.test']);
    expect(r.protocol).toBe('TLSv1.3');
    expect(r.cipher).toMatch(/^TLS_/);
    expect(r.alpn).toBe('h2');
    expect(r.chain.map((c) => c.subject)).toEqual(['CN=kube-apiserver', 'CN=tls-test-intermediate']);
    expect(r.chain.map((c) => c.keyType)).toEqual(['RSA 2048', 'RSA 2048']);
    expect(r.certificates).toHaveLength(2);
    expect(r.socket).toBeUndefined();
    // the evidence verifies like kubectl would
    const v = verifyChain(r.certificates, { roots: [new (await import('node:crypto')).X509Certificate(ca.cert)], serverName: '127.0.0.1' });
    expect(v.trusted).toBe(true);
  });

  it('sends no SNI for IP literals, like Go', async () => {
    const n = rsa.snis.length;
    const r = await tlsHandshake({ host: '127.0.0.1', port: rsa.port, timeoutMs: 3000 });
    expect(r.ok).toBe(true);
    expect(r.servername).toBeUndefined();
    expect(rsa.snis.length).toBe(n); // no SNI extension at all
    const r2 = await tlsHandshake({ host: '127.0.0.1', port: rsa.port, servername: '127.0.0.1', timeoutMs: 3000 });
    expect(r2.servername).toBeUndefined();
  });

  it('ECDSA P-256 server', async () => {
    const r = await tlsHandshake({ host: '127.0.0.1', port: ec.port, timeoutMs: 3000 });
    expect(r.ok).toBe(true);
    expect(r.chain.map((c) => [c.subject, c.keyType, c.signatureAlgorithm])).toEqual([['CN=kube-apiserver-ec', 'ECDSA P-256', 'sha256WithRSAEncryption']]);
  });

  it('Ed25519 server', async () => {
    const r = await tlsHandshake({ host: 'localhost', port: ed.port, timeoutMs: 3000 });
    expect(r.ok).toBe(true);
    expect(r.servername).toBe('localhost');
    expect(r.chain.map((c) => [c.subject, c.keyType, c.signatureAlgorithm])).toEqual([['CN=kube-apiserver-ed', 'Ed25519', 'Ed25519']]);
  });

  it('classifies a plain HTTP server as not-tls, quickly', async () => {
    const t0 = performance.now();
    const r = await tlsHandshake({ host: '127.0.0.1', port: plainHttp.port, timeoutMs: 3000 });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('not-tls');
    expect(r.chain).toEqual([]);
  });

  it('classifies garbage as not-tls, quickly', async () => {
    const t0 = performance.now();
    const r = await tlsHandshake({ host: '127.0.0.1', port: garbage.port, timeoutMs: 3000 });
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.error?.kind).toBe('not-tls');
  });

  it('times out at the deadline when the server accepts and hangs', async () => {
    const t0 = performance.now();
    const r = await tlsHandshake({ host: '127.0.0.1', port: hang.port, timeoutMs: 400 });
    const took = performance.now() - t0;
    expect(took).toBeLessThan(400 + 200);
    expect(took).toBeGreaterThanOrEqual(390);
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('timeout');
  });

  it('times out at the deadline when the server trickles bytes', async () => {
    const t0 = performance.now();
    const r = await tlsHandshake({ host: '127.0.0.1', port: trickle.port, timeoutMs: 400 });
    expect(performance.now() - t0).toBeLessThan(400 + 200);
    expect(r.error?.kind).toBe('timeout');
  });

  it('reports TCP errors (refused) from its own connect', async () => {
    const port = await closedPort();
    const r = await tlsHandshake({ host: '127.0.0.1', port, timeoutMs: 2000 });
    expect(r.error?.kind).toBe('refused');
  });

  it('reports the alert when a client certificate is required (TLS 1.2)', async () => {
    const r = await tlsHandshake({ host: '127.0.0.1', port: mtls.port, timeoutMs: 3000 });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('alert');
    expect(r.alert).toBe('handshake failure');
  });

  it('presents a client certificate', async () => {
    const r = await tlsHandshake({ host: '127.0.0.1', port: mtls.port, clientCertPem: clientCert.cert, clientKeyPem: clientCert.key, timeoutMs: 3000 });
    expect(r.error).toBeUndefined();
    expect(r.ok).toBe(true);
    expect(r.protocol).toBe('TLSv1.2');
  });

  it('runs over a CONNECT tunnel and keeps the socket open on request', async () => {
    const tun = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), '127.0.0.1', rsa.port, { timeoutMs: 2000 });
    expect(tun.ok).toBe(true);
    const r = await tlsHandshake({ socket: tun.socket, host: '127.0.0.1', port: rsa.port, timeoutMs: 2000, keepOpen: true });
    expect(r.ok).toBe(true);
    expect(r.chain[0].subject).toBe('CN=kube-apiserver');
    expect(r.socket).toBeDefined();
    r.socket!.destroy();
  });

  it('returns aborted for an aborted signal', async () => {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const r = await tlsHandshake({ host: '127.0.0.1', port: hang.port, timeoutMs: 5000, signal: ac.signal });
    expect(r.error?.kind).toBe('aborted');
  });
});
