// Issue 14, the checks' side of the engine's points, on recorded evidence (no network): DNS to
// kube-dns judged on both sides (kube-dns's own ingress may drop it), toServices through a
// Service's DNS name and its ClusterIP, and a toFQDNs name that is an alias (CNAME) of the
// name the application now dials.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../../lab/objects.ts';
import { EGRESS_CHECKS } from '../../../src/checks/egress/index.ts';
import { runChecks } from '../../../src/engine/runner.ts';
import { classifyStatus } from '../../../src/kube/client.ts';
import { BLOB_HOST, BLOB_IP, CILIUM_DNS_RULE, cluster, cnp, CONTROL_OK, ok, pod, recordedContext, runRecorded } from './harness.ts';

const KUBE_DNS_INGRESS: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'coredns-ingress', namespace: 'kube-system' },
  spec: {
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
    policyTypes: ['Ingress'],
    ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'platform' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
  },
};

describe('egress.dns: DNS to kube-dns on both sides', () => {
  it("kube-dns's ingress drops the pod's lookups: policy-denied names the side that drops and the rule's policy; the diagnosis blames kube-dns, not the pod's egress", async () => {
    const r = await runRecorded({ objects: cluster(KUBE_DNS_INGRESS), probe: [{ host: 'api.example.net', port: 443, dns: { ok: false, addresses: [], error: 'timeout', message: 'timeout' }, connects: [] }, CONTROL_OK] });
    const f = r.of('egress.dns.policy-denied')[0]!;
    expect(f.severity).toBe('fail');
    expect(f.message).toContain('on UDP/53 is dropped at kube-dns, by its ingress policies');
    expect(f.message).toContain('NetworkPolicy kube-system/coredns-ingress');
    expect(r.check('egress.dns').status).toBe('fail');
    expect(r.diagnosis.rootCause).toMatch(/^DNS is blocked, not the target: the pod's egress allows DNS, but kube-dns \(kube-system\/coredns-5d78c\) drops it at its ingress/);
    expect(r.diagnosis.remediation[0]).toContain('Allow DNS at kube-dns, in namespace kube-system');
    // kube-system's policies were listed for it
    expect(r.ctx.client.requests.some((q) => q.startsWith('GET /apis/networking.k8s.io/v1/namespaces/kube-system/networkpolicies'))).toBe(true);
  });

  it("kube-dns's namespace unreadable (a namespace-scoped user): no new error finding, the DNS evidence says what the verdict could not count", async () => {
    const ctx = recordedContext({ objects: cluster(KUBE_DNS_INGRESS), probe: [ok('api.example.net', 443, ['198.51.100.60'], { '198.51.100.60': true }), CONTROL_OK] });
    const get = ctx.client.get.bind(ctx.client);
    const denied = '/apis/networking.k8s.io/v1/namespaces/kube-system/networkpolicies';
    (ctx.client as unknown as { get: (p: string) => Promise<unknown> }).get = async (path: string) =>
      path.startsWith(denied)
        ? classifyStatus(403, { kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'networkpolicies.networking.k8s.io is forbidden: User "dev" cannot list resource "networkpolicies" in API group "networking.k8s.io" in the namespace "kube-system"', details: { kind: 'networkpolicies', group: 'networking.k8s.io' } }, 'GET', path)
        : get(path);
    const results = await runChecks(EGRESS_CHECKS, ctx, { defaultTimeoutMs: 10_000 });
    const codes = results.flatMap((r) => r.findings.map((f) => f.code));
    expect(codes).not.toContain('egress.policy.k8s.error');
    expect(codes).not.toContain('egress.dns.policy-denied'); // the drop is not seen
    const dns = results.find((r) => r.id === 'egress.dns')!;
    expect(JSON.stringify(dns.evidence)).toContain('"kubeDnsIngressUnread":["NetworkPolicies of kube-system: networkpolicies.networking.k8s.io is forbidden');
  });

  it('the same cluster with the source namespace allowed: no finding', async () => {
    const allowed = { ...KUBE_DNS_INGRESS, spec: { ...(KUBE_DNS_INGRESS.spec as object), ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'ml' } } }] }] } } as KubeObject;
    const r = await runRecorded({ objects: cluster(allowed), probe: [ok('api.example.net', 443, ['198.51.100.60'], { '198.51.100.60': true }), CONTROL_OK] });
    expect(r.codes).not.toContain('egress.dns.policy-denied');
  });
});

const PAY_NS: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'pay', labels: { 'kubernetes.io/metadata.name': 'pay' } } };
const API_POD = pod('api-0', '10.244.1.5', 'Running', 'pay', { app: 'api' });
const API_SVC: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'api', namespace: 'pay', labels: { team: 'payments' } }, spec: { selector: { app: 'api' }, clusterIP: '10.96.5.5', ports: [{ name: 'http', port: 8080, targetPort: 8080, protocol: 'TCP' }] } };
const API_SLICE: KubeObject = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'api-abcde', namespace: 'pay', labels: { 'kubernetes.io/service-name': 'api' } },
  addressType: 'IPv4',
  endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'api-0', namespace: 'pay' } }],
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
} as unknown as KubeObject;
const TO_API_SVC = cnp('to-api-svc', [CILIUM_DNS_RULE, { toServices: [{ k8sService: { serviceName: 'api', namespace: 'pay' } }] }, { toEntities: ['kube-apiserver'] }]);

describe('toServices through a Service DNS name and a ClusterIP', () => {
  it("the Service's DNS name resolves to its ClusterIP: the verdict is for its endpoints, allowed by the toServices rule", async () => {
    const host = 'api.pay.svc.cluster.local';
    const r = await runRecorded({ objects: cluster(PAY_NS, API_POD, API_SVC, API_SLICE, TO_API_SVC), options: { target: `${host}:8080` }, probe: [ok(host, 8080, ['10.96.5.5'], { '10.96.5.5': true }), CONTROL_OK] });
    const f = r.of('egress.policy.cilium.allowed')[0]!;
    expect(f.message).toContain('CiliumNetworkPolicy ml/to-api-svc egress[1] toServices[0] k8sService pay/api (Service pay/api)');
    expect(f.message).toContain('(10.244.1.5)');
    expect(r.codes).not.toContain('egress.policy.cilium.denied');
    // the live connect went to the ClusterIP; it is compared with the verdict for its backends
    expect(r.codes).toContain('egress.tcp.agrees');
    expect(r.diagnosis.rootCause).toContain('The live probe connects, which agrees with the policies.');
  });

  it('a typed ClusterIP: found among the Services, judged as its endpoints', async () => {
    const r = await runRecorded({ objects: cluster(PAY_NS, API_POD, API_SVC, API_SLICE, TO_API_SVC), options: { target: '10.96.5.5:8080' }, probe: [ok('10.96.5.5', 8080, ['10.96.5.5'], { '10.96.5.5': true }), CONTROL_OK] });
    expect(r.of('egress.policy.cilium.allowed')[0]!.message).toContain('toServices[0] k8sService pay/api');
    expect(r.ctx.client.requests.some((q) => q.startsWith('GET /api/v1/services'))).toBe(true);
    expect(r.codes).toContain('egress.tcp.agrees');
  });

  it('a ClusterIP whose backends the policies deny, and the connect times out: the probe agrees', async () => {
    const deny = cnp('only-dns', [CILIUM_DNS_RULE, { toEntities: ['kube-apiserver'] }]);
    const r = await runRecorded({ objects: cluster(PAY_NS, API_POD, API_SVC, API_SLICE, deny), options: { target: '10.96.5.5:8080' }, probe: [ok('10.96.5.5', 8080, ['10.96.5.5'], { '10.96.5.5': 'timeout' }), CONTROL_OK] });
    expect(r.of('egress.policy.cilium.denied')[0]!.message).toContain('(10.244.1.5)');
    expect(r.codes).toContain('egress.tcp.agrees');
    expect(r.codes).not.toContain('egress.tcp.contradiction');
  });

  it('the pod address itself, without the Service in the flow: the Service selecting the pod decides (Cilium translates toServices into the Service selector)', async () => {
    const r = await runRecorded({ objects: cluster(PAY_NS, API_POD, API_SVC, API_SLICE, TO_API_SVC), options: { target: '10.244.1.5:8080' }, probe: [ok('10.244.1.5', 8080, ['10.244.1.5'], { '10.244.1.5': true }), CONTROL_OK] });
    expect(r.of('egress.policy.cilium.allowed')[0]!.message).toContain('(Service pay/api selects the pod: {app=api})');
  });

  it('Services unreadable: an error that says toServices matches only svc/ targets', async () => {
    const r = await runRecorded({ objects: cluster(PAY_NS, API_POD, API_SVC, API_SLICE, TO_API_SVC), forbidden: ['services'], options: { target: '10.244.1.5:8080' }, probe: [ok('10.244.1.5', 8080, ['10.244.1.5'], { '10.244.1.5': 'timeout' }), CONTROL_OK] });
    expect(r.of('egress.policy.cilium.error')[0]!.message).toContain('Services could not be listed');
    expect(r.codes).toContain('egress.policy.cilium.denied');
  });
});

describe('egress.policy.cname: the allow-list names an alias of the dialled name', () => {
  it("alias-listed: toFQDNs lists storage.example.net, whose CNAME chain leads to the blob host the app now dials", async () => {
    const policy = cnp('training-egress', [CILIUM_DNS_RULE, { toFQDNs: [{ matchName: 'storage.example.net' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }, { toEntities: ['kube-apiserver'] }]);
    const r = await runRecorded({
      objects: cluster(policy),
      options: { target: `${BLOB_HOST}:443` },
      probe: [ok(BLOB_HOST, 443, [BLOB_IP], { [BLOB_IP]: 'timeout' }), CONTROL_OK],
      cnames: { 'storage.example.net': [BLOB_HOST] },
    });
    const c = r.check('egress.policy.cname');
    expect(c.status).toBe('fail');
    const f = r.of('egress.policy.cname.alias-listed')[0]!;
    expect(f.message).toContain(`names storage.example.net, an alias of ${BLOB_HOST}; the application now dials ${BLOB_HOST} directly. Add matchName: ${BLOB_HOST}.`);
    expect(JSON.stringify(c.evidence)).toContain(`storage.example.net → ${BLOB_HOST} (listed)`);
    expect(r.diagnosis.rootCause).toContain('an alias of');
  });

  it('no CNAME for the listed name: no alias finding', async () => {
    const policy = cnp('training-egress', [CILIUM_DNS_RULE, { toFQDNs: [{ matchName: 'storage.example.net' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }, { toEntities: ['kube-apiserver'] }]);
    const r = await runRecorded({ objects: cluster(policy), options: { target: `${BLOB_HOST}:443` }, probe: [ok(BLOB_HOST, 443, [BLOB_IP], { [BLOB_IP]: 'timeout' }), CONTROL_OK] });
    expect(r.codes).not.toContain('egress.policy.cname.alias-listed');
  });
});
