// api.proxy.malformed-url and api.tcp.every-address-failed on recorded evidence (issue 12 §3, §5):
// proxy passwords with '#', '%', '@', ':' in HTTPS_PROXY and in the kubeconfig proxy-url, and a
// name with several addresses that fail each for its own reason.
import { afterAll, describe, expect, it } from 'vitest';
import { proxyCheck } from '../../../src/checks/api/proxy.ts';
import { proxyConnectCheck } from '../../../src/checks/api/proxy-connect.ts';
import { tcpCheck } from '../../../src/checks/api/tcp.ts';
import { diagnoseApi } from '../../../src/checks/api/diagnosis.ts';
import { cleanupTempDirs } from '../kube/helpers.ts';
import { apiContext, codes, runOne, seedDns, seedTcp, seedTls } from './helpers.ts';

afterAll(cleanupTempDirs);

const PASSWORD_PIECES = ['ssW0rd'];

describe('api.proxy.malformed-url', () => {
  it("HTTPS_PROXY with a raw '#': says Go dials http:80 instead of proxy.corp.test:3128, and how to encode", async () => {
    const ctx = apiContext({ env: { HTTPS_PROXY: 'http://u2:Pa#ssW0rd@proxy.corp.test:3128' } });
    const r = await runOne(proxyCheck, ctx);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual(['api.proxy.malformed-url', 'api.proxy.in-use']);
    const m = r.findings[0]!;
    expect(m.message).toContain("'#' starts a URL fragment");
    expect(m.message).toContain('Go (kubectl) does not read it as the proxy proxy.corp.test:3128: it dials http:80 instead');
    expect(m.message).toContain("Write it percent-encoded: http://u2:REDACTED@proxy.corp.test:3128, where REDACTED is the password with '#' as %23.");
    expect(m.remediation.join(' ')).toContain("`export HTTPS_PROXY='http://u2:REDACTED@proxy.corp.test:3128'`");
    expect(r.evidence).toMatchObject({ goReading: { intended: 'proxy.corp.test:3128', goDials: 'http:80', outcome: 'dials-other-host', encode: { '#': '%23' } } });
    expect(r.summary).toBe("kubectl reads HTTPS_PROXY as the proxy http:80, not proxy.corp.test:3128: the password holds '#' unencoded");
    for (const p of PASSWORD_PIECES) expect(JSON.stringify(r)).not.toContain(p);
  });

  it('the proxy that cannot be reached is explained as the misread URL (api.proxy.connect)', async () => {
    const ctx = apiContext({ env: { HTTPS_PROXY: 'http://u2:Pa#ssW0rd@proxy.corp.test:3128' } });
    seedTls(ctx, {
      dialled: {
        via: 'proxy http://http → 203.0.113.10:6443',
        connect: { ok: false, proxy: 'http://http', target: '203.0.113.10:6443', durationMs: 3, error: { kind: 'dns', message: 'lookup http: no such host' } } as never,
        error: { kind: 'dns', message: 'lookup http: no such host' },
      },
    });
    const r = await runOne(proxyConnectCheck, ctx);
    expect(codes(r)).toEqual(['api.proxy.unreachable']);
    expect(r.findings[0]!.message).toBe(
      "The proxy http://http cannot be reached: lookup http: no such host. That is not the proxy HTTPS_PROXY names: Go (kubectl) does not read it as the proxy proxy.corp.test:3128: it dials http:80 instead, because its password holds '#' unencoded.",
    );
    expect(r.findings[0]!.remediation[0]).toMatch(/^Percent-encode the password without echoing it: `python3 -c .*getpass.*` prints it encoded \('#' as %23\)\.$/);
  });

  it("kubeconfig proxy-url with '#': client-go cannot parse it (fail), nothing of the password shows", async () => {
    const ctx = apiContext({ cluster: { 'proxy-url': 'http://u2:Pa#ssW0rd@proxy.corp.test:3128' } });
    const r = await runOne(proxyCheck, ctx);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual(['api.proxy.malformed-url']);
    expect(r.findings[0]!.message).toContain('client-go cannot parse it (invalid port after host): every kubectl command with this kubeconfig fails with "could not parse"');
    expect(r.summary).toBe("kubectl cannot use the kubeconfig proxy-url: the password holds '#' unencoded");
    expect(r.findings[0]!.remediation.join(' ')).toContain("kubectl config set clusters.CLUSTER.proxy-url 'http://u2:REDACTED@proxy.corp.test:3128'");
    for (const p of PASSWORD_PIECES) expect(JSON.stringify(r)).not.toContain(p);
  });

  it("a stray '%' in HTTPS_PROXY: Go ignores the variable and connects directly (a warning)", async () => {
    const ctx = apiContext({ env: { HTTPS_PROXY: 'http://u3:Pa%ssW0rd@proxy.corp.test:3128' } });
    const r = await runOne(proxyCheck, ctx);
    expect(r.status).toBe('warn');
    expect(codes(r)).toEqual(['api.proxy.malformed-url']);
    expect(r.findings[0]!.severity).toBe('warn');
    expect(r.findings[0]!.message).toContain('Go cannot parse it (invalid URL escape) and ignores HTTPS_PROXY: kubectl connects directly, without the proxy');
    expect(r.findings[0]!.message).toContain("'%' as %25");
    expect(r.summary).toBe("kubectl ignores HTTPS_PROXY (it does not parse: '%' unencoded in the password) and connects directly");
  });

  it("'@' and ':' in the password: Go reads the URL as written, no malformed-url", async () => {
    for (const v of ['http://u1:Pa@ssW0rd@proxy.corp.test:3128', 'http://u4:Pa:ssW0rd@proxy.corp.test:3128']) {
      const r = await runOne(proxyCheck, apiContext({ env: { HTTPS_PROXY: v } }));
      expect(codes(r)).toEqual(['api.proxy.in-use']);
      expect(r.summary).toMatch(/^via http:\/\/u[14]:REDACTED@proxy\.corp\.test:3128 \(HTTPS_PROXY\)$/);
    }
  });
});

describe('api.tcp: every address tried (dual-stack, several A records)', () => {
  const NAME = 'https://dual.example.test:6443';
  const addresses = [
    { address: '2001:db8::10', family: 6 as const, source: 'dns' as const },
    { address: '192.0.2.10', family: 4 as const, source: 'dns' as const },
  ];
  it('both fail, differently: api.tcp.every-address-failed lists each attempt, then one finding per address', async () => {
    const ctx = apiContext({ server: NAME });
    seedDns(ctx, { addresses });
    seedTcp(ctx, [
      { host: '2001:db8::10', ok: false, durationMs: 1, error: { kind: 'unreachable', message: 'connect ENETUNREACH' } },
      { host: '192.0.2.10', ok: false, durationMs: 1000, error: { kind: 'timeout', message: 'i/o timeout' } },
    ]);
    const r = await runOne(tcpCheck, ctx);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual(['api.tcp.every-address-failed', 'api.tcp.unreachable', 'api.tcp.timeout']);
    expect(r.findings[0]!.message).toBe(
      'every address of dual.example.test fails (2 tried): [2001:db8::10]:6443 network is unreachable (no route); 192.0.2.10:6443 timed out (packets dropped), each for its own reason; kubectl tries them in turn and shows only the first one\'s error ("network is unreachable (no route)").',
    );
    expect(r.summary).toBe('[2001:db8::10]:6443: network is unreachable (no route); 192.0.2.10:6443: timed out (packets dropped)');
    // the root cause names every attempt, not only the first (or last) error
    const d = diagnoseApi([{ ...r, id: 'api.tcp' }], ctx);
    expect(d.rootCause).toContain('[2001:db8::10]:6443 network is unreachable (no route)');
    expect(d.rootCause).toContain('192.0.2.10:6443 timed out (packets dropped)');
  });

  it('one address works: no every-address-failed, the other is a warning', async () => {
    const ctx = apiContext({ server: NAME });
    seedDns(ctx, { addresses });
    seedTcp(ctx, [{ host: '2001:db8::10', ok: false, error: { kind: 'refused', message: 'refused' } }, { host: '192.0.2.10' }]);
    const r = await runOne(tcpCheck, ctx);
    expect(r.status).toBe('warn');
    expect(codes(r)).toEqual(['api.tcp.refused']);
  });
});
