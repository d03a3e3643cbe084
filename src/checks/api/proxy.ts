// api.proxy: which proxy (if any) kubectl would use for the server URL, and NO_PROXY near misses.
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import { proxyEnvironment } from '../../kube/environment.ts';
import type { MalformedProxy, ProxyDecision } from '../../net/proxy.ts';
import { redactUrl } from '../../report/redact.ts';
import type { ApiContext } from './context.ts';
import { osProxyComparison } from './os-proxy.ts';

export const proxyCheck: CheckDefinition<ApiContext> = {
  id: 'api.proxy',
  title: 'Proxy selection',
  requires: ['api.kubeconfig'],
  codes: ['api.proxy.in-use', 'api.proxy.no-proxy-miss', 'api.proxy.bad-url', 'api.proxy.malformed-url', 'api.proxy.os-differs', 'api.proxy.os-pac'],
  async run(ctx) {
    let d: ProxyDecision;
    const env = proxyEnvironment(ctx.clientOptions.env, ctx.platform);
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
        summary: d.malformed ? malformedSummary(d.malformed) : `the proxy setting cannot be used: ${d.error}`,
        findings: [d.malformed ? malformedFinding(d.malformed) : { code: 'api.proxy.bad-url', message: `The proxy setting from ${d.source} cannot be used: ${d.error}.` }],
        evidence: { environment: env, source: d.source, configured: d.configured, ...(d.malformed ? { goReading: goReading(d.malformed) } : {}) },
        reproduce: ['env | grep -i _proxy'],
      };
    }
    const findings: FindingInput[] = [];
    if (d.malformed) findings.push(malformedFinding(d.malformed));
    const evidence = {
      environment: env,
      kubeconfigProxyUrl: ctx.config.cluster.proxyUrl ? redactUrl(ctx.config.cluster.proxyUrl) : undefined,
      proxy: d.proxy ? redactUrl(d.proxy) : null,
      source: d.source,
      reason: d.reason,
      noProxy: d.noProxy,
      noProxyMatch: d.noProxyMatch,
      nearMisses: d.nearMisses,
      ...(d.malformed ? { goReading: goReading(d.malformed) } : {}),
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
    const summary = d.malformed ? malformedSummary(d.malformed) : d.proxy ? `via ${redactUrl(d.proxy)} (${d.source})` : `direct: ${d.reason}`;
    const os = await osProxyComparison(ctx, d);
    findings.push(...os.findings);
    return { summary, findings, evidence: os.evidence ? { ...evidence, osProxy: os.evidence } : evidence, reproduce: ['env | grep -i _proxy', ...(os.evidence ? [String(os.evidence.command)] : [])] };
  },
};

/** What Go (kubectl) does with a proxy URL its writer meant differently, in a few words. */
export function malformedOutcome(m: MalformedProxy): string {
  switch (m.goOutcome) {
    case 'dials-other-host':
      return `Go (kubectl) does not read it as the proxy ${m.intended}: it dials ${m.goDials} instead`;
    case 'wrong-credentials':
      return `Go (kubectl) dials the proxy ${m.intended} but sends another user name or password than the one written`;
    case 'ignored':
      return `Go cannot parse it (${m.goError ?? 'invalid URL'}) and ignores ${m.source}: kubectl connects directly, without the proxy`;
    case 'fails':
      return m.source === 'kubeconfig proxy-url'
        ? `client-go cannot parse it (${m.goError ?? 'not an http, https or socks5 URL'}): every kubectl command with this kubeconfig fails with "could not parse"`
        : `Go reads it as a URL without a proxy host or with an unsupported scheme${m.goError ? ` (${m.goError})` : ''}: every kubectl request fails`;
  }
}

/** One line for the check's summary (and the root cause when nothing else fails first). */
export function malformedSummary(m: MalformedProxy): string {
  const chars = m.encode.map(([c]) => `'${c}'`).join(', ') || 'special characters';
  const where = m.source === 'kubeconfig proxy-url' ? 'the kubeconfig proxy-url' : m.source;
  switch (m.goOutcome) {
    case 'dials-other-host':
      return `kubectl reads ${where} as the proxy ${m.goDials}, not ${m.intended}: the password holds ${chars} unencoded`;
    case 'wrong-credentials':
      return `kubectl sends ${m.intended} another password than ${where} holds: ${chars} unencoded`;
    case 'ignored':
      return `kubectl ignores ${where} (it does not parse: ${chars} unencoded in the password) and connects directly`;
    case 'fails':
      return `kubectl cannot use ${where}: the password holds ${chars} unencoded`;
  }
}

function goReading(m: MalformedProxy) {
  return { intended: m.intended, goDials: m.goDials ?? null, outcome: m.goOutcome, goError: m.goError, encode: Object.fromEntries(m.encode) };
}

const ENCODE_COMMAND = `python3 -c 'import getpass,urllib.parse; print(urllib.parse.quote(getpass.getpass("proxy password: "), safe=""))'`;

export function malformedFinding(m: MalformedProxy): FindingInput {
  const chars = m.encode.map(([c, e]) => `'${c}' as ${e}`).join(', ');
  const where = m.source === 'kubeconfig proxy-url' ? 'the kubeconfig proxy-url' : m.source;
  const setCmd =
    m.source === 'kubeconfig proxy-url'
      ? `\`kubectl config set clusters.CLUSTER.proxy-url '${m.fixed}'\``
      : `\`export ${m.source}='${m.fixed}'\``;
  return {
    code: 'api.proxy.malformed-url',
    severity: m.goOutcome === 'ignored' ? 'warn' : undefined,
    message:
      `The proxy URL in ${where} holds a password with characters a URL cannot hold raw: ${m.why.join('; ') || 'they change how the URL is read'}. ` +
      `${malformedOutcome(m)}. Write it percent-encoded: ${m.fixed}, where REDACTED is the password with ${chars || 'its special characters percent-encoded'}.`,
    remediation: [
      `Percent-encode the password without echoing it: ${'`'}${ENCODE_COMMAND}${'`'} prints it encoded (${chars || "'#' as %23, '@' as %40, ':' as %3A, '%' as %25"}).`,
      `Then set the proxy with the encoded password in place of REDACTED: ${setCmd}.`,
    ],
  };
}
