// The egress diagnosis on both sides of an in-cluster flow (issue 14), on recorded evidence: the
// destination's ingress, AdminNetworkPolicies, Cilium's implicit labels (service account, cluster
// name from cilium-config), L7 notes, ICMP targets. Each case asserts the code a user sees and the
// words that carry its rule; the paired case without the deciding object shows the rule matters.
import { describe, expect, it } from 'vitest';
import { noPingMessage, parsePing } from '../../../src/checks/egress/probe.ts';
import { parseTarget, targetText } from '../../../src/checks/egress/target.ts';
import type { KubeObject } from '../../lab/objects.ts';
import { EGRESS_CHECKS } from '../../../src/checks/egress/index.ts';
import { runChecks } from '../../../src/engine/runner.ts';
import { classifyStatus } from '../../../src/kube/client.ts';
import { API_HOST, API_IP, CILIUM_DNS_RULE, cluster, cnp, CONTROL_OK, namespace, netpol, NS, ok, pod, recordedContext, runRecorded } from './harness.ts';

const BACKEND_IP = '10.244.1.20';
const toBackend = { options: { target: `${BACKEND_IP}:8080` } };
const backend = (ns = 'shop', sa = 'default'): KubeObject => {
  const p = pod('backend-0', BACKEND_IP, 'Running', ns, { app: 'backend' });
  return { ...p, spec: { ...(p.spec as object), serviceAccountName: sa, containers: [{ name: 'api', image: 'shop/api:1', ports: [{ name: 'http', containerPort: 8080 }] }] } };
};
const TIMEOUT = ok(BACKEND_IP, 8080, [BACKEND_IP], { [BACKEND_IP]: 'timeout' });
const CONNECTS = ok(BACKEND_IP, 8080, [BACKEND_IP], { [BACKEND_IP]: true });

/** NetworkPolicy in shop: backend accepts only app=frontend of its own namespace. */
const SHOP_INGRESS: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'backend-ingress', namespace: 'shop' },
  spec: { podSelector: { matchLabels: { app: 'backend' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ port: 8080, protocol: 'TCP' }] }] },
};

/** CNP in shop: the same, as Cilium writes it. */
const SHOP_CNP: KubeObject = {
  apiVersion: 'cilium.io/v2',
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'backend-from-frontend', namespace: 'shop' },
  spec: { endpointSelector: { matchLabels: { app: 'backend' } }, ingress: [{ fromEndpoints: [{ matchLabels: { app: 'frontend' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] },
};

function anp(name: string, priority: number, action: string, cidr: string): KubeObject {
  return {
    apiVersion: 'policy.networking.k8s.io/v1alpha1',
    kind: 'AdminNetworkPolicy',
    metadata: { name },
    spec: { priority, subject: { namespaces: { matchLabels: { team: 'ml' } } }, egress: [{ name: `${action.toLowerCase()}-api`, action, to: [{ networks: [cidr] }] }] },
  };
}

describe('the destination\'s ingress', () => {
  it('k8s ingress-denied: the source may send, the destination\'s NetworkPolicy drops it; the root cause and the fix name the destination\'s side', async () => {
    const r = await runRecorded({ objects: cluster(namespace('shop'), backend(), SHOP_INGRESS), probe: [TIMEOUT, CONTROL_OK], ...toBackend });
    const f = r.of('egress.policy.k8s.ingress-denied')[0]!;
    expect(f.severity).toBe('fail');
    expect(f.message).toContain('the destination shop/backend-0 drops it');
    expect(f.message).toContain('NetworkPolicy shop/backend-ingress');
    expect(r.codes).not.toContain('egress.policy.k8s.denied');
    // the destination namespace's policies were listed
    expect(r.ctx.client.requests).toContain('GET /apis/networking.k8s.io/v1/namespaces/shop/networkpolicies?limit=250');
    expect(r.diagnosis.rootCause).toContain('dropped at the destination');
    expect(r.diagnosis.rootCause).toContain('The live probe times out');
    expect(r.diagnosis.rootCause).toContain('agrees with the policies');
    expect(r.diagnosis.remediation[0]).toContain('Allow it at the destination, in namespace shop');
    expect(r.diagnosis.remediation[0]).toContain('NetworkPolicy shop/backend-ingress');
    expect(r.diagnosis.remediation[1]).toContain('edit networkpolicy -n shop backend-ingress');
  });

  it('without the destination\'s policy the same flow is allowed on both sides', async () => {
    const r = await runRecorded({ objects: cluster(namespace('shop'), backend()), probe: [CONNECTS, CONTROL_OK], ...toBackend });
    expect(r.codes).not.toContain('egress.policy.k8s.ingress-denied');
    expect(r.diagnosis.status).toBe('pass');
  });

  it('a source with the allowed labels passes the destination\'s ingress', async () => {
    const objects = cluster(namespace('shop'), backend(), { ...SHOP_INGRESS, spec: { ...(SHOP_INGRESS.spec as object), ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ml' } } }] }] } });
    const r = await runRecorded({ objects, probe: [CONNECTS, CONTROL_OK], ...toBackend });
    expect(r.codes).not.toContain('egress.policy.k8s.ingress-denied');
    expect(r.check('egress.policy.k8s').summary).toContain('selecting the destination for ingress: shop/backend-ingress');
  });

  it('cilium ingress-denied: the destination\'s CNP isolates it for ingress', async () => {
    const r = await runRecorded({ objects: cluster(namespace('shop'), backend(), SHOP_CNP), probe: [TIMEOUT, CONTROL_OK], ...toBackend });
    const f = r.of('egress.policy.cilium.ingress-denied')[0]!;
    expect(f.message).toContain('the destination shop/backend-0 drops it');
    expect(r.ctx.client.requests).toContain('GET /apis/cilium.io/v2/namespaces/shop/ciliumnetworkpolicies?limit=250');
    expect(r.diagnosis.remediation[0]).toContain('CiliumNetworkPolicy shop/backend-from-frontend');
  });

  it('the destination\'s policies unreadable (RBAC in that namespace only): said, with the permission', async () => {
    const ctx = recordedContext({ objects: cluster(namespace('shop'), backend(), SHOP_INGRESS), probe: [TIMEOUT, CONTROL_OK], ...toBackend });
    const client = ctx.client as unknown as { get: (path: string) => Promise<unknown> };
    const answer = client.get.bind(client);
    const status = { kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'networkpolicies.networking.k8s.io is forbidden: User "dev" cannot list resource "networkpolicies" in API group "networking.k8s.io" in the namespace "shop"', details: { kind: 'networkpolicies', group: 'networking.k8s.io' } };
    client.get = async (path: string) => (path.startsWith('/apis/networking.k8s.io/v1/namespaces/shop/') ? classifyStatus(403, status, 'GET', path) : answer(path));
    const results = await runChecks(EGRESS_CHECKS, ctx, { defaultTimeoutMs: 10_000 });
    const k8s = results.find((r) => r.id === 'egress.policy.k8s')!;
    const m = k8s.findings.find((f) => f.code === 'egress.policy.k8s.error')!.message;
    expect(m).toContain('NetworkPolicies of shop (the destination\'s namespace) could not be listed');
    expect(m).toContain('needs `list` on `networkpolicies.networking.k8s.io` in shop');
    expect(m).toContain('the destination\'s ingress verdict does not count them');
    // unseen, the destination's policy drops nothing: the verdict is the source's alone
    expect(k8s.findings.map((f) => f.code)).not.toContain('egress.policy.k8s.ingress-denied');
  });
});

describe('AdminNetworkPolicies', () => {
  it('admin.denied: an ANP Deny decides before the NetworkPolicies; the remediation goes to the cluster administrators', async () => {
    const objects = cluster(anp('block-api', 10, 'Deny', `${API_IP}/32`), netpol('allow-all', [{}]));
    const r = await runRecorded({ objects, probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: 'timeout' }), CONTROL_OK] });
    const f = r.of('egress.policy.admin.denied')[0]!;
    expect(f.severity).toBe('fail');
    expect(f.message).toContain('AdminNetworkPolicy block-api egress[0] Deny "deny-api"');
    expect(f.message).toContain('at the source (egress)');
    expect(r.diagnosis.rootCause).toContain('AdminNetworkPolicies decide before NetworkPolicies');
    expect(r.diagnosis.remediation[0]).toContain('Ask the cluster administrators');
    expect(r.check('egress.policy.admin').status).toBe('fail');
  });

  it('admin.allowed: a higher-priority Allow wins over a Deny', async () => {
    const r = await runRecorded({ objects: cluster(anp('block-api', 20, 'Deny', `${API_IP}/32`), anp('allow-api', 5, 'Allow', '198.51.100.0/24')), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: true }), CONTROL_OK] });
    expect(r.of('egress.policy.admin.allowed')[0]!.message).toContain('AdminNetworkPolicy allow-api');
    expect(r.codes).not.toContain('egress.policy.admin.denied');
  });

  it('admin.error: AdminNetworkPolicies forbidden, the permission named; not installed: not applicable', async () => {
    const r = await runRecorded({ objects: cluster(), forbidden: ['adminnetworkpolicies.policy.networking.k8s.io'], installed: ['baselineadminnetworkpolicies.policy.networking.k8s.io'], probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: true }), CONTROL_OK] });
    const f = r.of('egress.policy.admin.error')[0]!;
    expect(f.message).toContain('AdminNetworkPolicies could not be listed');
    expect(f.message).toContain('needs `list` on `adminnetworkpolicies.policy.networking.k8s.io`');
    const none = await runRecorded({ objects: cluster(), probe: [ok(API_HOST, 443, [API_IP], { [API_IP]: true }), CONTROL_OK] });
    expect(none.check('egress.policy.admin').summary).toBe('not applicable: the AdminNetworkPolicy CRDs (policy.networking.k8s.io/v1alpha1) are not installed');
  });
});

describe('Cilium\'s implicit labels', () => {
  const saPolicy = cnp('to-backend-sa', [CILIUM_DNS_RULE, { toEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'backend-sa' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }]);

  it('a toEndpoints selector on the destination\'s service account allows it (Cilium adds the label)', async () => {
    const r = await runRecorded({ objects: cluster(backend(NS, 'backend-sa'), saPolicy), probe: [CONNECTS, CONTROL_OK], ...toBackend });
    expect(r.of('egress.policy.cilium.allowed')[0]!.message).toContain('toEndpoints[0]');
    expect(r.codes).not.toContain('egress.policy.cilium.denied');
    // another service account: denied, so the label is what decides
    const other = await runRecorded({ objects: cluster(backend(NS, 'other-sa'), saPolicy), probe: [TIMEOUT, CONTROL_OK], ...toBackend });
    expect(other.codes).toContain('egress.policy.cilium.denied');
  });

  it('the cluster name comes from cilium-config in kube-system (default "default")', async () => {
    const policy = cnp('same-cluster', [CILIUM_DNS_RULE, { toEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.cluster': 'prod-eu' } }] }]);
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'kube-system' }, data: { 'cluster-name': 'prod-eu' } };
    const r = await runRecorded({ objects: cluster(backend(NS), policy, cm), probe: [CONNECTS, CONTROL_OK], ...toBackend });
    expect(r.codes).toContain('egress.policy.cilium.allowed');
    expect((r.check('egress.policy.cilium').evidence as { clusterName: string }).clusterName).toBe('prod-eu (kube-system/cilium-config)');
    const without = await runRecorded({ objects: cluster(backend(NS), policy), probe: [TIMEOUT, CONTROL_OK], ...toBackend });
    expect(without.codes).toContain('egress.policy.cilium.denied');
    expect((without.check('egress.policy.cilium').evidence as { clusterName: string }).clusterName).toMatch(/^default \(no cilium-config ConfigMap found/);
  });

  it('no cilium-config in kube-system: the one in the namespace of the cilium DaemonSet', async () => {
    const policy = cnp('same-cluster', [CILIUM_DNS_RULE, { toEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.cluster': 'edge-2' } }] }]);
    const ds: KubeObject = { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'cilium', namespace: 'cilium' }, spec: {} };
    const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cilium-config', namespace: 'cilium' }, data: { 'cluster-name': 'edge-2' } };
    const r = await runRecorded({ objects: cluster(backend(NS), policy, ds, cm), probe: [CONNECTS, CONTROL_OK], ...toBackend });
    expect((r.check('egress.policy.cilium').evidence as { clusterName: string }).clusterName).toBe('edge-2 (cilium/cilium-config)');
    expect(r.codes).toContain('egress.policy.cilium.allowed');
  });

  it('cilium-config unreadable: a warning naming the permission and the assumption', async () => {
    const policy = cnp('same-cluster', [CILIUM_DNS_RULE, { toEndpoints: [{ matchLabels: { app: 'backend' } }] }]);
    const r = await runRecorded({ objects: cluster(backend(NS), policy), forbidden: ['configmaps'], probe: [CONNECTS, CONTROL_OK], ...toBackend });
    const m = r.of('egress.policy.cilium.error').map((f) => f.message).find((x) => x.includes('cilium-config'))!;
    expect(m).toContain('needs `get` on `configmaps`');
    expect(m).toContain('assume Cilium\'s default cluster name "default"');
  });

  it('l7-rules: an allowed flow whose port rule carries http rules says they apply on top', async () => {
    const policy = cnp('http-only', [CILIUM_DNS_RULE, { toEndpoints: [{ matchLabels: { app: 'backend' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/health' }] } }] }]);
    const r = await runRecorded({ objects: cluster(backend(NS), policy), probe: [CONNECTS, CONTROL_OK], ...toBackend });
    const f = r.of('egress.policy.cilium.l7-rules')[0]!;
    expect(f.message).toContain('allowed at L3/L4, and L7 rules then also apply');
    expect(f.message).toContain('/health');
    expect(r.check('egress.policy.cilium').status).toBe('pass');
  });
});

describe('ICMP', () => {
  it('icmp://HOST and icmp://IP parse as ICMP targets without a port', () => {
    const t = parseTarget('icmp://API.example.net', NS);
    expect(t).toMatchObject({ host: 'api.example.net', port: 0, icmp: true });
    expect(targetText(t)).toBe('icmp://api.example.net');
    expect(parseTarget('icmp://[2001:db8::1]', NS)).toMatchObject({ host: '2001:db8::1', icmp: true });
    expect(() => parseTarget('icmp://host:80', NS)).toThrow('use icmp://HOST or icmp://IP');
  });

  it('parsePing: a reply, no reply, an unknown host', () => {
    const reply = parsePing('api.example.net', { ok: true, exitCode: 0, stdout: 'PING api.example.net (198.51.100.60): 56 data bytes\n64 bytes from 198.51.100.60: seq=0 ttl=64\n1 packets transmitted, 1 packets received', stderr: '' } as never);
    expect(reply.connects).toEqual([{ address: '198.51.100.60', ok: true, ms: 0 }]);
    const lost = parsePing('198.51.100.60', { ok: true, exitCode: 1, stdout: 'PING 198.51.100.60 (198.51.100.60): 56 data bytes\n1 packets transmitted, 0 packets received, 100% packet loss', stderr: '' } as never);
    expect(lost.connects[0]).toMatchObject({ ok: false, error: 'timeout' });
    const nx = parsePing('nope.invalid', { ok: true, exitCode: 1, stdout: '', stderr: 'ping: bad address \'nope.invalid\'' } as never);
    expect(nx.dns).toMatchObject({ ok: false, error: 'nxdomain' });
  });

  it('the verdict is for an ICMP echo request: icmps allows the ping, not TCP', async () => {
    const policy = cnp('ping-only', [CILIUM_DNS_RULE, { toCIDR: [`${API_IP}/32`], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] }, { toEntities: ['kube-apiserver'] }]);
    const ping = ok(API_IP, 0, [API_IP], { [API_IP]: true });
    const r = await runRecorded({ objects: cluster(policy), probe: [ping, CONTROL_OK], options: { target: `icmp://${API_IP}` } });
    expect(r.of('egress.policy.cilium.allowed')[0]!.message).toContain('icmps');
    expect(r.codes).toContain('egress.tcp.agrees');
    const tcp = await runRecorded({ objects: cluster(policy), probe: [ok(API_IP, 443, [API_IP], { [API_IP]: 'timeout' }), CONTROL_OK], options: { target: `${API_IP}:443` } });
    expect(tcp.codes).toContain('egress.policy.cilium.denied');
  });

  it('no-ping: the container has no ping, said, and the ICMP verdict is static', async () => {
    expect(noPingMessage(['python3', 'sh'])).toBe('the container has no ping (tools: python3, sh): the ICMP flow is judged by the policies alone');
    expect(noPingMessage(['sh', 'ping'])).toBeUndefined();
    const r = await runRecorded({ objects: cluster(), probe: [CONTROL_OK], tools: { message: noPingMessage(['python3', 'sh']) }, options: { target: `icmp://${API_IP}` } });
    expect(r.of('egress.tcp.no-ping')[0]!.message).toBe('From pod ml/training-7f9c: the container has no ping (tools: python3, sh): the ICMP flow is judged by the policies alone.');
  });
});
