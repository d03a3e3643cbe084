// egress.pod: the pod(s) the flow starts from, and which probe tools each container has.
import type { V1Pod } from '@kubernetes/client-node';
import type { FindingInput } from '../../engine/definitions.ts';
import { itemsOf } from './context.ts';
import { grouped, podName, podsText, type Check } from './shared.ts';

/** Why a pod that is not Running cannot be probed: "web is Pending: not scheduled to any node (no IP)". */
export function notRunningText(p: V1Pod): string {
  const phase = p.status?.phase ?? 'Unknown';
  const why: string[] = [];
  if (phase === 'Pending') {
    const sched = p.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (!p.spec?.nodeName) why.push(`not scheduled to any node${sched?.reason ? `: ${sched.reason}${sched.message ? `, "${sched.message}"` : ''}` : ''}`);
    else {
      const waiting = p.status?.containerStatuses?.map((c) => c.state?.waiting?.reason).filter(Boolean);
      why.push(`scheduled to ${p.spec.nodeName}, containers not started${waiting?.length ? ` (${[...new Set(waiting)].join(', ')})` : ''}`);
    }
  }
  if (!p.status?.podIP) why.push('no IP');
  return `${p.metadata?.name} is ${phase}${why.length ? ` (${why.join('; ')})` : ''}`;
}

export const podCheck: Check = {
  id: 'egress.pod',
  title: 'Pod and probe tools',
  codes: ['egress.pod.not-found', 'egress.pod.not-running', 'egress.pod.api-error', 'egress.pod.exec-forbidden', 'egress.pod.no-tools', 'egress.pod.exec-failed', 'egress.pod.debug-container', 'egress.pod.debug-failed'],
  async run(ctx) {
    const r = await ctx.pods();
    const sel = ctx.options.selector;
    const what = sel ? `pods -l ${sel} in ${ctx.namespace}` : `pod ${ctx.namespace}/${ctx.options.pod}`;
    const reproduce = [ctx.kubectl(sel ? `get pods -n ${ctx.namespace} -l ${sel} -o wide` : `get pod -n ${ctx.namespace} ${ctx.options.pod} -o wide`)];
    // a 404 (of the pod, or of pods on a server that serves none) is "not found"; anything else an API error
    if (!r.ok && r.reason !== 'not-found' && r.reason !== 'kind-not-served') {
      return { summary: `cannot read ${what}: ${r.message}`, findings: [{ code: 'egress.pod.api-error', message: `Reading ${what} failed: ${r.message}` }], reproduce };
    }
    const pods = itemsOf(r);
    if (!pods.length) {
      return { summary: `${what} not found`, findings: [{ code: 'egress.pod.not-found', message: sel ? `No pod in namespace ${ctx.namespace} matches ${sel}.` : `Pod ${ctx.options.pod} does not exist in namespace ${ctx.namespace}.` }], reproduce };
    }
    const findings: FindingInput[] = [];
    const notRunning = pods.filter((p) => p.status?.phase !== 'Running');
    if (notRunning.length) {
      findings.push({
        code: 'egress.pod.not-running',
        message: `${notRunning.map(notRunningText).join('; ')}, so nothing can be probed from inside ${notRunning.length === 1 ? 'it' : 'them'} (exec needs a running container on a node).`,
        remediation: notRunning.map((p) => `\`kubectl describe pod -n ${p.metadata?.namespace ?? ctx.namespace} ${p.metadata?.name}${ctx.client.contextArgs ? ` ${ctx.client.contextArgs}` : ''}\` shows why (its Events: scheduling, image pulls, volumes).`),
      });
    }
    const probes = await ctx.tools();
    for (const g of grouped(probes.map((p) => ({ pod: p.pod, value: p })), (p) => p.skipped ?? 'ok')) {
      const p = g.value;
      const c = p.container ? ` (container ${p.container})` : '';
      if (p.debug?.name && !p.debug.error) {
        findings.push({
          code: 'egress.pod.debug-container',
          message: `--debug-image: added the ephemeral container ${p.debug.name} (image ${p.debug.image}${p.debug.target ? `, target ${p.debug.target}` : ''}) to ${podsText(g.pods)} and probed from it. Ephemeral containers cannot be removed from a pod: it stays in the pod's spec until the pod is deleted (it stops when its command, sleep 3600, ends).`,
        });
      } else if (p.debug) {
        findings.push({ code: 'egress.pod.debug-failed', message: `--debug-image ${p.debug.image}: ${p.debug.error}.${p.debug.name ? ` The ephemeral container ${p.debug.name} was added and cannot be removed from the pod.` : ' Nothing was added to the pod.'}` });
      }
      if (p.skipped === 'forbidden') {
        findings.push({
          code: 'egress.pod.exec-forbidden',
          message: `Exec into ${podsText(g.pods)}${c} is forbidden: the live probe needs \`create\` on \`pods/exec\` in namespace ${ctx.namespace}. The API said: ${p.message ?? 'Forbidden'}`,
        });
        reproduce.push(ctx.kubectl(`auth can-i create pods --subresource=exec -n ${ctx.namespace}`));
      } else if (p.skipped === 'no-tools') {
        findings.push({
          code: 'egress.pod.no-tools',
          message: `${podsText(g.pods)}${c} has none of python3, sh, nc, busybox, wget, curl, getent (a distroless image?): nothing can probe from inside it. ${
            ctx.options.debugImage ? '' : 'Rerun with --debug-image IMAGE to probe from an ephemeral debug container; note that ephemeral containers cannot be removed from a pod.'
          }${p.message ? ` (${p.message})` : ''}`,
        });
      } else if (p.skipped === 'exec-failed') {
        findings.push({ code: 'egress.pod.exec-failed', message: `Exec into ${podsText(g.pods)}${c} failed: ${p.message ?? 'no answer'}.` });
      }
    }
    const first = pods[0]!;
    const tools = probes.find((p) => p.tools?.tools.length)?.tools;
    const toolText =
      tools?.tools.join(', ') ||
      (probes.some((p) => p.skipped === 'forbidden') ? 'unknown (exec forbidden)' : probes.length > 0 && probes.every((p) => p.skipped === 'not-running') ? 'not looked for (not running)' : 'none found');
    const summary =
      pods.length === 1
        ? `${first.metadata?.namespace}/${first.metadata?.name} ${first.status?.phase ?? '?'} on ${first.spec?.nodeName ?? '?'}, IP ${first.status?.podIP ?? '-'}, container ${probes[0]?.container ?? ctx.containerOf(first)}${probes[0]?.debug?.name ? ' (ephemeral, --debug-image)' : ''}; tools: ${toolText}`
        : `${pods.length} pods match ${sel}; ${pods.length - notRunning.length} running; tools: ${toolText}`;
    return {
      summary,
      findings,
      evidence: {
        pods: pods.map((p) => ({ name: p.metadata?.name, phase: p.status?.phase, node: p.spec?.nodeName, ips: p.status?.podIPs?.map((i) => i.ip) ?? [p.status?.podIP], containers: p.spec?.containers?.map((c) => c.name), labels: p.metadata?.labels })),
        probe: probes.map((p) => ({ pod: podName(p.pod), container: p.container, tools: p.tools?.tools, execProtocol: p.tools?.exec.protocol, skipped: p.skipped, message: p.message })),
        listPages: r.pages,
      },
      reproduce,
    };
  },
};
