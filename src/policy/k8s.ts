// Kubernetes NetworkPolicy, egress and ingress, with the semantics of the API reference
// (networking.k8s.io/v1) and the concepts page "Network Policies":
// - policyTypes defaults to ["Ingress"], plus "Egress" when the policy has egress rules;
// - a pod is isolated for egress as soon as one policy with Egress in policyTypes selects it;
//   an isolated pod may send only what the UNION of the egress rules of those policies allows;
// - a rule with no `to` allows every destination, with no `ports` every port;
// - a peer is an ipBlock (cidr minus except), or pods chosen by podSelector (in the policy's
//   namespace) / namespaceSelector (all pods of those namespaces) / both (those pods of those
//   namespaces); an empty selector selects everything;
// - a port is a number or a name (a named container port of the destination pod), protocol
//   defaults to TCP, endPort makes a range;
// - ingress is the mirror image at the destination pod: policyTypes includes Ingress by default,
//   `from` peers are matched against the source pod, ports against the destination pod's.
import { cidrContains, parseCIDR, type Cidr } from '../net/ip.ts';
import { ipOf } from './ipcache.ts';
import { compileSelector, selectorText, type Matcher } from './selector.ts';
import type { Flow, NamespaceInfo, NetworkPolicy, NetworkPolicyPeer, NetworkPolicyPort, PolicyRef, RuleRef } from './types.ts';

interface CompiledPeer {
  text: string;
  /** `flow.dest` is the peer: the destination for egress, the source (mirrored) for ingress */
  test(flow: Flow, nsLabels: (ns: string) => Record<string, string> | undefined): boolean;
}

interface CompiledRule {
  peers: CompiledPeer[] | null; // null: every destination
  ports: { text: string; test(flow: Flow): boolean }[] | null; // null: every port
}

export interface CompiledNetworkPolicy {
  ref: PolicyRef;
  namespace: string;
  selects: Matcher;
  egress: boolean;
  rules: CompiledRule[];
  /** Ingress is in the effective policyTypes */
  ingress: boolean;
  ingressRules: CompiledRule[];
  /** every ipBlock except, for explaining a deny */
  excepts: { cidr: Cidr; except: Cidr; text: string }[];
  source: NetworkPolicy;
}

export function effectivePolicyTypes(np: NetworkPolicy): string[] {
  const t = np.spec.policyTypes;
  if (t && t.length) return t;
  const out = ['Ingress'];
  if (np.spec.egress && np.spec.egress.length > 0) out.push('Egress');
  return out;
}

export function compileNetworkPolicy(np: NetworkPolicy): CompiledNetworkPolicy {
  const namespace = np.metadata.namespace ?? 'default';
  const ref: PolicyRef = { kind: 'NetworkPolicy', namespace, name: np.metadata.name };
  return {
    ref,
    namespace,
    selects: compileSelector(np.spec.podSelector ?? {}),
    egress: effectivePolicyTypes(np).includes('Egress'),
    rules: (np.spec.egress ?? []).map((r) => ({
      peers: r.to && r.to.length ? r.to.map((p, i) => compilePeer(p, i, namespace, 'to')) : null,
      ports: r.ports && r.ports.length ? r.ports.map(compilePort) : null,
    })),
    ingress: effectivePolicyTypes(np).includes('Ingress'),
    ingressRules: (np.spec.ingress ?? []).map((r) => ({
      peers: r.from && r.from.length ? r.from.map((p, i) => compilePeer(p, i, namespace, 'from')) : null,
      ports: r.ports && r.ports.length ? r.ports.map(compilePort) : null,
    })),
    excepts: (np.spec.egress ?? []).flatMap((r, ri) =>
      (r.to ?? []).flatMap((p, pi) => {
        const c = p.ipBlock ? parseCIDR(p.ipBlock.cidr, true) : undefined;
        if (!c) return [];
        return (p.ipBlock!.except ?? []).flatMap((e) => {
          const x = parseCIDR(e, true);
          return x ? [{ cidr: c, except: x, text: `egress[${ri}] to[${pi}] ipBlock ${p.ipBlock!.cidr} excepts ${e}` }] : [];
        });
      }),
    ),
    source: np,
  };
}

function compilePeer(p: NetworkPolicyPeer, index: number, policyNs: string, field: 'to' | 'from'): CompiledPeer {
  if (p.ipBlock) {
    const cidr = parseCIDR(p.ipBlock.cidr, true);
    const except = (p.ipBlock.except ?? []).map((e) => parseCIDR(e, true)).filter((c): c is Cidr => !!c);
    const exceptText = p.ipBlock.except?.length ? ` except ${p.ipBlock.except.join(', ')}` : '';
    return {
      text: `${field}[${index}] ipBlock ${p.ipBlock.cidr}${exceptText}`,
      test(flow) {
        const ip = ipOf(flow.dest.ip);
        if (!ip || !cidr || !cidrContains(cidr, ip)) return false;
        return !except.some((e) => cidrContains(e, ip));
      },
    };
  }
  const hasPod = p.podSelector !== undefined && p.podSelector !== null;
  const hasNs = p.namespaceSelector !== undefined && p.namespaceSelector !== null;
  if (!hasPod && !hasNs) {
    // an empty peer is invalid (the API server rejects it); it matches nothing
    return { text: `${field}[${index}] (empty peer)`, test: () => false };
  }
  const podM = compileSelector(p.podSelector ?? {});
  const nsM = hasNs ? compileSelector(p.namespaceSelector) : undefined;
  const parts: string[] = [];
  if (hasNs) parts.push(`namespaceSelector ${selectorText(p.namespaceSelector)}`);
  if (hasPod) parts.push(`podSelector ${selectorText(p.podSelector)}`);
  return {
    text: `${field}[${index}] ${parts.join(' + ')}${hasNs ? '' : ` (namespace ${policyNs})`}`,
    test(flow, nsLabels) {
      const dst = flow.dest.pod;
      if (!dst) return false;
      if (nsM) {
        const labels = nsLabels(dst.namespace);
        if (!nsM(labels ?? { 'kubernetes.io/metadata.name': dst.namespace })) return false;
      } else if (dst.namespace !== policyNs) return false;
      return podM(dst.labels);
    },
  };
}

function compilePort(p: NetworkPolicyPort): { text: string; test(flow: Flow): boolean } {
  const proto = (p.protocol ?? 'TCP').toUpperCase();
  const protoOk = (flow: Flow) => (flow.dest.protocol ?? 'TCP') === proto;
  if (p.port === undefined || p.port === null) return { text: `${proto}/all ports`, test: protoOk };
  const n = typeof p.port === 'number' ? p.port : /^\d+$/.test(p.port) ? Number(p.port) : undefined;
  if (n !== undefined) {
    const end = p.endPort ?? n;
    return {
      text: end !== n ? `${proto}/${n}-${end}` : `${proto}/${n}`,
      test: (flow) => protoOk(flow) && flow.dest.port >= n && flow.dest.port <= end,
    };
  }
  const name = String(p.port);
  return {
    text: `${proto}/${name} (named port)`,
    test(flow) {
      if (!protoOk(flow)) return false;
      const cp = flow.dest.pod?.ports?.find((x) => x.name === name && (x.protocol ?? 'TCP').toUpperCase() === proto);
      return !!cp && cp.containerPort === flow.dest.port;
    },
  };
}

/** ipBlock peers whose cidr contains the address but whose except excludes it. */
export function exceptedBy(cp: CompiledNetworkPolicy, ip: string): string[] {
  const addr = ipOf(ip);
  if (!addr || !cp.excepts.length) return [];
  return cp.excepts.filter((e) => cidrContains(e.cidr, addr) && cidrContains(e.except, addr)).map((e) => e.text);
}

/**
 * The rules of one policy that allow the flow (the policy must select the pod). For ingress,
 * `peerFlow` is the mirrored flow whose `dest` is the source pod, and `flow` the real one (ports
 * and named ports are the destination's).
 */
export function matchNetworkPolicy(
  cp: CompiledNetworkPolicy,
  flow: Flow,
  nsLabels: (ns: string) => Record<string, string> | undefined,
  section: 'egress' | 'ingress' = 'egress',
  peerFlow: Flow = flow,
): RuleRef[] {
  const out: RuleRef[] = [];
  (section === 'egress' ? cp.rules : cp.ingressRules).forEach((rule, ruleIndex) => {
    let peer: string | undefined;
    if (rule.peers === null) peer = section === 'egress' ? 'to: (any destination)' : 'from: (any source)';
    else peer = rule.peers.find((p) => p.test(peerFlow, nsLabels))?.text;
    if (peer === undefined) return;
    let port: string | undefined;
    if (rule.ports === null) port = 'all ports';
    else port = rule.ports.find((p) => p.test(flow))?.text;
    if (port === undefined) return;
    out.push({ ...cp.ref, section, ruleIndex, peer, port });
  });
  return out;
}

export function nsLabelsFrom(namespaces: Map<string, NamespaceInfo>) {
  const cache = new Map<string, Record<string, string>>();
  return (ns: string) => {
    let labels = cache.get(ns);
    if (labels) return labels;
    const n = namespaces.get(ns);
    if (!n) return undefined;
    // every namespace carries kubernetes.io/metadata.name (immutable label since 1.21)
    labels = { 'kubernetes.io/metadata.name': ns, ...n.labels };
    cache.set(ns, labels);
    return labels;
  };
}
