// When the `server` checks apply (declared with `appliesWhen`; the engine skips the check with
// "not applicable: <why>" otherwise).
import type { Requirement } from '../../engine/definitions.ts';
import type { ServerContext } from './context.ts';

/** A kubeconfig resolves (the checks that ask the API server). */
export const cluster: Requirement<ServerContext> = {
  name: 'cluster',
  unmet: (ctx) => (ctx.hasCluster ? undefined : `${ctx.noClusterLabel} (see server.connection)`),
};

/**
 * server.connection: without a kubeconfig it fails (that is the finding), except with --local,
 * where the node checks still run and the remote part is not applicable.
 */
export const clusterUnlessLocal: Requirement<ServerContext> = {
  name: 'cluster (or no --local)',
  unmet(ctx) {
    if (ctx.hasCluster || !ctx.local) return undefined;
    const why = ctx.api.kubeError?.message ?? `${ctx.api.kube?.fallbackReason ?? 'none found'}: kubectl would fall back to http://localhost:8080`;
    return `${ctx.noClusterLabel} (${why}); pass --kubeconfig (on kubeadm nodes: /etc/kubernetes/admin.conf) to check the API remotely too`;
  },
};

/** --local (or --root): the checks that read this node. */
export const local: Requirement<ServerContext> = {
  name: 'local',
  unmet: (ctx) => (ctx.local ? undefined : 'run with --local on a control-plane node'),
};

/** The server URL is https:// (the checks that verify the API server's serving certificates). */
export const httpsServer: Requirement<ServerContext> = {
  name: 'https server',
  unmet: (ctx) =>
    ctx.api.plainHttp ? `the server URL ${ctx.api.config.cluster.server} is plain http:// (kubectl proxy, or an insecure port): this kubeconfig holds no CA to check the API server's own endpoints against` : undefined,
};
