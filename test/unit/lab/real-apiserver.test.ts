// The fake API server where it was corrected to the REAL v1.24.0 server (issue 11; the e2e file
// test/e2e/real-apiserver.test.ts sends the same requests to both), and the real-apiserver lab
// module's own pieces (PKI, kubeconfigs, flags) without starting anything.
import { X509Certificate } from 'node:crypto';
import { load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../lab/apiserver.ts';
import { labPki } from '../../lab/pki.ts';
import { apiserverFlags, CLUSTER_DNS, REAL, realKubeconfig, realPki } from '../../lab/real-apiserver.ts';
import { request } from './helpers.ts';

const pki = labPki();
const ADMIN = 'admin-token-unit';
const VIEWER = 'viewer-token-unit';
const tokens = {
  [ADMIN]: { user: 'lab-admin', groups: ['system:masters'], rbac: 'admin' as const },
  [VIEWER]: { user: 'netdiag-viewer', groups: [], rbac: 'none' as const },
};

/** the real v1.24.0 server's bodies (curl, so pretty-printed), recorded in the lab */
const REAL_SSR_FORBIDDEN = (user: string) =>
  JSON.stringify(
    {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: `selfsubjectreviews.authentication.k8s.io is forbidden: User "${user}" cannot create resource "selfsubjectreviews" in API group "authentication.k8s.io" at the cluster scope`,
      reason: 'Forbidden',
      details: { group: 'authentication.k8s.io', kind: 'selfsubjectreviews' },
      code: 403,
    },
    null,
    2,
  );
const REAL_ENDPOINTS_NOT_FOUND = JSON.stringify(
  { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'endpoints "kubernetes" not found', reason: 'NotFound', details: { name: 'kubernetes', kind: 'endpoints' }, code: 404 },
  null,
  2,
);

describe('fake kube-apiserver 1.24, corrected to the real one', () => {
  let s: ApiServer;
  let empty: ApiServer;
  beforeAll(async () => {
    s = await startApiServer({ host: '127.0.0.1', port: 0, tls: pki.server, clientCa: pki.ca.cert, tokens, version: '1.24' });
    empty = await startApiServer({ host: '127.0.0.1', port: 0, tls: pki.server, clientCa: pki.ca.cert, tokens, version: '1.24', endpointSlice: { addresses: [], port: 6443 } });
  });
  afterAll(async () => {
    await s.close();
    await empty.close();
  });
  const ssr = (token?: string) =>
    request(`${s.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
      ca: pki.ca.cert,
      method: 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: '{"apiVersion":"authentication.k8s.io/v1","kind":"SelfSubjectReview"}',
    });

  it('SelfSubjectReview: 404 for a user allowed to create it, 403 for a user without RBAC (authorization runs before routing)', async () => {
    expect((await ssr(ADMIN)).status).toBe(404);
    const r = await ssr(VIEWER);
    expect(r.status).toBe(403);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.body).toBe(REAL_SSR_FORBIDDEN('netdiag-viewer'));
  });

  it('SelfSubjectReview anonymous: 403 for system:anonymous', async () => {
    const r = await ssr();
    expect(r.status).toBe(403);
    expect(r.body).toBe(REAL_SSR_FORBIDDEN('system:anonymous'));
  });

  it('no endpoint addresses (a loopback advertise address): endpoints/kubernetes 404, the EndpointSlice list is empty', async () => {
    const auth = { authorization: `Bearer ${ADMIN}` };
    const e = await request(`${empty.url}/api/v1/namespaces/default/endpoints/kubernetes`, { ca: pki.ca.cert, headers: auth });
    expect(e.status).toBe(404);
    expect(e.body).toBe(REAL_ENDPOINTS_NOT_FOUND);
    const l = await request(`${empty.url}/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes`, { ca: pki.ca.cert, headers: auth });
    expect(l.status).toBe(200);
    expect(JSON.parse(l.body)).toMatchObject({ kind: 'EndpointSliceList', items: [] });
    // with an address the fake still writes it
    const full = await request(`${s.url}/api/v1/namespaces/default/endpoints/kubernetes`, { ca: pki.ca.cert, headers: auth });
    expect(full.status).toBe(200);
    expect(JSON.parse(full.body).subsets[0].addresses).toEqual([{ ip: '127.0.0.1' }]);
  });
});

describe('real-apiserver lab module', () => {
  it('two different CN=kubernetes CAs: the cluster CA signs the serving certificates, the other one does not', () => {
    const p = realPki();
    const ca = new X509Certificate(p.ca.cert);
    const other = new X509Certificate(p.otherCa.cert);
    expect(ca.subject).toBe('CN=kubernetes');
    expect(other.subject).toBe('CN=kubernetes');
    expect(ca.fingerprint256).not.toBe(other.fingerprint256);
    const main = new X509Certificate(p.main.cert);
    expect(main.verify(ca.publicKey)).toBe(true);
    expect(main.verify(other.publicKey)).toBe(false);
  });

  it('cert-gap: the serving certificate covers the dialled address, not the advertised one', () => {
    const c = new X509Certificate(realPki().certGap.cert);
    expect(c.checkIP(REAL.certGap.dial)).toBe(REAL.certGap.dial);
    expect(c.checkIP(REAL.certGap.advertise)).toBeUndefined();
    for (const d of CLUSTER_DNS) expect(c.checkHost(d)).toBe(d);
  });

  it('kubeconfig: the user entry is named apart from the server-side user; tls-server-name and client certificates land where kubectl reads them', () => {
    const p = realPki();
    const doc = load(realKubeconfig('real-x', { server: 'https://198.51.100.10:6443', ca: p.ca.cert, clientCert: p.certAdmin, tlsServerName: 'wrong.lab.test', userEntry: 'cert-admin' })) as any;
    expect(doc['current-context']).toBe('cert-admin@real-x');
    expect(doc.clusters[0].cluster['tls-server-name']).toBe('wrong.lab.test');
    expect(Buffer.from(doc.users[0].user['client-certificate-data'], 'base64').toString()).toBe(p.certAdmin.cert);
    expect(doc.users[0].name).toBe('cert-admin');
  });

  it('dead-adv: --bind-address and --advertise-address differ', () => {
    const f = apiserverFlags({ name: 'dead-adv', ...REAL.deadAdv, tls: realPki().deadAdv }, '/d');
    expect(f).toContain(`--bind-address=${REAL.deadAdv.bind}`);
    expect(f).toContain(`--advertise-address=${REAL.deadAdv.advertise}`);
    expect(f).toContain('--authorization-mode=Node,RBAC');
    expect(f).toContain('--token-auth-file=/d/tokens.csv');
  });
});
