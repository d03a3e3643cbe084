// AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1, the
// network-policy-api project's API reference and NPEPs), both directions:
// - a cluster-scoped policy applies to its `subject`: every pod of the namespaces it selects, or
//   the selected pods of the selected namespaces;
// - AdminNetworkPolicies are evaluated before NetworkPolicies, in `priority` order (0 first; two at
//   the same priority have no defined order); within one, rules in order; the first rule whose
//   peer and ports match decides: Allow accepts (NetworkPolicies are not consulted), Deny drops,
//   Pass hands the flow to the NetworkPolicy tier;
// - NetworkPolicies decide for a pod they isolate; for a pod no NetworkPolicy isolates, the
//   BaselineAdminNetworkPolicy (the singleton "default") decides with Allow or Deny; with no
//   matching baseline rule the flow is allowed;
// - peers: `namespaces` (all pods of those namespaces), `pods` (namespaceSelector + podSelector),
//   and for egress `nodes` (node labels, host-network destinations) and `networks` (CIDRs);
//   ports: `portNumber`, `portRange` (protocol default TCP) and `namedPort` (on the destination pod).
import { cidrContains, parseCIDR, type Cidr } from '../net/ip.ts';
import { ipOf } from './ipcache.ts';
import { kindsOf } from './cilium.ts';
import { compileSelector, selectorText, type Matcher } from './selector.ts';
import type { AdminNetworkPolicy, AdminPeer, AdminPort, Flow, Labels, PodInfo, PolicyRef, RuleRef } from './types.ts';

export interface CompiledAdminPolicy {
  ref: PolicyRef;
  priority: number;
  baseline: boolean;
  subject(pod: PodInfo, nsLabels: Labels): boolean;
  /** whether the subject can hold any pod of a namespace with these labels (cacheable per namespace) */
  subjectNamespace(nsLabels: Labels): boolean;
  rules: { egress: CompiledAdminRule[]; ingress: CompiledAdminRule[] };
}

interface CompiledAdminRule {
  index: number;
  name?: string;
  action: 'Allow' | 'Deny' | 'Pass';
  /** the peer as the flow's `dest` (the source, mirrored, for ingress) */
  peer(flow: Flow, nsLabels: (ns: string) => Labels): string | undefined;
  ports(flow: Flow): string | undefined;
}

export function compileAdminPolicy(p: AdminNetworkPolicy): CompiledAdminPolicy {
  const baseline = p.kind === 'BaselineAdminNetworkPolicy';
  const ref: PolicyRef = { kind: baseline ? 'BaselineAdminNetworkPolicy' : 'AdminNetworkPolicy', name: p.metadata.name };
  const subj = p.spec.subject ?? {};
  let subject: CompiledAdminPolicy['subject'];
  let subjectNamespace: CompiledAdminPolicy['subjectNamespace'];
  if (subj.namespaces) {
    const ns = compileSelector(subj.namespaces);
    subject = (_pod, nsLabels) => ns(nsLabels);
    subjectNamespace = ns;
  } else if (subj.pods) {
    const ns = compileSelector(subj.pods.namespaceSelector ?? {});
    const pods = compileSelector(subj.pods.podSelector ?? {});
    subject = (pod, nsLabels) => ns(nsLabels) && pods(pod.labels);
    subjectNamespace = ns;
  } else subject = subjectNamespace = () => false; // the API server requires one of the two
  const rules = (list: AdminNetworkPolicy['spec']['egress'], dir: 'to' | 'from'): CompiledAdminRule[] =>
    (list ?? []).map((r, index) => {
      const peers = ((dir === 'to' ? r.to : r.from) ?? []).map((x, i) => compilePeer(x, `${dir}[${i}]`));
      const ports = (r.ports ?? []).map(compilePort);
      const action = r.action === 'Allow' || r.action === 'Deny' || r.action === 'Pass' ? r.action : 'Deny';
      return {
        index,
        ...(r.name ? { name: r.name } : {}),
        // Pass is not valid in a baseline policy; the API server rejects it
        action: baseline && action === 'Pass' ? 'Deny' : action,
        peer: (flow, nsLabels) => {
          for (const p of peers) {
            const t = p(flow, nsLabels);
            if (t) return t;
          }
          return undefined;
        },
        ports: (flow) => {
          if (ports.length === 0) return 'all ports';
          for (const p of ports) {
            const t = p(flow);
            if (t) return t;
          }
          return undefined;
        },
      };
    });
  return { ref, priority: baseline ? Number.MAX_SAFE_INTEGER : (p.spec.priority ?? 0), baseline, subject, subjectNamespace, rules: { egress: rules(p.spec.egress, 'to'), ingress: rules(p.spec.ingress, 'from') } };
}

function compilePeer(p: AdminPeer, at: string): (flow: Flow, nsLabels: (ns: string) => Labels) => string | undefined {
  if (p.namespaces) {
    const ns = compileSelector(p.namespaces);
    const text = `${at} namespaces ${selectorText(p.namespaces)}`;
    return (flow, nsLabels) => (flow.dest.pod && kindsOf(flow.dest).includes('pod') && ns(nsLabels(flow.dest.pod.namespace)) ? text : undefined);
  }
  if (p.pods) {
    const ns = compileSelector(p.pods.namespaceSelector ?? {});
    const pods = compileSelector(p.pods.podSelector ?? {});
    const text = `${at} pods ${selectorText(p.pods.namespaceSelector ?? {})} / ${selectorText(p.pods.podSelector ?? {})}`;
    return (flow, nsLabels) => {
      const pod = flow.dest.pod;
      return pod && kindsOf(flow.dest).includes('pod') && ns(nsLabels(pod.namespace)) && pods(pod.labels) ? text : undefined;
    };
  }
  if (p.nodes) {
    const m: Matcher = compileSelector(p.nodes);
    const text = `${at} nodes ${selectorText(p.nodes)}`;
    return (flow) => (flow.dest.node && kindsOf(flow.dest).some((k) => k === 'host' || k === 'remote-node') && m(flow.dest.node.labels) ? text : undefined);
  }
  if (p.networks) {
    const cidrs = p.networks.map((c) => [c, parseCIDR(c, true)] as [string, Cidr | undefined]);
    return (flow) => {
      const ip = ipOf(flow.dest.ip);
      const hit = ip && cidrs.find(([, c]) => c && cidrContains(c, ip));
      return hit ? `${at} networks ${hit[0]}` : undefined;
    };
  }
  return () => undefined;
}

function compilePort(p: AdminPort): (flow: Flow) => string | undefined {
  if (p.portNumber) {
    const proto = (p.portNumber.protocol ?? 'TCP').toUpperCase();
    return (flow) => ((flow.dest.protocol ?? 'TCP') === proto && flow.dest.port === p.portNumber!.port ? `${proto}/${p.portNumber!.port}` : undefined);
  }
  if (p.portRange) {
    const proto = (p.portRange.protocol ?? 'TCP').toUpperCase();
    const { start, end } = p.portRange;
    return (flow) => ((flow.dest.protocol ?? 'TCP') === proto && flow.dest.port >= start && flow.dest.port <= end ? `${proto}/${start}-${end}` : undefined);
  }
  if (p.namedPort) {
    const name = p.namedPort;
    return (flow) => {
      const cp = flow.dest.pod?.ports?.find((x) => x.name === name && (x.protocol ?? 'TCP').toUpperCase() === (flow.dest.protocol ?? 'TCP'));
      return cp && cp.containerPort === flow.dest.port ? `${(cp.protocol ?? 'TCP').toUpperCase()}/${name} (named port → ${cp.containerPort})` : undefined;
    };
  }
  return () => undefined;
}

/**
 * The first rule of the policies (already in evaluation order) that matches: its action decides.
 * `peerFlow` has the peer as `dest` (the source for ingress); `flow` decides the ports.
 */
export function firstAdminMatch(
  policies: CompiledAdminPolicy[],
  dir: 'egress' | 'ingress',
  flow: Flow,
  peerFlow: Flow,
  nsLabels: (ns: string) => Labels,
): RuleRef | undefined {
  for (const p of policies) {
    for (const r of p.rules[dir]) {
      const peer = r.peer(peerFlow, nsLabels);
      if (!peer) continue;
      const port = r.ports(flow);
      if (!port) continue;
      return { ...p.ref, section: dir, ruleIndex: r.index, peer, port, action: r.action, ...(r.name ? { ruleName: r.name } : {}) };
    }
  }
  return undefined;
}
