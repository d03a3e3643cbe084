// server.apiservices: the aggregated APIs (APIService objects) and whether each is Available.
import type { V1APIService } from '@kubernetes/client-node';
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import { failureText, permissionText } from './api-answer.ts';
import type { ServerContext } from './context.ts';
import { cluster } from './requirements.ts';

export const apiservicesCheck: CheckDefinition<ServerContext> = {
  id: 'server.apiservices',
  title: 'APIServices (aggregated APIs)',
  requires: ['server.connection'],
  appliesWhen: [cluster],
  codes: ['server.apiservices.unavailable', 'server.apiservices.forbidden', 'server.apiservices.error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs + 1000,
  async run(ctx) {
    const reproduce = [`kubectl get apiservices${ctx.contextArgs}`, `kubectl get apiservices -o jsonpath='{range .items[?(@.status.conditions[0].status!="True")]}{.metadata.name}{"\\t"}{.status.conditions[0].reason}{"\\t"}{.status.conditions[0].message}{"\\n"}{end}'${ctx.contextArgs}`];
    const r = await ctx.api.list<V1APIService>('/apis/apiregistration.k8s.io/v1/apiservices');
    if (!r.ok) {
      if (r.reason === 'forbidden') {
        const needs = r.needs ? ` This identity needs ${permissionText(r.needs)}: \`${r.needs.canI}\`.` : '';
        return {
          summary: `not readable by this identity: ${r.message}`,
          findings: [{ code: 'server.apiservices.forbidden', message: `RBAC forbids listing APIServices: "${r.message}".${needs}` }],
          reproduce: r.needs ? [...reproduce, r.needs.canI] : reproduce,
        };
      }
      if (r.reason === 'timeout' || r.reason === 'unreachable') {
        return { summary: `listing APIServices failed: ${r.message}`, findings: [{ code: 'server.apiservices.error', message: `GET apiservices got no answer: ${r.message}.` }], reproduce };
      }
      return { summary: `listing APIServices answered ${failureText(r)}`, findings: [{ code: 'server.apiservices.error', message: `GET apiservices answered ${failureText(r)}.` }], reproduce };
    }
    const items = r.body;
    const rows = items.map((i) => {
      const c = i.status?.conditions?.find((x) => x.type === 'Available');
      const svc = i.spec?.service ? `${i.spec.service.namespace}/${i.spec.service.name}` : 'Local';
      return { name: i.metadata?.name ?? '?', service: svc, available: c?.status ?? 'Unknown', reason: c?.reason, message: c?.message, since: c?.lastTransitionTime };
    });
    const bad = rows.filter((x) => x.available !== 'True');
    const evidence = { total: rows.length, unavailable: bad, aggregated: rows.filter((x) => x.service !== 'Local').map((x) => `${x.name} → ${x.service} (${x.available})`) };
    if (bad.length === 0) return { summary: `all ${rows.length} APIServices Available`, evidence, reproduce };
    const findings: FindingInput[] = bad.map((b) => {
      const gv = b.name.replace(/^([^.]+)\.(.*)$/, '$2/$1');
      return {
        code: 'server.apiservices.unavailable',
        message:
          `APIService ${b.name} (service ${b.service}) is not Available: ${b.reason ?? 'no reason'}${b.message ? `: "${b.message}"` : ''}. ` +
          `kubectl commands still work, but print "couldn't get resource list for ${gv}: the server is currently unable to handle the request" on every discovery; ` +
          `what needs the complete list of APIs fails: \`kubectl api-resources\` (exit 1), \`kubectl apply\` of ${gv.split('/')[0]} objects, namespace deletion (namespaces stay Terminating) and garbage collection.`,
        remediation: [
          b.service === 'Local'
            ? `\`kubectl describe apiservice ${b.name}\`: a local APIService that is not Available means the API server itself is not ready (see server.health).`
            : `\`kubectl describe apiservice ${b.name}\`, then check the service behind it: \`kubectl get endpointslices -n ${b.service.split('/')[0]} -l kubernetes.io/service-name=${b.service.split('/')[1] ?? ''}\` and its pods' logs.`,
          `If the API is not needed any more, delete the registration: \`kubectl delete apiservice ${b.name}\`.`,
        ],
      };
    });
    return { summary: `${bad.length} of ${rows.length} APIServices not Available: ${bad.map((b) => `${b.name} (${b.reason ?? '?'})`).join(', ')}`, findings, evidence, reproduce };
  },
};
