// The `cert` diagnosis: which checks it runs (prepareCert), and the words of its declared
// requirements: the cluster checks apply only with a kubeconfig, a usable API server and a host the
// cluster knows; no Ingress / no Certificate is "not applicable" here where `ingress` reports it.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CERT_CHECKS, certDiagnosis } from '../../../src/checks/cert/index.ts';
import { prepareCert } from '../../../src/checks/cert/prepare.ts';
import { diagnoseCert } from '../../../src/checks/cert/without-cluster.ts';
import type { HostClusterOptions } from '../../../src/checks/served-host/cluster-context.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { INGRESS_LAB, clusterObjects, type ClusterSpec } from '../../lab/ingress-scenarios.ts';
import { HOST, fakeContext, run, type Evidence } from '../ingress/fake-cluster.ts';

const BASE: ClusterSpec = { lb: INGRESS_LAB.lb, policy: 'Cluster', announcer: 'node-a', l2: true, solverClass: 'nginx', issuer: 'prod', certificate: 'ready', secret: true, tlsCert: { cert: 'recorded', key: 'recorded' } as never };
const CLUSTER_CHECKS = ['cert.certmanager', 'ingress.resource', 'ingress.backend', 'ingress.lb', 'ingress.traffic-policy', 'ingress.dns', 'ingress.http01', 'ingress.annotations'];

/** the cert diagnosis's cluster checks (cert.tls has its own tests: ./tls.test.ts) */
async function cert(e: Evidence) {
  const ctx = fakeContext(e);
  const r = await run(CERT_CHECKS.filter((c) => c.id !== 'cert.tls'), ctx);
  return { ...r, ctx };
}

describe('cert: when the cluster checks apply', () => {
  it('no kubeconfig resolves: not applicable, and the verdict says they were left out', async () => {
    const r = await cert({ noKubeconfig: true });
    for (const id of CLUSTER_CHECKS) expect(r.check(id).summary, id).toBe('not applicable: no kubeconfig resolves, so only the served certificate is checked');
    expect(diagnoseCert(r.results, r.ctx).rootCause).toContain('No kubeconfig resolves, so the cert-manager and ingress checks were left out.');
  });
  it('the API server cannot be used: not applicable, naming why (no api-unreachable finding, unlike ingress)', async () => {
    const r = await cert({ unreachable: 'dial tcp 192.0.2.10:6443: connect: connection refused' });
    for (const id of CLUSTER_CHECKS) {
      expect(r.check(id).status, id).toBe('skip');
      expect(r.check(id).summary, id).toBe('not applicable: the cluster API cannot be used (dial tcp 192.0.2.10:6443: connect: connection refused)');
    }
    expect(diagnoseCert(r.results, r.ctx).rootCause).not.toContain('No kubeconfig resolves');
  });
  it('a host the cluster does not know: not applicable, naming the context', async () => {
    const r = await cert({ objects: clusterObjects(BASE), host: 'elsewhere.lab.test' });
    for (const id of CLUSTER_CHECKS) expect(r.check(id).summary, id).toBe('not applicable: the cluster (context dev@lab) has no Ingress or Certificate for elsewhere.lab.test');
  });
  it('a host the cluster knows: the cluster checks run', async () => {
    const r = await cert({ objects: clusterObjects(BASE) });
    expect(r.check('cert.certmanager').summary).toBe('web/web-tls Ready=True; ClusterIssuer letsencrypt-prod (production ACME)');
    expect(r.check('ingress.lb').status).toBe('pass');
    expect(r.check('ingress.dns').summary).toBe(`${HOST} → ${INGRESS_LAB.lb} = the load balancer address`);
  });
  it('a Certificate and no Ingress: the Ingress checks are not applicable, cert-manager runs', async () => {
    const objects = clusterObjects(BASE).filter((o) => !(o.kind === 'Ingress' && o.metadata.name === 'web'));
    const r = await cert({ objects });
    expect(r.check('ingress.resource').summary).toBe(`not applicable: no Ingress for ${HOST} (a Certificate exists)`);
    expect(r.check('ingress.backend').summary).toBe('not applicable: no Ingress for the host');
    expect(r.check('ingress.annotations').summary).toBe('not applicable: no Ingress for the host');
    expect(r.check('cert.certmanager').status).toBe('pass');
  });
  it('an Ingress and no Certificate: cert.certmanager not applicable (ingress reports no-certificate)', async () => {
    const installed = ['certificates', 'certificaterequests', 'issuers', 'clusterissuers'].map((p) => `${p}.cert-manager.io`);
    const r = await cert({ objects: clusterObjects({ ...BASE, certificate: 'none' }), installed });
    expect(r.check('cert.certmanager').summary).toBe(`not applicable: no cert-manager Certificate for ${HOST}`);
    expect(r.codes()).not.toContain('cert.certmanager.no-certificate');
    expect(r.check('ingress.resource').status).toBe('pass');
  });
  it('Ingresses unreadable, a Certificate readable: ingress.resource names the permission it lacks', async () => {
    const r = await cert({ objects: clusterObjects(BASE), forbidden: ['ingresses.networking.k8s.io'] });
    expect(r.check('ingress.resource').summary).toBe('skipped: forbidden: needs the RBAC permission to list ingresses.networking.k8s.io in all namespaces');
  });
});

describe('prepareCert: which cert diagnosis runs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netdiag-prepare-'));
  const options = (kubeconfig: HostClusterOptions['kubeconfig']): HostClusterOptions => ({
    // loopback, a port nothing listens on: the early handshake fails at once
    host: '127.0.0.1',
    port: 9,
    timeoutMs: 500,
    requestTimeoutMs: 500,
    env: {},
    kubeconfig,
    redactor: new Redactor(),
  });
  async function checksOf(o: HostClusterOptions): Promise<string[]> {
    let ids: string[] = [];
    await prepareCert(o, async (def) => {
      ids = def.checks.map((c) => c.id);
      return 0;
    });
    return ids;
  }
  it('no kubeconfig file: cert.tls alone', async () => {
    expect(await checksOf(options({ env: {}, homeDir: join(dir, 'nohome') }))).toEqual(['cert.tls']);
  });
  it("a kubeconfig file that resolves to kubectl's localhost fallback: cert.tls alone", async () => {
    const file = join(dir, 'empty');
    writeFileSync(file, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    expect(await checksOf(options({ kubeconfig: file, env: {}, homeDir: dir }))).toEqual(['cert.tls']);
  });
  it('a kubeconfig that resolves: the full diagnosis', async () => {
    const file = join(dir, 'config');
    writeFileSync(file, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:9"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    expect(await checksOf(options({ kubeconfig: file, env: {}, homeDir: dir }))).toEqual(certDiagnosis.checks.map((c) => c.id));
    expect(certDiagnosis.checks.map((c) => c.id)).toEqual(['cert.tls', ...CLUSTER_CHECKS]);
  });
});
