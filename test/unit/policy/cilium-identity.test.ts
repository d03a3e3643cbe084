// What Cilium adds to every endpoint's identity and to every selector of a namespaced policy, and
// destinations that carry several identities. Each row names the Cilium source or doc it follows.
import { describe, expect, it } from 'vitest';
import { PolicyIndex, type CiliumPolicy, type Destination, type NamespaceInfo, type PodInfo } from '../../../src/policy/index.ts';

const NS: NamespaceInfo[] = [
  { name: 'app', labels: { 'kubernetes.io/metadata.name': 'app' } },
  { name: 'pay', labels: { 'kubernetes.io/metadata.name': 'pay', team: 'payments' } },
];
const CLIENT: PodInfo = { namespace: 'app', name: 'client', labels: { app: 'client' }, serviceAccount: 'client-sa' };
const BACKEND: PodInfo = { namespace: 'app', name: 'backend', labels: { app: 'backend' }, serviceAccount: 'backend-sa' };
const PAY_API: PodInfo = { namespace: 'pay', name: 'api', labels: { app: 'api' }, serviceAccount: 'default' };
const to = (pod: PodInfo, port: number): Destination => ({ ip: '10.244.0.7', port, protocol: 'TCP', pod, kind: 'pod' });
const cnp = (spec: CiliumPolicy['spec'], namespace = 'app', name = 'p'): CiliumPolicy => ({ kind: 'CiliumNetworkPolicy', metadata: { name, namespace }, spec });
const ccnp = (spec: CiliumPolicy['spec'], name = 'c'): CiliumPolicy => ({ kind: 'CiliumClusterwideNetworkPolicy', metadata: { name }, spec });
const TCP_8080 = [{ ports: [{ port: '8080', protocol: 'TCP' }] }];
const verdict = (policies: CiliumPolicy[], dest: Destination, clusterName?: string, pod = CLIENT) =>
  new PolicyIndex({ namespaces: NS, ciliumPolicies: policies, cilium: true, clusterName }).evaluate({ pod, dest });

describe('labels Cilium gives every endpoint (pkg/k8s endpoint labels; docs "Kubernetes: Service Accounts", "ClusterMesh")', () => {
  it('toEndpoints on io.cilium.k8s.policy.serviceaccount: allowed to the pod of that service account', () => {
    const p = cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'backend-sa' } }], toPorts: TCP_8080 }] });
    const v = verdict([p], to(BACKEND, 8080));
    expect(v.allowed).toBe(true);
    expect(v.explanation).toContain('io.cilium.k8s.policy.serviceaccount=backend-sa');
    // and not to a pod of another service account
    expect(verdict([p], to({ ...BACKEND, serviceAccount: 'other' }, 8080)).allowed).toBe(false);
  });

  it('matchExpressions Exists on io.cilium.k8s.policy.cluster: every endpoint has it', () => {
    const p = cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [{ matchExpressions: [{ key: 'io.cilium.k8s.policy.cluster', operator: 'Exists' }] }], toPorts: TCP_8080 }] });
    expect(verdict([p], to(BACKEND, 8080)).allowed).toBe(true);
  });

  it('the cluster label carries cilium-config cluster-name ("default" when unset)', () => {
    const sel = (name: string) => cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.policy.cluster': name } }], toPorts: TCP_8080 }] });
    expect(verdict([sel('default')], to(BACKEND, 8080)).allowed).toBe(true);
    expect(verdict([sel('prod-eu')], to(BACKEND, 8080)).allowed).toBe(false);
    expect(verdict([sel('prod-eu')], to(BACKEND, 8080), 'prod-eu').allowed).toBe(true);
  });

  it('egressDeny on the service account label drops what toEntities all allows (docs "Deny policies")', () => {
    const p = cnp({
      endpointSelector: { matchLabels: { app: 'client' } },
      egress: [{ toEntities: ['all'] }],
      egressDeny: [{ toEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'backend-sa' } }] }],
    });
    const v = verdict([p], to(BACKEND, 8080));
    expect(v.allowed).toBe(false);
    expect(v.decisive[0]!.section).toBe('egressDeny');
  });

  it('the subject selector sees them too: an endpointSelector on the service account selects the pod', () => {
    const p = cnp({ endpointSelector: { matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'client-sa' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'backend' } }], toPorts: TCP_8080 }] });
    const idx = new PolicyIndex({ namespaces: NS, ciliumPolicies: [p], cilium: true });
    expect(idx.selecting(CLIENT).cilium).toHaveLength(1);
    expect(idx.evaluate({ pod: CLIENT, dest: to(BACKEND, 9090) }).allowed).toBe(false);
  });
});

describe('namespaced selectors (getEndpointSelector, pkg/k8s/apis/cilium.io/utils/utils.go)', () => {
  it('a selector on a namespace label is not confined to the policy namespace', () => {
    const p = cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'payments' } }] }] });
    const v = verdict([p], to(PAY_API, 443));
    expect(v.allowed).toBe(true);
    expect(v.explanation).not.toContain('(namespace app)');
  });

  it('a selector without a namespace key means the policy namespace', () => {
    const p = cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [{ matchLabels: { app: 'api' } }] }] });
    expect(verdict([p], to(PAY_API, 443)).allowed).toBe(false);
    expect(verdict([p], to({ ...PAY_API, namespace: 'app' }, 443)).allowed).toBe(true);
  });

  it('io.kubernetes.pod.namespace names another namespace explicitly', () => {
    const p = cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'pay' } }] }] });
    expect(verdict([p], to(PAY_API, 443)).allowed).toBe(true);
  });

  it('a clusterwide policy\'s empty toEndpoints selects every pod, never a world address', () => {
    const p = ccnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [{}] }] });
    expect(verdict([p], to(PAY_API, 443)).allowed).toBe(true);
    expect(verdict([p], { ip: '203.0.113.9', port: 443, kind: 'world' }).allowed).toBe(false);
  });

  it('an empty toEndpoints list selects nothing and is not "toPorts only" (mergeEndpointSelectors: empty non-nil slices)', () => {
    const p = cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEndpoints: [], toPorts: TCP_8080 }] });
    expect(verdict([p], to(BACKEND, 8080)).allowed).toBe(false);
  });
});

describe('destinations with several identities (docs "Entities": host, remote-node, kube-apiserver)', () => {
  const apiOnNode: Destination = { ip: '192.0.2.10', port: 6443, kind: ['kube-apiserver', 'remote-node'] };
  for (const entity of ['kube-apiserver', 'remote-node', 'cluster', 'all']) {
    it(`toEntities ${entity} matches an API server on another node's address`, () => {
      const p = cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEntities: [entity] }] });
      expect(verdict([p], apiOnNode).allowed).toBe(true);
    });
  }
  for (const entity of ['host', 'world']) {
    it(`toEntities ${entity} does not`, () => {
      const p = cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toEntities: [entity] }] });
      expect(verdict([p], apiOnNode).allowed).toBe(false);
    });
  }
  it('toCIDR never selects an in-cluster identity, even when the address is in the range', () => {
    const p = cnp({ endpointSelector: { matchLabels: { app: 'client' } }, egress: [{ toCIDR: ['192.0.2.0/24'] }] });
    expect(verdict([p], apiOnNode).allowed).toBe(false);
    expect(verdict([p], { ip: '192.0.2.10', port: 6443, kind: 'world' }).allowed).toBe(true);
  });
});
