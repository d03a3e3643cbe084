// Issue 12 §5, end to end through the built CLI in the lab: a name with an A and an AAAA record;
// every address is tried and reported with its own result.
import { beforeAll, describe, expect, it } from 'vitest';
import { diagnose, requireBuild } from './harness.ts';

beforeAll(() => requireBuild());

describe('a dual-stack name (A and AAAA in the lab DNS)', () => {
  it('one address works (IPv4), the IPv6 one has no route: a warning naming it, exit 0', async () => {
    const d = await diagnose('dual-stack', ['--timeout', '2s']);
    expect(d.code, d.stdout + d.stderr).toBe(0);
    const tcp = d.check('api.tcp');
    expect(tcp.status).toBe('warn');
    expect(d.codes).toContain('api.tcp.unreachable');
    expect(d.codes).not.toContain('api.tcp.every-address-failed');
    expect(tcp.summary).toContain('[2001:db8:6::10]:6443: network is unreachable (no route)');
    expect(JSON.stringify(tcp.evidence)).toContain('198.51.100.10:6443');
    expect(d.check('api.http').status).toBe('pass');
  });

  it('both fail, differently (IPv6 no route, IPv4 black-holed): every attempt in the finding and the root cause', async () => {
    const d = await diagnose('dual-stack-down', ['--timeout', '2s']);
    expect(d.code).toBe(1);
    expect(d.codes).toEqual(expect.arrayContaining(['api.tcp.every-address-failed', 'api.tcp.unreachable', 'api.tcp.timeout']));
    const f = d.report.checks.flatMap((c) => c.findings).find((x) => x.code === 'api.tcp.every-address-failed')!;
    expect(f.message).toMatch(/^every address of dual6-down\.lab\.test fails \(2 tried\): /);
    expect(f.message).toContain('[2001:db8:6::10]:6443 network is unreachable (no route)');
    expect(f.message).toContain('192.0.2.10:6443 timed out (packets dropped)');
    expect(f.message).toContain('each for its own reason');
    expect(d.report.diagnosis.rootCause).toContain('[2001:db8:6::10]:6443 network is unreachable (no route)');
    expect(d.report.diagnosis.rootCause).toContain('192.0.2.10:6443 timed out (packets dropped)');
    expect(d.durationMs).toBeLessThan(3500);
  });
});
