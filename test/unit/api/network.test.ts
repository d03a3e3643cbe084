// api.kubeconfig, api.dns, api.proxy, api.tcp and api.proxy.connect on recorded evidence: the
// client's memoised steps are pre-filled, nothing is dialled.
import { afterAll, describe, expect, it } from 'vitest';
import { dnsCheck } from '../../../src/checks/api/dns.ts';
import { endpointsCheck } from '../../../src/checks/api/endpoints.ts';
import { kubeconfigCheck } from '../../../src/checks/api/kubeconfig.ts';
import { proxyConnectCheck } from '../../../src/checks/api/proxy-connect.ts';
import { proxyCheck } from '../../../src/checks/api/proxy.ts';
import { tcpCheck } from '../../../src/checks/api/tcp.ts';
import { ApiContext } from '../../../src/checks/api/context.ts';
import { cleanupTempDirs, write } from '../kube/helpers.ts';
import { answer, apiContext, clientOptions, codes, routeRequests, runOne, seedDns, seedReachable, seedTcp, seedTls } from './helpers.ts';

afterAll(cleanupTempDirs);

const NAME = 'https://api.example.test:6443';
const PROXY = { HTTPS_PROXY: 'http://proxy.corp.test:3128' };

describe('api.kubeconfig', () => {
  it('a missing --kubeconfig file: api.kubeconfig.missing', async () => {
    const o = clientOptions();
    const ctx = new ApiContext({ ...o, kubeconfig: { ...o.kubeconfig, kubeconfig: '/nonexistent/kubeconfig' } });
    const r = await runOne(kubeconfigCheck, ctx);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual(['api.kubeconfig.missing']);
  });

  it('an unknown --context: api.kubeconfig.unknown-context; an unparsable file: api.kubeconfig.invalid', async () => {
    const o = clientOptions();
    const unknown = await runOne(kubeconfigCheck, new ApiContext({ ...o, kubeconfig: { ...o.kubeconfig, context: 'nope' } }));
    expect(codes(unknown)).toEqual(['api.kubeconfig.unknown-context']);
    const bad = write(`${o.kubeconfig.homeDir}/bad`, 'clusters: [ {name: x\n');
    const invalid = await runOne(kubeconfigCheck, new ApiContext({ ...o, kubeconfig: { ...o.kubeconfig, kubeconfig: bad } }));
    expect(codes(invalid)).toEqual(['api.kubeconfig.invalid']);
  });

  it('api.kubeconfig shows a tls-server-name the kubeconfig sets (issue 11 point 7)', async () => {
    const o = clientOptions();
    const r = await runOne(kubeconfigCheck, new ApiContext({ ...o, kubeconfig: { ...o.kubeconfig, tlsServerName: 'wrong.lab.test' } }));
    expect(r.summary).toContain('(tls-server-name wrong.lab.test)');
    expect((await runOne(kubeconfigCheck, new ApiContext(o))).summary).not.toContain('tls-server-name');
  });

  it('no kubeconfig anywhere: api.kubeconfig.localhost-fallback (fail)', async () => {
    const r = await runOne(kubeconfigCheck, apiContext({ noKubeconfig: true }));
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual(['api.kubeconfig.localhost-fallback']);
    expect(r.summary).toBe('no kubeconfig found: kubectl would dial http://localhost:8080');
  });

  // kubectl 1.32 dials localhost:8080 for each of these files too ("The connection to the server
  // localhost:8080 was refused"); the finding must not claim that no kubeconfig was found
  const CLUSTER = 'clusters: [{name: c1, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u1, user: {token: abc}}]\n';
  it.each([
    ['an empty file', 'apiVersion: v1\nkind: Config\n', 'no current-context is set and no --context was given'],
    ['contexts but no current-context', `apiVersion: v1\nkind: Config\n${CLUSTER}contexts: [{name: x1, context: {cluster: c1, user: u1}}]\n`, 'no current-context is set and no --context was given'],
    [
      'a current context whose cluster sets no server',
      'apiVersion: v1\nkind: Config\ncurrent-context: x1\nclusters: [{name: c1, cluster: {insecure-skip-tls-verify: true}}]\nusers: [{name: u1, user: {token: abc}}]\ncontexts: [{name: x1, context: {cluster: c1, user: u1}}]\n',
      'cluster "c1" has no server',
    ],
    ['a context naming a cluster no file defines', `apiVersion: v1\nkind: Config\ncurrent-context: x1\n${CLUSTER}contexts: [{name: x1, context: {cluster: c9, user: u1}}]\n`, 'context "x1" refers to cluster "c9", which is not defined in any kubeconfig file'],
  ])('a kubeconfig that selects no server (%s): the fallback names the file and why', async (_, text, reason) => {
    const o = clientOptions();
    const file = write(`${o.kubeconfig.homeDir}/selects-none`, text);
    const r = await runOne(kubeconfigCheck, new ApiContext({ ...o, kubeconfig: { env: {}, homeDir: o.kubeconfig.homeDir, kubeconfig: file } }));
    expect(r.status).toBe('fail');
    expect(codes(r)).toContain('api.kubeconfig.localhost-fallback');
    expect(r.findings.find((f) => f.code === 'api.kubeconfig.localhost-fallback')!.message).toBe(`The kubeconfig ${file} was read, but ${reason}: kubectl would silently dial http://localhost:8080.`);
    expect(r.summary).toBe('the kubeconfig selects no server: kubectl would dial http://localhost:8080');
  });

  it('insecure-skip-tls-verify: api.kubeconfig.insecure; a KUBECONFIG list with a missing file: api.kubeconfig.files-skipped', async () => {
    const o = clientOptions({ cluster: { 'certificate-authority-data': undefined, 'insecure-skip-tls-verify': true } });
    const list = `${o.kubeconfig.kubeconfig}:${o.kubeconfig.homeDir}/missing`;
    const ctx = new ApiContext({ ...o, kubeconfig: { env: { KUBECONFIG: list }, homeDir: o.kubeconfig.homeDir } });
    const r = await runOne(kubeconfigCheck, ctx);
    expect(codes(r)).toEqual(['api.kubeconfig.insecure', 'api.kubeconfig.files-skipped']);
    expect(r.findings[1]!.message).toMatch(/missing/);
    expect(r.summary).toMatch(/^context lab → https:\/\/203\.0\.113\.10:6443; auth: token; verification disabled$/);
  });
});

describe('api.dns', () => {
  it('is not applicable to an IP server URL (declared), with the words users saw before', async () => {
    const r = await runOne(dnsCheck, apiContext());
    expect(r).toMatchObject({ status: 'skip', summary: 'not applicable: the server 203.0.113.10 is an IP address' });
  });

  it.each([
    ['nxdomain', 'api.dns.nxdomain', /does not exist \(NXDOMAIN\) for the DNS servers 192\.0\.2\.53/],
    ['timeout', 'api.dns.timeout', /no DNS server answered for api\.example\.test within 1000 ms/],
    ['servfail', 'api.dns.error', /resolving api\.example\.test failed: SERVFAIL/],
  ])('%s: %s', async (kind, code, words) => {
    const ctx = apiContext({ server: NAME });
    seedDns(ctx, { error: { kind: kind as 'nxdomain', code: kind.toUpperCase(), message: kind.toUpperCase() } });
    const r = await runOne(dnsCheck, ctx);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual([code]);
    expect(r.summary).toMatch(words);
  });

  it('a query that could not be sent (ENETUNREACH on the resolver socket): api.dns.unreachable, "no route to the DNS server", never "connection refused"', async () => {
    const ctx = apiContext({ server: NAME });
    // the words src/net/dns.ts gives the real lab's resolver without a route (203.0.113.10)
    const message = 'lookup api.example.test on 203.0.113.10:53: dial udp 203.0.113.10:53: connect: network is unreachable (no route to the DNS server)';
    seedDns(ctx, { servers: ['203.0.113.10'], error: { kind: 'unreachable', code: 'ENETUNREACH', message } });
    const r = await runOne(dnsCheck, ctx);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual(['api.dns.unreachable']);
    expect(r.summary).toBe(`the query for api.example.test could not be sent: ${message}`);
    expect(r.findings[0]!.remediation[0]).toBe(
      'This machine has no route to its DNS server 203.0.113.10: check `ip route get 203.0.113.10` (a VPN that is down, or an /etc/resolv.conf a VPN left behind).',
    );
    expect(JSON.stringify(r)).not.toMatch(/connection refused|nothing answers/);
  });

  it('through a proxy an unresolvable name is only a note: api.dns.proxy-resolves', async () => {
    const ctx = apiContext({ server: NAME, env: PROXY });
    seedDns(ctx, { error: { kind: 'nxdomain', code: 'ENOTFOUND', message: 'ENOTFOUND' } });
    const r = await runOne(dnsCheck, ctx);
    expect(codes(r)).toEqual(['api.dns.proxy-resolves']);
    expect(r.status).not.toBe('fail');
    expect(r.findings[0]!.message).toMatch(/the proxy resolves the name itself/);
  });

  it('a name pinned in /etc/hosts: api.dns.hosts-override', async () => {
    const ctx = apiContext({ server: NAME });
    seedDns(ctx, { addresses: [{ address: '198.51.100.10', family: 4, source: 'hosts' }], hostsFile: { path: '/etc/hosts', line: '198.51.100.10 api.example.test' } });
    const r = await runOne(dnsCheck, ctx);
    expect(codes(r)).toEqual(['api.dns.hosts-override']);
    expect(r.summary).toBe('api.example.test → 198.51.100.10 (from /etc/hosts)');
  });
});

describe('api.proxy', () => {
  it('HTTPS_PROXY applies: api.proxy.in-use; a NO_PROXY entry for another port: api.proxy.no-proxy-miss', async () => {
    const ctx = apiContext({ env: { ...PROXY, NO_PROXY: '203.0.113.10:443' } });
    const r = await runOne(proxyCheck, ctx);
    expect(codes(r)).toEqual(['api.proxy.in-use', 'api.proxy.no-proxy-miss']);
    expect(r.summary).toMatch(/^via http:\/\/proxy\.corp\.test:3128 \(HTTPS_PROXY\)$/);
    expect(r.findings[1]!.message).toMatch(/NO_PROXY entry "203\.0\.113\.10:443" does not match 203\.0\.113\.10:6443/);
  });

  it('an unparsable proxy URL: api.proxy.bad-url (and its password stays out of the evidence)', async () => {
    const ctx = apiContext({ env: { HTTPS_PROXY: 'ftp://user:s3cret@proxy.corp.test:21' } });
    const r = await runOne(proxyCheck, ctx);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual(['api.proxy.bad-url']);
    expect(JSON.stringify(r.evidence)).not.toContain('s3cret');
  });
});

describe('api.tcp', () => {
  const address = [{ address: '203.0.113.10', family: 4 as const, source: 'literal' as const }];
  it.each([
    ['unreachable', 'api.tcp.unreachable', 'network is unreachable (no route)'],
    ['refused', 'api.tcp.refused', 'connection refused'],
    ['timeout', 'api.tcp.timeout', 'timed out (packets dropped)'],
    ['reset', 'api.tcp.reset', 'connection reset'],
    ['other', 'api.tcp.error', 'permission denied (a local firewall rule?)'],
  ])('%s: %s', async (kind, code, words) => {
    const ctx = apiContext();
    seedDns(ctx, { addresses: address });
    seedTcp(ctx, [{ ok: false, error: { kind, message: 'permission denied (a local firewall rule?)' } }]);
    const r = await runOne(tcpCheck, ctx);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual([code]);
    expect(r.summary).toBe(`203.0.113.10:6443: ${words}`);
  });

  it('one of two addresses fails: a warning only', async () => {
    const ctx = apiContext({ server: NAME });
    seedDns(ctx, { addresses: [...address, { address: '203.0.113.11', family: 4, source: 'dns' }] });
    seedTcp(ctx, [{}, { host: '203.0.113.11', ok: false, error: { kind: 'refused', message: 'refused' } }]);
    const r = await runOne(tcpCheck, ctx);
    expect(r.status).toBe('warn');
    expect(r.findings[0]).toMatchObject({ code: 'api.tcp.refused', severity: 'warn' });
  });

  it('through a proxy, a dead direct path is reported as api.tcp.direct-failed', async () => {
    const ctx = apiContext({ env: PROXY });
    seedDns(ctx, { addresses: address });
    seedTcp(ctx, [{ ok: false, error: { kind: 'unreachable', message: 'ENETUNREACH' } }]);
    const r = await runOne(tcpCheck, ctx);
    expect(codes(r)).toEqual(['api.tcp.direct-failed']);
    expect(r.summary).toBe('traffic goes through the proxy; direct: 203.0.113.10:6443 network is unreachable (no route)');
  });

  it('is not applicable when the name has no local address (declared)', async () => {
    const ctx = apiContext({ server: NAME, env: PROXY });
    seedDns(ctx, { error: { kind: 'nxdomain', code: 'ENOTFOUND', message: 'x' } });
    const r = await runOne(tcpCheck, ctx);
    expect(r).toMatchObject({ status: 'skip', summary: 'not applicable: api.example.test has no local address; the proxy resolves it' });
  });
});

describe('api.proxy.connect', () => {
  const connect = (over: Record<string, unknown>) => ({ ok: false, proxy: 'http://proxy.corp.test:3128', target: '203.0.113.10:6443', durationMs: 4, ...over });

  it('is not applicable without a proxy (declared)', async () => {
    const r = await runOne(proxyConnectCheck, apiContext());
    expect(r).toMatchObject({ status: 'skip', summary: 'not applicable: no proxy applies to the server URL' });
  });

  it.each([
    [{ error: { kind: 'refused', message: 'connection refused' } }, 'api.proxy.unreachable', /cannot be reached: connection refused/],
    [{ statusCode: 403, statusLine: '403 Forbidden', body: 'Access denied by policy' }, 'api.proxy.denied', /forbids CONNECT to 203\.0\.113\.10:6443 \(403 Forbidden\): "Access denied by policy"/],
    [{ statusCode: 407, statusLine: '407 Proxy Authentication Required', headers: { 'proxy-authenticate': 'Basic realm="corp"' } }, 'api.proxy.auth-required', /requires authentication .*Proxy-Authenticate: Basic realm="corp".*carries no credentials/],
    [{ statusCode: 502, statusLine: '502 Bad Gateway', body: 'upstream unreachable' }, 'api.proxy.upstream-failed', /cannot reach 203\.0\.113\.10:6443: it answered 502 Bad Gateway: "upstream unreachable"/],
    [{ statusCode: 400, statusLine: '400 Bad Request' }, 'api.proxy.connect-error', /answered CONNECT 203\.0\.113\.10:6443 with 400 Bad Request\./],
  ])('%o → %s', async (over, code, words) => {
    const ctx = apiContext({ env: PROXY });
    seedTls(ctx, { dialled: { via: 'proxy', connect: connect(over) }, tls: { ok: false, durationMs: 0, chain: [], certificates: [] } });
    const r = await runOne(proxyConnectCheck, ctx);
    expect(r.status).toBe('fail');
    expect(codes(r)).toEqual([code]);
    expect(r.findings[0]!.message).toMatch(words);
  });

  it('a tunnel that opens, but a 503 page inside it that is not the API server: api.proxy.upstream-failed', async () => {
    const ctx = apiContext({ env: PROXY });
    const inside = { ok: true, durationMs: 2, response: { statusCode: 503, statusMessage: 'Service Unavailable', headers: { server: 'envoy' }, body: 'upstream connect error or disconnect/reset before headers', durationMs: 2 } };
    seedTls(ctx, { dialled: { via: 'proxy', connect: connect({ ok: true, statusCode: 200, statusLine: '200 Connection established' }) }, tunnelProbe: inside });
    const r = await runOne(proxyConnectCheck, ctx);
    expect(codes(r)).toEqual(['api.proxy.upstream-failed']);
    expect(r.findings[0]!.message).toMatch(/inside the tunnel, answered 503 Service Unavailable: "upstream connect error/);
    // the API server's own 503 (a Status document) is not the proxy's
    const ctx2 = apiContext({ env: PROXY });
    seedTls(ctx2, { dialled: { via: 'proxy', connect: connect({ ok: true, statusCode: 200, statusLine: '200 Connection established' }) }, tunnelProbe: { ...inside, response: { ...inside.response, body: '{"kind":"Status","code":503}' } } });
    expect((await runOne(proxyConnectCheck, ctx2)).status).toBe('pass');
  });
});

describe('api.endpoints', () => {
  it('addresses from the recorded-shape EndpointSlice and the kubeconfig that refuse (loopback, closed port): api.endpoints.partial', async () => {
    const ctx = apiContext({ server: 'https://127.0.0.1:1' });
    seedReachable(ctx);
    routeRequests(ctx, (_m, p) =>
      p.startsWith('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?')
        ? answer(200, { kind: 'EndpointSliceList', metadata: {}, items: [{ endpoints: [{ addresses: ['127.0.0.2'] }], ports: [{ name: 'https', port: 1 }] }] })
        : answer(404, { kind: 'Status', reason: 'NotFound', code: 404, details: { name: 'kubernetes' } }),
    );
    const r = await runOne(endpointsCheck, ctx);
    expect(r.status).toBe('warn');
    // the only endpoint is dead: every in-cluster client fails (issue 11 point 6), told apart from
    // the kubeconfig address, and never "intermittently"
    expect(codes(r)).toEqual(['api.endpoints.advertised-dead', 'api.endpoints.partial']);
    expect(r.findings[0]!.message).toMatch(/^No address the API server advertises works: 127\.0\.0\.2:1 \(EndpointSlice default\/kubernetes\): TCP connection refused\. In-cluster clients reach the API server only through this endpoint .*so every in-cluster client fails\. The API server writes its own --advertise-address .*nobody can remove it.*--bind-address/);
    expect(r.findings[0]!.remediation.join(' ')).toMatch(/Fix it on the API server: make --advertise-address an address it listens on/);
    expect(r.findings[1]!.message).toMatch(/^1 of 2 addresses of the API server do not work from here: 127\.0\.0\.1:1 \(kubeconfig server\): TCP connection refused\./);
    expect(r.findings.map((f) => f.message).join(' ')).not.toMatch(/intermittently/);
  });
});
