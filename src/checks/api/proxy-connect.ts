// api.proxy.connect: what the proxy answers to CONNECT, and what answers inside the tunnel.
import type { CheckDefinition } from '../../engine/definitions.ts';
import { redactUrl } from '../../report/redact.ts';
import { describeNetError, shortError } from './connection-errors.ts';
import type { ApiContext } from './context.ts';
import { looksLikeApiServer, quoteBody } from './http-answer.ts';
import { malformedFinding, malformedOutcome } from './proxy.ts';
import { httpsServer, proxyApplies } from './requirements.ts';

export const proxyConnectCheck: CheckDefinition<ApiContext> = {
  id: 'api.proxy.connect',
  title: 'Proxy CONNECT',
  requires: ['api.proxy'],
  appliesWhen: [proxyApplies, httpsServer],
  codes: ['api.proxy.unreachable', 'api.proxy.denied', 'api.proxy.auth-required', 'api.proxy.upstream-failed', 'api.proxy.connect-error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs + 1000,
  async run(ctx) {
    const d = ctx.proxy();
    if (!d.proxy) throw new Error('api.proxy.connect ran without a proxy');
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
      const misread = d.malformed
        ? ` That is not the proxy ${d.source} names: ${malformedOutcome(d.malformed)}, because its password holds ${d.malformed.encode.map(([ch]) => `'${ch}'`).join(', ')} unencoded.`
        : '';
      const msg = `The proxy ${proxy} cannot be reached: ${describeNetError(c.error)}.${misread}`;
      // a misread proxy URL: the fix is the encoding, not the proxy
      const remediation = d.malformed ? malformedFinding(d.malformed).remediation : undefined;
      return { summary: `proxy unreachable: ${shortError(c.error)}`, findings: [{ code: 'api.proxy.unreachable', message: msg, ...(remediation ? { remediation } : {}) }], evidence, reproduce };
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
