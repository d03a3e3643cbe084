// The ingress controller's LoadBalancer Service and the MetalLB pool and advertisements that
// should announce its address, read once for ingress.lb, ingress.traffic-policy, ingress.dns and
// ingress.http01; and MetalLB's matching rules (address ranges, label selectors).
import type { CheckOutcome } from '../../engine/definitions.ts';
import { cidrContains, parseCIDR, parseIP } from '../../net/ip.ts';
import { hostIngresses, readFailure, type HostClusterContext } from './cluster-context.ts';
import type { Advertisement, IPAddressPool, LabelSelector, Service } from './types.ts';

export interface Controller {
  service?: Service;
  address?: string;
  /** why no controller Service was found */
  why?: string;
  forbidden?: CheckOutcome;
}

/** The ingress controller's LoadBalancer Service: the one whose address the Ingress reports. */
export function controller(ctx: HostClusterContext): Promise<Controller> {
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

export function metallb(ctx: HostClusterContext, address: string | undefined): Promise<MetalLb> {
  return ctx.once('metallb', async () => {
    const base = '/apis/metallb.io/v1beta1';
    const [pools, l2, bgp] = await Promise.all([
      ctx.list<IPAddressPool>(`${base}/ipaddresspools`),
      ctx.list<Advertisement>(`${base}/l2advertisements`),
      ctx.list<Advertisement>(`${base}/bgpadvertisements`),
    ]);
    if (!pools.ok) {
      if (pools.reason === 'kind-not-served' || pools.reason === 'not-found') return { installed: false, l2: [], bgp: [] };
      return { installed: true, l2: [], bgp: [], forbidden: readFailure(pools, `${base}/ipaddresspools`, 'MetalLB IPAddressPools'), error: pools.message };
    }
    const pool = address ? pools.body.find((p) => (p.spec?.addresses ?? []).some((a) => inRange(a, address))) : undefined;
    const l2s = l2.ok ? l2.body : [];
    const bgps = bgp.ok ? bgp.body : [];
    return { installed: true, pool, l2: pool ? l2s.filter((a) => covers(a, pool)) : [], bgp: pool ? bgps.filter((a) => covers(a, pool)) : [] };
  });
}

