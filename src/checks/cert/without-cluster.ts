// `kubectl netdiag cert HOST` when no kubeconfig resolves: the served certificate alone. The same
// report as the full `cert` diagnosis (../ingress/index.ts, which builds on this one) with its one
// check that applies, without loading any cluster code (start-up time).
import { menuEntry } from '../menu.ts';
import { arch, hostname, platform } from 'node:os';
import type { DiagnosisDefinition } from '../../engine/definitions.ts';
import { diagnoseIngress } from '../served-host/diagnose.ts';
import { CertContext, type CertOptions } from '../served-host/context.ts';
import { certTlsCheck } from '../served-host/tls.ts';

export function certTarget(ctx: CertContext, cluster?: { context?: string; cluster?: string; user?: string; server: string }) {
  return {
    host: ctx.host,
    port: ctx.options.port,
    ...(ctx.options.sni ? { sni: ctx.options.sni } : {}),
    ...(cluster ? { context: cluster.context, cluster: cluster.cluster, user: cluster.user, server: cluster.server } : {}),
  };
}

export function certEnvironment(ctx: CertContext, kubeconfig: string[] | null | undefined) {
  return {
    host: { name: hostname(), platform: `${platform()} ${arch()}` },
    ...(ctx.options.caFile ? { caFile: ctx.options.caFile } : {}),
    kubeconfig,
  };
}

export function caFileError(ctx: CertContext): string | undefined {
  const e = ctx.caFile()?.error;
  return e ? `--ca-file ${ctx.options.caFile}: ${e}` : undefined;
}

/** The served-certificate diagnosis without a cluster: `cert` when no kubeconfig resolves. */
export const certOnlyDiagnosis: DiagnosisDefinition<CertOptions, CertContext> = {
  ...menuEntry('cert'),
  checks: [certTlsCheck],
  createContext: (o) => new CertContext(o),
  diagnose: diagnoseIngress,
  target: (ctx) => certTarget(ctx),
  environment: (ctx) => certEnvironment(ctx, null),
  configError: caFileError,
};
