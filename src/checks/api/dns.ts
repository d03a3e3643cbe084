// api.dns: does the API server's name resolve here, and from where.
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import type { ApiContext } from './context.ts';
import { isIP } from 'node:net';
import { nameServer } from './requirements.ts';

/** "203.0.113.10:5353" / "[2001:db8::1]:53" / "2001:db8::1" → the address alone */
function serverIp(server: string): string {
  if (isIP(server)) return server;
  const m = /^\[([^\]]+)\]:\d+$/.exec(server) ?? /^([^:]+):\d+$/.exec(server);
  return m ? m[1] : server;
}

export const dnsCheck: CheckDefinition<ApiContext> = {
  id: 'api.dns',
  title: 'DNS resolution',
  requires: ['api.kubeconfig'],
  appliesWhen: [nameServer],
  codes: ['api.dns.nxdomain', 'api.dns.timeout', 'api.dns.unreachable', 'api.dns.error', 'api.dns.hosts-override', 'api.dns.proxy-resolves'],
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
            : dns.error.kind === 'unreachable'
              ? 'api.dns.unreachable'
              : 'api.dns.error';
      const what =
        dns.error.kind === 'nxdomain'
          ? `${ctx.host} does not exist (NXDOMAIN) for the DNS servers ${dns.servers.join(', ') || 'in /etc/resolv.conf'}`
          : dns.error.kind === 'timeout'
            ? `no DNS server answered for ${ctx.host} within ${ctx.timeoutMs} ms (servers: ${dns.servers.join(', ') || 'none configured'})`
            : dns.error.kind === 'unreachable'
              ? `the query for ${ctx.host} could not be sent: ${dns.error.message}`
              : `resolving ${ctx.host} failed: ${dns.error.message}`;
      const unreachable = dns.error.kind === 'unreachable' && !proxied;
      findings.push({
        code,
        message: proxied ? `${what}; the proxy resolves the name itself, so this only matters without the proxy.` : `${what}.`,
        ...(unreachable
          ? {
              remediation: [
                `This machine has no route to its DNS server${dns.servers.length > 1 ? 's' : ''} ${dns.servers.join(', ')}: check \`ip route get ${serverIp(dns.servers[0] ?? '')}\` (a VPN that is down, or an /etc/resolv.conf a VPN left behind).`,
                'Point /etc/resolv.conf at a DNS server this machine can reach, or reconnect the VPN that routes to it.',
              ],
            }
          : {}),
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
