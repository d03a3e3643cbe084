// api.dns: does the API server's name resolve here, and from where.
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import type { ApiContext } from './context.ts';
import { nameServer } from './requirements.ts';

export const dnsCheck: CheckDefinition<ApiContext> = {
  id: 'api.dns',
  title: 'DNS resolution',
  requires: ['api.kubeconfig'],
  appliesWhen: [nameServer],
  codes: ['api.dns.nxdomain', 'api.dns.timeout', 'api.dns.error', 'api.dns.hosts-override', 'api.dns.proxy-resolves'],
  async run(ctx) {
    const dns = await ctx.dns();
    const reproduce = [`dig +short ${ctx.host} A`, `dig +short ${ctx.host} AAAA`, `getent ahosts ${ctx.host}`];
    const evidence = { host: dns.host, addresses: dns.addresses, hostsFile: dns.hostsFile, servers: dns.servers, error: dns.error, durationMs: dns.durationMs };
    const findings: FindingInput[] = [];
    if (dns.error && dns.addresses.length === 0) {
      const proxied = ctx.proxy().proxy !== undefined;
      const code = proxied
        ? 'api.dns.proxy-resolves'
        : dns.error.kind === 'nxdomain'
          ? 'api.dns.nxdomain'
          : dns.error.kind === 'timeout'
            ? 'api.dns.timeout'
            : 'api.dns.error';
      const what =
        dns.error.kind === 'nxdomain'
          ? `${ctx.host} does not exist (NXDOMAIN) for the DNS servers ${dns.servers.join(', ') || 'in /etc/resolv.conf'}`
          : dns.error.kind === 'timeout'
            ? `no DNS server answered for ${ctx.host} within ${ctx.timeoutMs} ms (servers: ${dns.servers.join(', ') || 'none configured'})`
            : `resolving ${ctx.host} failed: ${dns.error.message}`;
      findings.push({
        code,
        message: proxied ? `${what}; the proxy resolves the name itself, so this only matters without the proxy.` : `${what}.`,
      });
      return { summary: what, findings, evidence, reproduce };
    }
    if (dns.hostsFile) {
      findings.push({
        code: 'api.dns.hosts-override',
        message: `${ctx.host} is pinned in ${dns.hostsFile.path} ("${dns.hostsFile.line.trim()}"); DNS is not asked.`,
      });
    }
    const list = dns.addresses.map((a) => a.address).join(', ');
    return {
      summary: `${ctx.host} → ${list}${dns.hostsFile ? ` (from ${dns.hostsFile.path})` : ''}`,
      findings,
      evidence,
      reproduce,
    };
  },
};
