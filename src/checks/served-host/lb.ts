// ingress.lb: the controller's LoadBalancer Service, and the MetalLB pool and advertisement that
// should announce its address.
import type { CheckDefinition, CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { nameOf, type HostClusterContext } from './cluster-context.ts';
import { controller, metallb } from './metallb.ts';

export const lbCheck: CheckDefinition<HostClusterContext> = {
  id: 'ingress.lb',
  title: 'Load balancer address',
  codes: ['ingress.lb.pending', 'ingress.lb.controller-not-found', 'ingress.lb.not-in-pool', 'ingress.lb.no-advertisement', 'ingress.lb.metallb-absent'],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 3 + 1000,
  async run(ctx): Promise<CheckOutcome> {
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
