// The `egress` diagnosis: pod → host: live probe inside the pod, every policy that selects it,
// the verdict with its rule, the policies' owners, the logs.
import { menuEntry } from '../menu.ts';
import type { DiagnosisDefinition } from '../../engine/definitions.ts';
import { podCheck } from './pod.ts';
import { dnsCheck } from './dns.ts';
import { tcpCheck } from './tcp.ts';
import { k8sPolicyCheck } from './policy-k8s.ts';
import { ciliumPolicyCheck } from './policy-cilium.ts';
import { adminPolicyCheck } from './policy-admin.ts';
import { cnameCheck } from './policy-cname.ts';
import { gitopsCheck } from './gitops.ts';
import { logsCheck } from './logs.ts';
import type { Check } from './shared.ts';
import { EgressContext, type EgressOptions } from './context.ts';
import { diagnoseEgress } from './diagnosis.ts';

/** The egress checks in report order (SPEC §5 egress). */
export const EGRESS_CHECKS: Check[] = [podCheck, dnsCheck, tcpCheck, adminPolicyCheck, k8sPolicyCheck, ciliumPolicyCheck, cnameCheck, gitopsCheck, logsCheck];

export const egressDiagnosis: DiagnosisDefinition<EgressOptions, EgressContext> = {
  ...menuEntry('egress'),
  checks: EGRESS_CHECKS,
  createContext: (options) => new EgressContext(options),
  diagnose: diagnoseEgress,
  target(ctx) {
    const k = ctx.client.kube;
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
  configError: (ctx) => ctx.client.kubeError?.message ?? ctx.targetError,
  environment(ctx) {
    return { kubeconfig: ctx.client.kube?.files.map((f) => f.path), apiRequests: ctx.client.requests.length };
  },
};
