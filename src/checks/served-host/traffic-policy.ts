// ingress.traffic-policy: with externalTrafficPolicy: Local, the nodes that may announce the
// controller's address vs the nodes that run a ready controller pod, and the node MetalLB announces from.
import type { CheckDefinition, CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { nameOf, readFailure, type HostClusterContext } from './cluster-context.ts';
import { controller, metallb, selectorMatches } from './metallb.ts';
import type { KEvent, Node } from './types.ts';

function nodeReady(n: Node): boolean {
  return n.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

export const trafficPolicyCheck: CheckDefinition<HostClusterContext> = {
  id: 'ingress.traffic-policy',
  title: 'Traffic policy and announcing node',
  requires: ['ingress.lb'],
  codes: ['ingress.traffic-policy.announcer-without-endpoint', 'ingress.traffic-policy.local-partial', 'ingress.traffic-policy.local'],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 3 + 1000,
  async run(ctx): Promise<CheckOutcome> {
    const c = await controller(ctx);
    const svc = c.service;
    if (c.forbidden) return c.forbidden;
    if (!svc) return { skip: true, summary: 'not applicable: no controller Service' };
    const policy = svc.spec?.externalTrafficPolicy ?? 'Cluster';
    if (policy !== 'Local') return { summary: `externalTrafficPolicy ${policy}: every node forwards to a ready controller pod`, evidence: { externalTrafficPolicy: policy } };
    const ns = svc.metadata.namespace ?? 'default';
    const [slices, nodes, events, l2status] = await Promise.all([
      ctx.endpointSlices(ns, svc.metadata.name),
      ctx.list<Node>('/api/v1/nodes'),
      ctx.list<KEvent>(`/api/v1/namespaces/${ns}/events`),
      ctx.list<{ metadata: { name: string; namespace?: string }; status?: { node?: string; serviceName?: string; serviceNamespace?: string } }>('/apis/metallb.io/v1beta1/servicel2statuses'),
    ]);
    if (!slices.ok) return readFailure(slices, `/apis/discovery.k8s.io/v1/namespaces/${ns}/endpointslices`, 'EndpointSlices');
    if (!nodes.ok) return readFailure(nodes, '/api/v1/nodes', 'Nodes');
    const eps = slices.body.flatMap((s) => s.endpoints ?? []);
    const withEndpoint = [...new Set(eps.filter((e) => e.conditions?.ready !== false && e.nodeName).map((e) => e.nodeName!))].sort();
    const m = await metallb(ctx, c.address);
    const eligible = nodes.body
      .filter(nodeReady)
      .filter((n) => m.l2.length === 0 || m.l2.some((a) => (a.spec?.nodeSelectors ?? []).length === 0 || (a.spec?.nodeSelectors ?? []).some((s) => selectorMatches(s, n.metadata.labels ?? {}))))
      .map((n) => n.metadata.name)
      .sort();
    let announcer: string | undefined;
    let announcedBy = '';
    if (l2status.ok) {
      const st = l2status.body.find((s) => s.status?.serviceName === svc.metadata.name && (s.status?.serviceNamespace ?? ns) === ns);
      if (st?.status?.node) {
        announcer = st.status.node;
        announcedBy = `ServiceL2Status ${nameOf(st as never)}`;
      }
    }
    if (!announcer && events.ok) {
      const ev = events.body
        .filter((e) => e.involvedObject?.name === svc.metadata.name && (e.involvedObject?.kind ?? 'Service') === 'Service' && e.reason === 'nodeAssigned')
        .sort((a, b) => String(b.lastTimestamp ?? b.eventTime ?? '').localeCompare(String(a.lastTimestamp ?? a.eventTime ?? '')))[0];
      const mm = ev?.message ? /announcing from node "([^"]+)"/.exec(ev.message) : null;
      if (mm) {
        announcer = mm[1];
        announcedBy = `event nodeAssigned: ${ev!.message}`;
      }
    }
    const without = eligible.filter((n) => !withEndpoint.includes(n));
    const evidence = { externalTrafficPolicy: policy, nodesWithReadyControllerPod: withEndpoint, nodesThatMayAnnounce: eligible, nodesWithoutEndpoint: without, announcingNode: announcer ?? null, announcedBy: announcedBy || null };
    const reproduce = [
      ctx.kubectl(`get endpointslices -n ${ns} -l kubernetes.io/service-name=${svc.metadata.name} -o wide`),
      ctx.kubectl(`get events -n ${ns} --field-selector involvedObject.name=${svc.metadata.name}`),
      ctx.kubectl('get nodes --show-labels'),
    ];
    const findings: FindingInput[] = [];
    if (announcer && !withEndpoint.includes(announcer)) {
      findings.push({
        code: 'ingress.traffic-policy.announcer-without-endpoint',
        message:
          `The controller Service ${nameOf(svc)} uses externalTrafficPolicy: Local and MetalLB announces ${c.address} from node ${announcer}, which has no ready controller pod ` +
          `(ready pods run on ${withEndpoint.join(', ') || 'no node'}): ${announcer} drops external traffic to ${c.address}.`,
        remediation: [
          `kubectl patch service -n ${ns} ${svc.metadata.name} -p '{"spec":{"externalTrafficPolicy":"Cluster"}}'`,
          `Or run the controller on every node MetalLB may announce from (a DaemonSet, or more replicas spread over ${eligible.join(', ')}).`,
          `Or restrict the L2Advertisement's nodeSelectors to nodes that run the controller (${withEndpoint.join(', ') || 'none today'}).`,
        ],
      });
    } else if (without.length > 0) {
      findings.push({
        code: 'ingress.traffic-policy.local-partial',
        message: `externalTrafficPolicy: Local: nodes ${without.join(', ')} may announce ${c.address} but have no ready controller pod; if MetalLB elects one of them, external traffic is dropped${announcer ? '' : ' (the announcing node is not known: no nodeAssigned event)'}.`,
      });
    } else {
      findings.push({ code: 'ingress.traffic-policy.local', message: `externalTrafficPolicy: Local; every node that may announce ${c.address} runs a ready controller pod.` });
    }
    const summary = `Local; ready controller pods on ${withEndpoint.join(', ') || 'no node'}; ${announcer ? `announced from ${announcer}` : 'announcing node unknown'}`;
    return { summary, findings, evidence, reproduce };
  },
};
