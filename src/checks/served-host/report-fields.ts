// What the `cert` and `ingress` reports say besides the checks: the target (host, port, SNI, and
// the cluster context when one resolves), the environment, and the one configuration error of
// their own (--ca-file). Loads no cluster code.
import { arch, hostname, platform } from 'node:os';
import type { ServedHostContext } from './context.ts';

export function servedHostTarget(ctx: ServedHostContext) {
  const cluster = ctx.targetCluster();
  return {
    host: ctx.host,
    port: ctx.options.port,
    ...(ctx.options.sni ? { sni: ctx.options.sni } : {}),
    ...(cluster ? { context: cluster.context, cluster: cluster.cluster, user: cluster.user, server: cluster.server } : {}),
  };
}

export function servedHostEnvironment(ctx: ServedHostContext) {
  return {
    host: { name: hostname(), platform: `${platform()} ${arch()}` },
    ...(ctx.options.caFile ? { caFile: ctx.options.caFile } : {}),
    kubeconfig: ctx.kubeconfigFiles(),
  };
}

export function caFileError(ctx: ServedHostContext): string | undefined {
  const e = ctx.caFile()?.error;
  return e ? `--ca-file ${ctx.options.caFile}: ${e}` : undefined;
}
