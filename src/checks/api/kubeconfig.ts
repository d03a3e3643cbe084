// api.kubeconfig: which kubeconfig, context, cluster and user kubectl would use, merged as kubectl merges them.
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { FindingInput } from '../../engine/definitions.ts';
import { describeMerge, localhostFallbackWhy } from '../../kube/kubeconfig.ts';
import { redactUrl } from '../../report/redact.ts';
import type { ApiContext } from './context.ts';

const ERROR_CODE = {
  missing: 'api.kubeconfig.missing',
  invalid: 'api.kubeconfig.invalid',
  'unknown-context': 'api.kubeconfig.unknown-context',
  'unknown-cluster': 'api.kubeconfig.unknown-context',
  'unknown-user': 'api.kubeconfig.unknown-context',
} as const;

export const kubeconfigCheck: CheckDefinition<ApiContext> = {
  id: 'api.kubeconfig',
  title: 'Kubeconfig',
  codes: [
    'api.kubeconfig.missing',
    'api.kubeconfig.unknown-context',
    'api.kubeconfig.invalid',
    'api.kubeconfig.localhost-fallback',
    'api.kubeconfig.insecure',
    'api.kubeconfig.files-skipped',
  ],
  async run(ctx) {
    if (ctx.kubeError) {
      return {
        summary: ctx.kubeError.message,
        findings: [{ code: ERROR_CODE[ctx.kubeError.code], message: ctx.kubeError.message }],
        reproduce: [`kubectl config view --minify ${ctx.contextArgs}`.trim()],
      };
    }
    const k = ctx.config;
    const findings: FindingInput[] = [];
    const fallback = k.localhostFallback ? localhostFallbackWhy(k) : undefined;
    if (fallback) findings.push({ code: 'api.kubeconfig.localhost-fallback', message: fallback.message });
    if (k.cluster.insecureSkipTlsVerify) {
      findings.push({
        code: 'api.kubeconfig.insecure',
        message: 'insecure-skip-tls-verify is set: the server certificate is not checked, so interception would go unnoticed by kubectl.',
      });
    }
    const skipped = k.files.filter((f) => !f.loaded);
    if (skipped.length > 0 && k.source === 'KUBECONFIG') {
      findings.push({
        code: 'api.kubeconfig.files-skipped',
        message: `KUBECONFIG lists files that were skipped: ${skipped.map((f) => `${f.path} (${f.error ?? 'missing'})`).join(', ')}.`,
      });
    }
    const auth = k.user.authKind === 'exec' && k.user.exec ? `exec plugin ${k.user.exec.command}` : k.user.authKind;
    const plain = !fallback && k.cluster.scheme !== 'https';
    const ca = plain ? 'plain http://: no TLS, and no credentials are sent' : k.cluster.insecureSkipTlsVerify ? 'verification disabled' : `CA from ${k.cluster.caSource}`;
    const summary = fallback
      ? fallback.summary
      : `context ${k.contextName ?? '(in-cluster)'} → ${k.cluster.server}${k.cluster.tlsServerName ? ` (tls-server-name ${k.cluster.tlsServerName})` : ''}; auth: ${auth}; ${ca}`;
    return {
      summary,
      findings,
      evidence: {
        source: k.source,
        files: k.files,
        merge: describeMerge(k),
        context: k.contextName,
        cluster: k.clusterName,
        user: k.userName,
        namespace: k.namespace,
        namespaceSource: k.namespaceSource,
        server: k.cluster.server,
        authKind: k.user.authKind,
        execCommand: k.user.exec?.command,
        caSource: k.cluster.caSource,
        insecureSkipTlsVerify: k.cluster.insecureSkipTlsVerify,
        tlsServerName: k.cluster.tlsServerName,
        proxyUrl: k.cluster.proxyUrl ? redactUrl(k.cluster.proxyUrl) : undefined,
        warnings: k.warnings,
      },
      reproduce: [`kubectl config view --minify ${ctx.contextArgs}`.trim()],
    };
  },
};
