// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1): the order
// ANP → NetworkPolicy → BANP, as the network-policy-api reference and its user stories state it
// (network-policy-api.sigs.k8s.io: "API overview", "User stories": always allow monitoring, deny
// sensitive namespaces, delegate with Pass, baseline default deny).
import { describe, expect, it } from 'vitest';
import { PolicyIndex, ruleText, type AdminNetworkPolicy, type Destination, type NamespaceInfo, type NetworkPolicy, type PodInfo } from '../../../src/policy/index.ts';

const NS: NamespaceInfo[] = [
  { name: 'monitoring', labels: { 'kubernetes.io/metadata.name': 'monitoring' } },
  { name: 'tenant-a', labels: { 'kubernetes.io/metadata.name': 'tenant-a', tenant: 'a' } },
  { name: 'sensitive', labels: { 'kubernetes.io/metadata.name': 'sensitive', sensitive: 'true' } },
];
const PROM: PodInfo = { namespace: 'monitoring', name: 'prometheus-0', labels: { app: 'prometheus' }, ips: ['10.244.0.10'] };
const WEB: PodInfo = { namespace: 'tenant-a', name: 'web', labels: { app: 'web' }, ports: [{ name: 'metrics', containerPort: 9090 }], ips: ['10.244.1.20'] };
const VAULT: PodInfo = { namespace: 'sensitive', name: 'vault-0', labels: { app: 'vault' }, ips: ['10.244.2.30'] };
const to = (pod: PodInfo, port: number): Destination => ({ ip: pod.ips![0]!, port, protocol: 'TCP', pod, kind: 'pod' });
const anp = (name: string, priority: number, spec: Omit<AdminNetworkPolicy['spec'], 'priority'>): AdminNetworkPolicy => ({ kind: 'AdminNetworkPolicy', metadata: { name }, spec: { priority, ...spec } });
const banp = (spec: AdminNetworkPolicy['spec']): AdminNetworkPolicy => ({ kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec });
const ALL_NS = { namespaces: {} };
const TENANT_DENY_ALL: NetworkPolicy = { metadata: { name: 'deny-all', namespace: 'tenant-a' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } };

const ALWAYS_ALLOW_MONITORING = anp('allow-monitoring', 9, {
  subject: ALL_NS,
  ingress: [{ name: 'allow-ingress-from-monitoring', action: 'Allow', from: [{ namespaces: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }],
});
const DENY_TO_SENSITIVE = anp('deny-sensitive', 5, {
  subject: { namespaces: { matchExpressions: [{ key: 'sensitive', operator: 'DoesNotExist' }] } },
  egress: [{ name: 'deny-to-sensitive', action: 'Deny', to: [{ namespaces: { matchLabels: { sensitive: 'true' } } }] }],
});

describe('AdminNetworkPolicy before NetworkPolicy', () => {
  it('an ANP Allow wins over a NetworkPolicy that isolates the pod (monitoring always gets in)', () => {
    const v = new PolicyIndex({ namespaces: NS, networkPolicies: [TENANT_DENY_ALL], adminPolicies: [ALWAYS_ALLOW_MONITORING] }).evaluateIngress({ pod: PROM, dest: to(WEB, 9090) })!;
    expect(v.allowed).toBe(true);
    expect(v.tier).toBe('admin');
    expect(ruleText(v.decisive[0]!)).toContain('AdminNetworkPolicy allow-monitoring ingress[0] Allow "allow-ingress-from-monitoring"');
    // the NetworkPolicy alone would deny it
    expect(v.k8s.allowed).toBe(false);
  });

  it('an ANP Deny wins over everything the tenant allows', () => {
    const openEgress: NetworkPolicy = { metadata: { name: 'open', namespace: 'tenant-a' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } };
    const v = new PolicyIndex({ namespaces: NS, networkPolicies: [openEgress], adminPolicies: [DENY_TO_SENSITIVE] }).evaluate({ pod: WEB, dest: to(VAULT, 8200) });
    expect(v.allowed).toBe(false);
    expect(v.explanation).toContain('denied by AdminNetworkPolicy deny-sensitive');
    expect(v.explanation).toContain('AdminNetworkPolicies decide before NetworkPolicies');
  });

  it('the subject limits it: a pod of a sensitive namespace is not subject to deny-sensitive', () => {
    const v = new PolicyIndex({ namespaces: NS, adminPolicies: [DENY_TO_SENSITIVE] }).evaluate({ pod: VAULT, dest: to({ ...VAULT, name: 'vault-1' }, 8200) });
    expect(v.allowed).toBe(true);
  });

  it('priority: the lower number decides first', () => {
    const allowLater = anp('allow-vault', 50, { subject: ALL_NS, egress: [{ action: 'Allow', to: [{ pods: { namespaceSelector: { matchLabels: { sensitive: 'true' } }, podSelector: { matchLabels: { app: 'vault' } } } }] }] });
    const idx = new PolicyIndex({ namespaces: NS, adminPolicies: [allowLater, DENY_TO_SENSITIVE] });
    expect(idx.evaluate({ pod: WEB, dest: to(VAULT, 8200) }).allowed).toBe(false);
    const earlier: AdminNetworkPolicy = { ...allowLater, spec: { ...allowLater.spec, priority: 1 } };
    expect(new PolicyIndex({ namespaces: NS, adminPolicies: [earlier, DENY_TO_SENSITIVE] }).evaluate({ pod: WEB, dest: to(VAULT, 8200) }).allowed).toBe(true);
  });

  it('Pass hands the flow to the NetworkPolicies, and the note says so', () => {
    const pass = anp('delegate', 10, { subject: ALL_NS, egress: [{ name: 'tenants-decide', action: 'Pass', to: [ALL_NS] }] });
    const v = new PolicyIndex({ namespaces: NS, networkPolicies: [TENANT_DENY_ALL], adminPolicies: [pass] }).evaluate({ pod: WEB, dest: to(PROM, 9090) });
    expect(v.allowed).toBe(false);
    expect(v.tier).toBe('policy');
    expect(v.notes?.[0]).toContain('passes');
  });

  it('ports: portNumber, portRange and namedPort on the destination', () => {
    const ports = anp('ports', 1, {
      subject: ALL_NS,
      ingress: [
        { action: 'Deny', from: [ALL_NS], ports: [{ namedPort: 'metrics' }] },
        { action: 'Deny', from: [ALL_NS], ports: [{ portRange: { start: 30000, end: 32767 } }] },
        { action: 'Allow', from: [ALL_NS], ports: [{ portNumber: { protocol: 'TCP', port: 8080 } }] },
      ],
    });
    const idx = new PolicyIndex({ namespaces: NS, networkPolicies: [TENANT_DENY_ALL], adminPolicies: [ports] });
    expect(idx.evaluateIngress({ pod: PROM, dest: to(WEB, 9090) })!.decisive[0]!.port).toContain('named port');
    expect(idx.evaluateIngress({ pod: PROM, dest: to(WEB, 9090) })!.allowed).toBe(false);
    expect(idx.evaluateIngress({ pod: PROM, dest: to(WEB, 31000) })!.allowed).toBe(false);
    expect(idx.evaluateIngress({ pod: PROM, dest: to(WEB, 8080) })!.allowed).toBe(true);
  });

  it('egress networks and nodes peers', () => {
    const net = anp('no-metadata', 1, { subject: ALL_NS, egress: [{ action: 'Deny', to: [{ networks: ['169.254.169.254/32'] }] }, { action: 'Allow', to: [{ nodes: { matchLabels: { 'node-role.kubernetes.io/control-plane': '' } } }] }] });
    const idx = new PolicyIndex({ namespaces: NS, networkPolicies: [TENANT_DENY_ALL], adminPolicies: [net] });
    expect(idx.evaluate({ pod: WEB, dest: { ip: '169.254.169.254', port: 80, kind: 'world' } }).allowed).toBe(false);
    expect(idx.evaluate({ pod: WEB, dest: { ip: '192.0.2.10', port: 6443, kind: ['kube-apiserver', 'remote-node'], node: { name: 'cp', labels: { 'node-role.kubernetes.io/control-plane': '' } } } }).allowed).toBe(true);
  });
});

describe('BaselineAdminNetworkPolicy after NetworkPolicy', () => {
  const DEFAULT_DENY = banp({ subject: ALL_NS, ingress: [{ name: 'default-deny', action: 'Deny', from: [ALL_NS] }] });
  it('decides for a pod no NetworkPolicy isolates', () => {
    const v = new PolicyIndex({ namespaces: NS, adminPolicies: [DEFAULT_DENY] }).evaluateIngress({ pod: PROM, dest: to(WEB, 8080) })!;
    expect(v.allowed).toBe(false);
    expect(v.tier).toBe('baseline');
    expect(v.explanation).toContain('the baseline decides');
  });
  it('a NetworkPolicy that isolates the pod decides instead (tenants override the baseline)', () => {
    const allowProm: NetworkPolicy = { metadata: { name: 'allow-prom', namespace: 'tenant-a' }, spec: { podSelector: {}, ingress: [{ from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } } }] }] } };
    const v = new PolicyIndex({ namespaces: NS, networkPolicies: [allowProm], adminPolicies: [DEFAULT_DENY] }).evaluateIngress({ pod: PROM, dest: to(WEB, 8080) })!;
    expect(v.allowed).toBe(true);
    expect(v.tier).toBe('policy');
  });
  it('with no matching baseline rule the default is allow', () => {
    const narrow = banp({ subject: { namespaces: { matchLabels: { tenant: 'b' } } }, ingress: [{ action: 'Deny', from: [ALL_NS] }] });
    const v = new PolicyIndex({ namespaces: NS, adminPolicies: [narrow] }).evaluateIngress({ pod: PROM, dest: to(WEB, 8080) })!;
    expect(v.allowed).toBe(true);
    expect(v.tier).toBe('default');
  });
});
