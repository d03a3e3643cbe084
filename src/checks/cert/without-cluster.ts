// `kubectl netdiag cert HOST` when no kubeconfig resolves: the served certificate alone. The same
// report as the full `cert` diagnosis (./index.ts) with its one check that applies, loading no
// cluster code (start-up time; ./prepare.ts starts its handshake early).
import { menuEntry } from '../menu.ts';
import type { DiagnosisDefinition } from '../../engine/definitions.ts';
import type { CheckResult, Diagnosis } from '../../report/types.ts';
import { ServedHostContext, type ServedHostOptions } from '../served-host/context.ts';
import { diagnoseServedHost } from '../served-host/diagnose.ts';
import { caFileError, servedHostEnvironment, servedHostTarget } from '../served-host/report-fields.ts';
import { certTlsCheck } from '../served-host/tls.ts';

/** The `cert` verdict: when no kubeconfig resolves it says that the cluster checks were left out. */
export function diagnoseCert(results: CheckResult[], ctx: ServedHostContext): Diagnosis {
  return diagnoseServedHost(results, ctx, { clusterLeftOut: !ctx.cluster.configured });
}

/** The served-certificate diagnosis without a cluster: `cert` when no kubeconfig resolves. */
export const certWithoutClusterDiagnosis: DiagnosisDefinition<ServedHostOptions, ServedHostContext> = {
  ...menuEntry('cert'),
  checks: [certTlsCheck],
  createContext: (o) => new ServedHostContext(o),
  diagnose: diagnoseCert,
  target: servedHostTarget,
  environment: servedHostEnvironment,
  configError: caFileError,
};
