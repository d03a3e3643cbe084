// The `egress` diagnosis: pod → host: live probe inside the pod, every policy that selects it,
// the verdict with its rule, the policies' owners, the logs.
import type { DiagnosisDefinition } from '../registry.ts';
import { EGRESS_CHECKS } from './checks.ts';
import { EgressContext, type EgressOptions } from './context.ts';
import { diagnoseEgress } from './diagnosis.ts';

export { EGRESS_CHECKS };

export const egressDiagnosis: DiagnosisDefinition<EgressOptions, EgressContext> = {
  command: 'egress',
  title: 'Pod egress',
  description: 'pod → host: DNS and TCP from inside the pod, NetworkPolicies and Cilium policies with the exact rule, owners and drift, logs',
  checks: EGRESS_CHECKS,
  // the TUI form: the same names as the command's flag and positionals
  inputs: [
    { name: 'namespace', label: 'Namespace', required: true, placeholder: 'ml', kind: 'namespace' },
    { name: 'pod', label: 'Pod', required: true, placeholder: 'training-7f9c', kind: 'pod' },
    { name: 'target', label: 'Target', required: true, placeholder: 'storage.example.net:443, https://…, 203.0.113.7, svc/NAME.NS', kind: 'host' },
  ],
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
