// api.proxy: which proxy (if any) kubectl would use for the server URL, and NO_PROXY near misses.
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import { proxyEnvironment } from '../../kube/environment.ts';
import type { ProxyDecision } from '../../net/proxy.ts';
import { redactUrl } from '../../report/redact.ts';
import type { ApiContext } from './context.ts';

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
    if (d.error) {
      // kubectl cannot use it either (Go's proxy selection rejects it): nothing else to judge
      return {
        summary: `the proxy setting cannot be used: ${d.error}`,
        findings: [{ code: 'api.proxy.bad-url', message: `The proxy setting from ${d.source} cannot be used: ${d.error}.` }],
        evidence: { environment: env, source: d.source, configured: d.configured },
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
