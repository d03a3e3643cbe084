// ingress.dns: what DNS says about the host, compared with the ingress controller's address when
// the cluster can be read.
import type { CheckDefinition, CheckOutcome } from '../../engine/definitions.ts';
import { ipToString, parseIP } from '../../net/ip.ts';
import type { HostClusterContext } from './cluster-context.ts';
import { controller } from './metallb.ts';

export const dnsCheck: CheckDefinition<HostClusterContext> = {
  id: 'ingress.dns',
  title: 'DNS of the host',
  codes: ['ingress.dns.nxdomain', 'ingress.dns.timeout', 'ingress.dns.error', 'ingress.dns.mismatch'],
  timeoutMs: (ctx) => ctx.timeoutMs + ctx.options.requestTimeoutMs * 3 + 1000,
  async run(ctx): Promise<CheckOutcome> {
    const dns = await ctx.dns();
    const reproduce = [`dig +short ${ctx.host} A`, `dig +short ${ctx.host} AAAA`];
    const evidence: Record<string, unknown> = { addresses: dns.addresses.map((a) => a.address), servers: dns.servers, hostsFile: dns.hostsFile ?? null };
    if (dns.error) {
      const code = dns.error.kind === 'nxdomain' || dns.error.kind === 'nodata' ? 'ingress.dns.nxdomain' : dns.error.kind === 'timeout' ? 'ingress.dns.timeout' : 'ingress.dns.error';
      return { summary: `${ctx.host}: ${dns.error.message}`, findings: [{ code, message: `${ctx.host} does not resolve: ${dns.error.message}.` }], evidence, reproduce };
    }
    const addrs = dns.addresses.map((a) => a.address);
    // without a readable cluster there is no load balancer address to compare with
    if (await ctx.clusterUnusable()) return { summary: `${ctx.host} → ${addrs.join(', ')}`, evidence, reproduce };
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
