// api.tls: one handshake through the path kubectl takes; the presented chain is evidence even
// when verification fails, and verification against the kubeconfig CA is done here, in Go's order.
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { Severity } from '../../report/types.ts';
import type { FindingInput } from '../../engine/definitions.ts';
import { certInfo, type CertInfo } from '../../net/x509.ts';
import { describeDecision, judgeInterception } from '../../net/interception.ts';
import { installedCaFor, runStoreCommand } from '../../net/trust-store.ts';
import { tlsHandshake, type TlsResult } from '../../net/tls.ts';
import { judgeStalledHandshake, stallEvidence, watchClientHandshake, type StallCodes, type StallEvidence } from '../../kube/handshake-stall.ts';
import { stripBrackets } from '../../net/ip.ts';
import { redactUrl } from '../../report/redact.ts';
import { httpsServer } from './requirements.ts';
import type { ApiContext } from './context.ts';
import { monotonicMs } from '../../net/clock.ts';

export const KUBECTL_TLS_PREFIX = 'Unable to connect to the server: tls: failed to verify certificate: ';

export function describeCert(c: CertInfo | undefined): string {
  if (!c) return '(no certificate)';
  return c.subject || '(empty subject)';
}

export const tlsCheck: CheckDefinition<ApiContext> = {
  id: 'api.tls',
  title: 'TLS handshake',
  requires: (ctx) => (ctx.kube && safeProxied(ctx) ? ['api.proxy'] : ['api.tcp']),
  appliesWhen: [httpsServer],
  codes: [
    'api.tls.intercepted',
    'api.tls.no-ip-san',
    'api.tls.name-mismatch',
    'api.tls.unknown-authority',
    'api.tls.expired',
    'api.tls.not-yet-valid',
    'api.tls.expiring-soon',
    'api.tls.ca-invalid',
    'api.tls.handshake-failed',
    'api.tls.mtu-blackhole',
    'api.tls.no-answer',
    'api.tls.slow-handshake',
    'api.tls.legacy-cn',
    'api.tls.verification-disabled',
  ],
  timeoutMs: (ctx) => ctx.timeoutMs * 3 + ctx.options.requestTimeoutMs + 1000,
  async run(ctx) {
    const startedAt = monotonicMs();
    const pending = ctx.tls();
    const compare = compareProbe(ctx);
    const stall = watchClientHandshake(ctx, pending, startedAt);
    const t = await pending;
    const proxy = t.dialled.connect ? ctx.proxy().proxy : undefined;
    const sni = ctx.config.cluster.tlsServerName || (ctx.isIpServer ? undefined : ctx.host);
    const caFile = ctx.config.cluster.caSource.startsWith('file:') ? ctx.config.cluster.caSource.slice(5) : 'ca.crt';
    const sClient = [
      `openssl s_client -connect ${ctx.hostPort}`,
      proxy ? ` -proxy ${proxy.host}` : '',
      sni ? ` -servername ${sni}` : '',
      ' -showcerts </dev/null',
    ].join('');
    const reproduce = [
      sClient,
      `${sClient.replace(' -showcerts </dev/null', '')} -CAfile ${caFile} -verify_return_error ${ctx.isIpServer && !ctx.config.cluster.tlsServerName ? `-verify_ip ${ctx.host}` : `-verify_hostname ${ctx.serverName}`} </dev/null`,
    ];
    if (t.dialled.connect && !t.dialled.socket) {
      return { blockedBy: 'api.proxy.connect', summary: 'skipped because api.proxy.connect failed' };
    }
    if (!t.dialled.socket && !t.tls.ok && t.tls.chain.length === 0 && t.tls.durationMs === 0) {
      return { blockedBy: 'api.tcp', summary: 'skipped because api.tcp failed' };
    }
    const evidence: Record<string, unknown> = {
      via: t.dialled.via,
      sni: t.tls.servername ?? null,
      verifiedName: t.serverName,
      protocol: t.tls.protocol,
      cipher: t.tls.cipher,
      chain: t.tls.chain,
    };
    if (!t.tls.ok && t.tls.error?.kind === 'timeout' && !t.dialled.connect) {
      const probes = await stall;
      if (probes) {
        const r = stalledHandshake(ctx.hostPort, ctx.host, ctx.timeoutMs, probes);
        evidence.error = t.tls.error;
        evidence.stall = stallEvidence(probes, r.cause);
        return { summary: r.summary, findings: [r.finding], evidence, reproduce: [...r.reproduce, ...reproduce] };
      }
    }
    if (!t.tls.ok) {
      const e = t.tls.error;
      const what =
        e?.kind === 'not-tls'
          ? `${t.dialled.via} did not answer with TLS (${e.message})`
          : e?.kind === 'timeout'
            ? `the TLS handshake with ${t.dialled.via} did not complete within ${ctx.timeoutMs} ms (the server accepted TCP but never answered)`
            : `the TLS handshake with ${t.dialled.via} failed: ${e?.message ?? 'unknown error'}`;
      evidence.error = e;
      return { summary: what, findings: [{ code: 'api.tls.handshake-failed', message: `${what}.` }], evidence, reproduce };
    }

    const findings: FindingInput[] = [];
    const leaf = t.tls.chain[0];
    const insecure = ctx.config.cluster.insecureSkipTlsVerify;
    const soften = (s: Severity | undefined): Severity | undefined => (insecure ? 'warn' : s);
    if (t.caError) {
      findings.push({ code: 'api.tls.ca-invalid', message: `The kubeconfig CA (${ctx.config.cluster.caSource}) cannot be used: ${t.caError}.` });
    }
    const v = t.verify;
    if (v) {
      evidence.verification = { trusted: v.trusted, anchoredBy: v.anchoredBy, problems: v.problems, goError: v.goError };
      if (v.goError) evidence.kubectlError = `${KUBECTL_TLS_PREFIX}${v.goError}`;
      const kinds = new Set(v.problems.map((p) => p.kind));
      const caSubjects = (t.roots ?? []).map((r) => certInfo(r).subject);
      const notFromCa = kinds.has('unknown-authority');
      const cmp = await compare;
      if (cmp) evidence.compareHost = { host: cmp.host, ok: cmp.tls.ok, issuer: cmp.tls.chain[0]?.issuer ?? null, ...(cmp.tls.ok ? {} : { error: cmp.tls.error?.message ?? null }) };
      const interception = judgeInterception({
        chain: t.tls.chain,
        expected: t.roots ? 'the kubeconfig CA' : 'the system store',
        // only an unknown authority can be an interception: names and validity aside, the chain builds
        anchoredBy: notFromCa ? v.anchoredBy : (v.anchoredBy ?? (t.roots ? 'the kubeconfig CA' : 'the system store')),
        ...(t.dialled.connect !== undefined ? { proxy: { url: proxy ? redactUrl(proxy) : undefined } } : {}),
        expectedSubjects: caSubjects,
        kubeApiServer: {},
        ...(cmp?.tls.ok ? { compare: { host: cmp.host, chain: cmp.tls.chain } } : {}),
      });
      const product = interception.product;
      const issuer = t.tls.chain[t.tls.chain.length - 1]?.issuer ?? leaf?.issuer;
      if (interception.intercepted) {
        const installed = await installedCaFor(t.tls.certificates, { platform: ctx.platform, env: ctx.clientOptions.env, run: (argv) => ctx.once(`trust-store:${argv.join(' ')}`, () => runStoreCommand(argv)) }).catch(() => undefined);
        evidence.interception = {
          decidedBy: interception.evidence.map((e) => e.detail),
          confidence: interception.confidence,
          ...(product ? { product } : {}),
          ...(installed ? { trustedBy: installed.where } : {}),
        };
        const by = proxy ? `the proxy ${redactUrl(proxy)}` : `a middlebox on the path${t.dialled.connect === undefined ? ' (no proxy is set: it intercepts transparently)' : ''}`;
        const deciding = interception.evidence.filter((e) => e.kind !== 'not-anchored' && e.kind !== 'proxy');
        findings.push({
          code: 'api.tls.intercepted',
          message:
            `TLS to ${ctx.hostPort} is intercepted by ${by}: the certificate presented is ${describeCert(leaf)}, issued by ${issuer}` +
            `${product ? ` (${product})` : ''}, not by the kubeconfig CA${caSubjects.length ? ` (${caSubjects.join('; ')})` : ''}.` +
            (proxy ? '' : ` Interception is ${describeDecision(interception)}: ${deciding.map((e) => e.detail).join('; ')}.`) +
            (installed
              ? ` The interceptor's CA ${installed.subject} is installed in ${installed.where}: that is why curl and browsers on this machine work while kubectl, which trusts only the kubeconfig CA, fails.`
              : '') +
            (insecure ? ' insecure-skip-tls-verify is set, so kubectl would send its credentials to the interceptor.' : ''),
        });
      } else if (notFromCa && !t.caError) {
        const regenerated = interception.regeneratedCa
          ? ` It has the same name as the kubeconfig CA but another key: the cluster CA was regenerated (the cluster was rebuilt or its CA replaced), and this kubeconfig still holds the old one.`
          : '';
        if (regenerated) evidence.regeneratedCa = true;
        findings.push({
          code: 'api.tls.unknown-authority',
          severity: soften(undefined),
          message: `The certificate ${describeCert(leaf)} is issued by ${issuer}, which is not the kubeconfig CA${caSubjects.length ? ` (${caSubjects.join('; ')})` : ' (the kubeconfig has no CA: the system store was used)'}.${regenerated} kubectl says: "${KUBECTL_TLS_PREFIX}${v.goError && /unknown authority/.test(v.goError) ? v.goError : 'x509: certificate signed by unknown authority'}".`,
          ...(regenerated
            ? { remediation: ["Fetch a fresh kubeconfig from the rebuilt cluster (its admin.conf, or your provider's `get-credentials` command): certificate-authority-data must be the new cluster CA."] }
            : {}),
        });
      }
      for (const p of v.problems) {
        const code = PROBLEM_CODE[p.kind];
        if (!code) continue;
        const kubectlSays = v.goError && problemMatchesGoError(p.kind, v.goError) ? ` kubectl says: "${KUBECTL_TLS_PREFIX}${v.goError}".` : '';
        const tsn = ctx.config.cluster.tlsServerName;
        const byServerName = tsn && (p.kind === 'name-mismatch' || p.kind === 'legacy-cn-only');
        const message =
          p.kind === 'no-ip-san'
            ? `The server URL uses the IP address ${ctx.host} and the certificate ${describeCert(leaf)} has no IP SANs.${kubectlSays}`
            : byServerName
              ? `The kubeconfig sets tls-server-name: ${tsn}, and the certificate does not carry that name: ${p.message}.${kubectlSays}`
              : `${p.message}.${kubectlSays}`;
        // expiring-soon is a warning whatever the mode; the rest would break kubectl unless verification is off
        findings.push({
          code,
          message,
          severity: p.kind === 'expiring-soon' ? undefined : soften(undefined),
          ...(byServerName
            ? {
                remediation: [
                  `Fix tls-server-name in the kubeconfig's cluster entry: set it to a name the certificate carries${leaf?.dnsNames.length ? ` (${leaf.dnsNames.join(', ')})` : ''}, or remove it: \`kubectl config unset clusters.${ctx.config.clusterName ?? 'CLUSTER'}.tls-server-name\`.`,
                ],
              }
            : {}),
        });
      }
      if (insecure && !v.trusted) {
        findings.push({
          code: 'api.tls.verification-disabled',
          message: `insecure-skip-tls-verify hides this: with verification kubectl would fail with "${KUBECTL_TLS_PREFIX}${v.goError ?? 'x509: certificate signed by unknown authority'}".`,
        });
      }
    }
    const verdict = v?.trusted
      ? `verified by ${v.anchoredBy ?? 'the kubeconfig CA'} for ${t.serverName}`
      : v?.goError
        ? `not trusted: ${v.goError}`
        : 'not verified';
    const summary = `${t.tls.protocol ?? 'TLS'}; ${describeCert(leaf)} issued by ${leaf?.issuer ?? '?'}; ${verdict}`;
    return { summary, findings, evidence, reproduce };
  },
};

/** Verification problems that are findings of their own (unknown-authority is judged above). */
const PROBLEM_CODE: Partial<Record<string, string>> = {
  'no-ip-san': 'api.tls.no-ip-san',
  'name-mismatch': 'api.tls.name-mismatch',
  'legacy-cn-only': 'api.tls.legacy-cn',
  expired: 'api.tls.expired',
  'not-yet-valid': 'api.tls.not-yet-valid',
  'expiring-soon': 'api.tls.expiring-soon',
};

function safeProxied(ctx: ApiContext): boolean {
  try {
    return ctx.proxy().proxy !== undefined;
  } catch {
    return false;
  }
}

function problemMatchesGoError(kind: string, goError: string): boolean {
  if (kind === 'no-ip-san') return goError.includes("doesn't contain any IP SANs");
  if (kind === 'name-mismatch') return goError.includes('certificate is valid for');
  if (kind === 'legacy-cn-only') return goError.includes('legacy Common Name');
  if (kind === 'expired' || kind === 'not-yet-valid') return goError.includes('expired or is not yet valid');
  return false;
}

/** The handshake with --compare-host, run alongside the API server's (direct, with its own SNI). */
function compareProbe(ctx: ApiContext): Promise<{ host: string; tls: TlsResult } | undefined> {
  const spec = ctx.options.compareHost;
  if (!spec) return Promise.resolve(undefined);
  const m = /^(?:https:\/\/)?(\[[^\]]+\]|[^:/]+)(?::(\d+))?/.exec(spec);
  if (!m) return Promise.resolve(undefined);
  const host = stripBrackets(m[1]!);
  const port = m[2] ? Number(m[2]) : 443;
  return tlsHandshake({ host, port, timeoutMs: ctx.timeoutMs }).then((tls) => ({ host: m[2] ? `${host}:${port}` : host, tls }));
}

export const API_STALL_CODES: StallCodes = { slow: 'api.tls.slow-handshake', mtuBlackhole: 'api.tls.mtu-blackhole', noAnswer: 'api.tls.no-answer', failed: 'api.tls.handshake-failed' };

/** The finding for a handshake that did not complete in time, from what the probes saw. */
export function stalledHandshake(hostPort: string, host: string, timeoutMs: number, probes: StallEvidence): { finding: FindingInput; summary: string; cause: string; reproduce: string[] } {
  const v = judgeStalledHandshake(API_STALL_CODES, hostPort, host, timeoutMs, probes);
  return { cause: v.cause, summary: v.summary, finding: { code: v.code, message: v.message }, reproduce: v.reproduce };
}
