// The `ingress` diagnosis (external path to an Ingress host: DNS → LB IP → MetalLB → Service →
// endpoints → HTTP-01 → cert-manager) and the `cert` diagnosis (the served certificate; with a
// cluster that knows the host, the same cluster checks).
import { menuEntry } from '../menu.ts';
import type { DiagnosisDefinition } from '../../engine/definitions.ts';
import { caFileError, certEnvironment, certOnlyDiagnosis, certTarget } from '../cert/without-cluster.ts';
import { certTlsCheck } from '../served-host/tls.ts';
import { annotationsCheck } from '../served-host/annotations.ts';
import { certManagerCheck } from '../served-host/certmanager.ts';
import { IngressContext, type IngressOptions } from '../served-host/cluster-context.ts';
import { diagnoseIngress } from '../served-host/diagnose.ts';
import { http01Check } from '../served-host/http01.ts';
import { dnsCheck, lbCheck, trafficPolicyCheck } from '../served-host/lb.ts';
import { backendCheck, resourceCheck } from '../served-host/resource.ts';

function target(ctx: IngressContext) {
  const k = ctx.cluster.configured ? ctx.cluster.api.kube : undefined;
  return certTarget(ctx, k ? { context: k.contextName, cluster: k.clusterName, user: k.userName, server: k.cluster.server } : undefined);
}

function environment(ctx: IngressContext) {
  return certEnvironment(ctx, ctx.cluster.configured ? ctx.cluster.api.kube?.files.map((f) => f.path) : null);
}

export const ingressDiagnosis: DiagnosisDefinition<IngressOptions, IngressContext> = {
  ...menuEntry('ingress'),
  checks: [resourceCheck, backendCheck, lbCheck, trafficPolicyCheck, dnsCheck, http01Check, certManagerCheck, annotationsCheck, certTlsCheck],
  createContext: (o) => new IngressContext(o),
  diagnose: diagnoseIngress,
  target,
  environment,
  configError(ctx) {
    const ca = caFileError(ctx);
    if (ca) return ca;
    const k = ctx.cluster.api;
    if (k.kubeError) return k.kubeError.message;
    if (!ctx.cluster.configured) return 'no kubeconfig: set KUBECONFIG or --kubeconfig (`kubectl netdiag cert HOST` works without a cluster)';
    return undefined;
  },
};

/** `cert` with a kubeconfig: the served certificate, and cert-manager and the ingress path when the cluster knows the host. */
export const certDiagnosis: DiagnosisDefinition<IngressOptions, IngressContext> = {
  ...certOnlyDiagnosis,
  checks: [certTlsCheck, certManagerCheck, resourceCheck, backendCheck, lbCheck, trafficPolicyCheck, dnsCheck, http01Check, annotationsCheck],
  createContext: (o) => new IngressContext(o),
  target,
  environment,
};
