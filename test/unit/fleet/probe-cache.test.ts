// Contexts on the same server, proxy and CA share one probe set: counted at a loopback TLS server.
import type { IncomingMessage } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeClient } from '../../../src/kube/client.ts';
import { ApiContext } from '../../../src/checks/api/context.ts';
import { authCheck } from '../../../src/checks/api/auth.ts';
import { ProbeCache, caFingerprint } from '../../../src/kube/probe-cache.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { b64, cleanupTempDirs, pems, tempDir, write } from '../kube/helpers.ts';

let server: Server;
let port = 0;
let connections = 0;
let handshakes = 0;

beforeAll(async () => {
  const p = pems();
  server = createServer({ cert: p.serverCert, key: p.serverKey }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"major":"1","minor":"31","gitVersion":"v1.31.0"}');
  });
  server.on('connection', (s: Socket) => {
    connections++;
    s.on('error', () => {});
  });
  server.on('secureConnection', () => handshakes++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
  cleanupTempDirs();
});

function kubeconfig(ca: string, tokenOf: (context: string) => string = (c) => `token-${c}`): string {
  const dir = tempDir('netdiag-fleet-');
  const contexts = ['a', 'b', 'c'];
  return write(
    join(dir, 'config'),
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: contexts.map((c) => ({ name: `cl-${c}`, cluster: { server: `https://127.0.0.1:${port}`, 'certificate-authority-data': b64(ca) } })),
      users: contexts.map((c) => ({ name: `u-${c}`, user: { token: tokenOf(c) } })),
      contexts: contexts.map((c) => ({ name: c, context: { cluster: `cl-${c}`, user: `u-${c}` } })),
    }),
  );
}

function client(file: string, context: string, cache?: ProbeCache): KubeClient {
  return new KubeClient({ kubeconfig: { kubeconfig: file, context, env: {}, homeDir: '/nonexistent' }, timeoutMs: 2000, requestTimeoutMs: 2000, env: {}, redactor: new Redactor(), probeCache: cache });
}

/** The requests the loopback server gets while `work` runs, one line each (`line` may skip one), sorted. */
async function requestsDuring(work: () => Promise<unknown>, line: (req: IncomingMessage) => string | undefined): Promise<string[]> {
  const seen: string[] = [];
  const onReq = (req: IncomingMessage) => {
    const l = line(req);
    if (l !== undefined) seen.push(l);
  };
  server.on('request', onReq);
  try {
    await work();
  } finally {
    server.off('request', onReq);
  }
  return seen.sort();
}

async function settle() {
  await new Promise((r) => setTimeout(r, 100));
}

describe('ProbeCache shared by the clients of a fleet run', () => {
  it('three contexts on one server and CA: one TCP probe and one TLS handshake, each client sees the same verified chain', async () => {
    const file = kubeconfig(pems().serverCert);
    const cache = new ProbeCache();
    const clients = ['a', 'b', 'c'].map((c) => client(file, c, cache));
    connections = handshakes = 0;
    const outcomes = await Promise.all(clients.map((c) => c.tls()));
    await settle();
    expect(outcomes.map((o) => o.verify?.trusted)).toEqual([true, true, true]);
    expect(handshakes).toBe(1);
    // the TCP probe and the connection the handshake ran on
    expect(connections).toBe(2);
    expect(cache.stats.byKind.tls).toEqual({ misses: 1, hits: 2 });
    expect(cache.stats.byKind.tcp).toEqual({ misses: 1, hits: 0 });
    for (const c of clients) c.close();
  });

  it('without the cache every context probes on its own (the cost the cache saves)', async () => {
    const file = kubeconfig(pems().serverCert);
    const clients = ['a', 'b', 'c'].map((c) => client(file, c));
    connections = handshakes = 0;
    await Promise.all(clients.map((c) => c.tls()));
    await settle();
    expect(handshakes).toBe(3);
    expect(connections).toBe(6);
    for (const c of clients) c.close();
  });

  it('another CA is another handshake (its verdict differs), but the TCP probe of the address is shared', async () => {
    const cache = new ProbeCache();
    const good = client(kubeconfig(pems().serverCert), 'a', cache);
    const other = client(kubeconfig(pems().otherCa), 'a', cache);
    connections = handshakes = 0;
    const [g, o] = await Promise.all([good.tls(), other.tls()]);
    await settle();
    expect(g.verify?.trusted).toBe(true);
    expect(o.verify?.trusted).toBe(false);
    expect(cache.stats.byKind.tls).toEqual({ misses: 2, hits: 0 });
    expect(cache.stats.byKind.tcp).toEqual({ misses: 1, hits: 1 });
    expect(caFingerprint(pems().serverCert)).not.toBe(caFingerprint(pems().otherCa));
    good.close();
    other.close();
  });

  it('credentials and API requests stay per user: each token reaches the server', async () => {
    const file = kubeconfig(pems().serverCert);
    const cache = new ProbeCache();
    const [a, b] = ['a', 'b'].map((c) => client(file, c, cache));
    const seen = await requestsDuring(() => Promise.all([a!.get('/version'), b!.get('/version')]), (req) => String(req.headers.authorization));
    expect(seen).toEqual(['Bearer token-a', 'Bearer token-b']);
    a!.close();
    b!.close();
  });

  it('contexts with the same server path and the same user share the answers that change nothing (GETs, access reviews); another user asks again', async () => {
    // a and b: one user (the same token); c: another
    const file = kubeconfig(pems().serverCert, (c) => (c === 'c' ? 'token-c' : 'token-ab'));
    const cache = new ProbeCache();
    const [a, b, c] = ['a', 'b', 'c'].map((x) => client(file, x, cache));
    const review = (k: KubeClient) =>
      k.requestOnce('ssar-list-pods:default', 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { auth: true, body: { kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: 'default', verb: 'list', resource: 'pods' } } } });
    const seen = await requestsDuring(
      () => Promise.all([a!, b!, c!].flatMap((k) => [k.get('/version'), review(k)])),
      (req) => `${req.method} ${req.url} ${String(req.headers.authorization)}`,
    );
    expect(seen).toEqual([
      'GET /version Bearer token-ab',
      'GET /version Bearer token-c',
      'POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews Bearer token-ab',
      'POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews Bearer token-c',
    ]);
    for (const k of [a!, b!, c!]) k.close();
  });

  it('api.auth in a fleet: contexts with one user ask the SelfSubjectReview and the access review once; another user asks its own', async () => {
    const file = kubeconfig(pems().serverCert, (c) => (c === 'c' ? 'token-c' : 'token-ab'));
    const cache = new ProbeCache();
    const ctxs = ['a', 'b', 'c'].map(
      (x) => new ApiContext({ kubeconfig: { kubeconfig: file, context: x, env: {}, homeDir: '/nonexistent' }, timeoutMs: 2000, requestTimeoutMs: 2000, endpoints: [], env: {}, redactor: new Redactor(), probeCache: cache }),
    );
    const posts = await requestsDuring(
      () => Promise.all(ctxs.map((c) => authCheck.run(c, new AbortController().signal))),
      (req) => (req.method === 'POST' ? `${req.url} ${String(req.headers.authorization)}` : undefined),
    );
    expect(posts).toEqual([
      '/apis/authentication.k8s.io/v1/selfsubjectreviews Bearer token-ab',
      '/apis/authentication.k8s.io/v1/selfsubjectreviews Bearer token-c',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews Bearer token-ab',
      '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews Bearer token-c',
    ]);
    for (const c of ctxs) c.close();
  });
});
