// The `egress` diagnosis: pod → host: live probe inside the pod, every policy that selects it,
// the verdict with its rule, the policies' owners, the logs.
import { menuEntry } from '../menu.ts';
import type { DiagnosisDefinition } from '../../engine/definitions.ts';
import { EGRESS_CHECKS } from './pod.ts';
import { EgressContext, type EgressOptions } from './context.ts';
import { diagnoseEgress } from './diagnosis.ts';

export { EGRESS_CHECKS };

export const egressDiagnosis: DiagnosisDefinition<EgressOptions, EgressContext> = {
  ...menuEntry('egress'),
  checks: EGRESS_CHECKS,
  createContext: (options) => new EgressContext(options),
  diagnose: diagnoseEgress,
  target(ctx) {
    const k = ctx.api.kube;
    return {
      context: k?.contextName,
      cluster: k?.clusterName,
      user: k?.userName,
      namespace: ctx.namespace,
      server: k?.cluster.server,
      pod: ctx.options.pod,
      selector: ctx.options.selector,
      destination: ctx.options.target ?? (ctx.options.fromLogs ? '(from logs)' : undefined),
      control: ctx.options.control,
    };
  },
  configError: (ctx) => ctx.api.kubeError?.message ?? ctx.targetError,
  environment(ctx) {
    return { kubeconfig: ctx.api.kube?.files.map((f) => f.path), apiRequests: ctx.requests.length };
  },
};
