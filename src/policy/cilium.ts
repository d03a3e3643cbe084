// CiliumNetworkPolicy and CiliumClusterwideNetworkPolicy, egress side, as the Cilium docs
// ("Policy Language", "DNS based", "Deny policies") describe them:
// - endpointSelector selects endpoints; a CNP only those of its own namespace, a CCNP any;
//   selector keys may carry a source prefix (k8s:, any:); the namespace is the label
//   io.kubernetes.pod.namespace, namespace labels io.cilium.k8s.namespace.labels.<key>;
// - a rule with an egress or egressDeny section puts the endpoint into default deny for egress,
//   unless enableDefaultDeny.egress is false;
// - allowed = no egressDeny rule matches (deny always wins) AND (not default-deny OR some allow
//   rule matches); allows of all rules (and of Kubernetes NetworkPolicies) add up;
// - a rule's L3 part: toEndpoints (in a CNP, a selector without a namespace means the policy's
//   namespace), toEntities (all, world, cluster, host, remote-node, kube-apiserver, ...),
//   toCIDR / toCIDRSet (with except; addresses outside the cluster only), toServices,
//   toFQDNs (the name the application asked DNS for); a rule with only toPorts allows any
//   destination on those ports; a rule with neither (`- {}`) allows nothing;
// - toPorts: port (string, "0" or absent = any), endPort, protocol (default ANY); L7 rules
//   (rules.dns) on port 53 make the DNS proxy intercept lookups, which toFQDNs needs to learn IPs.
//   A port may be a name ("Layer 4 Examples", named ports; lowercased like Cilium's Sanitize):
//   it matches the destination endpoint's container port of that name (and that protocol,
//   unless ANY), so only destinations that are pods; a name never matches world, host or a
//   CIDR. endPort does not apply to a name.
import { isIPv4 } from 'node:net';
import { cidrContains, parseCIDR, type Cidr } from '../net/ip.ts';
import { ipOf } from './ipcache.ts';
import { compileFqdn, fqdnText, normalizedCached } from './fqdn.ts';
import {
  CILIUM_NS_LABEL,
  ciliumKey,
  compileSelector,
  selectorText,
  selectsNamespace,
  type Matcher,
} from './selector.ts';
import type {
  CiliumEgressRule,
  CiliumFqdnSelector,
  CiliumIcmpField,
  CiliumIngressRule,
  CiliumPolicy,
  CiliumPortRule,
  CiliumRule,
  DestinationKind,
  Flow,
  Labels,
  PolicyKind,
  PolicyRef,
  RuleRef,
  ServiceInfo,
} from './types.ts';

/** What the engine knows of the flow beyond the flow itself. */
export interface MatchEnv {
  /** the destination pod's endpoint labels as Cilium sees them (ciliumEndpointLabels) */
  destLabels?: Labels;
}

interface PeerMatch {
  text: string;
  fqdn?: boolean;
}

interface CompiledEgressRule {
  index: number;
  /** undefined = no L3 part */
  peer?: (flow: Flow, env: MatchEnv) => PeerMatch | undefined;
  hasL3: boolean;
  ports?: (flow: Flow) => { text: string; l7?: string } | undefined;
  hasPorts: boolean;
  fqdns: CiliumFqdnSelector[];
  /** DNS L7 selectors on port 53, for the DNS proxy */
  dnsRules: CiliumFqdnSelector[];
  dnsPort: boolean;
  raw: CiliumEgressRule;
}

export interface CompiledCiliumRule {
  ref: PolicyRef;
  specIndex?: number;
  namespace?: string;
  selects: (pod: Labels, podNs: string) => boolean;
  /** one label `key=value` every selected endpoint carries (for indexing), if the selector has one */
  indexKey?: string;
  defaultDeny: boolean;
  /** a rule with nodeSelector and no endpointSelector: it selects nodes (host policy), never a pod */
  hostPolicy: boolean;
  egress: CompiledEgressRule[];
  egressDeny: CompiledEgressRule[];
  /** ingress rules, compiled like egress ones with from* read as to* (the peer is the source) */
  ingress: CompiledEgressRule[];
  ingressDeny: CompiledEgressRule[];
  defaultDenyIngress: boolean;
  source: CiliumPolicy;
  rule: CiliumRule;
}

/** What compiling a Cilium policy needs from the rest of the cluster. */
export interface CiliumCompileOptions {
  /** CiliumCIDRGroup name → its CIDRs (spec.externalCIDRs), for toCIDRSet cidrGroupRef */
  cidrGroups?: Map<string, string[]>;
  /** the Services toServices may select (pkg/policy/k8s/service.go translates them) */
  services?: ServiceInfo[];
}

export function compileCiliumPolicy(p: CiliumPolicy, opts: CiliumCompileOptions = {}): CompiledCiliumRule[] {
  const kind: PolicyKind = p.kind === 'CiliumClusterwideNetworkPolicy' ? 'CiliumClusterwideNetworkPolicy' : 'CiliumNetworkPolicy';
  const namespace = kind === 'CiliumNetworkPolicy' ? (p.metadata.namespace ?? 'default') : undefined;
  const ref: PolicyRef = namespace ? { kind, namespace, name: p.metadata.name } : { kind, name: p.metadata.name };
  const rules: { rule: CiliumRule; specIndex?: number }[] = [];
  if (p.spec) rules.push({ rule: p.spec });
  (p.specs ?? []).forEach((rule, i) => rules.push({ rule, specIndex: i }));
  return rules.map(({ rule, specIndex }) => {
    // a rule with nodeSelector and no endpointSelector is a host policy: it selects nodes, not pods
    const epSel = rule.endpointSelector;
    const m: Matcher | undefined = epSel ? compileSelector(epSel, ciliumKey) : undefined;
    const selects = (labels: Labels, podNs: string) => !!m && (namespace === undefined || podNs === namespace) && m(labels);
    const hasEgress = (rule.egress?.length ?? 0) > 0 || (rule.egressDeny?.length ?? 0) > 0;
    const hasIngress = (rule.ingress?.length ?? 0) > 0 || (rule.ingressDeny?.length ?? 0) > 0;
    const first = Object.entries(epSel?.matchLabels ?? {})[0];
    return {
      ref,
      specIndex,
      namespace,
      selects,
      indexKey: first ? `${ciliumKey(first[0])}=${first[1]}` : undefined,
      // evaluateDefaultDenyForRule: an explicit enableDefaultDeny wins, else any egress section
      defaultDeny: rule.enableDefaultDeny?.egress ?? hasEgress,
      egress: (rule.egress ?? []).map((r, i) => compileEgressRule(r, i, namespace, opts)),
      egressDeny: (rule.egressDeny ?? []).map((r, i) => compileEgressRule(r, i, namespace, opts)),
      ingress: (rule.ingress ?? []).map((r, i) => compileEgressRule(asPeerRule(r), i, namespace, opts, 'from')),
      ingressDeny: (rule.ingressDeny ?? []).map((r, i) => compileEgressRule(asPeerRule(r), i, namespace, opts, 'from')),
      defaultDenyIngress: rule.enableDefaultDeny?.ingress ?? hasIngress,
      hostPolicy: !epSel && !!rule.nodeSelector,
      source: p,
      rule,
    };
  });
}

/** Every identity the destination carries (see Destination.kind). */
export function kindsOf(d: Flow['dest']): DestinationKind[] {
  if (d.kind === undefined) return [d.pod ? 'pod' : 'world'];
  return Array.isArray(d.kind) ? d.kind : [d.kind];
}

function entityMatches(entity: string, flow: Flow): boolean {
  const kinds = kindsOf(flow.dest);
  const world = kinds.includes('world');
  switch (entity) {
    case 'all':
      return true;
    case 'world':
      return world;
    case 'world-ipv4':
      return world && isIPv4(flow.dest.ip);
    case 'world-ipv6':
      return world && !isIPv4(flow.dest.ip);
    case 'cluster':
      return kinds.some((k) => k !== 'world');
    case 'host':
    case 'remote-node':
    case 'kube-apiserver':
      return kinds.includes(entity);
    default:
      // health, init, unmanaged, ingress: identities the engine does not model
      return false;
  }
}

/** An ingress rule in the egress rule's shape: its from* peers are the to* of the mirrored flow. */
function asPeerRule(r: CiliumIngressRule): CiliumEgressRule {
  return {
    toEndpoints: r.fromEndpoints,
    toEntities: r.fromEntities,
    toCIDR: r.fromCIDR,
    toCIDRSet: r.fromCIDRSet,
    toNodes: r.fromNodes,
    toGroups: r.fromGroups,
    toPorts: r.toPorts,
    icmps: r.icmps,
  };
}

function compileEgressRule(r: CiliumEgressRule, index: number, policyNs: string | undefined, opts: CiliumCompileOptions, dir: 'to' | 'from' = 'to'): CompiledEgressRule {
  // peer texts name the field as the policy spells it: toEndpoints / fromEndpoints …
  const f = (name: string) => (dir === 'to' ? name : `from${name.slice(2)}`);
  const peers: ((flow: Flow, env: MatchEnv) => PeerMatch | undefined)[] = [];
  (r.toEndpoints ?? []).forEach((sel, i) => {
    const reserved = Object.keys(sel.matchLabels ?? {}).find((k) => k.startsWith('reserved:'));
    if (reserved) {
      const entity = reserved.slice('reserved:'.length);
      peers.push((flow) => (entityMatches(entity, flow) ? { text: `${f('toEndpoints')}[${i}] ${selectorText(sel)}` } : undefined));
      return;
    }
    // getEndpointSelector: a selector that names no namespace (neither the pod's namespace label
    // nor a namespace's labels) means the policy's own namespace; in a clusterwide policy, any
    // endpoint that has a namespace (a pod), never a bare address
    const m = compileSelector(sel, ciliumKey);
    const sameNs = policyNs !== undefined && !selectsNamespace(sel);
    const text = `${f('toEndpoints')}[${i}] ${selectorText(sel)}${sameNs ? ` (namespace ${policyNs})` : ''}`;
    peers.push((flow, env) => {
      const dst = flow.dest.pod;
      if (!dst) return undefined;
      if (sameNs && dst.namespace !== policyNs) return undefined;
      return m(env.destLabels ?? { ...dst.labels, [CILIUM_NS_LABEL]: dst.namespace }) ? { text } : undefined;
    });
  });
  (r.toEntities ?? []).forEach((e, i) => {
    peers.push((flow) => (entityMatches(e, flow) ? { text: `${f('toEntities')}[${i}] ${e}` } : undefined));
  });
  const cidrPeer = (text: string, cidr: Cidr | undefined, except: Cidr[]) => (flow: Flow) => {
    if (!kindsOf(flow.dest).includes('world')) return undefined;
    const ip = ipOf(flow.dest.ip);
    if (!ip || !cidr || !cidrContains(cidr, ip) || except.some((x) => cidrContains(x, ip))) return undefined;
    return { text };
  };
  (r.toCIDR ?? []).forEach((c, i) => peers.push(cidrPeer(`${f('toCIDR')}[${i}] ${c}`, parseCIDR(c, true) ?? parseCIDR(`${c}/${c.includes(':') ? 128 : 32}`), [])));
  (r.toCIDRSet ?? []).forEach((c, i) => {
    const except = (c.except ?? []).map((x) => parseCIDR(x, true)).filter((x): x is Cidr => !!x);
    const exceptText = c.except?.length ? ` except ${c.except.join(', ')}` : '';
    if (c.cidr) {
      peers.push(cidrPeer(`${f('toCIDRSet')}[${i}] ${c.cidr}${exceptText}`, parseCIDR(c.cidr, true), except));
    } else if (c.cidrGroupRef) {
      // a CiliumCIDRGroup: each of its CIDRs, minus the rule's except (an unknown group selects nothing)
      for (const g of opts.cidrGroups?.get(c.cidrGroupRef) ?? []) {
        peers.push(cidrPeer(`${f('toCIDRSet')}[${i}] cidrGroupRef ${c.cidrGroupRef} (${g})${exceptText}`, parseCIDR(g, true), except));
      }
    }
  });
  (r.toNodes ?? []).forEach((sel, i) => {
    // getNodeSelector: the node's labels, and only remote-node identities
    const m = compileSelector(sel, ciliumKey);
    peers.push((flow) => (kindsOf(flow.dest).includes('remote-node') && flow.dest.node && m(flow.dest.node.labels) ? { text: `${f('toNodes')}[${i}] ${selectorText(sel)}` } : undefined));
  });
  (r.toServices ?? []).forEach((s, i) => {
    // pkg/policy/k8s/service.go (resolveToServices, processRule): a toServices entry selects Services
    // by name (serviceRefMatches) or by their labels (serviceSelectorMatches); an empty namespace
    // matches every namespace (`ref.Namespace == svcID.Namespace || ref.Namespace == ""`). Each
    // selected Service is translated: one with a selector into toEndpoints {its selector, its
    // namespace} (appendSelector), so its pods match however they are reached (ClusterIP, DNS name,
    // pod address); one without a selector into toCIDRSet of its endpoint addresses (appendEndpoints).
    let refMatches: (svc: ServiceInfo) => boolean;
    let text: string;
    if (s.k8sService) {
      const name = s.k8sService.serviceName;
      const ns = s.k8sService.namespace || undefined;
      refMatches = (svc) => svc.name === name && (ns === undefined || svc.namespace === ns);
      text = `toServices[${i}] k8sService ${ns ? `${ns}/` : ''}${name}`;
    } else if (s.k8sServiceSelector) {
      const m = compileSelector(s.k8sServiceSelector.selector ?? {}, ciliumKey);
      const ns = s.k8sServiceSelector.namespace || undefined;
      refMatches = (svc) => (ns === undefined || svc.namespace === ns) && m(svc.labels);
      text = `toServices[${i}] k8sServiceSelector ${selectorText(s.k8sServiceSelector.selector)}${ns ? ` (namespace ${ns})` : ''}`;
    } else return;
    const selected = (opts.services ?? []).filter(refMatches);
    const bySelector = selected
      .filter((svc) => svc.selector && Object.keys(svc.selector).length > 0)
      .map((svc) => ({ svc, m: compileSelector({ matchLabels: svc.selector! }) }));
    const byAddress = new Map<string, ServiceInfo>();
    for (const svc of selected) if (!svc.selector || Object.keys(svc.selector).length === 0) for (const a of svc.addresses ?? []) byAddress.set(a, svc);
    const svcText = (svc: ServiceInfo) => `${svc.namespace}/${svc.name}`;
    peers.push((flow) => {
      const d = flow.dest;
      if (d.service && refMatches(d.service)) return { text: `${text} (Service ${svcText(d.service)})` };
      if (d.pod && kindsOf(d).includes('pod')) {
        for (const { svc, m } of bySelector) {
          if (d.pod.namespace === svc.namespace && m(d.pod.labels)) return { text: `${text} (Service ${svcText(svc)} selects the pod: ${selectorText({ matchLabels: svc.selector! })})` };
        }
      }
      if (kindsOf(d).includes('world')) {
        const svc = byAddress.get(d.ip);
        if (svc) return { text: `${text} (Service ${svcText(svc)} without selector: endpoint ${d.ip})` };
      }
      return undefined;
    });
  });
  const fqdns = r.toFQDNs ?? [];
  fqdns.forEach((sel, i) => {
    const test = compileFqdn(sel);
    const text = `toFQDNs[${i}] ${fqdnText(sel)}`;
    peers.push((flow) => (flow.dest.host && test(normalizedCached(flow.dest.host)) ? { text, fqdn: true } : undefined));
  });
  // an L3 field that is present but empty (`toEndpoints: []`) selects nothing, and still makes
  // the rule an L3 rule (mergeEndpointSelectors: "empty non-nil slices")
  const hasL3 =
    peers.length > 0 ||
    [r.toEndpoints, r.toEntities, r.toCIDR, r.toCIDRSet, r.toServices, r.toFQDNs, r.toNodes, r.toGroups].some((x) => Array.isArray(x));

  const portRules = r.toPorts ?? [];
  const icmpFields = (r.icmps ?? []).flatMap((ir) => ir.fields ?? []);
  const hasL4 = portRules.length > 0 || icmpFields.length > 0;
  const dnsRules: CiliumFqdnSelector[] = [];
  let dnsPort = false;
  for (const pr of portRules) {
    if (pr.rules?.dns && portsCover(pr, 53, 'UDP')) {
      dnsPort = true;
      dnsRules.push(...pr.rules.dns);
    }
  }
  return {
    index,
    hasL3,
    peer: peers.length ? (flow, env) => {
      for (const p of peers) {
        const m = p(flow, env);
        if (m) return m;
      }
      return undefined;
    } : undefined,
    hasPorts: hasL4,
    // the rule's L4 part is toPorts and icmps together: a flow must match one of their clauses
    // (pkg/policy/api/egress.go: icmps become port rules of the same rule)
    ports: hasL4
      ? (flow) => {
          const proto = flow.dest.protocol ?? 'TCP';
          if (proto === 'ICMP' || proto === 'ICMPv6') {
            const type = flow.dest.icmpType ?? (proto === 'ICMP' ? 8 : 128);
            const i = icmpFields.findIndex((f) => icmpFieldMatches(f, proto, type));
            return i >= 0 ? { text: `icmps ${icmpText(icmpFields[i]!)}` } : undefined;
          }
          for (let i = 0; i < portRules.length; i++) {
            const t = portMatch(portRules[i]!, flow.dest.port, proto, flow);
            if (t) return { text: `toPorts[${i}] ${t}`, l7: l7Text(portRules[i]!) };
          }
          return undefined;
        }
      : undefined,
    fqdns,
    dnsRules,
    dnsPort,
    raw: r,
  };
}

/** ICMP type names Cilium accepts in `icmps` (ICMPField), per family. */
const ICMP_TYPES: Record<'IPv4' | 'IPv6', Record<string, number>> = {
  IPv4: { EchoReply: 0, DestinationUnreachable: 3, Redirect: 5, EchoRequest: 8, RouterAdvertisement: 9, RouterSelection: 10, TimeExceeded: 11, ParameterProblem: 12, Timestamp: 13, TimestampReply: 14, Photuris: 40, ExtendedEchoRequest: 42, ExtendedEchoReply: 43 },
  IPv6: { DestinationUnreachable: 1, PacketTooBig: 2, TimeExceeded: 3, ParameterProblem: 4, EchoRequest: 128, EchoReply: 129, MulticastListenerQuery: 130, MulticastListenerReport: 131, MulticastListenerDone: 132, RouterSolicitation: 133, RouterAdvertisement: 134, NeighborSolicitation: 135, NeighborAdvertisement: 136, RedirectMessage: 137 },
};

function icmpFieldMatches(f: CiliumIcmpField, proto: 'ICMP' | 'ICMPv6', type: number): boolean {
  const family = (f.family ?? 'IPv4').toLowerCase() === 'ipv6' ? 'IPv6' : 'IPv4';
  if ((family === 'IPv6') !== (proto === 'ICMPv6')) return false;
  const t = typeof f.type === 'number' ? f.type : /^\d+$/.test(f.type) ? Number(f.type) : ICMP_TYPES[family][f.type];
  return t === type;
}

function icmpText(f: CiliumIcmpField): string {
  return `${f.family ?? 'IPv4'} type ${f.type}`;
}

/** The L7 rules of a port clause, quoted as in the policy (http, kafka, dns, l7proto). */
function l7Text(pr: CiliumPortRule): string | undefined {
  const rules = pr.rules;
  if (!rules) return undefined;
  const parts = Object.entries(rules)
    .filter(([, v]) => v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0))
    .map(([k, v]) => `${k}: ${JSON.stringify(v)}`);
  return parts.length ? parts.join('; ') : undefined;
}

function portMatch(pr: CiliumPortRule, port: number, proto: string, flow?: Flow): string | undefined {
  if (proto === 'ICMP' || proto === 'ICMPv6') return undefined; // ports (and ANY) are TCP, UDP, SCTP
  if (!pr.ports || pr.ports.length === 0) return 'all ports';
  for (const p of pr.ports) {
    const pp = (p.protocol ?? 'ANY').toUpperCase();
    if (pp !== 'ANY' && pp !== proto) continue;
    const raw = p.port === undefined ? '' : String(p.port).trim();
    const n = raw === '' ? 0 : /^\d+$/.test(raw) ? Number(raw) : NaN;
    if (Number.isNaN(n)) {
      // a named port: the destination pod's container port of that name
      const name = raw.toLowerCase();
      const dst = flow?.dest.pod && kindsOf(flow.dest).includes('pod') ? flow.dest.pod : undefined;
      const cp = dst?.ports?.find(
        (x) => (x.name ?? '').toLowerCase() === name && x.containerPort === port && (x.protocol ?? 'TCP').toUpperCase() === proto,
      );
      if (cp) return `${pp}/${name} (named port → ${cp.containerPort})`;
      continue;
    }
    if (n === 0) return `${pp}/any port`;
    const end = p.endPort ?? n;
    if (port >= n && port <= end) return end !== n ? `${pp}/${n}-${end}` : `${pp}/${n}`;
  }
  return undefined;
}

function portsCover(pr: CiliumPortRule, port: number, proto: string): boolean {
  return portMatch(pr, port, proto) !== undefined;
}

/**
 * The first way a rule matches a flow, or undefined. For an ingress rule `flow` is the mirrored
 * flow (its `dest` is the source) and `portFlow` the real one, whose port and pod decide toPorts.
 */
export function matchEgressRule(
  rule: CompiledEgressRule,
  flow: Flow,
  env: MatchEnv = {},
  portFlow: Flow = flow,
): { peer: string; port: string; fqdn: boolean; l7?: string } | undefined {
  let peer: PeerMatch | undefined;
  if (rule.peer) {
    peer = rule.peer(flow, env);
    if (!peer) return undefined;
  } else if (rule.hasL3) {
    return undefined; // only toNodes / toGroups, or empty selector lists: nothing the engine can match
  } else if (rule.hasPorts) {
    peer = { text: '(any destination: toPorts only)' };
  } else {
    return undefined; // `- {}`: allows nothing
  }
  let port = 'all ports';
  let l7: string | undefined;
  if (rule.ports) {
    const p = rule.ports(portFlow);
    if (!p) return undefined;
    port = p.text;
    l7 = p.l7;
  }
  return { peer: peer.text, port, fqdn: !!peer.fqdn, ...(l7 ? { l7 } : {}) };
}

export function ruleRef(cr: CompiledCiliumRule, section: RuleRef['section'], ruleIndex: number, peer: string, port: string, l7?: string): RuleRef {
  const r: RuleRef = { ...cr.ref, section, ruleIndex, peer, port };
  if (l7) r.l7 = l7;
  if (cr.specIndex !== undefined) r.specIndex = cr.specIndex;
  return r;
}
