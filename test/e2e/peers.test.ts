// Real third-party peers from Debian: mitmproxy's mitmdump as an intercepting proxy, tinyproxy as a
// plain CONNECT proxy. The suite must pass against them, not only against the lab's own servers.
import { beforeAll, describe, expect, it } from 'vitest';
import { diagnose, requireBuild } from './harness.ts';

beforeAll(() => requireBuild());

describe('real peers', () => {
  it('mitmdump intercepts: api.tls.intercepted names mitmproxy as the issuer', async () => {
    const d = await diagnose('mitmdump');
    expect(d.code).toBe(1);
    const f = d.check('api.tls').findings.find((x) => x.code === 'api.tls.intercepted');
    expect(f).toBeDefined();
    expect(f!.message).toMatch(/issued by .*mitmproxy/);
    expect(f!.message).toMatch(/\(mitmproxy\)/);
    expect(d.report.diagnosis.rootCause).toMatch(/http:\/\/198\.51\.100\.24:8080 \(from HTTPS_PROXY\)/);
  });

  it('tinyproxy tunnels: everything passes, api.proxy.in-use is info', async () => {
    const d = await diagnose('tinyproxy');
    expect(d.code).toBe(0);
    expect(d.check('api.proxy').findings).toMatchObject([{ code: 'api.proxy.in-use', severity: 'info' }]);
    expect(d.check('api.proxy.connect')).toMatchObject({ status: 'pass' });
    expect(d.check('api.proxy.connect').summary).toMatch(/CONNECT 198\.51\.100\.10:6443: HTTP\/1\.[01] 200/);
    expect(d.check('api.tls').status).toBe('pass');
    expect(d.check('api.auth').status).toBe('pass');
  });
});

describe('proxy authentication', () => {
  it('407 without credentials: api.proxy.auth-required', async () => {
    const d = await diagnose('proxy-auth');
    expect(d.code).toBe(1);
    expect(d.check('api.proxy.connect').findings[0]).toMatchObject({ code: 'api.proxy.auth-required' });
    expect(d.check('api.proxy.connect').findings[0]!.message).toMatch(/407.*carries no credentials/);
  });
  it('with user:password in HTTPS_PROXY it tunnels, and the password is shown as REDACTED', async () => {
    const d = await diagnose('proxy-auth', [], { HTTPS_PROXY: 'http://lab:secret@198.51.100.20:3128' });
    expect(d.code).toBe(0);
    expect(d.check('api.proxy').summary).toBe('via http://lab:REDACTED@198.51.100.20:3128 (HTTPS_PROXY)');
    expect(d.stdout).not.toContain('lab:secret');
  });
});
