// ingress.lb, ingress.traffic-policy, ingress.dns: the controller's LoadBalancer Service, the
// MetalLB pool and advertisement that should announce its address, the nodes that may answer
// for it vs the nodes that run a ready controller pod, and what public DNS says about the host.
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { cidrContains, parseCIDR, parseIP, ipToString } from '../../net/ip.ts';
import { hostIngresses, nameOf, readFailure, type IngressContext } from './cluster-context.ts';
import type { Advertisement, IPAddressPool, KEvent, LabelSelector, Node, Service } from './types.ts';

export interface Controller {
  service?: Service;
  address?: string;
  /** why no controller Service was found */
  why?: string;
  forbidden?: CheckOutcome;
}

/** The ingress controller's LoadBalancer Service: the one whose address the Ingress reports. */
export function controller(ctx: IngressContext): Promise<Controller> {
  return ctx.once('controller', async () => {
    const d = await ctx.discover();
    const main = hostIngresses(d);
    const addr = main.flatMap((i) => i.status?.loadBalancer?.ingress ?? []).find((x) => x.ip)?.ip;
    const path = '/api/v1/services';
    const svcs = await ctx.list<Service>(path);
    if (!svcs.ok) return { address: addr, why: svcs.message, forbidden: readFailure(svcs, path, 'Services') };
    const lbs = svcs.body.filter((s) => s.spec?.type === 'LoadBalancer');
    const byAddr = addr ? lbs.find((s) => (s.status?.loadBalancer?.ingress ?? []).some((x) => x.ip === addr) || s.spec?.loadBalancerIP === addr) : undefined;
    const byLabel = lbs.find((s) => /ingress-nginx|traefik|haproxy|contour|envoy/.test(`${s.metadata.labels?.['app.kubernetes.io/name'] ?? ''} ${s.metadata.name}`));
    const service = byAddr ?? byLabel;
    if (!service) return { address: addr, why: addr ? `no LoadBalancer Service has the address ${addr}` : 'no LoadBalancer Service of a known ingress controller' };
    return { service, address: service.status?.loadBalancer?.ingress?.find((x) => x.ip)?.ip ?? addr };
  });
}

export function inRange(entry: string, ip: string): boolean {
  const a = parseIP(ip);
  if (!a) return false;
  if (entry.includes('-')) {
    const [lo, hi] = entry.split('-').map((x) => parseIP(x.trim()));
    if (!lo || !hi || lo.length !== a.length) return false;
    const cmp = (x: Uint8Array, y: Uint8Array) => {
      for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return x[i]! - y[i]!;
      return 0;
    };
    return cmp(a, lo) >= 0 && cmp(a, hi) <= 0;
  }
  const c = parseCIDR(entry.includes('/') ? entry : `${entry}/${ip.includes(':') ? 128 : 32}`);
  return !!c && cidrContains(c, a);
}

export function selectorMatches(sel: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!sel) return true;
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = e.key in labels;
    const v = labels[e.key];
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(v!))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(v!)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

export function covers(ad: Advertisement, pool: IPAddressPool): boolean {
  const names = ad.spec?.ipAddressPools ?? [];
  const sels = ad.spec?.ipAddressPoolSelectors ?? [];
  if (names.length === 0 && sels.length === 0) return true;
  if (names.includes(pool.metadata.name)) return true;
  return sels.some((s) => selectorMatches(s, pool.metadata.labels ?? {}));
}

export interface MetalLb {
  installed: boolean;
  forbidden?: CheckOutcome;
  pool?: IPAddressPool;
  l2: Advertisement[];
  bgp: Advertisement[];
  error?: string;
}

export function metallb(ctx: IngressContext, address: string | undefined): Promise<MetalLb> {
  return ctx.once('metallb', async () => {
    const base = '/apis/metallb.io/v1beta1';
    const [pools, l2, bgp] = await Promise.all([
      ctx.list<IPAddressPool>(`${base}/ipaddresspools`),
      ctx.list<Advertisement>(`${base}/l2advertisements`),
      ctx.list<Advertisement>(`${base}/bgpadvertisements`),
    ]);
    if (!pools.ok) {
      if (pools.reason === 'not-found') return { installed: false, l2: [], bgp: [] };
      return { installed: true, l2: [], bgp: [], forbidden: readFailure(pools, `${base}/ipaddresspools`, 'MetalLB IPAddressPools'), error: pools.message };
    }
    const pool = address ? pools.body.find((p) => (p.spec?.addresses ?? []).some((a) => inRange(a, address))) : undefined;
    const l2s = l2.ok ? l2.body : [];
    const bgps = bgp.ok ? bgp.body : [];
    return { installed: true, pool, l2: pool ? l2s.filter((a) => covers(a, pool)) : [], bgp: pool ? bgps.filter((a) => covers(a, pool)) : [] };
  });
}

export const lbCheck: CheckDefinition<IngressContext> = {
  id: 'ingress.lb',
  title: 'Load balancer address',
  codes: ['ingress.lb.pending', 'ingress.lb.controller-not-found', 'ingress.lb.not-in-pool', 'ingress.lb.no-advertisement', 'ingress.lb.metallb-absent'],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 3 + 1000,
  async run(ctx): Promise<CheckOutcome> {
    const gate = await ctx.gate();
    if (gate) return gate;
    const c = await controller(ctx);
    if (c.forbidden) return c.forbidden;
    const reproduce = [ctx.kubectl('get service -A --field-selector spec.type=LoadBalancer -o wide')];
    if (!c.service) {
      return { summary: c.why ?? 'no controller Service', findings: [{ code: 'ingress.lb.controller-not-found', message: `The ingress controller's LoadBalancer Service was not found: ${c.why}.` }], reproduce };
    }
    const svc = c.service;
    const findings: FindingInput[] = [];
    const evidence: Record<string, unknown> = {
      service: nameOf(svc),
      type: svc.spec?.type,
      externalTrafficPolicy: svc.spec?.externalTrafficPolicy ?? 'Cluster',
      address: c.address ?? null,
      ports: (svc.spec?.ports ?? []).map((p) => `${p.port}/${p.protocol ?? 'TCP'}${p.nodePort ? ` (nodePort ${p.nodePort})` : ''}`),
    };
    if (!c.address) {
      findings.push({ code: 'ingress.lb.pending', message: `The controller Service ${nameOf(svc)} has no external address (EXTERNAL-IP <pending>): no load balancer assigned one.` });
      return { summary: `${nameOf(svc)}: EXTERNAL-IP pending`, findings, evidence, reproduce };
    }
    const m = await metallb(ctx, c.address);
    if (m.forbidden) {
      return { ...m.forbidden, summary: `${nameOf(svc)} has ${c.address}; MetalLB ${m.forbidden.summary.replace(/^skipped: /, '')}` };
    }
    reproduce.push(ctx.kubectl('get ipaddresspools,l2advertisements,bgpadvertisements -A -o yaml'));
    if (!m.installed) {
      findings.push({ code: 'ingress.lb.metallb-absent', message: `MetalLB is not installed (no metallb.io API); ${c.address} comes from another load balancer.` });
      return { summary: `${nameOf(svc)} ${c.address} (not MetalLB)`, findings, evidence, reproduce };
    }
    evidence.pool = m.pool ? { name: nameOf(m.pool), addresses: m.pool.spec?.addresses } : null;
    evidence.l2Advertisements = m.l2.map((a) => ({ name: nameOf(a), nodeSelectors: a.spec?.nodeSelectors ?? [] }));
    evidence.bgpAdvertisements = m.bgp.map((a) => nameOf(a));
    if (!m.pool) {
      findings.push({ code: 'ingress.lb.not-in-pool', message: `No MetalLB IPAddressPool contains ${c.address}: MetalLB neither assigned nor announces it.` });
      return { summary: `${nameOf(svc)} ${c.address}: in no IPAddressPool`, findings, evidence, reproduce };
    }
    if (m.l2.length === 0 && m.bgp.length === 0) {
      findings.push({
        code: 'ingress.lb.no-advertisement',
        message: `${c.address} is in IPAddressPool ${nameOf(m.pool)}, but no L2Advertisement or BGPAdvertisement covers that pool: MetalLB assigns the address and never announces it, so nothing outside the cluster can reach it.`,
        remediation: [
          `Announce the pool in layer 2: \`printf 'apiVersion: metallb.io/v1beta1\\nkind: L2Advertisement\\nmetadata:\\n  name: ${m.pool.metadata.name}\\n  namespace: ${m.pool.metadata.namespace ?? 'metallb-system'}\\nspec:\\n  ipAddressPools: [${m.pool.metadata.name}]\\n' | kubectl apply -f -\``,
          'Or, with BGP routers, a BGPAdvertisement for the pool (and BGPPeers).',
        ],
      });
      return { summary: `${nameOf(svc)} ${c.address} from pool ${m.pool.metadata.name}; not announced`, findings, evidence, reproduce };
    }
    const how = [...m.l2.map((a) => `L2Advertisement ${a.metadata.name}`), ...m.bgp.map((a) => `BGPAdvertisement ${a.metadata.name}`)].join(', ');
    return { summary: `${nameOf(svc)} ${c.address} from pool ${m.pool.metadata.name}, announced by ${how}; externalTrafficPolicy ${svc.spec?.externalTrafficPolicy ?? 'Cluster'}`, findings, evidence, reproduce };
  },
};

function nodeReady(n: Node): boolean {
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

export const trafficPolicyCheck: CheckDefinition<IngressContext> = {
  id: 'ingress.traffic-policy',
  title: 'Traffic policy and announcing node',
  requires: ['ingress.lb'],
  codes: ['ingress.traffic-policy.announcer-without-endpoint', 'ingress.traffic-policy.local-partial', 'ingress.traffic-policy.local'],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 3 + 1000,
  async run(ctx): Promise<CheckOutcome> {
    const gate = await ctx.gate();
    if (gate) return gate;
    const c = await controller(ctx);
    const svc = c.service;
    if (c.forbidden) return c.forbidden;
    if (!svc) return { skip: true, summary: 'not applicable: no controller Service' };
    const policy = svc.spec?.externalTrafficPolicy ?? 'Cluster';
    if (policy !== 'Local') return { summary: `externalTrafficPolicy ${policy}: every node forwards to a ready controller pod`, evidence: { externalTrafficPolicy: policy } };
    const ns = svc.metadata.namespace ?? 'default';
    const [slices, nodes, events, l2status] = await Promise.all([
      ctx.endpointSlices(ns, svc.metadata.name),
      ctx.list<Node>('/api/v1/nodes'),
      ctx.list<KEvent>(`/api/v1/namespaces/${ns}/events`),
      ctx.list<{ metadata: { name: string; namespace?: string }; status?: { node?: string; serviceName?: string; serviceNamespace?: string } }>('/apis/metallb.io/v1beta1/servicel2statuses'),
    ]);
    if (!slices.ok) return readFailure(slices, `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, 'EndpointSlices');
    if (!nodes.ok) return readFailure(nodes, '/api/v1/nodes', 'Nodes');
    const eps = slices.body.flatMap((s) => s.endpoints ?? []);
    const withEndpoint = [...new Set(eps.filter((e) => e.conditions?.ready !== false && e.nodeName).map((e) => e.nodeName!))].sort();
    const m = await metallb(ctx, c.address);
    const eligible = nodes.body
      .filter(nodeReady)
      .filter((n) => m.l2.length === 0 || m.l2.some((a) => (a.spec?.nodeSelectors ?? []).length === 0 || (a.spec?.nodeSelectors ?? []).some((s) => selectorMatches(s, n.metadata.labels ?? {}))))
      .map((n) => n.metadata.name)
      .sort();
    let announcer: string | undefined;
    let announcedBy = '';
    if (l2status.ok) {
      const st = l2status.body.find((s) => s.status?.serviceName === svc.metadata.name && (s.status?.serviceNamespace ?? ns) === ns);
      if (st?.status?.node) {
        announcer = st.status.node;
        announcedBy = `ServiceL2Status ${nameOf(st as never)}`;
      }
    }
    if (!announcer && events.ok) {
      const ev = events.body
        .filter((e) => e.involvedObject?.name === svc.metadata.name && (e.involvedObject?.kind ?? 'Service') === 'Service' && e.reason === 'nodeAssigned')
        .sort((a, b) => String(b.lastTimestamp ?? b.eventTime ?? '').localeCompare(String(a.lastTimestamp ?? a.eventTime ?? '')))[0];
      const mm = ev?.message ? /announcing from node "([^"]+)"/.exec(ev.message) : null;
      if (mm) {
        announcer = mm[1];
        announcedBy = `event nodeAssigned: ${ev!.message}`;
      }
    }
    const without = eligible.filter((n) => !withEndpoint.includes(n));
    const evidence = { externalTrafficPolicy: policy, nodesWithReadyControllerPod: withEndpoint, nodesThatMayAnnounce: eligible, nodesWithoutEndpoint: without, announcingNode: announcer ?? null, announcedBy: announcedBy || null };
    const reproduce = [
      ctx.kubectl(`get endpointslices -n ${ns} -l kubernetes.io/service-name=${svc.metadata.name} -o wide`),
      ctx.kubectl(`get events -n ${ns} --field-selector involvedObject.name=${svc.metadata.name}`),
      ctx.kubectl('get nodes --show-labels'),
    ];
    const findings: FindingInput[] = [];
    if (announcer && !withEndpoint.includes(announcer)) {
      findings.push({
        code: 'ingress.traffic-policy.announcer-without-endpoint',
        message:
          `The controller Service ${nameOf(svc)} uses externalTrafficPolicy: Local and MetalLB announces ${c.address} from node ${announcer}, which has no ready controller pod ` +
          `(ready pods run on ${withEndpoint.join(', ') || 'no node'}): ${announcer} drops external traffic to ${c.address}.`,
        remediation: [
          `kubectl patch service -n ${ns} ${svc.metadata.name} -p '{"spec":{"externalTrafficPolicy":"Cluster"}}'`,
          `Or run the controller on every node MetalLB may announce from (a DaemonSet, or more replicas spread over ${eligible.join(', ')}).`,
          `Or restrict the L2Advertisement's nodeSelectors to nodes that run the controller (${withEndpoint.join(', ') || 'none today'}).`,
        ],
      });
    } else if (without.length > 0) {
      findings.push({
        code: 'ingress.traffic-policy.local-partial',
        message: `externalTrafficPolicy: Local: nodes ${without.join(', ')} may announce ${c.address} but have no ready controller pod; if MetalLB elects one of them, external traffic is dropped${announcer ? '' : ' (the announcing node is not known: no nodeAssigned event)'}.`,
      });
    } else {
      findings.push({ code: 'ingress.traffic-policy.local', message: `externalTrafficPolicy: Local; every node that may announce ${c.address} runs a ready controller pod.` });
    }
    const summary = `Local; ready controller pods on ${withEndpoint.join(', ') || 'no node'}; ${announcer ? `announced from ${announcer}` : 'announcing node unknown'}`;
    return { summary, findings, evidence, reproduce };
  },
};

export const dnsCheck: CheckDefinition<IngressContext> = {
  id: 'ingress.dns',
  title: 'DNS of the host',
  codes: ['ingress.dns.nxdomain', 'ingress.dns.timeout', 'ingress.dns.error', 'ingress.dns.mismatch'],
  timeoutMs: (ctx) => ctx.timeoutMs + ctx.options.requestTimeoutMs * 3 + 1000,
  async run(ctx): Promise<CheckOutcome> {
    if (ctx.options.command === 'cert') {
      const g = await ctx.gate();
      if (g) return g;
    }
    const dns = await ctx.dns();
    const reproduce = [`dig +short ${ctx.host} A`, `dig +short ${ctx.host} AAAA`];
    const evidence: Record<string, unknown> = { addresses: dns.addresses.map((a) => a.address), servers: dns.servers, hostsFile: dns.hostsFile ?? null };
    if (dns.error) {
      const code = dns.error.kind === 'nxdomain' || dns.error.kind === 'nodata' ? 'ingress.dns.nxdomain' : dns.error.kind === 'timeout' ? 'ingress.dns.timeout' : 'ingress.dns.error';
      return { summary: `${ctx.host}: ${dns.error.message}`, findings: [{ code, message: `${ctx.host} does not resolve: ${dns.error.message}.` }], evidence, reproduce };
    }
    const addrs = dns.addresses.map((a) => a.address);
    const gate = await ctx.gate();
    if (gate) return { summary: `${ctx.host} → ${addrs.join(', ')}`, evidence, reproduce };
    const c = await controller(ctx);
    const d = await ctx.discover();
    const ingAddrs = d.ingresses.flatMap((i) => i.status?.loadBalancer?.ingress ?? []).map((x) => x.ip).filter((x): x is string => !!x);
    const lb = c.address ?? ingAddrs[0];
    evidence.loadBalancer = lb ?? null;
    if (!lb) return { summary: `${ctx.host} → ${addrs.join(', ')} (no load balancer address to compare)`, evidence, reproduce };
    const norm = (s: string) => {
      const p = parseIP(s);
      return p ? ipToString(p) : s;
    };
    if (!addrs.map(norm).includes(norm(lb))) {
      return {
        summary: `${ctx.host} → ${addrs.join(', ')}, not ${lb}`,
        findings: [{ code: 'ingress.dns.mismatch', message: `${ctx.host} resolves to ${addrs.join(', ')}, but the ingress controller's address is ${lb}: clients and the ACME server go elsewhere.` }],
        evidence,
        reproduce,
      };
    }
    return { summary: `${ctx.host} → ${addrs.join(', ')} = the load balancer address`, evidence, reproduce };
  },
};
