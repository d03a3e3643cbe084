// Cilium constructs seen in real clusters, each row from the Cilium docs or source it names:
// icmps (pkg/policy/api/egress.go, docs "Layer 4 Examples: ICMP/ICMPv6"), L7 rules (docs "Layer 7
// Examples"), CiliumCIDRGroup (docs "CIDR Groups"), toNodes (docs "Node based", getNodeSelector in
// pkg/k8s/apis/cilium.io/utils/utils.go), host policies (docs "Host Policies"), SCTP (docs "Layer 4
// Examples: SCTP"), enableDefaultDeny (docs "Policy Enforcement Modes": non-default-deny policies).
import { describe, expect, it } from 'vitest';
import { PolicyIndex, ruleText, type CiliumPolicy, type Destination, type NamespaceInfo, type NetworkPolicy, type PodInfo } from '../../../src/policy/index.ts';

const NS: NamespaceInfo[] = [{ name: 'app', labels: {} }];
const CLIENT: PodInfo = { namespace: 'app', name: 'client', labels: { app: 'client' } };
const BACKEND: PodInfo = { namespace: 'app', name: 'backend', labels: { app: 'backend' }, ports: [{ name: 'http', containerPort: 8080 }] };
const cnp = (spec: CiliumPolicy['spec'], name = 'p'): CiliumPolicy => ({ kind: 'CiliumNetworkPolicy', metadata: { name, namespace: 'app' }, spec });
const SEL = { matchLabels: { app: 'client' } };
const idx = (cilium: CiliumPolicy[], extra: { networkPolicies?: NetworkPolicy[]; cidrGroups?: { name: string; cidrs: string[] }[] } = {}) =>
  new PolicyIndex({ namespaces: NS, ciliumPolicies: cilium, cilium: true, ...extra });
const tcp = (port: number, over: Partial<Destination> = {}): Destination => ({ ip: '10.244.0.9', port, protocol: 'TCP', pod: BACKEND, kind: 'pod', ...over });
const ping = (over: Partial<Destination> = {}): Destination => ({ ip: '10.244.0.9', port: 0, protocol: 'ICMP', pod: BACKEND, kind: 'pod', ...over });

describe('icmps: all members of a rule must match', () => {
  const p = cnp({ endpointSelector: SEL, egress: [{ toEndpoints: [{ matchLabels: { app: 'backend' } }], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] }] });
  it('toEndpoints + icmps allows the ping', () => {
    const v = idx([p]).evaluate({ pod: CLIENT, dest: ping() });
    expect(v.allowed).toBe(true);
    expect(ruleText(v.decisive[0]!)).toContain('icmps IPv4 type 8');
    expect(v.explanation).toContain('ICMP echo request (ping)');
  });
  it('… and not TCP/8080 to the same pod', () => {
    expect(idx([p]).evaluate({ pod: CLIENT, dest: tcp(8080) }).allowed).toBe(false);
  });
  it('… nor another ICMP type, nor ICMPv6', () => {
    expect(idx([p]).evaluate({ pod: CLIENT, dest: ping({ icmpType: 13 }) }).allowed).toBe(false);
    expect(idx([p]).evaluate({ pod: CLIENT, dest: ping({ protocol: 'ICMPv6', ip: 'fd00::9' }) }).allowed).toBe(false);
  });
  it('type names as Cilium accepts them (EchoRequest), IPv6 family', () => {
    const v6 = cnp({ endpointSelector: SEL, egress: [{ toEndpoints: [{ matchLabels: { app: 'backend' } }], icmps: [{ fields: [{ type: 'EchoRequest', family: 'IPv6' }] }] }] });
    expect(idx([v6]).evaluate({ pod: CLIENT, dest: ping({ protocol: 'ICMPv6', ip: 'fd00::9' }) }).allowed).toBe(true);
    expect(idx([v6]).evaluate({ pod: CLIENT, dest: ping() }).allowed).toBe(false);
  });
  it('toPorts never matches ICMP, not even port 0 / ANY; an L3-only rule does', () => {
    const any = cnp({ endpointSelector: SEL, egress: [{ toEndpoints: [{ matchLabels: { app: 'backend' } }], toPorts: [{ ports: [{ port: '0', protocol: 'ANY' }] }] }] });
    expect(idx([any]).evaluate({ pod: CLIENT, dest: ping() }).allowed).toBe(false);
    const l3 = cnp({ endpointSelector: SEL, egress: [{ toEndpoints: [{ matchLabels: { app: 'backend' } }] }] });
    expect(idx([l3]).evaluate({ pod: CLIENT, dest: ping() }).allowed).toBe(true);
  });
  it('a NetworkPolicy rule with ports never allows ICMP; one without ports does (protocols are TCP, UDP, SCTP)', () => {
    const withPorts: NetworkPolicy = { metadata: { name: 'np', namespace: 'app' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 8080 }] }] } };
    const noPorts: NetworkPolicy = { metadata: { name: 'np', namespace: 'app' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: {} }] }] } };
    expect(new PolicyIndex({ namespaces: NS, networkPolicies: [withPorts] }).evaluate({ pod: CLIENT, dest: ping() }).allowed).toBe(false);
    expect(new PolicyIndex({ namespaces: NS, networkPolicies: [noPorts] }).evaluate({ pod: CLIENT, dest: ping() }).allowed).toBe(true);
  });
});

describe('L7 rules: decided at L3/L4, the L7 rule quoted as also applying', () => {
  it('an http rule on the allowing port is named in the rule and in a note', () => {
    const p = cnp({ endpointSelector: SEL, egress: [{ toEndpoints: [{ matchLabels: { app: 'backend' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/v1/.*' }] } }] }] });
    const v = idx([p]).evaluate({ pod: CLIENT, dest: tcp(8080) });
    expect(v.allowed).toBe(true);
    expect(v.decisive[0]!.l7).toBe('http: [{"method":"GET","path":"/v1/.*"}]');
    expect(v.notes?.join(' ')).toContain('the L7 rules then also apply');
  });
  it('a kafka rule too; a port without L7 rules has no note', () => {
    const p = cnp({ endpointSelector: SEL, egress: [{ toEndpoints: [{ matchLabels: { app: 'backend' } }], toPorts: [{ ports: [{ port: '9092', protocol: 'TCP' }], rules: { kafka: [{ role: 'produce', topic: 'orders' }] } }, { ports: [{ port: '8080', protocol: 'TCP' }] }] }] });
    expect(idx([p]).evaluate({ pod: CLIENT, dest: tcp(9092) }).decisive[0]!.l7).toContain('kafka');
    expect(idx([p]).evaluate({ pod: CLIENT, dest: tcp(8080) }).notes).toBeUndefined();
  });
});

describe('toCIDRSet with cidrGroupRef (CiliumCIDRGroup)', () => {
  const p = cnp({ endpointSelector: SEL, egress: [{ toCIDRSet: [{ cidrGroupRef: 'partners', except: ['198.51.100.128/25'] }] }] });
  const world = (ip: string): Destination => ({ ip, port: 443, kind: 'world' });
  it('an address in the group is allowed, one in its except or outside is not', () => {
    const i = idx([p], { cidrGroups: [{ name: 'partners', cidrs: ['198.51.100.0/24', '203.0.113.0/28'] }] });
    expect(i.evaluate({ pod: CLIENT, dest: world('203.0.113.5') }).allowed).toBe(true);
    expect(ruleText(i.evaluate({ pod: CLIENT, dest: world('198.51.100.7') }).decisive[0]!)).toContain('cidrGroupRef partners (198.51.100.0/24)');
    expect(i.evaluate({ pod: CLIENT, dest: world('198.51.100.200') }).allowed).toBe(false);
    expect(i.evaluate({ pod: CLIENT, dest: world('192.0.2.1') }).allowed).toBe(false);
  });
  it('an unknown group selects nothing', () => {
    expect(idx([p]).evaluate({ pod: CLIENT, dest: world('203.0.113.5') }).allowed).toBe(false);
  });
});

describe('toNodes', () => {
  const p = cnp({ endpointSelector: SEL, egress: [{ toNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }] }] });
  it('selects a remote node by its labels', () => {
    const cp: Destination = { ip: '192.0.2.10', port: 6443, kind: ['remote-node', 'kube-apiserver'], node: { name: 'cp-1', labels: { 'node-role.kubernetes.io/control-plane': '' } } };
    expect(idx([p]).evaluate({ pod: CLIENT, dest: cp }).allowed).toBe(true);
  });
  it('not a node without the label, nor a world address', () => {
    const worker: Destination = { ip: '192.0.2.11', port: 10250, kind: 'remote-node', node: { name: 'w-1', labels: {} } };
    expect(idx([p]).evaluate({ pod: CLIENT, dest: worker }).allowed).toBe(false);
    expect(idx([p]).evaluate({ pod: CLIENT, dest: { ip: '192.0.2.10', port: 6443, kind: 'world' } }).allowed).toBe(false);
  });
});

describe('host policies, SCTP, enableDefaultDeny', () => {
  it('a CCNP with nodeSelector never selects a pod, and the verdict says it was left out', () => {
    const host: CiliumPolicy = { kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'lock-nodes' }, spec: { nodeSelector: {}, egress: [{ toEntities: ['cluster'] }] } };
    const v = idx([host]).evaluate({ pod: CLIENT, dest: { ip: '203.0.113.5', port: 443, kind: 'world' } });
    expect(v.allowed).toBe(true);
    expect(v.notes?.join(' ')).toContain('CiliumClusterwideNetworkPolicy lock-nodes selects nodes (nodeSelector)');
  });
  it('SCTP ports match SCTP flows only', () => {
    const p = cnp({ endpointSelector: SEL, egress: [{ toEndpoints: [{ matchLabels: { app: 'backend' } }], toPorts: [{ ports: [{ port: '38412', protocol: 'SCTP' }] }] }] });
    expect(idx([p]).evaluate({ pod: CLIENT, dest: tcp(38412, { protocol: 'SCTP' }) }).allowed).toBe(true);
    expect(idx([p]).evaluate({ pod: CLIENT, dest: tcp(38412) }).allowed).toBe(false);
  });
  it('enableDefaultDeny.egress false: the rule allows but denies nothing else', () => {
    const p = cnp({ endpointSelector: SEL, enableDefaultDeny: { egress: false }, egress: [{ toEndpoints: [{ matchLabels: { app: 'backend' } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }] });
    expect(idx([p]).evaluate({ pod: CLIENT, dest: { ip: '203.0.113.5', port: 443, kind: 'world' } }).allowed).toBe(true);
    expect(idx([p]).evaluate({ pod: CLIENT, dest: tcp(8080) }).allowed).toBe(true);
  });
});
