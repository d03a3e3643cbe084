// api.tls and the api diagnosis on recorded handshakes (issue 12 §1, issue 11 points 1/4/7): a
// transparent middlebox with no proxy variable, decided with its evidence and confidence, the trust
// store that holds its CA, never "add it to the kubeconfig"; --compare-host; a regenerated cluster CA
// in plain words; a bad tls-server-name blamed on tls-server-name.
import { X509Certificate } from 'node:crypto';
import { Socket } from 'node:net';
import * as tls from 'node:tls';
import type * as net from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiContext } from '../../../src/checks/api/context.ts';
import { tlsCheck } from '../../../src/checks/api/tls.ts';
import { diagnoseApi } from '../../../src/checks/api/diagnosis.ts';
import { certInfo, verifyChain } from '../../../src/net/x509.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { toFinding } from '../../../src/engine/runner.ts';
import { labPki, mintCert, type Pem } from '../../lab/pki.ts';

const pki = labPki();
const x = (p: Pem) => new X509Certificate(p.cert);
const boxCa = mintCert({ cn: 'Corp Inspection Root', o: 'Example Corp', isCA: true });
const boxLeaf = mintCert({ cn: '127.0.0.1', ips: ['127.0.0.1'], issuer: boxCa });
const boxOther = mintCert({ cn: 'localhost', dns: ['localhost'], ips: ['127.0.0.1'], issuer: boxCa });

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'netdiag-api-icpt-'));
}

async function apiTls(presented: Pem[], o: { ca?: Pem; server?: string; tlsServerName?: string; env?: Record<string, string>; compareHost?: string } = {}) {
  const dir = tmp();
  const file = join(dir, 'config');
  const server = o.server ?? 'https://203.0.113.10:6443';
  writeFileSync(
    file,
    `apiVersion: v1
kind: Config
clusters: [{name: lab, cluster: {server: "${server}"${o.tlsServerName ? `, tls-server-name: ${o.tlsServerName}` : ''}, certificate-authority-data: ${Buffer.from((o.ca ?? pki.ca).cert).toString('base64')}}}]
users: [{name: u, user: {token: abcdefgh12345678}}]
contexts: [{name: lab, context: {cluster: lab, user: u}}]
current-context: lab
`,
  );
  const store = tmp();
  writeFileSync(join(store, 'bundle.crt'), `${mintCert({ cn: 'some-public-root', isCA: true }).cert}${boxCa.cert}`);
  const env = { SSL_CERT_FILE: join(store, 'bundle.crt'), SSL_CERT_DIR: join(store, 'none'), ...(o.env ?? {}) };
  const ctx = new ApiContext({ kubeconfig: { kubeconfig: file, env: {}, homeDir: dir }, timeoutMs: 1000, requestTimeoutMs: 1000, endpoints: [], env, redactor: new Redactor(), ...(o.compareHost ? { compareHost: o.compareHost } : {}) });
  const certificates = presented.map(x);
  const { roots } = ctx.roots();
  const rec = {
    dialled: { via: ctx.hostPort, socket: new Socket() },
    tls: { ok: true, durationMs: 4, protocol: 'TLSv1.3', chain: certificates.map((c) => certInfo(c)), certificates },
    verify: verifyChain(certificates, { roots: roots!, serverName: ctx.serverName, now: ctx.now() }),
    serverName: ctx.serverName,
    roots,
  };
  await ctx.once('tls', async () => rec as Awaited<ReturnType<ApiContext['tls']>>);
  const out = await tlsCheck.run(ctx, new AbortController().signal);
  return { out, ctx, store: join(store, 'bundle.crt') };
}

const servers: net.Server[] = [];
afterAll(() => {
  for (const s of servers) s.close();
});

describe('api.tls: a transparent middlebox (no proxy variable)', () => {
  it('decided by the missing Kubernetes names, likely; its CA found in the system store; the diagnosis never says NO_PROXY nor "add the CA"', async () => {
    const { out, ctx, store } = await apiTls([boxLeaf]);
    expect(out.findings!.map((f) => f.code)).toEqual(['api.tls.intercepted', 'api.tls.name-mismatch']);
    const m = out.findings![0]!.message;
    expect(m).toContain('is intercepted by a middlebox on the path (no proxy is set: it intercepts transparently)');
    expect(m).toContain('Interception is likely (the certificate is not a Kubernetes API server certificate)');
    expect(m).toContain(`The interceptor's CA CN=Corp Inspection Root,O=Example Corp is installed in the system trust store ${store}: that is why curl and browsers on this machine work while kubectl, which trusts only the kubeconfig CA, fails.`);
    expect(out.evidence!.interception).toMatchObject({ confidence: 'likely', trustedBy: `the system trust store ${store}` });
    const result = { id: 'api.tls', title: 'TLS handshake', status: 'fail' as const, summary: out.summary, durationMs: 1, findings: out.findings!.map((f) => toFinding(f)), evidence: out.evidence };
    const d = diagnoseApi([result as never], ctx);
    expect(d.rootCause).toContain('passes a middlebox that intercepts TLS');
    expect(d.rootCause).toContain('Interception is likely:');
    expect(d.rootCause).toContain(`The interceptor's CA is installed in the system trust store ${store}`);
    expect(d.remediation.join('\n')).not.toContain('NO_PROXY');
    expect(d.remediation.join('\n')).toContain("Never add the interceptor's CA to the kubeconfig");
  });
  it('--compare-host: the same issuer on an unrelated host decides it, high', async () => {
    // the "unrelated host" is a loopback TLS server presenting the box's certificate
    const s = tls.createServer({ cert: boxOther.cert, key: boxOther.key });
    servers.push(s);
    const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
    const leafWithNames = mintCert({ cn: 'kube-apiserver', dns: ['kubernetes', 'kubernetes.default.svc'], ips: ['203.0.113.10'], issuer: boxCa });
    const { out } = await apiTls([leafWithNames], { compareHost: `127.0.0.1:${port}` });
    expect(out.findings!.map((f) => f.code)).toEqual(['api.tls.intercepted']);
    expect(out.findings![0]!.message).toContain(`Interception is high (127.0.0.1:${port} is signed by the same issuer)`);
    expect(out.evidence!.compareHost).toMatchObject({ host: `127.0.0.1:${port}`, ok: true, issuer: 'CN=Corp Inspection Root,O=Example Corp' });
    // without --compare-host the same chain is only an unknown authority
    const { out: plain } = await apiTls([leafWithNames]);
    expect(plain.findings!.map((f) => f.code)).toEqual(['api.tls.unknown-authority']);
  });
});

describe('api.tls: blame the right thing', () => {
  it('a regenerated cluster CA (same CN=kubernetes, another key): unknown authority, said in plain words', async () => {
    const oldKube = mintCert({ cn: 'kubernetes', isCA: true, notBefore: new Date(Date.UTC(2026, 0, 1)) });
    const newKube = mintCert({ cn: 'kubernetes', isCA: true, notBefore: new Date(Date.UTC(2026, 1, 1)) });
    const leaf = mintCert({ cn: 'kube-apiserver', dns: ['kubernetes', 'kubernetes.default.svc'], ips: ['203.0.113.10'], issuer: newKube });
    const { out } = await apiTls([leaf], { ca: oldKube });
    expect(out.findings!.map((f) => f.code)).toEqual(['api.tls.unknown-authority']);
    const f = out.findings![0]!;
    expect(f.message).toContain('the cluster CA was regenerated');
    expect(f.message).toContain('possibly because of');
    expect(f.remediation![0]).toMatch(/Fetch a fresh kubeconfig from the rebuilt cluster/);
  });
  it('issue 11 point 7: a tls-server-name the certificate lacks: the finding and its advice point at tls-server-name, never "dial another address"', async () => {
    const { out } = await apiTls([pki.server], { server: 'https://198.51.100.10:6443', tlsServerName: 'wrong.lab.test' });
    const f = out.findings!.find((x) => x.code === 'api.tls.name-mismatch')!;
    expect(f.message).toMatch(/^The kubeconfig sets tls-server-name: wrong\.lab\.test, and the certificate does not carry that name/);
    expect(f.remediation!.join('\n')).toContain('tls-server-name');
    expect(f.remediation!.join('\n')).toContain('kubectl config unset clusters.lab.tls-server-name');
    expect(f.remediation!.join('\n')).not.toMatch(/Dial an address/);
  });
});
