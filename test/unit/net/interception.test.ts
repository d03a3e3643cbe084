// The one interception rule (src/net/interception.ts), its product data, and the two checks that
// use it (api.tls, cert.tls), judged on RECORDED evidence: chains minted by the lab PKI as the
// lab's peers present them (the incident-1 proxy's self-signed CN=egress-proxy, a mitmproxy CA's
// re-signed leaf, a regenerated cluster CA), verified by the real verifier; no network.
import { X509Certificate } from 'node:crypto';
import { Socket } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INTERCEPTION_PRODUCTS } from '../../../src/net/interception-products.ts';
import { interceptionProduct, judgeInterception, type InterceptionInput } from '../../../src/net/interception.ts';
import { certInfo, verifyChain, type CertInfo } from '../../../src/net/x509.ts';
import { ApiContext } from '../../../src/checks/api/context.ts';
import { tlsCheck } from '../../../src/checks/api/tls.ts';
import { ServedHostContext, type ServedTls } from '../../../src/checks/served-host/context.ts';
import { certTlsCheck } from '../../../src/checks/served-host/tls.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { labPki, mintCert, type Pem } from '../../lab/pki.ts';
import { oneContextKubeconfig } from '../kube/helpers.ts';

const pki = labPki();
const x = (p: Pem) => new X509Certificate(p.cert);
/** the mitmproxy CA as mitmdump generates it, and the leaf it re-signs for cert.lab.test */
const mitmCa = mintCert({ cn: 'mitmproxy', o: 'mitmproxy', isCA: true });
const mitmLeaf = mintCert({ cn: 'web.lab.test', dns: ['cert.lab.test', 'web.lab.test'], issuer: mitmCa });
/** what cert.lab.test serves itself */
const webLeaf = mintCert({ cn: 'web.lab.test', dns: ['cert.lab.test', 'web.lab.test'], issuer: pki.ca });

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'netdiag-interception-'));
}

/** The rule's input as api.tls builds it: the chain verified against the kubeconfig CA. */
function againstKubeconfigCa(presented: Pem[], proxy?: string): InterceptionInput {
  const certs = presented.map(x);
  const v = verifyChain(certs, { roots: [x(pki.ca)], serverName: '203.0.113.10' });
  return { chain: v.chain.length ? certs.map((c) => certInfo(c)) : [], expected: 'the kubeconfig CA', anchoredBy: v.anchoredBy, ...(proxy ? { proxy: { url: proxy } } : {}) };
}

describe('interception products (data)', () => {
  const info = (issuer: string, subject = 'CN=api.example.com'): Pick<CertInfo, 'issuer' | 'subject'> => ({ subject, issuer });
  it.each([
    ['CN=mitmproxy,O=mitmproxy', 'mitmproxy'],
    ['CN=Zscaler Intermediate Root CA (zscaler.net),O=Zscaler Inc.', 'Zscaler'],
    ['CN=ca.corp.goskope.com,O=Netskope Inc', 'Netskope'],
    ['CN=Palo Alto Decryption CA', 'Palo Alto Networks'],
    ['CN=FortiGate CA,O=Fortinet', 'Fortinet FortiGate'],
    ['CN=Blue Coat SG-S500 Series', 'Blue Coat / Symantec ProxySG'],
    ['CN=Cisco Umbrella Secondary SubCA,O=Cisco', 'Cisco Umbrella'],
    ['CN=Forcepoint Cloud CA', 'Forcepoint'],
    ['CN=Sophos SSL CA_C123', 'Sophos'],
    ['CN=squid-ca', 'Squid'],
    ['CN=Charles Proxy CA (21 Nov 2026),OU=Charles Proxy Custom Root Certificate', 'Charles Proxy'],
    ['CN=DO_NOT_TRUST_FiddlerRoot,O=DO_NOT_TRUST', 'Fiddler'],
    ['CN=PortSwigger CA,O=PortSwigger', 'Burp Suite (PortSwigger)'],
    ['CN=Check Point Outbound Inspection CA', 'Check Point'],
    ['CN=McAfee Web Gateway', 'McAfee / Skyhigh Security'],
    ['CN=Kaspersky Anti-Virus Personal Root Certificate', 'Kaspersky'],
    ['CN=ESET SSL Filter CA', 'ESET'],
    ['CN=Avast Web/Mail Shield Root', 'Avast / AVG'],
    ['CN=Bitdefender Personal CA.Net-Defender', 'Bitdefender'],
    ['CN=Trend Micro InterScan Web Security Virtual Appliance', 'Trend Micro'],
    ['CN=Smoothwall Default Root CA', 'Smoothwall'],
  ])('%s -> %s', (issuer, product) => expect(interceptionProduct(info(issuer))).toBe(product));
  it('reads the subject when the issuer names nothing (a CA certificate of the product)', () => {
    expect(interceptionProduct(info('CN=Corp Root', 'CN=Zscaler Intermediate Root CA'))).toBe('Zscaler');
  });
  it('names nothing for ordinary CAs', () => {
    for (const issuer of ['CN=kubernetes', "CN=R11,O=Let's Encrypt,C=US", 'CN=reset-ca', 'CN=lab-ca,O=kubectl-netdiag lab', 'CN=egress-proxy', 'CN=DigiCert Global Root G2,OU=www.digicert.com,O=DigiCert Inc,C=US']) {
      expect(interceptionProduct(info(issuer, issuer)), issuer).toBeUndefined();
    }
  });
  it('is data: every entry has a name and patterns, and no two entries share a name', () => {
    expect(INTERCEPTION_PRODUCTS.length).toBeGreaterThanOrEqual(25);
    for (const p of INTERCEPTION_PRODUCTS) expect(p.patterns.length, p.product).toBeGreaterThan(0);
    // interceptionProduct tests them all as one case-insensitive alternation first: each pattern
    // must mean the same there (flag i alone, no back-reference)
    for (const p of INTERCEPTION_PRODUCTS) for (const re of p.patterns) expect([re.flags, /\\\d/.test(re.source)], `${p.product} ${re}`).toEqual(['i', false]);
    expect(new Set(INTERCEPTION_PRODUCTS.map((p) => p.product)).size).toBe(INTERCEPTION_PRODUCTS.length);
    for (const name of ['Zscaler', 'Netskope', 'Palo Alto Networks', 'Fortinet FortiGate', 'Cisco Umbrella', 'Blue Coat / Symantec ProxySG', 'Sophos', 'Forcepoint', 'mitmproxy', 'Check Point']) {
      expect(INTERCEPTION_PRODUCTS.map((p) => p.product)).toContain(name);
    }
  });
  it('works on a minted certificate', () => {
    expect(interceptionProduct(certInfo(x(mitmLeaf)))).toBe('mitmproxy');
  });
});

describe('judgeInterception on recorded chains', () => {
  it('incident 1: the proxy presents its own self-signed CN=egress-proxy: intercepted, by the proxy', () => {
    const v = judgeInterception(againstKubeconfigCa([pki.egressProxy], 'http://198.51.100.21:3128'));
    expect(v.intercepted).toBe(true);
    expect(v.evidence.map((e) => e.kind)).toEqual(['not-anchored', 'proxy']);
    expect(v.evidence[0]!.detail).toBe('the chain ends at CN=egress-proxy, issued by CN=egress-proxy, which is not the kubeconfig CA');
    expect(v.evidence[1]!.detail).toBe('the connection was tunnelled through the proxy http://198.51.100.21:3128');
    expect(v.product).toBeUndefined();
  });
  it('a re-signed leaf whose issuer names a product: intercepted without a proxy, product named', () => {
    const v = judgeInterception(againstKubeconfigCa([mitmLeaf]));
    expect(v.intercepted).toBe(true);
    expect(v.product).toBe('mitmproxy');
    expect(v.evidence.map((e) => e.kind)).toEqual(['not-anchored', 'product']);
    const through = judgeInterception(againstKubeconfigCa([mitmLeaf, mitmCa], 'http://198.51.100.24:8080'));
    expect(through.evidence.map((e) => e.kind)).toEqual(['not-anchored', 'proxy', 'product']);
  });
  it('the genuine chain through a proxy (a tunnelling proxy): not intercepted', () => {
    const v = judgeInterception(againstKubeconfigCa([pki.server], 'http://198.51.100.22:8888'));
    expect(v).toMatchObject({ intercepted: false, evidence: [] });
    expect(v.notBecause).toMatch(/^the chain builds to the kubeconfig CA \(CN=lab-ca/);
  });
  it('another CA (a regenerated cluster), no proxy, no product: not intercepted (unknown authority)', () => {
    const v = judgeInterception(againstKubeconfigCa([pki.serverOtherCa]));
    expect(v.intercepted).toBe(false);
    expect(v.notBecause).toBe('no proxy was on the path, no issuer names an interception product, and nothing else points at a middlebox');
    // without knowing that an API server was expected, the self-signed proxy certificate alone is not interception
    expect(judgeInterception(againstKubeconfigCa([pki.egressProxy])).intercepted).toBe(false);
  });
  it('a chain explained otherwise (an ingress controller\'s default certificate) through a proxy: not intercepted', () => {
    const fake = mintCert({ cn: 'Kubernetes Ingress Controller Fake Certificate', o: 'Acme Co', dns: ['ingress.local'] });
    const input = { ...againstKubeconfigCa([fake], 'http://198.51.100.21:3128'), otherExplanation: 'the default certificate of ingress-nginx' };
    expect(judgeInterception(input)).toMatchObject({ intercepted: false, notBecause: 'the default certificate of ingress-nginx' });
  });
  it('no certificate: not intercepted', () => {
    expect(judgeInterception({ chain: [], expected: 'the system store', anchoredBy: undefined, proxy: {} }).intercepted).toBe(false);
  });
});

// ------------------------------------------------------------------ the checks on recorded evidence

const kubeconfigFile = (server: string) => oneContextKubeconfig(server, pki.ca.cert, 'netdiag-intercept-');

/** api.tls run on a recorded handshake: the chain the peer presented, verified as the client does. */
async function apiTls(presented: Pem[], env: Record<string, string>, server = 'https://203.0.113.10:10443') {
  const { file, dir } = kubeconfigFile(server);
  const ctx = new ApiContext({ kubeconfig: { kubeconfig: file, env: {}, homeDir: dir }, timeoutMs: 1000, requestTimeoutMs: 1000, endpoints: [], env, redactor: new Redactor() });
  const certificates = presented.map(x);
  const { roots } = ctx.roots();
  const proxy = ctx.proxy().proxy;
  const recorded = {
    dialled: proxy
      ? { via: `proxy ${proxy.href} → ${ctx.hostPort}`, socket: new Socket(), connect: { ok: true, proxy: proxy.href, target: ctx.hostPort, durationMs: 2, statusCode: 200, statusLine: 'HTTP/1.1 200 Connection established' } }
      : { via: ctx.hostPort, socket: new Socket() },
    tls: { ok: true, durationMs: 4, protocol: 'TLSv1.3', cipher: 'TLS_AES_128_GCM_SHA256', chain: certificates.map((c) => certInfo(c)), certificates },
    verify: verifyChain(certificates, { roots: roots!, serverName: ctx.serverName, now: ctx.now() }),
    serverName: ctx.serverName,
    roots,
  };
  // seed the client's memoised handshake with the recording
  await ctx.once('tls', async () => recorded as Awaited<ReturnType<ApiContext['tls']>>);
  return tlsCheck.run(ctx, new AbortController().signal);
}

describe('api.tls decides interception with the rule (recorded evidence)', () => {
  it('incident 1: api.tls.intercepted by the proxy, and the missing IP SANs', async () => {
    const out = await apiTls([pki.egressProxy], { HTTPS_PROXY: 'http://198.51.100.21:3128' });
    expect(out.findings!.map((f) => f.code)).toEqual(['api.tls.intercepted', 'api.tls.no-ip-san']);
    expect(out.findings![0]!.message).toBe(
      'TLS to 203.0.113.10:10443 is intercepted by the proxy http://198.51.100.21:3128: the certificate presented is CN=egress-proxy, issued by CN=egress-proxy, not by the kubeconfig CA (CN=lab-ca,O=kubectl-netdiag lab).',
    );
    expect(out.evidence!.interception).toEqual({
      decidedBy: [
        'the chain ends at CN=egress-proxy, issued by CN=egress-proxy, which is not the kubeconfig CA',
        'the connection was tunnelled through the proxy http://198.51.100.21:3128',
        'the certificate CN=egress-proxy carries none of the names every Kubernetes API server certificate has (kubernetes, kubernetes.default.svc): it has no SANs at all',
      ],
      confidence: 'high',
    });
  });
  it('no proxy, a mitmproxy-issued chain: intercepted by a middlebox, the product named', async () => {
    const out = await apiTls([mitmLeaf, mitmCa], {});
    const f = out.findings!.find((x) => x.code === 'api.tls.intercepted');
    expect(f?.message).toMatch(
      /^TLS to 203\.0\.113\.10:10443 is intercepted by a middlebox on the path \(no proxy is set: it intercepts transparently\): the certificate presented is CN=web\.lab\.test, issued by CN=mitmproxy,O=mitmproxy \(mitmproxy\), not by the kubeconfig CA/,
    );
    expect(f?.message).toContain('Interception is certain (the issuer names mitmproxy)');
    expect(out.findings!.map((x) => x.code)).not.toContain('api.tls.unknown-authority');
  });
  it('another CA, no proxy: unknown authority, not interception', async () => {
    const out = await apiTls([pki.serverOtherCa], {});
    const codes = out.findings!.map((f) => f.code);
    expect(codes).toContain('api.tls.unknown-authority');
    expect(codes).not.toContain('api.tls.intercepted');
    expect(out.evidence!.interception).toBeUndefined();
  });
  it('the genuine chain through a tunnelling proxy: no finding', async () => {
    const out = await apiTls([pki.server], { HTTPS_PROXY: 'http://198.51.100.22:8888' }, 'https://198.51.100.10:6443');
    expect(out.findings).toEqual([]);
    expect(out.summary).toMatch(/verified by CN=lab-ca/);
  });
});

/** cert.tls run on a recorded handshake through HTTPS_PROXY, with an empty system store. */
async function certTls(presented: Pem[], opts: { proxy?: string; caFile?: string }) {
  const store = tmp();
  writeFileSync(join(store, 'bundle.pem'), mintCert({ cn: 'some-public-root', isCA: true }).cert);
  const env: Record<string, string> = { SSL_CERT_FILE: join(store, 'bundle.pem'), SSL_CERT_DIR: store, ...(opts.proxy ? { HTTPS_PROXY: opts.proxy } : {}) };
  const ctx = new ServedHostContext({ host: 'cert.lab.test', port: 443, timeoutMs: 1000, env, ...(opts.caFile ? { caFile: opts.caFile } : {}) });
  const certificates = presented.map(x);
  const recorded: ServedTls = {
    ok: true,
    durationMs: 4,
    servername: 'cert.lab.test',
    protocol: 'TLSv1.3',
    chain: certificates.map((c) => certInfo(c)),
    certificates,
    via: opts.proxy ? `proxy ${opts.proxy} (HTTPS_PROXY)` : 'direct',
    ...(opts.proxy
      ? {
          proxy: { url: opts.proxy, source: 'HTTPS_PROXY' },
          connect: { ok: true, proxy: opts.proxy, target: 'cert.lab.test:443', durationMs: 2, statusCode: 200, statusLine: 'HTTP/1.1 200 Connection established' },
        }
      : {}),
  };
  await ctx.once('tls', async () => recorded);
  return certTlsCheck.run(ctx, new AbortController().signal);
}

describe('cert.tls decides interception with the same rule (recorded evidence)', () => {
  it('through mitmdump: cert.tls.proxy-intercepted, the proxy\'s certificate named as such', async () => {
    const out = await certTls([mitmLeaf, mitmCa], { proxy: 'http://198.51.100.24:8080' });
    expect(out.findings!.map((f) => f.code)).toEqual(['cert.tls.proxy-intercepted']);
    expect(out.findings![0]!.message).toMatch(
      /^Through the proxy http:\/\/198\.51\.100\.24:8080 \(HTTPS_PROXY\), cert\.lab\.test:443 presents CN=web\.lab\.test issued by CN=mitmproxy,O=mitmproxy, which the system store does not trust: the proxy most likely intercepts TLS/,
    );
    expect(out.summary).toMatch(/; intercepted by the proxy;/);
    expect((out.evidence!.interception as { product?: string }).product).toBe('mitmproxy');
  });
  it('through a proxy, a self-signed proxy certificate no product names: still the proxy\'s', async () => {
    const out = await certTls([pki.egressProxy], { proxy: 'http://198.51.100.21:3128' });
    // (it names no host at all, hence the name mismatch too)
    expect(out.findings!.map((f) => f.code)).toEqual(['cert.tls.proxy-intercepted', 'cert.tls.name-mismatch']);
  });
  it('with the interceptor\'s CA in --ca-file: trusted, a private CA, not interception', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'mitm-ca.pem'), mitmCa.cert);
    const out = await certTls([mitmLeaf, mitmCa], { proxy: 'http://198.51.100.24:8080', caFile: join(dir, 'mitm-ca.pem') });
    const codes = out.findings!.map((f) => f.code);
    expect(codes).toContain('cert.tls.private-ca');
    expect(codes).not.toContain('cert.tls.proxy-intercepted');
  });
  it('the genuine chain directly, untrusted by the system store: not interception', async () => {
    const out = await certTls([webLeaf], {});
    const codes = out.findings!.map((f) => f.code);
    expect(codes).not.toContain('cert.tls.proxy-intercepted');
    // a private root no store holds, no AIA URL: an unknown authority, not a missing intermediate (issue 11 point 4)
    expect(codes).toEqual(['cert.tls.untrusted']);
  });
});
