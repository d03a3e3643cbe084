// The `cert` diagnosis: the certificate HOST[:PORT] serves; with a cluster that knows the host, the
// cert-manager and ingress-path checks too (shared with `ingress`, ../served-host/), each declared to
// apply only when a kubeconfig resolves, the API server can be used and the cluster has an Ingress or
// a Certificate for the host. Without a kubeconfig, ./without-cluster.ts (./prepare.ts decides).
import { menuEntry } from '../menu.ts';
import { requiring, type CheckDefinition, type DiagnosisDefinition, type Requirement } from '../../engine/definitions.ts';
import { annotationsCheck } from '../served-host/annotations.ts';
import { backendCheck } from '../served-host/backend.ts';
import { certManagerCheck } from '../served-host/certmanager.ts';
import { HostClusterContext, type HostClusterOptions } from '../served-host/cluster-context.ts';
import { dnsCheck } from '../served-host/dns.ts';
import { http01Check } from '../served-host/http01.ts';
import { lbCheck } from '../served-host/lb.ts';
import { caFileError, servedHostEnvironment, servedHostTarget } from '../served-host/report-fields.ts';
import { clusterUsable, hostHasCertificate, hostHasIngress, hostKnownToCluster, kubeconfigResolves } from '../served-host/requirements.ts';
import { resourceCheck } from '../served-host/resource.ts';
import { certTlsCheck } from '../served-host/tls.ts';
import { trafficPolicyCheck } from '../served-host/traffic-policy.ts';
import { diagnoseCert } from './without-cluster.ts';

type Check = CheckDefinition<HostClusterContext>;

/** The cluster checks of `cert` apply only to a host the cluster knows. */
const CERT_CLUSTER = [kubeconfigResolves('no kubeconfig resolves, so only the served certificate is checked'), clusterUsable, hostKnownToCluster];

/** A cluster check as `cert` runs it: with a cluster that knows the host, and what else it needs. */
const forCert = (check: Check, ...more: Requirement<HostClusterContext>[]): Check => requiring(check, ...CERT_CLUSTER, ...more);

const noIngressForHost = hostHasIngress(() => 'no Ingress for the host');

export const CERT_CHECKS: readonly Check[] = [
  certTlsCheck,
  // `cert` asks about a certificate: no Certificate is not a finding here, as it is for `ingress`
  forCert(certManagerCheck, hostHasCertificate),
  // likewise no Ingress (when a Certificate exists)
  forCert(resourceCheck, hostHasIngress((ctx) => `no Ingress for ${ctx.host} (a Certificate exists)`, { unlessUnreadable: true })),
  forCert(backendCheck, noIngressForHost),
  forCert(lbCheck),
  forCert(trafficPolicyCheck),
  forCert(dnsCheck),
  forCert(http01Check),
  forCert(annotationsCheck, noIngressForHost),
];

/** `cert` with a kubeconfig: the served certificate, and cert-manager and the ingress path when the cluster knows the host. */
export const certDiagnosis: DiagnosisDefinition<HostClusterOptions, HostClusterContext> = {
  ...menuEntry('cert'),
  checks: CERT_CHECKS,
  createContext: (o) => new HostClusterContext(o),
  diagnose: diagnoseCert,
  target: servedHostTarget,
  environment: servedHostEnvironment,
  configError: caFileError,
};
