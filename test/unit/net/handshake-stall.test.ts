// Issue 12 §2, "net/http: TLS handshake timeout" told apart: the pure judgement of the probes'
// results, the probe itself against loopback servers that behave as the three causes do, and
// api.tls end to end on loopback (a port that answers plain text but whose TLS flight vanishes,
// a port that accepts and never answers, a slow handshake).
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { judgeHandshakeStall, plainTextProbe } from '../../../src/net/tls.ts';
import { ApiContext } from '../../../src/checks/api/context.ts';
import { stalledHandshake, tlsCheck } from '../../../src/checks/api/tls.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { labPki } from '../../lab/pki.ts';
import { oneContextKubeconfig } from '../kube/helpers.ts';

const pki = labPki();
const GO_400 = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

/** Plain text gets Go's 400; a TLS ClientHello gets nothing back (the large server flight is lost on the path). */
function mtuBlackHole(): Promise<number> {
  const held: net.Socket[] = [];
  return listen(
    net.createServer((s) => {
      held.push(s);
      s.once('data', (d: Buffer) => {
        if (d.toString('latin1').startsWith('GET ')) s.end(GO_400);
      });
      s.on('error', () => {});
    }),
  );
}
/** Accepts and never answers (a TCP load balancer with no backend). */
function silent(): Promise<number> {
  return listen(net.createServer((s) => s.on('error', () => {})));
}
/** A real TLS server whose handshake starts `delayMs` after the connection. */
function slow(delayMs: number): Promise<number> {
  const t = tls.createServer({ cert: pki.server.cert, key: pki.server.key });
  t.on('tlsClientError', () => {});
  return listen(net.createServer((s) => {
    s.on('error', () => {});
    setTimeout(() => t.emit('connection', s), delayMs);
  }));
}
function listen(s: net.Server): Promise<number> {
  servers.push(s);
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve((s.address() as net.AddressInfo).port)));
}

describe('judgeHandshakeStall (pure)', () => {
  it('a second, longer try that completes: slow, with how long it took', () => {
    expect(judgeHandshakeStall({ retry: { ok: true, durationMs: 2300 }, plain: { reaction: 'nothing', bytes: 0, durationMs: 2000 } })).toEqual({ kind: 'slow', tookMs: 2300 });
  });
  it('a small answer (Go 400, a reset, a close) while the handshake stalls: path-MTU black hole', () => {
    for (const reaction of ['answered', 'reset', 'closed'] as const) {
      expect(judgeHandshakeStall({ retry: { ok: false, durationMs: 2700 }, plain: { reaction, bytes: 0, durationMs: 3 } }).kind).toBe('mtu-blackhole');
    }
  });
  it('nothing at all: no answer; a probe that could not connect: unknown', () => {
    expect(judgeHandshakeStall({ retry: { ok: false, durationMs: 2700 }, plain: { reaction: 'nothing', bytes: 0, durationMs: 2000 } })).toEqual({ kind: 'no-answer' });
    expect(judgeHandshakeStall({ plain: { reaction: 'connect-failed', bytes: 0, durationMs: 2, error: { kind: 'refused', message: 'connect ECONNREFUSED' } } }).kind).toBe('unknown');
  });
});

describe('stalledHandshake: one code, root cause and fix per cause', () => {
  it('api.tls.mtu-blackhole names it and gives ping -M do / tracepath', () => {
    const r = stalledHandshake('198.51.100.10:6443', '198.51.100.10', 3000, {
      plain: { reaction: 'answered', firstLine: 'HTTP/1.0 400 Bad Request', bytes: 76, durationMs: 2 },
      retry: { ok: false, durationMs: 3700, chain: [], certificates: [] },
    });
    expect(r.finding.code).toBe('api.tls.mtu-blackhole');
    expect(r.finding.message).toContain('answers a small plain-text request at once ("HTTP/1.0 400 Bad Request")');
    expect(r.finding.message).toContain('path-MTU black hole');
    expect(r.finding.message).toContain('net/http: TLS handshake timeout');
    expect(r.reproduce).toEqual(['ping -M do -s 1472 198.51.100.10', 'ping -M do -s 1200 198.51.100.10', 'tracepath 198.51.100.10']);
  });
  it('api.tls.no-answer and api.tls.slow-handshake', () => {
    const none = stalledHandshake('198.51.100.10:6443', '198.51.100.10', 3000, { plain: { reaction: 'nothing', bytes: 0, durationMs: 3000 }, retry: { ok: false, durationMs: 3700, chain: [], certificates: [] } });
    expect(none.finding.code).toBe('api.tls.no-answer');
    expect(none.finding.message).toMatch(/accepts the TCP connection but never answers.*TCP load balancer without a healthy backend/);
    const slowR = stalledHandshake('198.51.100.10:6443', '198.51.100.10', 3000, { plain: { reaction: 'nothing', bytes: 0, durationMs: 3000 }, retry: { ok: true, durationMs: 3412, chain: [], certificates: [] } });
    expect(slowR.finding.code).toBe('api.tls.slow-handshake');
    expect(slowR.finding.message).toContain('a second, longer try completed after 3412 ms');
  });
});

describe('plainTextProbe on loopback', () => {
  it("Go's 400 to a plain request", async () => {
    const port = await mtuBlackHole();
    const p = await plainTextProbe('127.0.0.1', port, { timeoutMs: 1000 });
    expect(p).toMatchObject({ reaction: 'answered', firstLine: 'HTTP/1.0 400 Bad Request' });
  });
  it('nothing from a silent port, within the deadline', async () => {
    const port = await silent();
    const p = await plainTextProbe('127.0.0.1', port, { timeoutMs: 300 });
    expect(p.reaction).toBe('nothing');
    expect(p.durationMs).toBeLessThan(600);
  });
});

function apiCtx(port: number, timeoutMs: number): ApiContext {
  const { file, dir } = oneContextKubeconfig(`https://127.0.0.1:${port}`, pki.ca.cert, 'netdiag-stall-');
  return new ApiContext({ kubeconfig: { kubeconfig: file, env: {}, homeDir: dir }, timeoutMs, requestTimeoutMs: timeoutMs, endpoints: [], env: {}, redactor: new Redactor() });
}

describe('api.tls on a stalled handshake (loopback), within --timeout + 1 s', () => {
  it('plain text answered, TLS flight lost: api.tls.mtu-blackhole', async () => {
    const port = await mtuBlackHole();
    const started = performance.now();
    const r = await tlsCheck.run(apiCtx(port, 800), new AbortController().signal);
    expect(performance.now() - started).toBeLessThan(1800);
    expect(r.findings!.map((f) => f.code)).toEqual(['api.tls.mtu-blackhole']);
    expect(r.reproduce).toContain('ping -M do -s 1472 127.0.0.1');
  });
  it('accepts and never answers: api.tls.no-answer', async () => {
    const port = await silent();
    const started = performance.now();
    const r = await tlsCheck.run(apiCtx(port, 800), new AbortController().signal);
    expect(performance.now() - started).toBeLessThan(1800);
    expect(r.findings!.map((f) => f.code)).toEqual(['api.tls.no-answer']);
  });
  it('a handshake 200 ms slower than the deadline: api.tls.slow-handshake, with how long', async () => {
    const port = await slow(1000);
    const started = performance.now();
    const r = await tlsCheck.run(apiCtx(port, 800), new AbortController().signal);
    expect(performance.now() - started).toBeLessThan(1800);
    expect(r.findings!.map((f) => f.code)).toEqual(['api.tls.slow-handshake']);
    expect(r.summary).toMatch(/completes, but slowly: 1\d{3} ms on a second try \(the first gave up after 800 ms\)/);
  });
  it('a healthy handshake starts no probe', async () => {
    const port = await slow(0);
    const r = await tlsCheck.run(apiCtx(port, 800), new AbortController().signal);
    expect(r.evidence!.stall).toBeUndefined();
    expect(r.findings).toEqual([]);
  });
});
