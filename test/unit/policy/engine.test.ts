// Table-driven tests of the policy engine, written from the Kubernetes "Network Policies" concept
// page / API reference and the Cilium "Policy Language", "DNS based" and "Deny policies" docs.
import { describe, expect, it } from 'vitest';
import {
  PolicyIndex,
  fqdnMatches,
  ruleText,
  suggestFix,
  type CiliumPolicy,
  type Destination,
  type NamespaceInfo,
  type NetworkPolicy,
  type PodInfo,
} from '../../../src/policy/index.ts';

const NS: NamespaceInfo[] = [
  { name: 'ml', labels: { team: 'ml', 'kubernetes.io/metadata.name': 'ml' } },
  { name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } },
  { name: 'data', labels: { team: 'data', env: 'prod' } },
];
const POD: PodInfo = { namespace: 'ml', name: 'training-7f9c', labels: { app: 'training', tier: 'batch' }, serviceAccount: 'trainer' };
const DNS_POD: PodInfo = {
  namespace: 'kube-system',
  name: 'coredns-1',
  labels: { 'k8s-app': 'kube-dns' },
  ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }],
};
const DB_POD: PodInfo = { namespace: 'data', name: 'pg-0', labels: { app: 'postgres' }, ports: [{ name: 'pg', containerPort: 5432 }] };

function np(name: string, spec: NetworkPolicy['spec'], namespace = 'ml'): NetworkPolicy {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace }, spec };
}
function cnp(name: string, spec: CiliumPolicy['spec'], namespace = 'ml'): CiliumPolicy {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec };
}
function ccnp(name: string, spec: CiliumPolicy['spec']): CiliumPolicy {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec };
}
const world = (ip: string, port: number, host?: string, cnames?: string[]): Destination => ({ ip, port, host, cnames, kind: 'world' });
const toPod = (pod: PodInfo, port: number, protocol: 'TCP' | 'UDP' = 'TCP'): Destination => ({ ip: '10.244.1.9', port, protocol, pod, kind: 'pod' });

const DENY_ALL_EGRESS = np('default-deny-egress', { podSelector: {}, policyTypes: ['Egress'] });
/** Cilium: DNS to kube-dns through the DNS proxy, every name */
const CILIUM_DNS = cnp('allow-dns', {
  endpointSelector: {},
  egress: [
    {
      toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
      toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
    },
  ],
});
const FQDN_POLICY = cnp('training-egress', {
  endpointSelector: { matchLabels: { app: 'training' } },
  egress: [{ toFQDNs: [{ matchName: 'api.example.net' }, { matchPattern: '*.s3.amazonaws.com' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }],
});

interface Case {
  name: string;
  np?: NetworkPolicy[];
  cilium?: CiliumPolicy[];
  dest: Destination;
  allowed: boolean;
  /** substring of the decisive rule's text (policy, section[index], peer) */
  rule?: string;
  /** substring of the explanation */
  says?: string;
}

const K8S_CASES: Case[] = [
  { name: 'no policy selects the pod: allowed, nothing decisive', dest: world('203.0.113.5', 443), allowed: true, says: 'no NetworkPolicy selects' },
  { name: 'default deny egress ({} + policyTypes Egress)', np: [DENY_ALL_EGRESS], dest: world('203.0.113.5', 443), allowed: false, says: 'default-deny-egress' },
  {
    name: 'policyTypes defaults to Ingress only when there are no egress rules: no isolation',
    np: [np('ingress-only', { podSelector: {}, ingress: [{}] })],
    dest: world('203.0.113.5', 443),
    allowed: true,
  },
  {
    name: 'policyTypes defaults to include Egress when egress rules exist',
    np: [np('implicit-egress', { podSelector: { matchLabels: { app: 'training' } }, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] })],
    dest: world('203.0.113.5', 443),
    allowed: false,
  },
  {
    name: 'ipBlock with except: inside the cidr',
    np: [np('cidr', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] })],
    dest: world('10.2.3.4', 443),
    allowed: true,
    rule: 'NetworkPolicy ml/cidr egress[0] to[0] ipBlock 10.0.0.0/8 except 10.1.0.0/16 (all ports)',
  },
  {
    name: 'ipBlock with except: inside the exception',
    np: [np('cidr', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.0.0.0/8', except: ['10.1.0.0/16'] } }] }] })],
    dest: world('10.1.2.3', 443),
    allowed: false,
    says: 'excluded on purpose: NetworkPolicy ml/cidr egress[0] to[0] ipBlock 10.0.0.0/8 excepts 10.1.0.0/16',
  },
  {
    name: 'port range with endPort (32000-32768)',
    np: [np('range', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] })],
    dest: world('203.0.113.5', 32500),
    allowed: true,
    rule: 'TCP/32000-32768',
  },
  {
    name: 'port range: just outside',
    np: [np('range', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'TCP', port: 32000, endPort: 32768 }] }] })],
    dest: world('203.0.113.5', 32769),
    allowed: false,
  },
  {
    name: 'named port resolves against the destination pod (dns → UDP/53 on CoreDNS)',
    np: [np('dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 'dns' }] }] })],
    dest: toPod(DNS_POD, 53, 'UDP'),
    allowed: true,
    rule: 'UDP/dns (named port)',
  },
  {
    name: 'named port cannot match an address outside the cluster',
    np: [np('dns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 'dns' }] }] })],
    dest: { ...world('203.0.113.53', 53), protocol: 'UDP' },
    allowed: false,
  },
  {
    name: 'protocol defaults to TCP: a UDP flow does not match port 53 without protocol',
    np: [np('tcp53', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 53 }] }] })],
    dest: toPod(DNS_POD, 53, 'UDP'),
    allowed: false,
  },
  {
    name: 'namespaceSelector AND podSelector in ONE peer: both must match',
    np: [np('and', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'data' } }, podSelector: { matchLabels: { app: 'redis' } } }] }] })],
    dest: toPod(DB_POD, 5432),
    allowed: false,
  },
  {
    name: 'namespaceSelector OR podSelector as two peers: either matches',
    np: [np('or', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { team: 'data' } } }, { podSelector: { matchLabels: { app: 'redis' } } }] }] })],
    dest: toPod(DB_POD, 5432),
    allowed: true,
    rule: 'egress[0] to[0] namespaceSelector {team=data}',
  },
  {
    name: 'podSelector alone means the policy namespace only',
    np: [np('same-ns', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'postgres' } } }] }] })],
    dest: toPod(DB_POD, 5432),
    allowed: false,
  },
  {
    name: 'matchExpressions In / NotIn on the namespace',
    np: [np('expr', { podSelector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['batch', 'web'] }] }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] } }] }] })],
    dest: toPod(DB_POD, 5432),
    allowed: true,
  },
  {
    name: 'union of policies: the second one allows',
    np: [DENY_ALL_EGRESS, np('allow-443', { podSelector: { matchLabels: { app: 'training' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '203.0.113.0/24' } }], ports: [{ port: 443 }] }] })],
    dest: world('203.0.113.5', 443),
    allowed: true,
    rule: 'NetworkPolicy ml/allow-443 egress[0]',
  },
  {
    name: 'a policy in another namespace never selects the pod',
    np: [np('elsewhere', { podSelector: {}, policyTypes: ['Egress'] }, 'data')],
    dest: world('203.0.113.5', 443),
    allowed: true,
  },
];

const CILIUM_CASES: Case[] = [
  {
    name: 'toFQDNs matchName with the DNS proxy: allowed by the exact rule',
    cilium: [CILIUM_DNS, FQDN_POLICY],
    dest: world('198.51.100.60', 443, 'api.example.net'),
    allowed: true,
    rule: 'CiliumNetworkPolicy ml/training-egress egress[0] toFQDNs[0] matchName: api.example.net (toPorts[0] TCP/443)',
  },
  {
    name: 'toFQDNs: a host not on the list is denied (incident 2: the blob host)',
    cilium: [CILIUM_DNS, FQDN_POLICY],
    dest: world('198.51.100.61', 443, 'acct.blob.core.windows.net'),
    allowed: false,
    says: 'default deny',
  },
  {
    name: 'toFQDNs without a DNS-proxy rule never learns addresses',
    cilium: [FQDN_POLICY],
    dest: world('198.51.100.60', 443, 'api.example.net'),
    allowed: false,
    says: 'DNS proxy',
  },
  {
    name: 'toFQDNs: the port is not in toPorts',
    cilium: [CILIUM_DNS, FQDN_POLICY],
    dest: world('198.51.100.60', 80, 'api.example.net'),
    allowed: false,
  },
  {
    name: 'toFQDNs matchPattern *.s3.amazonaws.com',
    cilium: [CILIUM_DNS, FQDN_POLICY],
    dest: world('198.51.100.62', 443, 'bucket.s3.amazonaws.com'),
    allowed: true,
    rule: 'toFQDNs[1] matchPattern: *.s3.amazonaws.com',
  },
  {
    name: 'CNAME gotcha: matchName lists the CNAME target, the app dials the alias: denied',
    cilium: [CILIUM_DNS, cnp('cname', { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'acct.blob.core.windows.net' }], toPorts: [{ ports: [{ port: '443' }] }] }] })],
    dest: world('198.51.100.61', 443, 'storage.example.net', ['acct.blob.core.windows.net']),
    allowed: false,
  },
  {
    name: 'CNAME: matchName lists the dialled alias: allowed (the chain does not matter)',
    cilium: [CILIUM_DNS, cnp('cname', { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'storage.example.net' }], toPorts: [{ ports: [{ port: '443' }] }] }] })],
    dest: world('198.51.100.61', 443, 'storage.example.net', ['acct.blob.core.windows.net']),
    allowed: true,
    rule: 'matchName: storage.example.net',
  },
  {
    name: 'egressDeny wins over an allow (toEntities world vs toCIDR deny)',
    cilium: [cnp('deny', { endpointSelector: {}, egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDRSet: [{ cidr: '198.51.100.0/24' }] }] })],
    dest: world('198.51.100.61', 443),
    allowed: false,
    rule: 'CiliumNetworkPolicy ml/deny egressDeny[0] toCIDRSet[0] 198.51.100.0/24 (all ports)',
    says: 'egressDeny',
  },
  {
    name: 'egressDeny in a CCNP wins over a CNP allow',
    cilium: [cnp('allow', { endpointSelector: {}, egress: [{ toEntities: ['all'] }] }), ccnp('deny-ssh', { endpointSelector: {}, egressDeny: [{ toPorts: [{ ports: [{ port: '22', protocol: 'TCP' }] }] }] })],
    dest: world('198.51.100.61', 22),
    allowed: false,
    rule: 'CiliumClusterwideNetworkPolicy deny-ssh egressDeny[0]',
  },
  {
    name: 'enableDefaultDeny.egress false: the policy does not isolate',
    cilium: [cnp('no-dd', { endpointSelector: {}, enableDefaultDeny: { egress: false }, egress: [{ toFQDNs: [{ matchName: 'x.example' }] }] })],
    dest: world('198.51.100.61', 443, 'other.example'),
    allowed: true,
  },
  {
    name: '`egress: [{}]` denies all egress',
    cilium: [cnp('deny-all', { endpointSelector: {}, egress: [{}] })],
    dest: world('198.51.100.61', 443),
    allowed: false,
  },
  {
    name: 'a rule with only toPorts allows any destination on that port',
    cilium: [cnp('port-only', { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] })],
    dest: world('198.51.100.61', 443),
    allowed: true,
    rule: '(any destination: toPorts only)',
  },
  {
    name: 'toEntities cluster does not cover the world',
    cilium: [cnp('cluster', { endpointSelector: {}, egress: [{ toEntities: ['cluster'] }] })],
    dest: world('198.51.100.61', 443),
    allowed: false,
  },
  {
    name: 'toEntities kube-apiserver',
    cilium: [cnp('apiserver', { endpointSelector: {}, egress: [{ toEntities: ['kube-apiserver'] }] })],
    dest: { ip: '10.0.0.1', port: 443, kind: 'kube-apiserver' },
    allowed: true,
    rule: 'toEntities[0] kube-apiserver',
  },
  {
    name: 'toCIDR does not select in-cluster pods',
    cilium: [cnp('cidr', { endpointSelector: {}, egress: [{ toCIDR: ['10.244.0.0/16'] }] })],
    dest: toPod(DB_POD, 5432),
    allowed: false,
  },
  {
    name: 'toCIDRSet with except',
    cilium: [cnp('cidrset', { endpointSelector: {}, egress: [{ toCIDRSet: [{ cidr: '198.51.100.0/24', except: ['198.51.100.61/32'] }] }] })],
    dest: world('198.51.100.61', 443),
    allowed: false,
  },
  {
    name: 'toEndpoints in a CNP without a namespace label means the policy namespace',
    cilium: [cnp('same-ns', { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { app: 'postgres' } }] }] })],
    dest: toPod(DB_POD, 5432),
    allowed: false,
  },
  {
    name: 'toEndpoints with k8s:io.kubernetes.pod.namespace crosses namespaces',
    cilium: [cnp('cross-ns', { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'data', app: 'postgres' } }] }] })],
    dest: toPod(DB_POD, 5432),
    allowed: true,
  },
  {
    name: 'CCNP selecting the namespace by its labels',
    cilium: [ccnp('ml-lockdown', { endpointSelector: { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'ml' } }, egress: [{ toEntities: ['cluster'] }] })],
    dest: world('198.51.100.61', 443),
    allowed: false,
    says: 'CiliumClusterwideNetworkPolicy ml-lockdown',
  },
  {
    name: 'CNP of another namespace never selects the pod, even with {}',
    cilium: [cnp('other', { endpointSelector: {}, egress: [{}] }, 'data')],
    dest: world('198.51.100.61', 443),
    allowed: true,
  },
  {
    name: 'with Cilium, a NetworkPolicy allow and a CNP default deny add up: allowed',
    np: [np('np-allow', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }] }] })],
    cilium: [cnp('deny-all', { endpointSelector: {}, egress: [{}] })],
    dest: world('198.51.100.61', 443),
    allowed: true,
    rule: 'NetworkPolicy ml/np-allow',
  },
  {
    name: 'specs[]: the second rule of a multi-rule policy',
    cilium: [{ apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'multi', namespace: 'ml' }, specs: [{ endpointSelector: { matchLabels: { app: 'web' } }, egress: [{}] }, { endpointSelector: { matchLabels: { 'k8s:app': 'training' } }, egress: [{ toCIDR: ['198.51.100.61/32'] }] }] }],
    dest: world('198.51.100.61', 443),
    allowed: true,
    rule: 'CiliumNetworkPolicy ml/multi specs[1].egress[0] toCIDR[0] 198.51.100.61/32',
  },
];

// Cilium named ports ("Layer 4 Examples": a toPorts port may be a port name): the destination
// endpoint's container port of that name, so only pods; names compare lowercased (Sanitize).
const WEB_POD: PodInfo = { namespace: 'ml', name: 'web-0', labels: { app: 'web' }, ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }, { name: 'metrics', containerPort: 9090 }] };
const namedPortRule = (port: string, protocol = 'TCP') =>
  cnp('to-web', { endpointSelector: { matchLabels: { app: 'training' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'web' } }], toPorts: [{ ports: [{ port, protocol }] }] }] });
CILIUM_CASES.push(
  {
    name: 'named port: "http" resolves to the destination pod\'s containerPort 8080',
    cilium: [namedPortRule('http')],
    dest: toPod(WEB_POD, 8080),
    allowed: true,
    rule: 'CiliumNetworkPolicy ml/to-web egress[0] toEndpoints[0] {app=web} (namespace ml) (toPorts[0] TCP/http (named port → 8080))',
  },
  {
    name: 'named port: another port of the same pod is not the name',
    cilium: [namedPortRule('http')],
    dest: toPod(WEB_POD, 80),
    allowed: false,
    says: 'default deny',
  },
  {
    name: 'named port: a container port without protocol is TCP; protocol ANY matches it',
    cilium: [namedPortRule('metrics', 'ANY')],
    dest: toPod(WEB_POD, 9090),
    allowed: true,
    rule: 'ANY/metrics (named port → 9090)',
  },
  {
    name: 'named port: names compare lowercased ("HTTP" is "http")',
    cilium: [namedPortRule('HTTP')],
    dest: toPod(WEB_POD, 8080),
    allowed: true,
    rule: 'TCP/http (named port → 8080)',
  },
  {
    name: 'named port: the protocol must match the container port (dns is UDP on CoreDNS)',
    cilium: [cnp('dns-tcp', { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: 'dns', protocol: 'TCP' }] }] }] })],
    dest: toPod(DNS_POD, 53, 'TCP'),
    allowed: false,
  },
  {
    name: 'named port: ANY + "dns" allows UDP/53 to CoreDNS',
    cilium: [cnp('dns-any', { endpointSelector: {}, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: 'dns', protocol: 'ANY' }] }] }] })],
    dest: toPod(DNS_POD, 53, 'UDP'),
    allowed: true,
    rule: 'ANY/dns (named port → 53)',
  },
  {
    name: 'named port: a toPorts-only rule never matches a destination outside the cluster',
    cilium: [cnp('named-only', { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] })],
    dest: world('203.0.113.5', 8080),
    allowed: false,
  },
  {
    name: 'named port: a toPorts-only rule matches a pod that names the port',
    cilium: [cnp('named-only', { endpointSelector: {}, egress: [{ toPorts: [{ ports: [{ port: 'http', protocol: 'TCP' }] }] }] })],
    dest: toPod(WEB_POD, 8080),
    allowed: true,
    rule: 'CiliumNetworkPolicy ml/named-only egress[0] (any destination: toPorts only) (toPorts[0] TCP/http (named port → 8080))',
  },
  {
    name: 'named port in egressDeny: the deny wins for the pod port of that name',
    cilium: [
      cnp('allow-all', { endpointSelector: {}, egress: [{ toEntities: ['all'] }] }),
      ccnp('deny-metrics', { endpointSelector: {}, egressDeny: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ml' } }], toPorts: [{ ports: [{ port: 'metrics', protocol: 'TCP' }] }] }] }),
    ],
    dest: toPod(WEB_POD, 9090),
    allowed: false,
    rule: 'CiliumClusterwideNetworkPolicy deny-metrics egressDeny[0]',
  },
  {
    name: 'named port in egressDeny does not touch the pod\'s other ports',
    cilium: [
      cnp('allow-all', { endpointSelector: {}, egress: [{ toEntities: ['all'] }] }),
      ccnp('deny-metrics', { endpointSelector: {}, egressDeny: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'ml' } }], toPorts: [{ ports: [{ port: 'metrics', protocol: 'TCP' }] }] }] }),
    ],
    dest: toPod(WEB_POD, 8080),
    allowed: true,
  },
);

describe.each([
  ['NetworkPolicy', K8S_CASES],
  ['Cilium', CILIUM_CASES],
])('%s verdicts', (_kind, cases) => {
  it.each(cases)('$name', (c) => {
    const index = new PolicyIndex({ namespaces: NS, networkPolicies: c.np ?? [], ciliumPolicies: c.cilium ?? [] });
    const v = index.evaluate({ pod: POD, dest: c.dest });
    expect(v.allowed, v.explanation).toBe(c.allowed);
    if (c.rule) expect(v.decisive.map(ruleText).join('\n')).toContain(c.rule);
    if (c.says) expect(v.explanation).toContain(c.says);
    if (!c.allowed) expect(v.decisive.length === 0 || v.cilium.deniedBy.length > 0).toBe(true);
  });
});

describe('Cilium FQDN selectors', () => {
  it.each([
    [{ matchName: 'api.example.net' }, 'api.example.net', true],
    [{ matchName: 'api.example.net' }, 'API.Example.NET.', true],
    [{ matchName: 'api.example.net' }, 'x.api.example.net', false],
    [{ matchPattern: '*.blob.core.windows.net' }, 'acct.blob.core.windows.net', true],
    [{ matchPattern: '*.blob.core.windows.net' }, 'blob.core.windows.net', false],
    [{ matchPattern: '*.blob.core.windows.net' }, 'a.b.blob.core.windows.net', false],
    [{ matchPattern: '**.example.com' }, 'a.b.example.com', true],
    [{ matchPattern: '**.example.com' }, 'example.com', false],
    [{ matchPattern: 'api-*.example.com' }, 'api-eu1.example.com', true],
    [{ matchPattern: '*' }, 'anything.at.all', true],
    [{ matchPattern: 'sub*.cilium.io' }, 'sub.cilium.io', true],
  ])('%j vs %s → %s', (sel, name, expected) => {
    expect(fqdnMatches(sel, name)).toBe(expected);
  });
});

describe('CNAME hints', () => {
  it('the allow-list names the CNAME target of the dialled name', () => {
    const index = new PolicyIndex({ namespaces: NS, ciliumPolicies: [CILIUM_DNS, cnp('c', { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'acct.blob.core.windows.net' }] }] })] });
    const hints = index.cnameHints({ pod: POD, dest: world('198.51.100.61', 443, 'storage.example.net', ['acct.blob.core.windows.net']) });
    expect(hints).toHaveLength(1);
    expect(hints[0]).toMatchObject({ kind: 'target-listed', dialled: 'storage.example.net', listed: 'acct.blob.core.windows.net' });
    expect(ruleText(hints[0]!.rule)).toContain('CiliumNetworkPolicy ml/c egress[0] toFQDNs[0]');
  });
  it('the reverse: the allow-list names the alias, the app now dials the canonical name', () => {
    const index = new PolicyIndex({ namespaces: NS, ciliumPolicies: [CILIUM_DNS, cnp('c', { endpointSelector: {}, egress: [{ toFQDNs: [{ matchName: 'storage.example.net' }] }] })] });
    const flow = { pod: POD, dest: world('198.51.100.61', 443, 'acct.blob.core.windows.net') };
    expect(index.evaluate(flow).allowed).toBe(false);
    const hints = index.cnameHints(flow, { 'storage.example.net': ['acct.blob.core.windows.net'] });
    expect(hints).toMatchObject([{ kind: 'alias-listed', listed: 'storage.example.net' }]);
  });
});

describe('DNS proxy', () => {
  it('reports interception and coverage per name', () => {
    const restricted = cnp('dns-some', {
      endpointSelector: {},
      egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system' } }], toPorts: [{ ports: [{ port: '53', protocol: 'UDP' }], rules: { dns: [{ matchPattern: '*.example.net' }] } }] }],
    });
    const index = new PolicyIndex({ namespaces: NS, ciliumPolicies: [restricted] });
    expect(index.dnsProxy(POD, 'api.example.net')).toMatchObject({ intercepted: true, covers: true });
    expect(index.dnsProxy(POD, 'acct.blob.core.windows.net')).toMatchObject({ intercepted: true, covers: false });
    expect(new PolicyIndex({ namespaces: NS }).dnsProxy(POD, 'x')).toMatchObject({ intercepted: false, covers: false });
  });
});

describe('fixes', () => {
  it('adds the storage host to the toFQDNs rule that covers the port', () => {
    const index = new PolicyIndex({ namespaces: NS, ciliumPolicies: [CILIUM_DNS, FQDN_POLICY] });
    const flow = { pod: POD, dest: world('198.51.100.61', 443, 'acct.blob.core.windows.net') };
    const fix = suggestFix(index, flow, index.evaluate(flow))!;
    expect(fix.policy).toMatchObject({ kind: 'CiliumNetworkPolicy', namespace: 'ml', name: 'training-egress' });
    expect(fix.path).toBe('spec.egress[0].toFQDNs');
    expect(fix.yaml).toContain("matchPattern: '*.blob.core.windows.net'");
  });
  it('names the egressDeny rule to remove', () => {
    const index = new PolicyIndex({ namespaces: NS, ciliumPolicies: [cnp('deny', { endpointSelector: {}, egress: [{ toEntities: ['world'] }], egressDeny: [{ toCIDR: ['198.51.100.61/32'] }] })] });
    const flow = { pod: POD, dest: world('198.51.100.61', 443) };
    const fix = suggestFix(index, flow, index.evaluate(flow))!;
    expect(fix).toMatchObject({ action: 'remove', path: 'spec.egressDeny[0]' });
    expect(fix.yaml).toContain('198.51.100.61/32');
  });
  it('adds an ipBlock rule to the NetworkPolicy that isolates the pod', () => {
    const index = new PolicyIndex({ namespaces: NS, networkPolicies: [DENY_ALL_EGRESS] });
    const flow = { pod: POD, dest: world('203.0.113.5', 443, 'api.example.net') };
    const fix = suggestFix(index, flow, index.evaluate(flow))!;
    expect(fix.policy).toMatchObject({ name: 'default-deny-egress' });
    expect(fix.yaml).toContain('cidr: 203.0.113.5/32');
    expect(fix.yaml).toContain('port: 443');
  });
  it('proposes nothing for an allowed flow', () => {
    const index = new PolicyIndex({ namespaces: NS });
    const flow = { pod: POD, dest: world('203.0.113.5', 443) };
    expect(suggestFix(index, flow, index.evaluate(flow))).toBeUndefined();
  });
});
