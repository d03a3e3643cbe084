import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../lab/apiserver.ts';
import { parseLabelSelector, parseResourcePath, pluralOf, type KubeObject } from '../../lab/objects.ts';
import { labPki } from '../../lab/pki.ts';
import { request } from './helpers.ts';

const obj = (apiVersion: string, kind: string, ns: string | undefined, name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion,
  kind,
  metadata: { name, ...(ns ? { namespace: ns } : {}), labels },
});

describe('object store helpers', () => {
  it('plurals, paths and label selectors follow Kubernetes', () => {
    expect(['Pod', 'Ingress', 'NetworkPolicy', 'IPAddressPool', 'L2Advertisement', 'Certificate', 'ClusterIssuer'].map(pluralOf)).toEqual([
      'pods', 'ingresses', 'networkpolicies', 'ipaddresspools', 'l2advertisements', 'certificates', 'clusterissuers',
    ]);
    expect(parseResourcePath('/apis/networking.k8s.io/v1/namespaces/ml/networkpolicies/deny')).toEqual({
      group: 'networking.k8s.io', version: 'v1', namespace: 'ml', plural: 'networkpolicies', name: 'deny', sub: undefined,
    });
    expect(parseResourcePath('/api/v1/namespaces/ml/pods/p1/log')).toMatchObject({ plural: 'pods', name: 'p1', sub: 'log' });
    const sel = parseLabelSelector('app=web,tier in (a, b),!legacy,env!=prod');
    expect(sel({ app: 'web', tier: 'a' })).toBe(true);
    expect(sel({ app: 'web', tier: 'c' })).toBe(false);
    expect(sel({ app: 'web', tier: 'b', legacy: 'x' })).toBe(false);
    expect(sel({ app: 'web', tier: 'b', env: 'prod' })).toBe(false);
  });
});

describe('the fake API server serves scenario objects', () => {
  let s: ApiServer;
  const pki = labPki();
  const token = 'objects-test-token-123';
  const get = (path: string, t = token) => request(`${s.url}${path}`, { ca: pki.ca.cert, headers: { Authorization: `Bearer ${t}` } });
  beforeAll(async () => {
    s = await startApiServer({
      tls: pki.server,
      tokens: { [token]: { user: 'admin', groups: ['system:masters'], rbac: 'admin' }, viewer: { user: 'viewer', groups: [], rbac: 'none' } },
      store: {
        objects: [
          obj('networking.k8s.io/v1', 'NetworkPolicy', 'ml', 'deny-all', { app: 'x' }),
          obj('networking.k8s.io/v1', 'NetworkPolicy', 'ml', 'allow-dns'),
          obj('networking.k8s.io/v1', 'NetworkPolicy', 'web', 'web-in'),
          obj('cert-manager.io/v1', 'Certificate', 'web', 'tls'),
        ],
        forbidden: ['certificates.cert-manager.io'],
        logs: { 'ml/trainer': 'line 1\nline 2\nline 3\n' },
      },
    });
  });
  afterAll(async () => s?.close());

  it('lists namespaced and across namespaces, with selectors and pagination', async () => {
    const all = JSON.parse((await get('/apis/networking.k8s.io/v1/networkpolicies')).body);
    expect(all.kind).toBe('NetworkPolicyList');
    expect(all.items.map((i: KubeObject) => i.metadata.name)).toEqual(['allow-dns', 'deny-all', 'web-in']);
    const ml = JSON.parse((await get('/apis/networking.k8s.io/v1/namespaces/ml/networkpolicies?labelSelector=app%3Dx')).body);
    expect(ml.items.map((i: KubeObject) => i.metadata.name)).toEqual(['deny-all']);
    const p1 = JSON.parse((await get('/apis/networking.k8s.io/v1/networkpolicies?limit=2')).body);
    expect(p1.items).toHaveLength(2);
    expect(p1.metadata.remainingItemCount).toBe(1);
    const p2 = JSON.parse((await get(`/apis/networking.k8s.io/v1/networkpolicies?limit=2&continue=${encodeURIComponent(p1.metadata.continue)}`)).body);
    expect(p2.items.map((i: KubeObject) => i.metadata.name)).toEqual(['web-in']);
    expect(p2.metadata.continue).toBeUndefined();
  });

  it('get by name, 404 as a Status, 403 for forbidden resources and non-admins, pod logs', async () => {
    expect(JSON.parse((await get('/apis/networking.k8s.io/v1/namespaces/ml/networkpolicies/deny-all')).body).metadata.name).toBe('deny-all');
    const nf = await get('/apis/networking.k8s.io/v1/namespaces/ml/networkpolicies/nope');
    expect(nf.status).toBe(404);
    expect(JSON.parse(nf.body).message).toBe('networkpolicies.networking.k8s.io "nope" not found');
    const fb = await get('/apis/cert-manager.io/v1/namespaces/web/certificates');
    expect(fb.status).toBe(403);
    expect(JSON.parse(fb.body).message).toBe('certificates.cert-manager.io is forbidden: User "admin" cannot list resource "certificates" in API group "cert-manager.io" in the namespace "web"');
    expect((await get('/apis/networking.k8s.io/v1/namespaces/ml/networkpolicies', 'viewer')).status).toBe(403);
    const log = await get('/api/v1/namespaces/ml/pods/trainer/log?tailLines=2');
    expect(log.body).toBe('line 2\nline 3\n');
  });
});
