// The rest of the SPEC §5 api finding codes, each from a lab scenario or an environment a user
// really has (a dead proxy, a NO_PROXY entry written for the wrong port).
import { beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../lab/netns.ts';
import { diagnose, diagnoseIn, requireBuild } from './harness.ts';

beforeAll(() => requireBuild());

describe('certificate dates', () => {
  it('expiring within 30 days: a warning, exit 0', async () => {
    const d = await diagnose('expiring-soon');
    expect(d.code).toBe(0);
    expect(d.check('api.tls')).toMatchObject({ status: 'warn' });
    expect(d.check('api.tls').findings.map((f) => f.code)).toEqual(['api.tls.expiring-soon']);
    expect(d.report.diagnosis.status).toBe('warn');
    expect(d.report.diagnosis.rootCause).toMatch(/To watch: .*expires/);
  });
  it('not yet valid: kubectl\'s words, "is before"', async () => {
    const d = await diagnose('not-yet-valid');
    expect(d.code).toBe(1);
    expect(d.codes).toContain('api.tls.not-yet-valid');
    expect(d.check('api.tls').evidence!.kubectlError).toMatch(/x509: certificate has expired or is not yet valid: current time .* is before /);
  });
});

describe('server answers', () => {
  it('clock skew from the Date header', async () => {
    const d = await diagnose('clock-skew');
    expect(d.code).toBe(0);
    const f = d.check('api.http').findings[0]!;
    expect(f.code).toBe('api.http.clock-skew');
    expect(f.message).toMatch(/behind the server's/);
    expect(d.check('api.http').evidence!.clockSkewSeconds).toBeLessThan(-590);
  });
  it('livez failing: api.health.not-live', async () => {
    const d = await diagnose('livez-failing');
    expect(d.code).toBe(1);
    expect(d.check('api.health').findings.map((f) => f.code)).toContain('api.health.not-live');
  });
  it('no credentials: api.auth.anonymous (kubectl prompts "Please enter Username:"), not a 403 kubectl never reaches (issue 11 point 1)', async () => {
    const d = await diagnose('anonymous');
    expect(d.check('api.kubeconfig').summary).toMatch(/auth: none/);
    const codes = d.check('api.auth').findings.map((f) => f.code);
    expect(codes).toEqual(['api.auth.anonymous']);
    expect(d.check('api.auth').status).toBe('fail');
    expect(d.check('api.auth').summary).toBe('no credentials: kubectl asks "Please enter Username:" instead of sending a request; anonymous requests (system:anonymous) are forbidden here');
  });
});

describe('proxies that fail', () => {
  it('the proxy forbids the CONNECT: api.proxy.denied quotes its page', async () => {
    const d = await diagnose('proxy-denied');
    expect(d.code).toBe(1);
    const f = d.check('api.proxy.connect').findings[0]!;
    expect(f.code).toBe('api.proxy.denied');
    expect(f.message).toMatch(/forbids CONNECT to 198\.51\.100\.10:6443 \(HTTP\/1\.1 403 Forbidden\): "Access denied by corporate policy/);
    expect(d.report.diagnosis.remediation[0]).toContain('export NO_PROXY="198.51.100.10"');
  });

  it('a proxy nobody listens on: api.proxy.unreachable; a NO_PROXY entry for the wrong port: api.proxy.no-proxy-miss', async () => {
    const lab = await startLab('dns-name');
    try {
      const d = await diagnoseIn(lab, [], { HTTPS_PROXY: 'http://198.51.100.20:3128', NO_PROXY: 'api.lab.test:443' });
      expect(d.code).toBe(1);
      expect(d.check('api.proxy.connect').findings[0]).toMatchObject({ code: 'api.proxy.unreachable' });
      expect(d.check('api.proxy.connect').findings[0]!.message).toMatch(/cannot be reached: .*refused/);
      const miss = d.check('api.proxy').findings.find((f) => f.code === 'api.proxy.no-proxy-miss');
      expect(miss).toBeDefined();
      expect(miss!.message).toMatch(/"api\.lab\.test:443" does not match api\.lab\.test:6443/);
      expect(d.check('api.proxy')).toMatchObject({ status: 'warn' });
    } finally {
      await lab.stop();
    }
  });
});
