// api.dns, api.proxy, api.tcp and api.proxy.connect: the path below TLS.
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { FindingInput } from '../../engine/definitions.ts';
import type { ProxyDecision } from '../../net/proxy.ts';
import { redactUrl } from '../../report/redact.ts';
import type { NetError } from '../../net/tcp.ts';
import type { ApiContext } from './context.ts';
import { joinHostPort } from '../../net/ip.ts';

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

export function proxyEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PROXY_VARS) {
    const v = env[name];
    if (v !== undefined) out[name] = name.toLowerCase() === 'no_proxy' ? v : redactUrl(v);
  }
  return out;
}

export function tcpCode(e: NetError | undefined): string {
  switch (e?.kind) {
    case 'unreachable':
      return 'api.tcp.unreachable';
    case 'refused':
      return 'api.tcp.refused';
    case 'timeout':
      return 'api.tcp.timeout';
    case 'reset':
      return 'api.tcp.reset';
    default:
      return 'api.tcp.error';
  }
}

/** Plain words for a socket error, e.g. "network is unreachable (no route)". */
export function describeNetError(e: NetError | undefined): string {
  if (!e) return 'failed';
  return e.message;
}

export const dnsCheck: CheckDefinition<ApiContext> = {
  id: 'api.dns',
  title: 'DNS resolution',
  requires: ['api.kubeconfig'],
  codes: ['api.dns.nxdomain', 'api.dns.timeout', 'api.dns.error', 'api.dns.hosts-override', 'api.dns.proxy-resolves'],
  async run(ctx) {
    if (ctx.isIpServer) return { skip: true, summary: `not applicable: the server ${ctx.host} is an IP address` };
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

export const proxyCheck: CheckDefinition<ApiContext> = {
  id: 'api.proxy',
  title: 'Proxy selection',
  requires: ['api.kubeconfig'],
  codes: ['api.proxy.in-use', 'api.proxy.no-proxy-miss', 'api.proxy.bad-url'],
  async run(ctx) {
    let d: ProxyDecision;
    const env = proxyEnvironment(ctx.options.env);
    try {
      d = ctx.proxy();
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      return {
        summary: `the proxy setting cannot be parsed: ${message}`,
        findings: [{ code: 'api.proxy.bad-url', message: `The proxy setting cannot be parsed: ${message}` }],
        evidence: { environment: env },
        reproduce: ['env | grep -i _proxy'],
      };
    }
    const findings: FindingInput[] = [];
    const evidence = {
      environment: env,
      kubeconfigProxyUrl: ctx.config.cluster.proxyUrl ? redactUrl(ctx.config.cluster.proxyUrl) : undefined,
      proxy: d.proxy ? redactUrl(d.proxy) : null,
      source: d.source,
      reason: d.reason,
      noProxy: d.noProxy,
      noProxyMatch: d.noProxyMatch,
      nearMisses: d.nearMisses,
    };
    if (d.proxy) {
      findings.push({
        code: 'api.proxy.in-use',
        message: `Requests to ${ctx.serverUrl.origin} go through the proxy ${redactUrl(d.proxy)} (from ${d.source}): ${d.reason}.`,
      });
    }
    for (const miss of d.nearMisses) {
      findings.push({
        code: 'api.proxy.no-proxy-miss',
        message: `NO_PROXY entry "${miss.entry}" does not match ${ctx.hostPort}: ${miss.why}.`,
      });
    }
    const summary = d.proxy ? `via ${redactUrl(d.proxy)} (${d.source})` : `direct: ${d.reason}`;
    return { summary, findings, evidence, reproduce: ['env | grep -i _proxy'] };
  },
};

export const tcpCheck: CheckDefinition<ApiContext> = {
  id: 'api.tcp',
  title: 'TCP connect',
  requires: ['api.dns', 'api.proxy'],
  codes: ['api.tcp.unreachable', 'api.tcp.refused', 'api.tcp.timeout', 'api.tcp.reset', 'api.tcp.error', 'api.tcp.direct-failed'],
  timeoutMs: (ctx) => ctx.timeoutMs * 2 + 1000,
  async run(ctx) {
    const proxied = ctx.proxy().proxy !== undefined;
    const dns = await ctx.dns();
    if (dns.addresses.length === 0) {
      return { skip: true, summary: `not applicable: ${ctx.host} has no local address; the proxy resolves it` };
    }
    const results = await ctx.tcp();
    const ok = results.filter((r) => r.ok);
    const failed = results.filter((r) => !r.ok);
    const reproduce = results.map((r) => `nc -vz -w ${Math.ceil(ctx.timeoutMs / 1000)} ${r.host} ${r.port}`);
    const evidence = { direct: !proxied, results: results.map(({ host, port, ok: okk, durationMs, error, localAddress }) => ({ address: joinHostPort(host, port), ok: okk, durationMs, error, localAddress })) };
    const findings: FindingInput[] = [];
    if (proxied) {
      for (const r of failed) {
        findings.push({
          code: 'api.tcp.direct-failed',
          message: `Without the proxy, connecting to ${joinHostPort(r.host, r.port)} fails: ${shortError(r.error)}.`,
        });
      }
      const summary =
        failed.length === 0
          ? `traffic goes through the proxy; ${ok.map((r) => joinHostPort(r.host, r.port)).join(', ')} is also reachable directly`
          : `traffic goes through the proxy; direct: ${failed.map((r) => `${joinHostPort(r.host, r.port)} ${shortError(r.error)}`).join(', ')}`;
      return { summary, findings, evidence, reproduce };
    }
    for (const r of failed) {
      findings.push({
        code: tcpCode(r.error),
        severity: ok.length > 0 ? 'warn' : undefined,
        message: `connect ${joinHostPort(r.host, r.port)}: ${shortError(r.error)}.`,
      });
    }
    const summary =
      failed.length === 0
        ? `connected to ${ok.map((r) => `${joinHostPort(r.host, r.port)} in ${r.durationMs} ms`).join(', ')}`
        : failed.map((r) => `${joinHostPort(r.host, r.port)}: ${shortError(r.error)}`).join('; ');
    return { summary, findings, evidence, reproduce };
  },
};

export function shortError(e: NetError | undefined): string {
  switch (e?.kind) {
    case 'unreachable':
      return 'network is unreachable (no route)';
    case 'refused':
      return 'connection refused';
    case 'timeout':
      return 'timed out (packets dropped)';
    case 'reset':
      return 'connection reset';
    default:
      return e?.message ?? 'failed';
  }
}

/** Whether an HTTP answer is the API server's own (JSON with kind or gitVersion), not a proxy's page. */
export function looksLikeApiServer(body: string | undefined): boolean {
  if (!body) return false;
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    return typeof j === 'object' && j !== null && ('kind' in j || 'gitVersion' in j);
  } catch {
    return false;
  }
}

export function quoteBody(body: string | undefined, max = 300): string {
  const t = (body ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

export const proxyConnectCheck: CheckDefinition<ApiContext> = {
  id: 'api.proxy.connect',
  title: 'Proxy CONNECT',
  requires: ['api.proxy'],
  codes: ['api.proxy.unreachable', 'api.proxy.denied', 'api.proxy.auth-required', 'api.proxy.upstream-failed', 'api.proxy.connect-error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs + 1000,
  async run(ctx) {
    const d = ctx.proxy();
    if (!d.proxy) return { skip: true, summary: 'not applicable: no proxy applies to the server URL' };
    const proxy = redactUrl(d.proxy);
    const t = await ctx.tls();
    const c = t.dialled.connect!;
    const reproduce = [
      `curl -sv -o /dev/null --proxytunnel -x ${proxy} -k https://${ctx.hostPort}/version`,
      `nc -vz -w ${Math.ceil(ctx.timeoutMs / 1000)} ${d.proxy.hostname} ${d.proxy.port || (d.proxy.protocol === 'https:' ? 443 : 80)}`,
    ];
    const evidence: Record<string, unknown> = {
      proxy,
      target: c.target,
      statusLine: c.statusLine,
      headers: c.headers,
      body: c.body ? quoteBody(c.body, 2000) : undefined,
      durationMs: c.durationMs,
      error: c.error,
    };
    if (!c.statusCode) {
      const msg = `The proxy ${proxy} cannot be reached: ${describeNetError(c.error)}.`;
      return { summary: `proxy unreachable: ${shortError(c.error)}`, findings: [{ code: 'api.proxy.unreachable', message: msg }], evidence, reproduce };
    }
    const status = c.statusCode;
    if (status >= 200 && status < 300) {
      const probe = t.tunnelProbe;
      if (probe?.response) {
        evidence.insideTunnel = {
          request: 'GET /version (anonymous)',
          status: `${probe.response.statusCode} ${probe.response.statusMessage}`,
          server: probe.response.headers['server'],
          body: quoteBody(probe.response.body, 2000),
        };
      }
      if (probe?.response && probe.response.statusCode >= 502 && probe.response.statusCode <= 504 && !looksLikeApiServer(probe.response.body)) {
        const r = probe.response;
        const msg = `The proxy ${proxy} accepted CONNECT ${c.target} but, inside the tunnel, answered ${r.statusCode} ${r.statusMessage}: "${quoteBody(r.body)}". It terminates TLS itself and cannot reach the API server either.`;
        return {
          summary: `CONNECT ${c.statusLine}; inside the tunnel the proxy answers ${r.statusCode}: ${quoteBody(r.body, 80)}`,
          findings: [{ code: 'api.proxy.upstream-failed', message: msg }],
          evidence,
          reproduce,
        };
      }
      return { summary: `CONNECT ${c.target}: ${c.statusLine} in ${c.durationMs} ms`, findings: [], evidence, reproduce };
    }
    const body = quoteBody(c.body);
    const quoted = body ? `: "${body}"` : '';
    let code = 'api.proxy.connect-error';
    let msg = `The proxy ${proxy} answered CONNECT ${c.target} with ${c.statusLine}${quoted}.`;
    if (status === 403) {
      code = 'api.proxy.denied';
      msg = `The proxy ${proxy} forbids CONNECT to ${c.target} (${c.statusLine})${quoted}.`;
    } else if (status === 407) {
      code = 'api.proxy.auth-required';
      const scheme = c.headers?.['proxy-authenticate'];
      msg = `The proxy ${proxy} requires authentication (${c.statusLine}${scheme ? `, Proxy-Authenticate: ${scheme}` : ''}); ${d.proxy.username ? 'the credentials in the proxy URL were rejected' : 'the proxy URL carries no credentials'}.`;
    } else if (status >= 502 && status <= 504) {
      code = 'api.proxy.upstream-failed';
      msg = `The proxy ${proxy} cannot reach ${c.target}: it answered ${c.statusLine}${quoted}.`;
    }
    return { summary: `CONNECT ${c.target}: ${c.statusLine}${body ? ` — ${quoteBody(c.body, 80)}` : ''}`, findings: [{ code, message: msg }], evidence, reproduce };
  },
};
