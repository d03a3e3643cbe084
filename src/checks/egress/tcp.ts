// egress.tcp: TCP from the pod to every address of every target (live), compared with the
// policy verdict of the same flow.
import type { FindingInput } from '../../engine/definitions.ts';
import { destText, ruleText } from '../../policy/index.ts';
import { dedupe, liveProbe, podName, type Check } from './shared.ts';
import { targetText } from './target.ts';
import type { FlowVerdict } from './context.ts';

export const tcpCheck: Check = {
  id: 'egress.tcp',
  title: 'TCP from the pod',
  requires: ['egress.pod'],
  appliesWhen: [liveProbe],
  codes: ['egress.tcp.timeout', 'egress.tcp.refused', 'egress.tcp.unreachable', 'egress.tcp.reset', 'egress.tcp.error', 'egress.tcp.all-egress-blocked', 'egress.tcp.contradiction', 'egress.tcp.agrees', 'egress.tcp.no-ping'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [probes, verdicts, index] = await Promise.all([ctx.probes(), ctx.verdicts(), ctx.index()]);
    const findings: FindingInput[] = [];
    const reproduce: string[] = [];
    const parts: string[] = [];
    const evidence: Record<string, unknown>[] = [];
    let agree = 0;
    let contradict = 0;
    for (const pp of probes) {
      const v = verdicts.find((x) => podName(x.pod) === podName(pp.pod));
      const results = pp.probe?.results ?? [];
      const control = results.find((r) => ctx.control && r.host === ctx.control.host && r.port === ctx.control.port);
      const controlFails = !!control && (!control.dns.ok || control.connects.every((c) => !c.ok));
      for (const r of results) {
        const isControl = r === control;
        for (const c of r.connects) {
          evidence.push({ pod: podName(pp.pod), host: r.host, port: r.port, ...c, control: isControl });
          const icmp = r.port === 0;
          reproduce.push(
            icmp
              ? ctx.kubectl(`exec -n ${pp.pod.namespace} ${pp.pod.name} -- ping -c 1 -W ${Math.max(1, Math.round(ctx.timeoutMs / 1000))} ${c.address}`)
              : ctx.kubectl(`exec -n ${pp.pod.namespace} ${pp.pod.name} -- python3 -c "import socket; socket.create_connection(('${c.address}', ${r.port}), ${Math.round(ctx.timeoutMs / 1000)})"`),
          );
          const flow = flowOf([...(v?.flows ?? []), ...(v?.control ?? [])], r.host, c.address, r.port);
          const label = icmp ? `icmp://${r.host}${r.host !== c.address ? ` (${c.address})` : ''}` : `${r.host}${r.host !== c.address ? ` (${c.address})` : ''}:${r.port}`;
          parts.push(`${label} ${c.ok ? 'connects' : c.error}${isControl ? ' [control]' : ''}`);
          if (!c.ok) {
            const code = c.error === 'timeout' ? 'egress.tcp.timeout' : c.error === 'refused' ? 'egress.tcp.refused' : c.error === 'unreachable' ? 'egress.tcp.unreachable' : c.error === 'reset' ? 'egress.tcp.reset' : 'egress.tcp.error';
            findings.push({
              code,
              severity: isControl ? 'warn' : undefined,
              message: `From pod ${podName(pp.pod)}, ${icmp ? 'ICMP echo (ping)' : 'TCP'} to ${label} ${icmp && c.error === 'timeout' ? `got no reply within ${ctx.timeoutMs} ms (dropped)` : c.error === 'timeout' ? `timed out after ${ctx.timeoutMs} ms (dropped)` : c.error === 'refused' ? 'was refused' : c.error === 'unreachable' ? 'has no route' : `failed: ${c.message ?? c.error}`}${isControl ? ' (control target)' : ''}.`,
            });
          }
          if (flow) {
            const live = c.ok;
            const stat = flow.path.allowed;
            // a refusal means the packets got through the policies
            const liveThrough = live || c.error === 'refused';
            if (liveThrough === stat) agree++;
            else {
              contradict++;
              findings.push({
                code: 'egress.tcp.contradiction',
                message: stat
                  ? `The policies allow ${destText({ pod: pp.pod, dest: flow.dest })} (${flow.verdict.decisive[0] ? ruleText(flow.verdict.decisive[0]) : 'nothing selects the pod'}${flow.path.ingress ? `; at the destination: ${flow.path.ingress.decisive[0] ? ruleText(flow.path.ingress.decisive[0]) : 'nothing selects it for ingress'}` : ''}), but the connect ${c.error === 'timeout' ? 'times out' : `fails (${c.error})`}: something outside the policies drops it (a firewall, security group, egress gateway), or a policy the tool cannot read.`
                  : `The policies deny ${destText({ pod: pp.pod, dest: flow.dest })}, but the connect succeeds: ${
                      !flow.dest.host && index?.fqdnSelectors(pp.pod).length
                        ? 'the target is an address, and Cilium also allows addresses that an allowed toFQDNs name resolved to (its DNS cache); dial the name to get a verdict for it'
                        : 'the CNI does not enforce these policies, or the traffic takes another path (proxy, host network)'
                    }.`,
              });
            }
          }
        }
      }
      if (pp.message && /no ping/.test(pp.message)) findings.push({ code: 'egress.tcp.no-ping', message: `From pod ${podName(pp.pod)}: ${pp.message}.` });
      const others = results.filter((r) => r !== control);
      if (controlFails && others.length && others.every((r) => r.connects.every((c) => !c.ok && c.error !== 'refused'))) {
        findings.push({
          code: 'egress.tcp.all-egress-blocked',
          message: `The control target ${ctx.control ? targetText(ctx.control) : ''} fails from pod ${podName(pp.pod)} too: all egress is blocked, not only the target.`,
        });
      }
      if (ctx.options.selector && probes.length > 1) continue;
    }
    if (!evidence.length && probes.some((p) => p.probe?.results.some((r) => !r.dns.ok))) return { blockedBy: 'egress.dns', summary: 'skipped because egress.dns failed: no address to connect to' };
    if (agree && !contradict) findings.push({ code: 'egress.tcp.agrees', message: `The live probe agrees with the static verdict on all ${agree} connection${agree === 1 ? '' : 's'}.` });
    return { summary: parts.join('; '), findings: dedupe(findings), evidence: { probe: probes.map((p) => ({ pod: podName(p.pod), tool: p.probe?.tool })), connects: evidence, agree, contradict }, reproduce: [...new Set(reproduce)].slice(0, 6) };
  },
};

/**
 * The verdict a live connect checks: the flow to that address and port, else (a Service's
 * ClusterIP, translated to its backends) the backends of that target, when they all agree.
 */
export function flowOf(flows: FlowVerdict[], host: string, address: string, port: number): FlowVerdict | undefined {
  const direct = flows.find((f) => f.dest.ip === address && f.dest.port === port);
  if (direct) return direct;
  const viaIt = flows.filter((f) => f.dest.via === address && f.target.host === host && f.target.port === port);
  return viaIt.length && viaIt.every((f) => f.path.allowed === viaIt[0]!.path.allowed) ? viaIt[0] : undefined;
}
