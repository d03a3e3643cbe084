// Issue 12 §1 and §2 end to end through the built CLI in the lab: a transparent interceptor (real
// mitmdump, reverse mode) on the dialled address with no proxy variable and its CA in the
// namespace's trust store; a path that drops every packet over 1000 bytes from the server; a
// server that accepts and never answers; a slow handshake. Each run ends within --timeout + 1 s.
import { beforeAll, describe, expect, it } from 'vitest';
import { EXE, diagnose, diagnoseIn, requireBuild } from './harness.ts';
import { startLab } from '../lab/netns.ts';
import type { Report } from '../../src/report/types.ts';

beforeAll(() => requireBuild());

describe('"net/http: TLS handshake timeout" told apart', () => {
  it('every packet over 1000 bytes from the server dropped: api.tls.mtu-blackhole, with ping -M do and tracepath', async () => {
    const d = await diagnose('tls-mtu-blackhole', ['--timeout', '2s']);
    expect(d.code).toBe(1);
    const tls = d.check('api.tls');
    expect(tls.findings.map((f) => f.code)).toEqual(['api.tls.mtu-blackhole']);
    expect(tls.findings[0]!.message).toMatch(/small packets pass both ways/);
    expect(tls.reproduce).toContain('ping -M do -s 1472 198.51.100.10');
    expect(tls.reproduce).toContain('tracepath 198.51.100.10');
    expect(d.report.diagnosis.rootCause).toMatch(/^The TLS handshake with 198\.51\.100\.10:6443 does not complete: .*path-MTU black hole/);
    expect(d.report.diagnosis.rootCause).not.toMatch(/does not verify/);
    expect(d.durationMs).toBeLessThan(3000 + 500);
  });
  it('accepts and never answers: api.tls.no-answer', async () => {
    const d = await diagnose('hang', ['--timeout', '2s']);
    expect(d.check('api.tls').findings.map((f) => f.code)).toEqual(['api.tls.no-answer']);
    expect(d.report.diagnosis.rootCause).toMatch(/accepts the TCP connection but never answers/);
    expect(d.durationMs).toBeLessThan(3000 + 500);
  });
  it('a handshake 1.2 s long with --timeout 1s: api.tls.slow-handshake says how long', async () => {
    const d = await diagnose('tls-slow-handshake', ['--timeout', '1s']);
    const tls = d.check('api.tls');
    expect(tls.findings.map((f) => f.code)).toEqual(['api.tls.slow-handshake']);
    expect(tls.summary).toMatch(/completes, but slowly: 1[1-3]\d\d ms on a second try \(the first gave up after 1000 ms\)/);
    expect(d.durationMs).toBeLessThan(2000 + 500);
  });
});

describe('a transparent interceptor with no proxy variable (real mitmdump)', () => {
  it('api: intercepted, certain, mitmproxy named, its CA found in the trust store; never "add it to the kubeconfig"; cert says the same', async () => {
    const lab = await startLab('tls-transparent-mitm');
    try {
      const d = await diagnoseIn(lab);
      expect(d.code).toBe(1);
      const f = d.check('api.tls').findings.find((x) => x.code === 'api.tls.intercepted')!;
      expect(f).toBeDefined();
      expect(f.message).toContain('is intercepted by a middlebox on the path (no proxy is set: it intercepts transparently)');
      expect(f.message).toContain('(mitmproxy)');
      expect(f.message).toContain('Interception is certain (the issuer names mitmproxy)');
      expect(f.message).toContain(`is installed in the system trust store ${lab.files.trustStore}: that is why curl and browsers on this machine work while kubectl`);
      expect(d.codes).not.toContain('api.tls.unknown-authority');
      const advice = d.report.diagnosis.remediation.join('\n');
      expect(advice).not.toContain('NO_PROXY');
      expect(advice).toContain("Never add the interceptor's CA to the kubeconfig");
      // curl, which reads the same trust store, works through the interceptor: the contrast the finding explains
      const curl = await lab.exec('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', lab.files.trustStore!, 'https://198.51.100.10:6443/version']);
      expect(curl.stdout).toMatch(/^\d{3}$/);
      // cert against the kubeconfig's API server: the same rule, the same words
      const c = await lab.exec(EXE, ['cert', '198.51.100.10:6443', '--kubeconfig', lab.kubeconfig, '-o', 'json'], { env: lab.baseEnv(), timeoutMs: 30_000 });
      const report = JSON.parse(c.stdout) as Report;
      const tls = report.checks.find((x) => x.id === 'cert.tls')!;
      expect(tls.findings.map((x) => x.code)).toContain('cert.tls.intercepted');
      expect(tls.findings[0]!.message).toContain('(mitmproxy): a middlebox on the path intercepts TLS without any proxy setting');
    } finally {
      await lab.stop();
    }
  });
});
