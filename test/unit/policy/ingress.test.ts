// The destination's side of an in-cluster flow: a connection needs the source's egress AND the
// destination's ingress. Rows follow the Kubernetes "Network Policies" concept page (the
// test-network-policy example, default deny ingress, namespaceSelector + podSelector) and the
// Cilium "Policy Language" (fromEndpoints, fromEntities, ingressDeny) docs.
import { describe, expect, it } from 'vitest';
import { PolicyIndex, ruleText, type CiliumPolicy, type Destination, type NamespaceInfo, type NetworkPolicy, type PodInfo } from '../../../src/policy/index.ts';

const NS: NamespaceInfo[] = [
  { name: 'default', labels: {} },
  { name: 'myproject', labels: { project: 'myproject' } },
  { name: 'other', labels: {} },
];
const FRONTEND: PodInfo = { namespace: 'default', name: 'frontend', labels: { role: 'frontend' }, ips: ['10.244.1.5'] };
const DB: PodInfo = { namespace: 'default', name: 'db', labels: { role: 'db' }, ports: [{ name: 'pg', containerPort: 6379 }], ips: ['10.244.2.7'] };
const PROJECT_POD: PodInfo = { namespace: 'myproject', name: 'worker', labels: { app: 'worker' }, ips: ['10.244.3.3'] };
const toDb = (port: number): Destination => ({ ip: '10.244.2.7', port, protocol: 'TCP', pod: DB, kind: 'pod' });
const np = (name: string, spec: NetworkPolicy['spec'], namespace = 'default'): NetworkPolicy => ({ metadata: { name, namespace }, spec });
const cnp = (name: string, spec: CiliumPolicy['spec'], namespace = 'default'): CiliumPolicy => ({ kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });

// the concept page's test-network-policy, ingress half
const TEST_NETWORK_POLICY = np('test-network-policy', {
  podSelector: { matchLabels: { role: 'db' } },
  policyTypes: ['Ingress'],
  ingress: [
    {
      from: [{ ipBlock: { cidr: '172.17.0.0/16', except: ['172.17.1.0/24'] } }, { namespaceSelector: { matchLabels: { project: 'myproject' } } }, { podSelector: { matchLabels: { role: 'frontend' } } }],
      ports: [{ protocol: 'TCP', port: 6379 }],
    },
  ],
});

describe('NetworkPolicy ingress at the destination pod', () => {
  const idx = new PolicyIndex({ namespaces: NS, networkPolicies: [TEST_NETWORK_POLICY] });
  it('from a frontend pod to db:6379: allowed by the podSelector peer', () => {
    const v = idx.evaluateIngress({ pod: FRONTEND, dest: toDb(6379) })!;
    expect(v.allowed).toBe(true);
    expect(ruleText(v.decisive[0]!)).toContain('ingress[0] from[2] podSelector {role=frontend}');
  });
  it('from any pod of a namespace labelled project=myproject', () => {
    expect(idx.evaluateIngress({ pod: PROJECT_POD, dest: toDb(6379) })!.allowed).toBe(true);
  });
  it('another port is denied by default, naming the policy that isolates db', () => {
    const v = idx.evaluateIngress({ pod: FRONTEND, dest: toDb(5432) })!;
    expect(v.allowed).toBe(false);
    expect(v.explanation).toContain('test-network-policy selects pod default/db for ingress and none of their rules allows');
  });
  it('a pod of another namespace without the label: denied (podSelector alone means the policy namespace)', () => {
    const stranger: PodInfo = { namespace: 'other', name: 'x', labels: { role: 'frontend' }, ips: ['10.244.4.4'] };
    expect(idx.evaluateIngress({ pod: stranger, dest: toDb(6379) })!.allowed).toBe(false);
  });
  it('default deny ingress ({} + policyTypes Ingress) isolates every pod of the namespace', () => {
    const deny = new PolicyIndex({ namespaces: NS, networkPolicies: [np('default-deny-ingress', { podSelector: {}, policyTypes: ['Ingress'] })] });
    expect(deny.evaluateIngress({ pod: FRONTEND, dest: toDb(6379) })!.allowed).toBe(false);
  });
  it('an egress-only policy does not isolate for ingress; policyTypes defaults to Ingress', () => {
    const egressOnly = new PolicyIndex({ namespaces: NS, networkPolicies: [np('e', { podSelector: {}, policyTypes: ['Egress'] })] });
    expect(egressOnly.evaluateIngress({ pod: FRONTEND, dest: toDb(6379) })!.allowed).toBe(true);
    const implicit = new PolicyIndex({ namespaces: NS, networkPolicies: [np('i', { podSelector: { matchLabels: { role: 'db' } } })] });
    expect(implicit.evaluateIngress({ pod: FRONTEND, dest: toDb(6379) })!.allowed).toBe(false);
  });
  it('a named port resolves on the destination pod, not on the source', () => {
    const named = new PolicyIndex({ namespaces: NS, networkPolicies: [np('n', { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ ports: [{ port: 'pg' }] }] })] });
    expect(named.evaluateIngress({ pod: FRONTEND, dest: toDb(6379) })!.allowed).toBe(true);
    expect(named.evaluateIngress({ pod: FRONTEND, dest: toDb(6380) })!.allowed).toBe(false);
  });
  it('no ingress verdict for a world destination', () => {
    expect(idx.evaluateIngress({ pod: FRONTEND, dest: { ip: '203.0.113.5', port: 443, kind: 'world' } })).toBeUndefined();
  });
});

describe('Cilium ingress at the destination pod', () => {
  it('fromEndpoints allows, ingressDeny wins', () => {
    const allow = cnp('db-in', { endpointSelector: { matchLabels: { role: 'db' } }, ingress: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }], toPorts: [{ ports: [{ port: '6379', protocol: 'TCP' }] }] }] });
    const deny = cnp('db-deny', { endpointSelector: { matchLabels: { role: 'db' } }, ingressDeny: [{ fromEndpoints: [{ matchLabels: { role: 'frontend' } }] }] });
    const ok = new PolicyIndex({ namespaces: NS, ciliumPolicies: [allow] }).evaluateIngress({ pod: FRONTEND, dest: toDb(6379) })!;
    expect(ok.allowed).toBe(true);
    expect(ruleText(ok.decisive[0]!)).toContain('ingress[0] fromEndpoints[0] {role=frontend} (namespace default)');
    const denied = new PolicyIndex({ namespaces: NS, ciliumPolicies: [allow, deny] }).evaluateIngress({ pod: FRONTEND, dest: toDb(6379) })!;
    expect(denied.allowed).toBe(false);
    expect(denied.explanation).toContain('an ingressDeny rule wins over every allow');
  });
  it('fromEntities cluster allows any pod; world does not', () => {
    const cl = cnp('c', { endpointSelector: { matchLabels: { role: 'db' } }, ingress: [{ fromEntities: ['cluster'] }] });
    const wo = cnp('w', { endpointSelector: { matchLabels: { role: 'db' } }, ingress: [{ fromEntities: ['world'] }] });
    expect(new PolicyIndex({ namespaces: NS, ciliumPolicies: [cl] }).evaluateIngress({ pod: FRONTEND, dest: toDb(6379) })!.allowed).toBe(true);
    expect(new PolicyIndex({ namespaces: NS, ciliumPolicies: [wo] }).evaluateIngress({ pod: FRONTEND, dest: toDb(6379) })!.allowed).toBe(false);
  });
  it('fromCIDR never matches a pod source (pods have their own identity)', () => {
    const c = cnp('cidr', { endpointSelector: { matchLabels: { role: 'db' } }, ingress: [{ fromCIDR: ['10.244.0.0/16'] }] });
    expect(new PolicyIndex({ namespaces: NS, ciliumPolicies: [c] }).evaluateIngress({ pod: FRONTEND, dest: toDb(6379) })!.allowed).toBe(false);
  });
});

describe('the path: source egress AND destination ingress', () => {
  const egressOpen = np('egress-to-db', { podSelector: { matchLabels: { role: 'frontend' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { role: 'db' } } }] }] });
  const ingressClosed = np('db-only-from-backend', { podSelector: { matchLabels: { role: 'db' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'backend' } } }] }] });
  it('allowed at the source, dropped at the destination: the ingress side is named', () => {
    const v = new PolicyIndex({ namespaces: NS, networkPolicies: [egressOpen, ingressClosed] }).evaluatePath({ pod: FRONTEND, dest: toDb(6379) });
    expect(v.allowed).toBe(false);
    expect(v.drops).toBe('ingress');
    expect(v.egress.allowed).toBe(true);
    expect(v.explanation).toContain('dropped at the destination');
    expect(v.explanation).toContain('db-only-from-backend');
  });
  it('dropped at the source first', () => {
    const denyEgress = np('deny', { podSelector: {}, policyTypes: ['Egress'] });
    const v = new PolicyIndex({ namespaces: NS, networkPolicies: [denyEgress, ingressClosed] }).evaluatePath({ pod: FRONTEND, dest: toDb(6379) });
    expect(v.drops).toBe('egress');
  });
  it('allowed on both sides', () => {
    const v = new PolicyIndex({ namespaces: NS, networkPolicies: [egressOpen, TEST_NETWORK_POLICY] }).evaluatePath({ pod: FRONTEND, dest: toDb(6379) });
    expect(v.allowed).toBe(true);
    expect(v.ingress?.decisive[0]?.section).toBe('ingress');
  });
});
