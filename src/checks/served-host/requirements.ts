// When the shared cluster checks apply, as declared requirements (src/engine/definitions.ts): each
// diagnosis wraps the shared checks with the ones that fit it (`requiring(check, …)`), and the
// engine skips a check whose requirement is unmet with "not applicable: <why>". The async ones
// await what they need (the API server's reachability, the discovery of the host), which is shared.
import type { Requirement } from '../../engine/definitions.ts';
import { hostIngresses, type HostClusterContext } from './cluster-context.ts';

type R = Requirement<HostClusterContext>;

/** A kubeconfig resolves to a cluster; `why` is what the report says when none does. */
export function kubeconfigResolves(why: string): R {
  return { name: 'kubeconfig', unmet: (ctx) => (ctx.client.configured ? undefined : why) };
}

/** The API server answers and its certificate verifies (credentials are sent only then). */
export const clusterUsable: R = {
  name: 'cluster-usable',
  async unmet(ctx) {
    const u = await ctx.clusterUnusable();
    return u?.why;
  },
};

/** The cluster has an Ingress (a solver's counts) or a cert-manager Certificate for the host. */
export const hostKnownToCluster: R = {
  name: 'host-known-to-cluster',
  async unmet(ctx) {
    const d = await ctx.discover();
    if (d.ingresses.length > 0 || d.certificates.length > 0) return undefined;
    return `the cluster (context ${ctx.client.contextName ?? '?'}) has no Ingress or Certificate for ${ctx.host}`;
  },
};

/** An Ingress (not a cert-manager solver's) serves the host; `why` is the words of the skip. */
export function hostHasIngress(why: (ctx: HostClusterContext) => string, opts: { unlessUnreadable?: boolean } = {}): R {
  return {
    name: 'host-has-ingress',
    async unmet(ctx) {
      const d = await ctx.discover();
      // when the Ingresses could not be read, the check says why itself (the permission it needs)
      if (opts.unlessUnreadable && d.ingressError) return undefined;
      return hostIngresses(d).length > 0 ? undefined : why(ctx);
    },
  };
}

/** A cert-manager Certificate covers the host (or the Certificates could not be read: the check says why). */
export const hostHasCertificate: R = {
  name: 'host-has-certificate',
  async unmet(ctx) {
    const d = await ctx.discover();
    if (d.certificateError || d.certificates.length > 0) return undefined;
    return `no cert-manager Certificate for ${ctx.host}`;
  },
};
