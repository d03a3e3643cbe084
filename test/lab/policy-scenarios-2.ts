/**
 * Lab scenarios of the `egress` diagnosis for issue 14's Cilium points that were unit-tested only:
 * namespace-label selectors (point 2), match-all FQDN patterns (3), the API server's node address
 * as host / remote-node (5), toServices / toNodes / cidrGroupRef / L7 rules (8), kube-dns's own
 * ingress, and a toFQDNs name that is an alias (a CNAME served by a real dnsmasq). Built like
 * egress-scenarios.ts: the fake API server serves the objects, the probe runs for real in the
 * pod's network namespace, whose iptables drops mirror what the policies enforce.
 */
import { LAB } from './netns.ts';
import type { KubeObject } from './objects.ts';
import type { Scenario } from './scenarios.ts';
import { DNS_RULE, EGRESS_LAB, egressScenario, FLUX, ns, pod } from './egress-scenarios.ts';

const L = EGRESS_LAB;

function cnp(name: string, egress: unknown[]): KubeObject {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: L.ns, ...FLUX('ml-apps') }, spec: { endpointSelector: { matchLabels: { app: 'training' } }, egress } };
}

function node(name: string, address: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, status: { addresses: [{ type: 'InternalIP', address }, { type: 'Hostname', address: name }] } };
}

const API = { toEntities: ['kube-apiserver'] };

export const POLICY_SCENARIOS_2: Scenario[] = [
  egressScenario({
    name: 'egress-ns-labels',
    description: `issue 14 point 2: CNP ml/to-payments allows toEndpoints {k8s:io.cilium.k8s.namespace.labels.team: payments} on 443; pay/api-0 (${L.otherIp}, namespace pay labelled team=payments) is reachable, shop/web-0 (${L.blobIp}, namespace shop without it) is dropped`,
    policies: [cnp('to-payments', [DNS_RULE, { toEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'payments' } }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }, API])],
    backend: { namespace: 'pay', name: 'api-0', labels: { app: 'api' } },
    objects: [ns('pay', { team: 'payments' }), ns('shop', { team: 'shop' }), pod('shop', 'web-0', { app: 'web' }, L.blobIp, 'worker-1')],
    drop: [{ ip: L.blobIp, port: 443, proto: 'tcp' }, { ip: L.apiIp, port: 443, proto: 'tcp' }],
  }),
  egressScenario({
    name: 'egress-fqdn-match-all',
    description: `issue 14 point 3: toFQDNs matchPattern "*" on 443 with the DNS proxy's rule matchPattern "**." (both match every name): ${L.blobHost} and ${L.apiHost} are allowed; nothing is dropped`,
    policies: [
      cnp('any-https-name', [
        { toEndpoints: DNS_RULE.toEndpoints, toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '**.' }] } }] },
        { toFQDNs: [{ matchPattern: '*' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
        API,
      ]),
    ],
    drop: [],
  }),
  egressScenario({
    name: 'egress-node-entities',
    description: `issue 14 point 5: the API server runs on node control-plane-1 (${LAB.api}): kubernetes.default.svc is kube-apiserver AND remote-node; CNP ml/to-nodes allows toEntities [remote-node] only; ${L.blobIp} is the pod's own node worker-2 (host), not allowed, dropped`,
    policies: [cnp('to-nodes', [DNS_RULE, { toEntities: ['remote-node'] }])],
    objects: [node('control-plane-1', LAB.api, { 'node-role.kubernetes.io/control-plane': '' }), node('worker-2', L.blobIp)],
    drop: [{ ip: L.blobIp, port: 443, proto: 'tcp' }, { ip: L.apiIp, port: 443, proto: 'tcp' }],
  }),
  egressScenario({
    name: 'egress-to-services',
    description: `issue 14 point 8: CNP ml/to-services allows toServices k8sService ml/model-api (pods app=model-api, ${L.otherIp}), toServices k8sServiceSelector {external: yes} (Service ml/partner-api without selector, endpoint ${L.apiIp}) and toNodes {node-role.kubernetes.io/control-plane} (the API server's node ${LAB.api}); ${L.blobIp} is dropped`,
    policies: [
      cnp('to-services', [
        DNS_RULE,
        { toServices: [{ k8sService: { serviceName: 'model-api', namespace: 'ml' } }] },
        { toServices: [{ k8sServiceSelector: { selector: { matchLabels: { external: 'yes' } }, namespace: 'ml' } }] },
        { toNodes: [{ matchLabels: { 'node-role.kubernetes.io/control-plane': '' } }] },
      ]),
    ],
    objects: [
      node('control-plane-1', LAB.api, { 'node-role.kubernetes.io/control-plane': '' }),
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'partner-api', namespace: 'ml', labels: { external: 'yes' } }, spec: { ports: [{ name: 'https', port: 443, protocol: 'TCP' }], clusterIP: '10.96.44.13' } },
      {
        apiVersion: 'discovery.k8s.io/v1',
        kind: 'EndpointSlice',
        metadata: { name: 'partner-api-1', namespace: 'ml', labels: { 'kubernetes.io/service-name': 'partner-api' } },
        addressType: 'IPv4',
        endpoints: [{ addresses: [L.apiIp], conditions: { ready: true } }],
        ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
      },
    ],
    drop: [{ ip: L.blobIp, port: 443, proto: 'tcp' }],
  }),
  egressScenario({
    name: 'egress-cidr-group-l7',
    description: `issue 14 point 8: CNP ml/storage-ranges allows toCIDRSet cidrGroupRef storage-ranges (CiliumCIDRGroup: ${L.blobIp}/32) on TCP/443 with an http rule (GET /checkpoints/.*): allowed at L3/L4, the L7 rule quoted; ${L.apiIp} is dropped`,
    policies: [
      cnp('storage-ranges', [
        DNS_RULE,
        { toCIDRSet: [{ cidrGroupRef: 'storage-ranges' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }], rules: { http: [{ method: 'GET', path: '/checkpoints/.*' }] } }] },
        API,
      ]),
    ],
    objects: [{ apiVersion: 'cilium.io/v2alpha1', kind: 'CiliumCIDRGroup', metadata: { name: 'storage-ranges' }, spec: { externalCIDRs: [`${L.blobIp}/32`] } }],
    drop: [{ ip: L.apiIp, port: 443, proto: 'tcp' }, { ip: L.otherIp, port: 443, proto: 'tcp' }],
  }),
  egressScenario({
    name: 'egress-dns-ingress',
    description: `kube-dns's own ingress drops the pod's lookups: NetworkPolicy kube-system/coredns-ingress accepts DNS only from namespaces labelled team=platform; the pod's egress allows everything (UDP/TCP 53 to ${LAB.dns} dropped)`,
    policies: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'coredns-ingress', namespace: 'kube-system' },
        spec: { podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: 'platform' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }] },
      },
    ],
    drop: [{ ip: LAB.dns, port: 53 }],
  }),
  egressScenario({
    name: 'egress-cname-alias',
    description: `CNAME the other way round, with a real dnsmasq (--cname): the CNP lists ${L.aliasHost} (an alias: CNAME → ${L.blobHost}); the app now dials ${L.blobHost} directly, which no rule names (dropped)`,
    policies: [cnp('training-egress', [DNS_RULE, { toFQDNs: [{ matchName: L.apiHost }, { matchName: L.aliasHost }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }, API])],
    drop: [{ ip: L.blobIp }],
    dnsmasq: true,
  }),
];
