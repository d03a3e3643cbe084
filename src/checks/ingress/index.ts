// The `ingress` diagnosis: the external path to an Ingress host (Ingress → Service → LB address →
// MetalLB → traffic policy → DNS → HTTP-01 → cert-manager → served certificate). Its checks are
// shared with `cert` (../served-host/); here each is declared to need what `ingress` needs of the
// cluster. DNS and the HTTP-01 probe from this machine run without one.
import { menuEntry } from '../menu.ts';
import { requiring, type CheckDefinition, type DiagnosisDefinition, type Requirement } from '../../engine/definitions.ts';
import type { CheckResult, Diagnosis } from '../../report/types.ts';
import { annotationsCheck } from '../served-host/annotations.ts';
import { backendCheck } from '../served-host/backend.ts';
import { certManagerCheck } from '../served-host/certmanager.ts';
import { HostClusterContext, type HostClusterOptions } from '../served-host/cluster-context.ts';
import type { ServedHostContext } from '../served-host/context.ts';
import { diagnoseServedHost } from '../served-host/diagnose.ts';
import { dnsCheck } from '../served-host/dns.ts';
import { http01Check } from '../served-host/http01.ts';
import { lbCheck } from '../served-host/lb.ts';
import { caFileError, servedHostEnvironment, servedHostTarget } from '../served-host/report-fields.ts';
import { clusterUsable, hostHasIngress, kubeconfigResolves } from '../served-host/requirements.ts';
import { resourceCheck } from '../served-host/resource.ts';
import { certTlsCheck } from '../served-host/tls.ts';
import { trafficPolicyCheck } from '../served-host/traffic-policy.ts';

type Check = CheckDefinition<HostClusterContext>;

const kubeconfig = kubeconfigResolves('no kubeconfig');
/** The cluster checks of `ingress` need a kubeconfig and an API server that can be used. */
const forIngress = (check: Check, ...more: Requirement<HostClusterContext>[]): Check => requiring(check, kubeconfig, clusterUsable, ...more);
const noIngressForHost = hostHasIngress(() => 'no Ingress for the host');

export const INGRESS_CHECKS: readonly Check[] = [
  // an API server that cannot be used is this check's finding (ingress.resource.api-unreachable)
  requiring(resourceCheck, kubeconfig),
  forIngress(backendCheck, noIngressForHost),
  forIngress(lbCheck),
  forIngress(trafficPolicyCheck),
  dnsCheck,
  http01Check,
  forIngress(certManagerCheck),
  forIngress(annotationsCheck, noIngressForHost),
  certTlsCheck,
];

export function diagnoseIngress(results: CheckResult[], ctx: ServedHostContext): Diagnosis {
  return diagnoseServedHost(results, ctx);
}

export const ingressDiagnosis: DiagnosisDefinition<HostClusterOptions, HostClusterContext> = {
  ...menuEntry('ingress'),
  checks: INGRESS_CHECKS,
  createContext: (o) => new HostClusterContext(o),
  diagnose: diagnoseIngress,
  target: servedHostTarget,
  environment: servedHostEnvironment,
  configError(ctx) {
    const ca = caFileError(ctx);
    if (ca) return ca;
    if (ctx.client.kubeError) return ctx.client.kubeError.message;
    if (!ctx.client.configured) return 'no kubeconfig: set KUBECONFIG or --kubeconfig (`kubectl netdiag cert HOST` works without a cluster)';
    return undefined;
  },
};
