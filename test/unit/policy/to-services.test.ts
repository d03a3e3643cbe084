// toServices as Cilium resolves it, each row from pkg/policy/k8s/service.go (cilium/cilium, commit
// 012cbe02450a66298f8524d2a46e1660d8952484): resolveToServices → processRule translates every
// Service a toServices entry selects; serviceRefMatches selects by name, with
// `ref.Namespace == svcID.Namespace || ref.Namespace == ""` (an empty namespace matches every
// namespace); serviceSelectorMatches by the Service's own labels, with the same namespace rule.
// A selected Service WITH a selector becomes toEndpoints {its selector + k8s:io.kubernetes.pod.namespace}
// (appendSelector): its pods match however they are reached (ClusterIP, DNS name, pod address); one
// WITHOUT a selector (IsExternal) becomes toCIDRSet of its endpoint addresses (appendEndpoints).
import { describe, expect, it } from 'vitest';
import { PolicyIndex, ruleText, type CiliumPolicy, type Destination, type PodInfo, type ServiceInfo } from '../../../src/policy/index.ts';

const CLIENT: PodInfo = { namespace: 'app', name: 'client', labels: { app: 'client' } };
const API_POD: PodInfo = { namespace: 'pay', name: 'api-0', labels: { app: 'api', tier: 'backend' } };
const OTHER_POD: PodInfo = { namespace: 'pay', name: 'worker-0', labels: { app: 'worker' } };
const SAME_LABELS_ELSEWHERE: PodInfo = { namespace: 'shop', name: 'api-0', labels: { app: 'api', tier: 'backend' } };

const SERVICES: ServiceInfo[] = [
  { namespace: 'pay', name: 'api', labels: { team: 'payments', exposed: 'yes' }, selector: { app: 'api' } },
  { namespace: 'shop', name: 'api', labels: {}, selector: { app: 'api' } },
  // without a selector: its endpoints are addresses outside the cluster
  { namespace: 'pay', name: 'bank', labels: { external: 'yes' }, selector: null, addresses: ['203.0.113.7'] },
];

const cnp = (toServices: unknown[]): CiliumPolicy => ({
  kind: 'CiliumNetworkPolicy',
  metadata: { name: 'to-svc', namespace: 'app' },
  spec: { endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toServices: toServices as never }] },
});

const podDest = (pod: PodInfo, over: Partial<Destination> = {}): Destination => ({ ip: '10.244.1.5', port: 8080, protocol: 'TCP', kind: 'pod', pod, ...over });
const world = (ip: string): Destination => ({ ip, port: 443, protocol: 'TCP', kind: 'world' });

const byName = (namespace?: string) => cnp([{ k8sService: { serviceName: 'api', ...(namespace ? { namespace } : {}) } }]);
const bySelector = (namespace?: string) => cnp([{ k8sServiceSelector: { selector: { matchLabels: { team: 'payments' } }, ...(namespace ? { namespace } : {}) } }]);
const bankByName = cnp([{ k8sService: { serviceName: 'bank', namespace: 'pay' } }]);

interface Row {
  name: string;
  policy: CiliumPolicy;
  dest: Destination;
  allowed: boolean;
  /** a piece of the deciding rule's text */
  rule?: string;
  /** where the row comes from */
  source: string;
}

const ROWS: Row[] = [
  { name: 'by name and namespace: a pod the Service selects, reached by its pod address', policy: byName('pay'), dest: podDest(API_POD), allowed: true, rule: 'toServices[0] k8sService pay/api (Service pay/api selects the pod: {app=api})', source: 'processRule → appendSelector' },
  { name: 'by name and namespace: a pod of the namespace the Service does not select', policy: byName('pay'), dest: podDest(OTHER_POD), allowed: false, source: 'appendSelector: the Service selector is the endpoint selector' },
  { name: 'by name and namespace: a pod with the same labels in another namespace', policy: byName('pay'), dest: podDest(SAME_LABELS_ELSEWHERE), allowed: false, source: 'appendSelector adds k8s:io.kubernetes.pod.namespace = the Service namespace' },
  { name: 'by name without namespace: every namespace\'s Service of that name', policy: byName(), dest: podDest(SAME_LABELS_ELSEWHERE), allowed: true, rule: 'Service shop/api', source: 'serviceRefMatches: ref.Namespace == ""' },
  { name: 'by name, the Service reached as a svc/ target (the flow carries the Service)', policy: byName('pay'), dest: podDest(API_POD, { service: SERVICES[0] }), allowed: true, rule: '(Service pay/api)', source: 'serviceRefMatches' },
  { name: 'by name, wrong namespace', policy: byName('shop'), dest: podDest(API_POD), allowed: false, source: 'serviceRefMatches: "by name with wrong namespace" (service_test.go)' },
  { name: 'by selector on the Service labels (any namespace)', policy: bySelector(), dest: podDest(API_POD), allowed: true, rule: 'toServices[0] k8sServiceSelector {team=payments}', source: 'serviceSelectorMatches' },
  { name: 'by selector, the Service labels do not match (shop/api has none)', policy: bySelector(), dest: podDest(SAME_LABELS_ELSEWHERE), allowed: false, source: 'serviceSelectorMatches: es.Matches(svc.Labels)' },
  { name: 'by selector restricted to another namespace', policy: bySelector('shop'), dest: podDest(API_POD), allowed: false, source: 'serviceSelectorMatches: sel.Namespace == svcID.Namespace' },
  { name: 'a Service without a selector: its endpoint address (world)', policy: bankByName, dest: world('203.0.113.7'), allowed: true, rule: 'Service pay/bank without selector: endpoint 203.0.113.7', source: 'processRule → appendEndpoints (IsExternal)' },
  { name: 'a Service without a selector: another address', policy: bankByName, dest: world('203.0.113.8'), allowed: false, source: 'appendEndpoints: only the endpoint prefixes' },
  { name: 'a Service that does not exist selects nothing', policy: cnp([{ k8sService: { serviceName: 'missing', namespace: 'pay' } }]), dest: podDest(API_POD), allowed: false, source: 'resolveToServices: ForEachService finds none' },
];

describe('toServices (pkg/policy/k8s/service.go)', () => {
  for (const row of ROWS) {
    it(`${row.name} [${row.source}]`, () => {
      const index = new PolicyIndex({ namespaces: [{ name: 'app', labels: {} }, { name: 'pay', labels: {} }, { name: 'shop', labels: {} }], ciliumPolicies: [row.policy], cilium: true, services: SERVICES });
      const v = index.evaluate({ pod: CLIENT, dest: row.dest });
      expect(v.allowed).toBe(row.allowed);
      if (row.rule) expect(ruleText(v.decisive[0]!)).toContain(row.rule);
      if (!row.allowed) expect(v.explanation).toContain('default deny');
    });
  }

  it('without the Services listed, only a flow that carries the Service matches (svc/ targets)', () => {
    const index = new PolicyIndex({ ciliumPolicies: [byName('pay')], cilium: true });
    expect(index.evaluate({ pod: CLIENT, dest: podDest(API_POD) }).allowed).toBe(false);
    expect(index.evaluate({ pod: CLIENT, dest: podDest(API_POD, { service: SERVICES[0] }) }).allowed).toBe(true);
  });
});
