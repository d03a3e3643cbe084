import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifySocketError, openTcp, tcpProbe } from '../../../src/net/tcp.ts';
import { closedPort, errno, startTcpServer } from './helpers.ts';

let srv: Awaited<ReturnType<typeof startTcpServer>>;
beforeAll(async () => {
  srv = await startTcpServer((s) => s.end());
});
afterAll(() => srv.close());

describe('tcpProbe', () => {
  it('connects to a listening loopback port', async () => {
    const r = await tcpProbe('127.0.0.1', srv.port, { timeoutMs: 2000 });
    expect(r.ok).toBe(true);
    expect(r.error).toBeUndefined();
    expect(r.localAddress).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(r).not.toHaveProperty('socket');
  });

  it('classifies a closed port as refused', async () => {
    const port = await closedPort();
    const r = await tcpProbe('127.0.0.1', port, { timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    expect(r.error).toEqual({ kind: 'refused', code: 'ECONNREFUSED', message: `connect 127.0.0.1:${port}: connection refused` });
  });

  it('works over IPv6 loopback when available', async () => {
    const port = await closedPort();
    const r = await tcpProbe('::1', port, { timeoutMs: 2000 });
    expect(r.ok).toBe(false);
    // refused where ::1 is configured; unreachable/other where IPv6 is disabled
    expect(['refused', 'unreachable', 'other']).toContain(r.error?.kind);
    expect(r.error?.message).toMatch(new RegExp(`^connect \\[::1\\]:${port}: `));
  });

  it('hands the socket to the caller from openTcp', async () => {
    const r = await openTcp('127.0.0.1', srv.port, { timeoutMs: 2000 });
    expect(r.ok).toBe(true);
    expect(r.socket).toBeDefined();
    r.socket!.destroy();
  });

  it('returns aborted immediately for an already-aborted signal', async () => {
    const r = await tcpProbe('127.0.0.1', srv.port, { timeoutMs: 2000, signal: AbortSignal.abort() });
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('aborted');
  });

  it('ends at the deadline (timeoutMs 0 cannot complete a connect)', async () => {
    const t0 = performance.now();
    const r = await tcpProbe('127.0.0.1', srv.port, { timeoutMs: 0 });
    expect(performance.now() - t0).toBeLessThan(200);
    if (!r.ok) expect(r.error?.kind).toBe('timeout');
  });
});

describe('classifySocketError', () => {
  it.each([
    ['ENETUNREACH', 'unreachable', 'connect 203.0.113.10:443: network is unreachable (no route)'],
    ['EHOSTUNREACH', 'unreachable', 'connect 203.0.113.10:443: no route to host'],
    ['ECONNREFUSED', 'refused', 'connect 203.0.113.10:443: connection refused'],
    ['ETIMEDOUT', 'timeout', 'connect 203.0.113.10:443: connection timed out'],
    ['ECONNRESET', 'reset', 'connect 203.0.113.10:443: connection reset by peer'],
    ['EPIPE', 'reset', 'connect 203.0.113.10:443: broken pipe (the peer closed the connection)'],
    ['EWHATEVER', 'other', 'connect 203.0.113.10:443: boom'],
  ])('%s -> %s', (code, kind, message) => {
    const e = Object.assign(errno(code, 'boom'), { address: '203.0.113.10', port: 443 });
    expect(classifySocketError(e)).toEqual({ kind, code, message });
  });

  it('uses the explicit operation text when given', () => {
    expect(classifySocketError(errno('ENETUNREACH'), 'connect [2001:db8::1]:6443').message).toBe(
      'connect [2001:db8::1]:6443: network is unreachable (no route)',
    );
  });

  it('unwraps AggregateError from happy-eyeballs connects', () => {
    const agg = new AggregateError([errno('ENETUNREACH'), errno('ECONNREFUSED')], 'x') as unknown as NodeJS.ErrnoException;
    expect(classifySocketError(agg, 'connect api:443').kind).toBe('unreachable');
  });
});
