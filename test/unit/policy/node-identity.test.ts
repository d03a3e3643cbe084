// A node's address as Cilium sees it (docs "Entities based": host = the local host, remote-node =
// any other node, kube-apiserver = the API server wherever it runs; "IP/CIDR based": CIDR rules do
// not select nodes): the verdict names the identity when a default deny drops it, and the fix is a
// toEntities rule, not a CIDR.
import { describe, expect, it } from 'vitest';
import { PolicyIndex, suggestFix, type CiliumPolicy, type Destination, type PodInfo } from '../../../src/policy/index.ts';

const CLIENT: PodInfo = { namespace: 'app', name: 'client', labels: { app: 'client' } };
const policy = (egress: unknown[]): CiliumPolicy => ({ kind: 'CiliumNetworkPolicy', metadata: { name: 'p', namespace: 'app' }, spec: { endpointSelector: { matchLabels: { app: 'client' } }, egress: egress as never } });
const idx = (egress: unknown[]) => new PolicyIndex({ ciliumPolicies: [policy(egress)], cilium: true });
const ownNode: Destination = { ip: '192.0.2.12', port: 10250, kind: 'host', node: { name: 'worker-2', labels: {} } };
const apiOnNode: Destination = { ip: '192.0.2.10', port: 6443, kind: ['kube-apiserver', 'remote-node'], node: { name: 'cp-1', labels: {} } };

describe('node addresses: identities in the verdict and the fix', () => {
  it('the pod\'s own node denied under default deny: the explanation names node and identity; the fix is toEntities [host]', () => {
    const index = idx([{ toCIDR: ['192.0.2.0/24'] }]);
    const v = index.evaluate({ pod: CLIENT, dest: ownNode });
    expect(v.allowed).toBe(false);
    expect(v.explanation).toContain("(node worker-2, the pod's own node: Cilium identity host, which CIDR rules do not select; toEntities [host] does)");
    const fix = suggestFix(index, { pod: CLIENT, dest: ownNode }, v)!;
    expect(fix.yaml).toContain('toEntities:\n    - host');
    expect(fix.summary).toContain('192.0.2.12 is node worker-2, whose Cilium identity is host');
  });
  it('the API server on another node: kube-apiserver + remote-node; the fix prefers kube-apiserver', () => {
    const index = idx([{ toEntities: ['world'] }]);
    const v = index.evaluate({ pod: CLIENT, dest: apiOnNode });
    expect(v.explanation).toContain('Cilium identity kube-apiserver + remote-node');
    expect(suggestFix(index, { pod: CLIENT, dest: apiOnNode }, v)!.yaml).toContain('- kube-apiserver');
  });
  it('allowed by toEntities [remote-node] and by [kube-apiserver], not by [host]', () => {
    expect(idx([{ toEntities: ['remote-node'] }]).evaluate({ pod: CLIENT, dest: apiOnNode }).allowed).toBe(true);
    expect(idx([{ toEntities: ['kube-apiserver'] }]).evaluate({ pod: CLIENT, dest: apiOnNode }).allowed).toBe(true);
    expect(idx([{ toEntities: ['host'] }]).evaluate({ pod: CLIENT, dest: apiOnNode }).allowed).toBe(false);
  });
});
