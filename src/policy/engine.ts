// The policy engine: an index of every NetworkPolicy and Cilium policy of a cluster, and the
// verdict for a pod → destination flow with the exact rules that decide it. Pure: no I/O.
//
// How the two kinds combine: without Cilium, only NetworkPolicies exist. With Cilium (the
// cluster has Cilium policies, or the caller says so), Cilium enforces NetworkPolicies too and
// merges every rule that selects an endpoint: an egressDeny that matches wins; otherwise the
// flow is allowed when no rule puts the pod into default deny, or when ANY allow rule (of a
// NetworkPolicy or a Cilium policy) matches.
import { matchEgressRule, compileCiliumPolicy, kindsOf, ruleRef, type CompiledCiliumRule } from './cilium.ts';
import { fqdnMatches, fqdnText, normalizeName } from './fqdn.ts';
import { compileNetworkPolicy, exceptedBy, matchNetworkPolicy, nsLabelsFrom, type CompiledNetworkPolicy } from './k8s.ts';
import { ciliumEndpointLabels, DEFAULT_CILIUM_CLUSTER } from './selector.ts';
import { compileAdminPolicy, firstAdminMatch, type CompiledAdminPolicy } from './admin.ts';
import {
  refText,
  ruleText,
  type AdminNetworkPolicy,
  type CiliumFqdnSelector,
  type CiliumPolicy,
  type EngineVerdict,
  type Flow,
  type NamespaceInfo,
  type NetworkPolicy,
  type PodInfo,
  type PolicyRef,
  type RuleRef,
  type ServiceInfo,
  type Verdict,
} from './types.ts';

export interface ClusterPolicies {
  namespaces?: NamespaceInfo[];
  networkPolicies?: NetworkPolicy[];
  ciliumPolicies?: CiliumPolicy[];
  /** Cilium enforces policy; default: true when any Cilium policy is given */
  cilium?: boolean;
  /** Cilium's cluster name (`cluster-name` in the cilium-config ConfigMap; default "default") */
  clusterName?: string;
  /** CiliumCIDRGroups (cilium.io/v2alpha1): name and spec.externalCIDRs, for toCIDRSet cidrGroupRef */
  cidrGroups?: { name: string; cidrs: string[] }[];
  /** AdminNetworkPolicies and the BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) */
  adminPolicies?: AdminNetworkPolicy[];
  /** the Services toServices rules may select (their labels, selector, and for selector-less ones their endpoint addresses) */
  services?: ServiceInfo[];
}

export interface Selecting {
  k8s: CompiledNetworkPolicy[];
  cilium: CompiledCiliumRule[];
}

/** Where the DNS proxy stands for one name (toFQDNs only learns addresses through it). */
export interface DnsProxyStatus {
  /** some Cilium rule selecting the pod intercepts DNS on port 53 with L7 dns rules */
  intercepted: boolean;
  /** ... and one of those dns rules matches the name */
  covers: boolean;
  rules: RuleRef[];
}

/** Both sides of an in-cluster flow (see PolicyIndex.evaluatePath). */
export interface PathVerdict {
  allowed: boolean;
  egress: Verdict;
  /** absent when the destination is not a pod (no ingress policy can apply) */
  ingress?: Verdict;
  /** the side that drops the flow */
  drops?: 'egress' | 'ingress';
  explanation: string;
}

export interface CnameHint {
  kind: 'target-listed' | 'alias-listed';
  /** the name the application dials */
  dialled: string;
  /** the name the allow-list names instead */
  listed: string;
  rule: RuleRef;
}

export class PolicyIndex {
  readonly ciliumEnforces: boolean;
  private readonly namespaces = new Map<string, NamespaceInfo>();
  private readonly npByNs = new Map<string, CompiledNetworkPolicy[]>();
  private readonly cnpByNs = new Map<string, CompiledCiliumRule[]>();
  /** clusterwide rules without a matchLabels entry: tried for every pod */
  private readonly ccnp: CompiledCiliumRule[] = [];
  /** clusterwide rules by one `key=value` their selector requires: tried only for pods with it */
  private readonly ccnpByLabel = new Map<string, CompiledCiliumRule[]>();
  private readonly nsLabels: (ns: string) => Record<string, string> | undefined;
  private readonly selectingCache = new Map<string, Selecting>();
  /** AdminNetworkPolicies in evaluation order (priority), and the baseline */
  private readonly admin: CompiledAdminPolicy[] = [];
  private readonly baseline: CompiledAdminPolicy[] = [];
  private readonly adminByNs = new Map<string, CompiledAdminPolicy[]>();
  /** clusterwide rules with a nodeSelector: host policies, which never select a pod */
  private readonly hostPolicies: PolicyRef[] = [];
  readonly counts: { networkPolicies: number; ciliumPolicies: number };
  readonly clusterName: string;

  constructor(input: ClusterPolicies) {
    this.clusterName = input.clusterName ?? DEFAULT_CILIUM_CLUSTER;
    for (const n of input.namespaces ?? []) this.namespaces.set(n.name, n);
    this.nsLabels = nsLabelsFrom(this.namespaces);
    for (const np of input.networkPolicies ?? []) {
      const c = compileNetworkPolicy(np);
      const list = this.npByNs.get(c.namespace);
      if (list) list.push(c);
      else this.npByNs.set(c.namespace, [c]);
    }
    for (const a of input.adminPolicies ?? []) {
      const c = compileAdminPolicy(a);
      (c.baseline ? this.baseline : this.admin).push(c);
    }
    this.admin.sort((a, b) => a.priority - b.priority);
    const cidrGroups = new Map((input.cidrGroups ?? []).map((g) => [g.name, g.cidrs]));
    for (const p of input.ciliumPolicies ?? []) {
      for (const c of compileCiliumPolicy(p, { cidrGroups, services: input.services })) {
        if (c.hostPolicy) {
          this.hostPolicies.push(c.ref);
          continue;
        }
        if (c.namespace === undefined) {
          if (c.indexKey === undefined) this.ccnp.push(c);
          else {
            const list = this.ccnpByLabel.get(c.indexKey);
            if (list) list.push(c);
            else this.ccnpByLabel.set(c.indexKey, [c]);
          }
        } else {
          const list = this.cnpByNs.get(c.namespace);
          if (list) list.push(c);
          else this.cnpByNs.set(c.namespace, [c]);
        }
      }
    }
    this.ciliumEnforces = input.cilium ?? (input.ciliumPolicies?.length ?? 0) > 0;
    this.counts = { networkPolicies: input.networkPolicies?.length ?? 0, ciliumPolicies: input.ciliumPolicies?.length ?? 0 };
  }

  /** The policies that select the pod for egress. */
  selecting(pod: PodInfo): Selecting {
    return this.select(pod, 'egress');
  }

  /** The policies that select the pod for ingress (the destination side of a flow). */
  selectingIngress(pod: PodInfo): Selecting {
    return this.select(pod, 'ingress');
  }

  private select(pod: PodInfo, dir: 'egress' | 'ingress'): Selecting {
    const key = `${dir} ${pod.namespace}/${pod.name}`;
    const cached = this.selectingCache.get(key);
    if (cached) return cached;
    // with Cilium enforcing, a NetworkPolicy's podSelector sees the labels Cilium adds too
    const podLabels = this.ciliumEnforces ? this.endpointLabels(pod) : pod.labels;
    const k8s = (this.npByNs.get(pod.namespace) ?? []).filter((p) => (dir === 'egress' ? p.egress : p.ingress) && p.selects(podLabels));
    const cilium: CompiledCiliumRule[] = [];
    const cnp = this.cnpByNs.get(pod.namespace) ?? [];
    if (cnp.length || this.ccnp.length || this.ccnpByLabel.size) {
      const labels = this.endpointLabels(pod);
      const applies = (r: CompiledCiliumRule) =>
        dir === 'egress' ? r.egress.length > 0 || r.egressDeny.length > 0 || r.defaultDeny : r.ingress.length > 0 || r.ingressDeny.length > 0 || r.defaultDenyIngress;
      const take = (list: CompiledCiliumRule[]) => {
        for (const r of list) if (applies(r) && r.selects(labels, pod.namespace)) cilium.push(r);
      };
      take(cnp);
      take(this.ccnp);
      if (this.ccnpByLabel.size) {
        for (const k in labels) {
          const list = this.ccnpByLabel.get(`${k}=${labels[k]}`);
          if (list) take(list);
        }
      }
    }
    const s = { k8s, cilium };
    // bounded: the CLI asks for a few pods many times; a whole-cluster sweep must not retain them all
    if (this.selectingCache.size >= 1024) this.selectingCache.clear();
    this.selectingCache.set(key, s);
    return s;
  }

  /** A pod's labels as Cilium's selectors see them (its own and the ones Cilium adds). */
  endpointLabels(pod: PodInfo): Record<string, string> {
    return ciliumEndpointLabels(pod, this.namespaces.get(pod.namespace), this.clusterName);
  }

  /** The verdict for one flow at its source: the source pod's egress, with the rules that decide it. */
  evaluate(flow: Flow): Verdict {
    return this.evaluateSide(flow, 'egress');
  }

  /**
   * The verdict at the destination: the destination pod's ingress for traffic from the source pod
   * (NetworkPolicy `ingress`, Cilium `ingress` / `ingressDeny`). Only for flows to a pod.
   */
  evaluateIngress(flow: Flow): Verdict | undefined {
    if (!flow.dest.pod || !kindsOf(flow.dest).includes('pod')) return undefined;
    return this.evaluateSide(flow, 'ingress');
  }

  /**
   * Both sides of an in-cluster flow: the source's egress AND the destination's ingress must allow
   * it. `drops` names the side that drops it (egress first: a packet the source drops never arrives).
   */
  evaluatePath(flow: Flow): PathVerdict {
    const egress = this.evaluate(flow);
    const ingress = this.evaluateIngress(flow);
    const drops = !egress.allowed ? 'egress' : ingress && !ingress.allowed ? 'ingress' : undefined;
    const allowed = drops === undefined;
    const explanation =
      drops === 'egress'
        ? `dropped at the source: ${egress.explanation}`
        : drops === 'ingress'
          ? `the source may send it (${egress.explanation.replace(/\.$/, '')}), but it is dropped at the destination: ${ingress!.explanation}`
          : ingress
            ? `allowed on both sides: egress: ${egress.explanation} Ingress: ${ingress.explanation}`
            : egress.explanation;
    return { allowed, egress, ...(ingress ? { ingress } : {}), ...(drops ? { drops } : {}), explanation };
  }

  /**
   * One side of a flow through the tiers: AdminNetworkPolicies (Allow and Deny decide, Pass goes
   * on), then NetworkPolicies and Cilium policies for a pod they isolate, then the
   * BaselineAdminNetworkPolicy, then the default: allowed.
   */
  private evaluateSide(flow: Flow, dir: 'egress' | 'ingress'): Verdict {
    // the pod whose policies decide, and the flow as its rules see it: for ingress the peer is the
    // source, so the rules match a mirrored flow whose `dest` is the source pod
    const subject = dir === 'egress' ? flow.pod : flow.dest.pod!;
    const peerFlow: Flow = dir === 'egress' ? flow : mirror(flow);
    const where = dir === 'egress' ? destText(flow) : `${destText(flow)} from ${podText(flow.pod)}`;
    const nsL = (ns: string) => this.nsLabels(ns) ?? { 'kubernetes.io/metadata.name': ns };
    const subjectNs = nsL(subject.namespace);
    let passed: RuleRef | undefined;
    if (this.admin.length) {
      const hit = firstAdminMatch(this.adminFor(this.admin, subject, subjectNs), dir, flow, peerFlow, nsL);
      if (hit && hit.action !== 'Pass') return this.tierVerdict(flow, peerFlow, dir, 'admin', hit, `${where} is ${hit.action === 'Allow' ? 'allowed' : 'denied'} by ${ruleText(hit)}: AdminNetworkPolicies decide before NetworkPolicies.`);
      if (hit) passed = hit;
    }
    const v = this.policyTier(flow, peerFlow, dir, subject, where);
    if (passed) (v.notes ??= []).unshift(`${ruleText(passed)} passes ${where} on to the NetworkPolicy tier.`);
    if (v.tier === 'policy' || !this.baseline.length) return v;
    const b = firstAdminMatch(this.adminFor(this.baseline, subject, subjectNs), dir, flow, peerFlow, nsL);
    if (!b) return v;
    const base = this.tierVerdict(flow, peerFlow, dir, 'baseline', b, `no NetworkPolicy isolates ${podText(subject)} for ${dir}, so the baseline decides: ${where} is ${b.action === 'Allow' ? 'allowed' : 'denied'} by ${ruleText(b)}.`);
    if (v.notes) base.notes = [...v.notes, ...(base.notes ?? [])];
    return base;
  }

  /** The admin (or baseline) policies whose subject holds the pod, in order; the namespace part cached. */
  private adminFor(list: CompiledAdminPolicy[], pod: PodInfo, nsLabels: Record<string, string>): CompiledAdminPolicy[] {
    const key = list === this.admin ? `a ${pod.namespace}` : `b ${pod.namespace}`;
    let byNs = this.adminByNs.get(key);
    if (!byNs) {
      byNs = list.filter((p) => p.subjectNamespace(nsLabels));
      this.adminByNs.set(key, byNs);
    }
    return byNs.filter((p) => p.subject(pod, nsLabels));
  }

  /** A verdict decided by an admin or baseline rule (the other engines' views kept as evidence). */
  private tierVerdict(flow: Flow, peerFlow: Flow, dir: 'egress' | 'ingress', tier: 'admin' | 'baseline', rule: RuleRef, explanation: string): Verdict {
    const sel = dir === 'egress' ? this.selecting(flow.pod) : this.selectingIngress(flow.dest.pod!);
    return {
      allowed: rule.action === 'Allow',
      k8s: this.evaluateK8s(flow, peerFlow, sel.k8s, dir),
      cilium: this.evaluateCilium(flow, peerFlow, sel.cilium, dir),
      decisive: [rule],
      explanation,
      tier,
    };
  }

  /** The NetworkPolicy and Cilium tier; tier 'policy' when some policy isolates the pod, else 'default'. */
  private policyTier(flow: Flow, peerFlow: Flow, dir: 'egress' | 'ingress', subject: PodInfo, where: string): Verdict {
    const sel = dir === 'egress' ? this.selecting(subject) : this.selectingIngress(subject);
    const k8s = this.evaluateK8s(flow, peerFlow, sel.k8s, dir);
    const cilium = this.evaluateCilium(flow, peerFlow, sel.cilium, dir);
    let allowed: boolean;
    let decisive: RuleRef[];
    let explanation: string;
    const deny = dir === 'egress' ? 'egressDeny' : 'ingressDeny';
    if (!this.ciliumEnforces) {
      allowed = k8s.allowed;
      decisive = k8s.allowedBy;
      explanation = k8s.explanation;
    } else if (cilium.deniedBy.length) {
      allowed = false;
      decisive = cilium.deniedBy;
      explanation = `${where} is denied by ${ruleText(cilium.deniedBy[0]!)}: an ${deny} rule wins over every allow${
        k8s.allowedBy.length || cilium.allowedBy.length ? ` (also allowed by ${ruleText([...cilium.allowedBy, ...k8s.allowedBy][0]!)}, which does not count)` : ''
      }.`;
    } else if (!k8s.isolated && !cilium.isolated) {
      allowed = true;
      decisive = [];
      explanation = `no policy selects ${podText(subject)} for ${dir}: ${where} is allowed (no default deny).`;
    } else {
      const allows = [...cilium.allowedBy, ...k8s.allowedBy];
      allowed = allows.length > 0;
      decisive = allows;
      const selectors = [...cilium.selectedBy, ...k8s.selectedBy].map(refText).join(', ');
      explanation = allowed
        ? `${where} is allowed by ${ruleText(allows[0]!)}.`
        : `${podText(subject)} is in default deny for ${dir} (selected by ${selectors}) and no rule allows ${where}${
            cilium.explanation.includes('DNS proxy') ? `: ${cilium.explanation}` : `${dir === 'egress' && this.ciliumEnforces ? identityText(flow) : ''}.`
          }`;
    }
    const notes: string[] = [];
    if (allowed) {
      for (const r of decisive) if (r.l7) notes.push(`${ruleText(r)}: the L7 rules then also apply to every request on this connection; the engine decides at L3/L4 only.`);
    }
    if (this.ciliumEnforces && this.hostPolicies.length) {
      notes.push(`${uniqueRefs(this.hostPolicies).map(refText).join(', ')} select${this.hostPolicies.length === 1 ? 's' : ''} nodes (nodeSelector): host policies govern the node's own traffic, not pod ${dir}, and are not part of this verdict.`);
    }
    const decided = this.ciliumEnforces ? k8s.isolated || cilium.isolated || cilium.deniedBy.length > 0 : k8s.isolated;
    return { allowed, k8s, cilium, decisive, explanation, tier: decided ? 'policy' : 'default', ...(notes.length ? { notes } : {}) };
  }

  private evaluateK8s(flow: Flow, peerFlow: Flow, sel: CompiledNetworkPolicy[], dir: 'egress' | 'ingress'): EngineVerdict {
    const subject = dir === 'egress' ? flow.pod : flow.dest.pod!;
    const selectedBy = sel.map((p) => p.ref);
    const allowedBy = sel.flatMap((p) => matchNetworkPolicy(p, flow, this.nsLabels, dir, peerFlow));
    const isolated = sel.length > 0;
    const allowed = !isolated || allowedBy.length > 0;
    const where = dir === 'egress' ? destText(flow) : `${destText(flow)} from ${podText(flow.pod)}`;
    let explanation: string;
    if (!isolated) explanation = `no NetworkPolicy selects ${podText(subject)} for ${dir}: NetworkPolicies allow ${where}.`;
    else if (allowed) explanation = `${where} is allowed by ${ruleText(allowedBy[0]!)}.`;
    else
      explanation = `${sel.length === 1 ? 'NetworkPolicy' : `${sel.length} NetworkPolicies`} ${selectedBy
        .map((r) => `${r.namespace}/${r.name}`)
        .join(', ')} select${sel.length === 1 ? 's' : ''} ${podText(subject)} for ${dir} and none of their rules allows ${where}: denied by default.${dir === 'egress' ? excepts(sel, flow.dest.ip) : ''}`;
    return { engine: 'k8s', selectedBy, isolated, allowed, allowedBy, deniedBy: [], explanation };
  }

  private evaluateCilium(flow: Flow, peerFlow: Flow, sel: CompiledCiliumRule[], dir: 'egress' | 'ingress'): EngineVerdict {
    const subject = dir === 'egress' ? flow.pod : flow.dest.pod!;
    const selectedBy = uniqueRefs(sel.map((r) => r.ref));
    const isolated = sel.some((r) => (dir === 'egress' ? r.defaultDeny : r.defaultDenyIngress));
    const allowedBy: RuleRef[] = [];
    const deniedBy: RuleRef[] = [];
    const fqdnOnly: RuleRef[] = [];
    const peerPod = peerFlow.dest.pod;
    const env = peerPod ? { destLabels: this.endpointLabels(peerPod) } : {};
    const [allowSection, denySection] = dir === 'egress' ? (['egress', 'egressDeny'] as const) : (['ingress', 'ingressDeny'] as const);
    for (const r of sel) {
      for (const er of dir === 'egress' ? r.egressDeny : r.ingressDeny) {
        const m = matchEgressRule(er, peerFlow, env, flow);
        if (m) deniedBy.push(ruleRef(r, denySection, er.index, m.peer, m.port, m.l7));
      }
      for (const er of dir === 'egress' ? r.egress : r.ingress) {
        const m = matchEgressRule(er, peerFlow, env, flow);
        if (!m) continue;
        const ref = ruleRef(r, allowSection, er.index, m.peer, m.port, m.l7);
        if (m.fqdn) fqdnOnly.push(ref);
        else allowedBy.push(ref);
      }
    }
    // toFQDNs selects addresses only after the DNS proxy saw them returned for the name
    let dnsNote = '';
    if (fqdnOnly.length) {
      const proxy = this.dnsProxy(flow.pod, flow.dest.host ?? '');
      if (proxy.covers) allowedBy.push(...fqdnOnly);
      else
        dnsNote = proxy.intercepted
          ? `${ruleText(fqdnOnly[0]!)} names ${flow.dest.host}, but the DNS proxy's dns rules do not match it, so Cilium never learns its addresses (DNS proxy)`
          : `${ruleText(fqdnOnly[0]!)} names ${flow.dest.host}, but no rule sends DNS through the DNS proxy (toPorts 53 with rules.dns), so toFQDNs never learns its addresses (DNS proxy)`;
    }
    const allowed = deniedBy.length === 0 && (!isolated || allowedBy.length > 0);
    const where = dir === 'egress' ? destText(flow) : `${destText(flow)} from ${podText(flow.pod)}`;
    let explanation: string;
    if (sel.length === 0) explanation = `no Cilium policy selects ${podText(subject)} for ${dir}.`;
    else if (deniedBy.length) explanation = `${where} is denied by ${ruleText(deniedBy[0]!)} (${denySection} wins over allows).`;
    else if (!isolated) explanation = `Cilium policies select ${podText(subject)} but none enables default deny for ${dir}: ${where} is allowed.`;
    else if (allowed) explanation = `${where} is allowed by ${ruleText(allowedBy[0]!)}.`;
    else
      explanation = dnsNote
        ? `${dnsNote}.`
        : `${selectedBy.map(refText).join(', ')} put${selectedBy.length === 1 ? 's' : ''} ${podText(subject)} into default deny for ${dir} and no rule allows ${where}${dir === 'egress' ? identityText(flow) : ''}.`;
    return { engine: 'cilium', selectedBy, isolated, allowed, allowedBy, deniedBy, explanation };
  }

  /** Whether Cilium's DNS proxy intercepts the pod's lookups and its dns rules allow the name. */
  dnsProxy(pod: PodInfo, name: string): DnsProxyStatus {
    const rules: RuleRef[] = [];
    let intercepted = false;
    for (const r of this.selecting(pod).cilium) {
      for (const er of r.egress) {
        if (!er.dnsPort) continue;
        intercepted = true;
        const i = er.dnsRules.findIndex((d) => fqdnMatches(d, name));
        if (i >= 0) rules.push(ruleRef(r, 'egress', er.index, 'toPorts 53', `rules.dns[${i}] ${fqdnText(er.dnsRules[i]!)}`));
      }
    }
    return { intercepted, covers: rules.length > 0, rules };
  }

  /** Every toFQDNs selector of the Cilium policies that select the pod, with where it sits. */
  fqdnSelectors(pod: PodInfo): { selector: CiliumFqdnSelector; rule: RuleRef; ports: string[] }[] {
    const out: { selector: CiliumFqdnSelector; rule: RuleRef; ports: string[] }[] = [];
    for (const r of this.selecting(pod).cilium) {
      for (const er of r.egress) {
        const ports = (er.raw.toPorts ?? []).flatMap((pr) => (pr.ports ?? []).map((p) => `${(p.protocol ?? 'ANY').toUpperCase()}/${p.port ?? 'any'}`));
        er.fqdns.forEach((s, i) => out.push({ selector: s, rule: ruleRef(r, 'egress', er.index, `toFQDNs[${i}] ${fqdnText(s)}`, ports.join(', ') || 'all ports'), ports }));
      }
    }
    return out;
  }

  /**
   * The CNAME gotcha, both ways: the allow-list names a CNAME target of the dialled name
   * (toFQDNs matches the name the application asks for, never the chain), or it names an alias
   * whose chain leads to the name the application now dials directly. `aliases` maps a name to
   * its CNAME chain, for names the caller resolved.
   */
  cnameHints(flow: Flow, aliases: Record<string, string[]> = {}): CnameHint[] {
    const dialled = flow.dest.host ? normalizeName(flow.dest.host) : undefined;
    if (!dialled) return [];
    const out: CnameHint[] = [];
    for (const { selector, rule } of this.fqdnSelectors(flow.pod)) {
      if (fqdnMatches(selector, dialled)) continue;
      for (const t of flow.dest.cnames ?? []) {
        if (fqdnMatches(selector, t)) out.push({ kind: 'target-listed', dialled, listed: normalizeName(t), rule });
      }
      if (selector.matchName) {
        const chain = (aliases[normalizeName(selector.matchName)] ?? []).map(normalizeName);
        if (chain.includes(dialled)) out.push({ kind: 'alias-listed', dialled, listed: normalizeName(selector.matchName), rule });
      }
    }
    return out;
  }
}

/** A node's address as Cilium classifies it: its identities, which only toEntities / toNodes select. */
export function identityText(flow: Flow): string {
  const node = kindsOf(flow.dest).filter((k) => k === 'host' || k === 'remote-node' || k === 'kube-apiserver');
  if (!node.length || flow.dest.pod) return '';
  const where = flow.dest.node ? `node ${flow.dest.node.name}${node.includes('host') ? ', the pod\'s own node' : ''}` : 'the API server';
  return ` (${where}: Cilium identity ${node.join(' + ')}, which CIDR rules do not select; toEntities ${node.map((k) => `[${k}]`).join(' or ')} does)`;
}

function excepts(sel: CompiledNetworkPolicy[], ip: string): string {
  const hits = sel.flatMap((p) => exceptedBy(p, ip).map((t) => `NetworkPolicy ${p.ref.namespace}/${p.ref.name} ${t}`));
  return hits.length ? ` The address is excluded on purpose: ${hits.join('; ')}.` : '';
}

function uniqueRefs(refs: PolicyRef[]): PolicyRef[] {
  const seen = new Set<string>();
  return refs.filter((r) => {
    const k = refText(r);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/** The flow as the destination's ingress rules see it: the peer (`dest`) is the source pod. */
function mirror(flow: Flow): Flow {
  const src = flow.pod;
  return { pod: flow.dest.pod!, dest: { ip: src.ips?.[0] ?? '0.0.0.0', port: flow.dest.port, protocol: flow.dest.protocol, pod: src, kind: 'pod' } };
}

export function podText(p: PodInfo): string {
  return `pod ${p.namespace}/${p.name}`;
}

export function destText(flow: Flow): string {
  const d = flow.dest;
  const proto = d.protocol ?? 'TCP';
  const addr = d.ip.includes(':') ? `[${d.ip}]` : d.ip;
  if (proto === 'ICMP' || proto === 'ICMPv6') {
    const type = d.icmpType ?? (proto === 'ICMP' ? 8 : 128);
    const what = type === 8 || type === 128 ? 'echo request (ping)' : `type ${type}`;
    return d.host && d.ip !== '0.0.0.0' ? `${d.host} (${addr}) ${proto} ${what}` : `${d.host ?? addr} ${proto} ${what}`;
  }
  // 0.0.0.0: a name that did not resolve (only name-based rules can match it)
  if (d.host && d.ip === '0.0.0.0') return `${d.host} ${proto}/${d.port}`;
  return d.host ? `${d.host} (${addr}) ${proto}/${d.port}` : `${addr} ${proto}/${d.port}`;
}
