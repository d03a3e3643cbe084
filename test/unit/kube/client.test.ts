// KubeClient's connections: API requests reuse TLS connections (HTTP keep-alive) like kubectl's
// transport, against a loopback TLS server that counts the connections it accepts.
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import * as https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { KubeClient } from '../../../src/kube/client.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { b64, cleanupTempDirs, pems, tempDir, write } from './helpers.ts';

interface CountingServer {
  url: string;
  /**
   * TLS connections established (the client's TCP probe, api.tcp's evidence, connects and closes
   * without TLS: not counted)
   */
  connections: number;
  /** TLS sessions established, with the client certificate's CN when one was sent */
  sessions: { clientCn?: string }[];
  /** every request: path, the connection's number, the Authorization header */
  requests: { path: string; connection: number; authorization?: string }[];
  sockets: Set<Socket>;
  close(): Promise<void>;
}

type Handler = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void;

async function countingServer(opts: { handler?: Handler; requestCert?: boolean } = {}): Promise<CountingServer> {
  const p = pems();
  const state = { connections: 0, sessions: [] as { clientCn?: string }[], requests: [] as CountingServer['requests'], sockets: new Set<Socket>() };
  const numbers = new WeakMap<Socket, number>();
  const server = https.createServer({ cert: p.serverCert, key: p.serverKey, ...(opts.requestCert ? { requestCert: true, rejectUnauthorized: false } : {}) }, (req, res) => {
    state.requests.push({ path: req.url ?? '', connection: numbers.get(req.socket) ?? -1, authorization: req.headers.authorization });
    if (opts.handler) return opts.handler(req, res);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ path: req.url, gitVersion: 'v1.31.0' }));
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (s: Socket) => {
    state.sockets.add(s);
    s.on('close', () => state.sockets.delete(s));
  });
  server.on('secureConnection', (s: TLSSocket) => {
    state.connections++;
    numbers.set(s, state.connections);
    const cn = s.getPeerCertificate()?.subject?.CN;
    state.sessions.push(cn ? { clientCn: Array.isArray(cn) ? cn[0] : cn } : {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://127.0.0.1:${port}`,
    get connections() {
      return state.connections;
    },
    sessions: state.sessions,
    requests: state.requests,
    sockets: state.sockets,
    close: () =>
      new Promise<void>((r) => {
        for (const s of state.sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

const CLIENT_TS = resolve(import.meta.dirname, '../../../src/kube/client.ts');
const REDACT_TS = resolve(import.meta.dirname, '../../../src/report/redact.ts');

const clients: KubeClient[] = [];
const servers: CountingServer[] = [];

function client(server: { url: string }, user: Record<string, string> = { token: 'secret-token-123' }, timeouts: { timeoutMs: number; requestTimeoutMs: number; poolWaitMs?: number } = { timeoutMs: 2000, requestTimeoutMs: 2000 }): KubeClient {
  const dir = tempDir('netdiag-client-');
  const p = pems();
  const userYaml = Object.entries(user)
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`)
    .join(', ');
  const kubeconfig = write(
    join(dir, 'config'),
    `apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters: [{name: t, cluster: {server: "${server.url}", certificate-authority-data: ${b64(p.serverCert)}}}]\n` +
      `users: [{name: u, user: {${userYaml}}}]\ncontexts: [{name: t, context: {cluster: t, user: u}}]\n`,
  );
  const c = new KubeClient({ kubeconfig: { kubeconfig, env: {}, homeDir: dir }, ...timeouts, env: {}, redactor: new Redactor() });
  clients.push(c);
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const s of servers.splice(0)) await s.close();
});
afterAll(() => cleanupTempDirs());

async function start(opts: Parameters<typeof countingServer>[0] = {}) {
  const s = await countingServer(opts);
  servers.push(s);
  return s;
}

describe('KubeClient connections (HTTP keep-alive)', () => {
  it('sends N requests one after another over one TCP+TLS connection', async () => {
    const s = await start();
    const c = client(s);
    for (let i = 0; i < 5; i++) {
      const r = await c.request('GET', `/version?i=${i}`, { auth: true });
      expect(r.ok).toBe(true);
      expect(r.response?.statusCode).toBe(200);
      expect(JSON.parse(r.response!.body).path).toBe(`/version?i=${i}`);
      expect(r.via).toBe(s.url.replace('https://', ''));
    }
    expect(s.connections).toBe(1);
    expect(s.requests.map((r) => r.connection)).toEqual([1, 1, 1, 1, 1]);
    expect(s.requests.every((r) => r.authorization === 'Bearer secret-token-123')).toBe(true);
  });

  it('carries the first requests over the connection tls() verified', async () => {
    const s = await start();
    const c = client(s);
    const t = await c.tls();
    expect(t.verify?.trusted).toBe(true);
    await c.get('/api/v1/namespaces/default');
    await c.request('GET', '/version', { auth: false });
    expect(s.connections).toBe(1);
    // anonymous: no Authorization on the anonymous request
    expect(s.requests.map((r) => r.authorization)).toEqual(['Bearer secret-token-123', undefined]);
  });

  it('sends requests made at once over at most two connections when the answers come quickly', async () => {
    const s = await start({
      handler: (_req, res) => setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'), 5),
    });
    // waiting long for a busy connection: the bound holds however slow the machine is (the default
    // 100 ms wait, after which one more connection opens, is the next test's)
    const c = client(s, undefined, { timeoutMs: 2000, requestTimeoutMs: 2000, poolWaitMs: 10_000 });
    const all = await Promise.all([1, 2, 3, 4, 5, 6].map((i) => c.request('GET', `/r/${i}`, { auth: true })));
    expect(all.map((r) => r.response?.statusCode)).toEqual([200, 200, 200, 200, 200, 200]);
    // at most two (one when the machine is quick enough that each answer comes before the next ask)
    expect(s.connections).toBeLessThanOrEqual(2);
  });

  it('opens another connection when the busy ones are not released within 100 ms, then reuses them', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    let held = 0;
    const s = await start({
      handler: (req, res) => {
        const answer = () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        if (req.url?.startsWith('/slow')) {
          held++;
          if (held === 3) release();
          void gate.then(answer);
        } else answer();
      },
    });
    const c = client(s);
    const parallel = await Promise.all([1, 2, 3].map((i) => c.request('GET', `/slow/${i}`, { auth: true })));
    expect(parallel.every((r) => r.response?.statusCode === 200)).toBe(true);
    expect(s.connections).toBe(3);
    for (let i = 0; i < 3; i++) await c.request('GET', `/after/${i}`, { auth: true });
    expect(s.connections).toBe(3);
  });

  it('opens a new connection when the server closes the idle one', async () => {
    const s = await start();
    const c = client(s);
    expect((await c.request('GET', '/one', { auth: true })).response?.statusCode).toBe(200);
    for (const sock of s.sockets) sock.destroy();
    await new Promise((r) => setTimeout(r, 50));
    const r = await c.request('GET', '/two', { auth: true });
    expect(r.response?.statusCode).toBe(200);
    expect(s.connections).toBe(2);
  });

  it('opens a new connection after an answer with "Connection: close"', async () => {
    const s = await start({ handler: (_req, res) => res.writeHead(200, { connection: 'close', 'content-type': 'application/json' }).end('{}') });
    const c = client(s);
    for (let i = 0; i < 3; i++) expect((await c.request('GET', `/x${i}`, { auth: true })).response?.statusCode).toBe(200);
    expect(s.connections).toBe(3);
  });

  it('sends a GET again on a new connection when the reused one was closed as it was sent', async () => {
    const s = await start();
    const c = client(s);
    expect((await c.request('GET', '/one', { auth: true })).ok).toBe(true);
    // the server half-closes without the client having seen it yet: end the socket from the server
    // side and ask at once (a real server's idle timeout racing the next request)
    for (const sock of s.sockets) sock.resetAndDestroy();
    const r = await c.request('GET', '/two', { auth: true });
    expect(r.ok).toBe(true);
    expect(r.response?.statusCode).toBe(200);
    expect(s.requests.map((x) => x.path)).toEqual(['/one', '/two']);
    expect(s.connections).toBe(2);
  });

  it('keeps the deadline on a reused connection: a server that stops answering ends in a timeout', async () => {
    let n = 0;
    const s = await start({
      handler: (_req, res) => {
        n++;
        if (n === 1) res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
        // second request: never answered
      },
    });
    const c = client(s, { token: 'secret-token-123' }, { timeoutMs: 2000, requestTimeoutMs: 300 });
    expect((await c.request('GET', '/one', { auth: true })).ok).toBe(true);
    const t0 = performance.now();
    const r = await c.request('GET', '/hang', { auth: true });
    const ms = performance.now() - t0;
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('timeout');
    expect(r.error?.message).toBe('GET /hang: timed out after 300 ms (no response from the server)');
    expect(ms).toBeGreaterThanOrEqual(280);
    expect(ms).toBeLessThan(1500);
    expect(s.connections).toBe(1);
    // the timed-out connection is not reused
    n = 0;
    expect((await c.request('GET', '/three', { auth: true })).ok).toBe(true);
    expect(s.connections).toBe(2);
  });

  it('keeps connections with the client certificate apart from anonymous ones', async () => {
    const s = await start({ requestCert: true });
    const p = pems();
    const c = client(s, { 'client-certificate-data': b64(p.clientCert), 'client-key-data': b64(p.clientKey) });
    await c.tls();
    await c.request('GET', '/version', { auth: false });
    await c.request('GET', '/api', { auth: true });
    await c.request('GET', '/apis', { auth: true });
    await c.request('GET', '/version', { auth: false });
    // tls() (anonymous, reused by both anonymous requests) and one with the certificate
    expect(s.connections).toBe(2);
    expect(s.sessions).toEqual([{}, { clientCn: 'tester' }]);
    expect(s.requests.map((r) => r.connection)).toEqual([1, 2, 2, 1]);
  });

  it('does not hold the process open with idle connections', async () => {
    const s = await start();
    const c = client(s); // only for its kubeconfig
    const kubeconfig = c.clientOptions.kubeconfig.kubeconfig!;
    // a program that makes two requests and returns: it must end by itself, idle connection or not
    const program = `
      import { KubeClient } from ${JSON.stringify(CLIENT_TS)};
      import { Redactor } from ${JSON.stringify(REDACT_TS)};
      const c = new KubeClient({ kubeconfig: { kubeconfig: ${JSON.stringify(kubeconfig)}, env: {}, homeDir: '/nonexistent' }, timeoutMs: 2000, requestTimeoutMs: 2000, env: {}, redactor: new Redactor() });
      const a = await c.request('GET', '/a', { auth: true });
      const b = await c.request('GET', '/b', { auth: true });
      console.log(JSON.stringify([a.response?.statusCode, b.response?.statusCode, c.connectionsOpened]));
      globalThis.__ended = performance.now();
    `;
    const t0 = performance.now();
    const out = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--input-type=module', '-e', program], { timeout: 10_000 }, (err, stdout, stderr) =>
        resolve({ code: child.exitCode ?? (err ? 1 : 0), stdout, stderr }),
      );
    });
    const ms = performance.now() - t0;
    expect(out.stderr).toBe('');
    expect(JSON.parse(out.stdout)).toEqual([200, 200, 1]);
    expect(out.code).toBe(0);
    // the server keeps the connection for 30 s: the program ended long before
    expect(ms).toBeLessThan(8000);
    expect(s.connections).toBe(1);
  });
});

// A plain http:// server URL (kubectl proxy; a kubeconfig that should say https://): client-go
// dials it without TLS and sends it no credentials; behind a proxy it sends the request to the
// proxy in absolute form (no CONNECT), with the proxy's credentials.
describe('KubeClient on a plain http:// server', () => {
  async function plainServer(): Promise<{ url: string; seen: { line: string; authorization?: string; proxyAuthorization?: string; connection: number }[]; connections: number; close(): Promise<void> }> {
    const http = await import('node:http');
    const state = { seen: [] as { line: string; authorization?: string; proxyAuthorization?: string; connection: number }[], connections: 0 };
    const numbers = new WeakMap<Socket, number>();
    const sockets = new Set<Socket>();
    const server = http.createServer((req, res) => {
      state.seen.push({ line: `${req.method} ${req.url}`, authorization: req.headers.authorization, proxyAuthorization: req.headers['proxy-authorization'] as string | undefined, connection: numbers.get(req.socket) ?? -1 });
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ gitVersion: 'v1.31.0' }));
    });
    server.keepAliveTimeout = 30_000;
    server.on('connection', (s: Socket) => {
      numbers.set(s, ++state.connections);
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      seen: state.seen,
      get connections() {
        return state.connections;
      },
      close: () =>
        new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
    };
  }

  it('speaks plain HTTP over one keep-alive connection, sends no token, and makes no TLS handshake', async () => {
    const s = await plainServer();
    try {
      const c = client(s);
      expect(c.plainHttp).toBe(true);
      expect(await c.reachable()).toEqual({ ok: true });
      for (const p of ['/version', '/api', '/apis']) {
        const r = await c.request('GET', p, { auth: true });
        expect(r.response?.statusCode).toBe(200);
      }
      expect(s.seen.map((x) => x.line)).toEqual(['GET /version', 'GET /api', 'GET /apis']);
      expect(s.seen.every((x) => x.authorization === undefined)).toBe(true);
      expect(s.seen.every((x) => x.connection === s.seen[0]!.connection)).toBe(true);
      await expect(c.tls()).rejects.toThrow(/plain http/);
      c.close();
    } finally {
      await s.close();
    }
  });

  it('through a proxy: the request in absolute form to the proxy, with Proxy-Authorization and without CONNECT', async () => {
    const proxy = await plainServer(); // records what it is sent, and answers it itself
    try {
      const dir = tempDir('netdiag-client-');
      const kubeconfig = write(
        join(dir, 'config'),
        `apiVersion: v1\nkind: Config\ncurrent-context: t\nclusters: [{name: t, cluster: {server: "http://api.example.test:8080", proxy-url: "${proxy.url.replace('http://', 'http://u:p%40ss@')}"}}]\n` +
          `users: [{name: u, user: {token: secret-token-123}}]\ncontexts: [{name: t, context: {cluster: t, user: u}}]\n`,
      );
      const c = new KubeClient({ kubeconfig: { kubeconfig, env: {}, homeDir: dir }, timeoutMs: 2000, requestTimeoutMs: 2000, env: {}, redactor: new Redactor() });
      clients.push(c);
      const r = await c.request('GET', '/version', { auth: true });
      expect(r.response?.statusCode).toBe(200);
      expect(r.via).toBe(`proxy ${proxy.url.replace('http://', 'http://u:REDACTED@')} → api.example.test:8080 (plain HTTP, no CONNECT)`);
      expect(proxy.seen).toEqual([{ line: 'GET http://api.example.test:8080/version', proxyAuthorization: `Basic ${Buffer.from('u:p@ss').toString('base64')}`, connection: 1 }]);
      expect(await c.speaksTls()).toBeUndefined();
    } finally {
      await proxy.close();
    }
  });

  it('tells a TLS port from a broken one: speaksTls() completes a handshake on the same address', async () => {
    const tlsServer = await start();
    const c = client({ url: tlsServer.url.replace('https://', 'http://') });
    const r = await c.request('GET', '/version', { auth: true });
    // Node's https server (unlike Go's) closes without an HTTP answer
    expect(r.response).toBeUndefined();
    expect(r.ok).toBe(false);
    expect((await c.speaksTls())?.tls).toBe(true);
    const plain = await plainServer();
    try {
      const p = client(plain);
      expect((await p.speaksTls())?.tls).toBe(false);
    } finally {
      await plain.close();
    }
  });
});
