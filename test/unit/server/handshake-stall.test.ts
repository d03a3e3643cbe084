// Issue 12 §2 for `server`: a stalled TLS handshake is told apart as `api` tells it (path-MTU
// black hole, accepts and never answers, slow), not called "cannot reach" or "does not verify".
// server.connection end to end against loopback servers that behave as the three causes do;
// server.endpoints on recorded probe evidence; the shared watcher on loopback; the root cause.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { connectionCheck } from '../../../src/checks/server/connection.ts';
import { ServerContext } from '../../../src/checks/server/context.ts';
import { diagnoseServer } from '../../../src/checks/server/diagnosis.ts';
import { endpointsCheck } from '../../../src/checks/server/endpoints.ts';
import type { ServedCertificate } from '../../../src/checks/server/served-certificates.ts';
import { toFinding } from '../../../src/engine/runner.ts';
import { judgeStalledHandshake, watchHandshakeStall, type StallEvidence } from '../../../src/kube/handshake-stall.ts';
import { certInfo } from '../../../src/net/x509.ts';
import { statusFromFindings, type CheckResult, type CheckStatus } from '../../../src/report/types.ts';
import { cleanupTempDirs, pems } from '../kube/helpers.ts';
import { answer, clientOptions, codes, routeRequests, runOne, seed, seedReachable } from '../api/helpers.ts';
import { labPki } from '../../lab/pki.ts';

const pki = labPki();
const GO_400 = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';
const servers: net.Server[] = [];
const held: net.Socket[] = [];
afterAll(() => {
  for (const s of held) s.destroy();
  for (const s of servers) s.close();
  cleanupTempDirs();
});

function listen(s: net.Server): Promise<number> {
  servers.push(s);
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)));
}
/** Plain text gets Go's 400 at once; a ClientHello gets nothing back (the certificate flight is lost). */
const mtuBlackHole = () =>
  listen(
    net.createServer((s) => {
      held.push(s);
      s.on('error', () => {});
      s.once('data', (d: Buffer) => {
        if (d.toString('latin1').startsWith('GET ')) s.end(GO_400);
      });
    }),
  );
/** Accepts and never answers. */
const silent = () =>
  listen(
    net.createServer((s) => {
      held.push(s);
      s.on('error', () => {});
    }),
  );
/** A real TLS server whose handshake starts `delayMs` after the connection. */
function slow(delayMs: number): Promise<number> {
  const t = tls.createServer({ cert: pki.server.cert, key: pki.server.key });
  t.on('tlsClientError', () => {});
  return listen(
    net.createServer((s) => {
      held.push(s);
      s.on('error', () => {});
      setTimeout(() => t.emit('connection', s), delayMs);
    }),
  );
}

function serverAt(port: number, timeoutMs: number): ServerContext {
  return new ServerContext({ ...clientOptions({ server: `https://127.0.0.1:${port}` }), timeoutMs, requestTimeoutMs: timeoutMs, local: false });
}

async function connection(port: number, timeoutMs = 800) {
  const started = performance.now();
  const r = await runOne(connectionCheck, serverAt(port, timeoutMs));
  return { r, tookMs: performance.now() - started };
}

describe('server.connection on a stalled handshake (loopback), within --timeout + 1 s', () => {
  it("plain text answered with Go's 400, TLS flight lost: server.connection.mtu-blackhole with ping -M do and tracepath", async () => {
    const port = await mtuBlackHole();
    const { r, tookMs } = await connection(port);
    expect(tookMs).toBeLessThan(1800);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual(['server.connection.mtu-blackhole']);
    expect(r.findings[0]!.message).toContain(`The TLS handshake with 127.0.0.1:${port} did not complete within 800 ms, yet the same port answers a small plain-text request at once ("HTTP/1.0 400 Bad Request")`);
    expect(r.findings[0]!.message).toContain('path-MTU black hole');
    expect(r.findings[0]!.message).not.toMatch(/does not verify|cannot reach/);
    expect(r.findings[0]!.remediation.join(' ')).toMatch(/--clamp-mss-to-pmtu/);
    expect(r.reproduce).toEqual(expect.arrayContaining(['ping -M do -s 1472 127.0.0.1', 'tracepath 127.0.0.1']));
    expect(r.evidence!.stall).toMatchObject({ cause: 'mtu-blackhole', plain: { reaction: 'answered' } });
  });

  it('accepts and never answers: server.connection.no-answer', async () => {
    const port = await silent();
    const { r, tookMs } = await connection(port);
    expect(tookMs).toBeLessThan(1800);
    expect(codes(r)).toEqual(['server.connection.no-answer']);
    expect(r.findings[0]!.message).toMatch(/accepts the TCP connection but never answers: neither the TLS handshake nor a small plain-text request got a byte back within 800 ms/);
    expect(r.findings[0]!.remediation.join(' ')).toMatch(/TCP load balancer with no healthy backend/);
  });

  it('a handshake 200 ms slower than the deadline: server.connection.slow-handshake, with how long', async () => {
    const port = await slow(1000);
    const { r, tookMs } = await connection(port);
    expect(tookMs).toBeLessThan(1800);
    expect(codes(r)).toEqual(['server.connection.slow-handshake']);
    expect(r.summary).toMatch(/completes, but slowly: 1\d{3} ms on a second try \(the first gave up after 800 ms\)/);
  });

  it('a refused port is still server.connection.failed (no stall, no probe)', async () => {
    const port = await new Promise<number>((resolve) => {
      const s = net.createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const { r } = await connection(port);
    expect(codes(r)).toEqual(['server.connection.failed']);
    expect(r.evidence!.stall).toBeUndefined();
  });
});

describe('watchHandshakeStall (the one watcher api and server share)', () => {
  it('probes only once the watched handshake has been pending a while, and stops when it turns out moot', async () => {
    const port = await mtuBlackHole();
    const quick = await watchHandshakeStall({ host: '127.0.0.1', port }, { timeoutMs: 800, startedAt: performance.now() }, Promise.resolve(false));
    expect(quick).toBeUndefined();
    let done!: (v: boolean) => void;
    const stalled = new Promise<boolean>((r) => (done = r));
    const started = performance.now();
    const watching = watchHandshakeStall({ host: '127.0.0.1', port }, { timeoutMs: 800, startedAt: started }, stalled);
    setTimeout(() => done(true), 800);
    const probes = (await watching)!;
    expect(probes.plain).toMatchObject({ reaction: 'answered', firstLine: 'HTTP/1.0 400 Bad Request' });
    // the plain answer decided it: the second handshake was stopped, well before deadline + 500 ms
    expect(probes.retry!.ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(1300);
  });
});

function served(address: string, over: Partial<ServedCertificate> = {}): ServedCertificate {
  const cert = new X509Certificate(pems().serverCert);
  return { address, sources: ['EndpointSlice default/kubernetes'], via: address, ok: true, chain: [certInfo(cert)], certs: [cert], trusted: true, ...over };
}
const stalledAt = (address: string, stall: StallEvidence, sources = ['EndpointSlice default/kubernetes']): ServedCertificate =>
  served(address, { sources, ok: false, chain: undefined, certs: undefined, error: { kind: 'timeout', message: `TLS handshake with ${address}: timed out after 1000 ms` }, stall });

const MTU: StallEvidence = { plain: { reaction: 'answered', firstLine: 'HTTP/1.0 400 Bad Request', bytes: 76, durationMs: 2 }, retry: { ok: false, durationMs: 1200 } };
const NOTHING: StallEvidence = { plain: { reaction: 'nothing', bytes: 0, durationMs: 1000 }, retry: { ok: false, durationMs: 1500 } };
const SLOW: StallEvidence = { plain: { reaction: 'nothing', bytes: 0, durationMs: 1000 }, retry: { ok: true, durationMs: 1312 } };

function withServed(served: ServedCertificate[], endpoints = [{ address: '127.0.0.1', port: 6443 }]): ServerContext {
  const ctx = new ServerContext({ ...clientOptions({ server: 'https://127.0.0.1:6443' }), local: false });
  seed(ctx, 'endpoint-facts', { endpoints, endpointSource: 'EndpointSlice default/kubernetes', server: { host: '127.0.0.1', port: 6443, name: '127.0.0.1', addresses: ['127.0.0.1'] }, served });
  return ctx;
}

describe('server.endpoints: a stalled address is told apart, not "unreachable" nor a dead advertise address', () => {
  it('the only endpoint stalls while small packets pass: server.endpoints.mtu-blackhole, not advertised-dead (something listens there)', async () => {
    const ctx = withServed([stalledAt('127.0.0.13:6443', MTU), served('127.0.0.1:6443', { sources: ['kubeconfig server'] })], [{ address: '127.0.0.13', port: 6443 }]);
    const r = await runOne(endpointsCheck, ctx);
    expect(codes(r)).toEqual(['server.endpoints.mtu-blackhole']);
    expect(r.status).toBe('warn');
    expect(r.findings[0]!.message).toMatch(/^The TLS handshake with 127\.0\.0\.13:6443 did not complete within 1000 ms, yet the same port answers a small plain-text request at once \("HTTP\/1\.0 400 Bad Request"\).*path-MTU black hole.* 127\.0\.0\.13:6443 is EndpointSlice default\/kubernetes: clients that pick it fail\.$/);
    expect(r.summary).toBe('TLS handshake stalls: 127.0.0.13:6443 (path-MTU black hole) (0 of 1 endpoint answer with a trusted certificate; the kubeconfig address 127.0.0.1:6443 answers)');
    expect(r.evidence!.stalls).toEqual({ '127.0.0.13:6443': 'mtu-blackhole' });
  });

  it('server.endpoints.no-answer and server.endpoints.slow-handshake, one per address', async () => {
    const ctx = withServed(
      [served('127.0.0.1:6443', { sources: ['EndpointSlice default/kubernetes', 'kubeconfig server'] }), stalledAt('127.0.0.2:6443', NOTHING), stalledAt('127.0.0.3:6443', SLOW)],
      [
        { address: '127.0.0.1', port: 6443 },
        { address: '127.0.0.2', port: 6443 },
        { address: '127.0.0.3', port: 6443 },
      ],
    );
    const r = await runOne(endpointsCheck, ctx);
    expect(codes(r)).toEqual(['server.endpoints.no-answer', 'server.endpoints.slow-handshake']);
    expect(r.findings[0]!.message).toMatch(/^127\.0\.0\.2:6443 accepts the TCP connection but never answers/);
    expect(r.findings[1]!.message).toMatch(/a second, longer try completed after 1312 ms.* clients that pick it wait that long for every new connection\.$/);
  });

  it('a stall the probes cannot explain stays server.endpoints.unreachable', async () => {
    const unknown: StallEvidence = { plain: { reaction: 'connect-failed', bytes: 0, durationMs: 3, error: { kind: 'refused', message: 'connect ECONNREFUSED' } }, retry: { ok: false, durationMs: 5 } };
    const ctx = withServed([served('127.0.0.1:6443', { sources: ['EndpointSlice default/kubernetes', 'kubeconfig server'] }), stalledAt('127.0.0.2:6443', unknown)], [
      { address: '127.0.0.1', port: 6443 },
      { address: '127.0.0.2', port: 6443 },
    ]);
    expect(codes(await runOne(endpointsCheck, ctx))).toEqual(['server.endpoints.unreachable']);
  });
});

describe('server.endpoints end to end on loopback: the watcher runs beside each address\'s handshake', () => {
  it('an endpoint whose TLS flight vanishes while plain text gets Go\'s 400: server.endpoints.mtu-blackhole, within --timeout + 1 s', async () => {
    const [mtu, good] = await Promise.all([mtuBlackHole(), slow(0)]);
    const ctx = new ServerContext({ ...clientOptions({ server: `https://127.0.0.1:${good}` }), timeoutMs: 800, requestTimeoutMs: 800, local: false });
    seedReachable(ctx.api);
    routeRequests(ctx.api, (_m, path) =>
      path.startsWith('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices')
        ? answer(200, { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', metadata: {}, items: [{ addressType: 'IPv4', endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }], ports: [{ name: 'https', port: mtu, protocol: 'TCP' }] }] })
        : answer(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404 }),
    );
    const started = performance.now();
    const r = await runOne(endpointsCheck, ctx);
    expect(performance.now() - started).toBeLessThan(1800);
    expect(codes(r)).toContain('server.endpoints.mtu-blackhole');
    expect(codes(r)).not.toContain('server.endpoints.advertised-dead');
    expect(codes(r)).not.toContain('server.endpoints.unreachable');
    const f = r.findings.find((x) => x.code === 'server.endpoints.mtu-blackhole')!;
    expect(f.message).toContain(`The TLS handshake with 127.0.0.1:${mtu} did not complete within 800 ms, yet the same port answers a small plain-text request at once ("HTTP/1.0 400 Bad Request")`);
  });
});

function result(id: string, summary: string, findings: Parameters<typeof toFinding>[0][] = [], status?: CheckStatus): CheckResult {
  const fs = findings.map(toFinding);
  return { id, title: id, status: status ?? (statusFromFindings(fs) as CheckStatus), durationMs: 1, summary, findings: fs, reproduce: [] };
}

describe('the server root cause of a stalled handshake', () => {
  it('blames the path, not the certificate, and keeps the probe evidence words', () => {
    const v = judgeStalledHandshake(
      { slow: 'server.connection.slow-handshake', mtuBlackhole: 'server.connection.mtu-blackhole', noAnswer: 'server.connection.no-answer', failed: 'server.connection.failed' },
      '203.0.113.10:6443',
      '203.0.113.10',
      2000,
      MTU,
    );
    expect(v.code).toBe('server.connection.mtu-blackhole');
    const d = diagnoseServer([result('server.connection', v.summary, [{ code: v.code, message: v.message }])], new ServerContext({ ...clientOptions(), local: false }));
    expect(d.rootCause).toMatch(/^This machine cannot complete the TLS handshake with https:\/\/203\.0\.113\.10:6443 \(a path-MTU black hole: the network path, not the server, loses large packets\)/);
    expect(d.rootCause).not.toMatch(/does not verify/);
    expect(d.remediation[0]).toMatch(/ping -M do -s 1472/);
    const none = diagnoseServer([result('server.connection', 's', [{ code: 'server.connection.no-answer', message: 'm.' }])], new ServerContext({ ...clientOptions(), local: false }));
    expect(none.rootCause).toMatch(/accepts TCP from this machine but never answers/);
    const slowD = diagnoseServer([result('server.connection', 's', [{ code: 'server.connection.slow-handshake', message: 'm.' }])], new ServerContext({ ...clientOptions(), local: false }));
    expect(slowD.rootCause).toMatch(/completes, but only after the deadline/);
  });
});
