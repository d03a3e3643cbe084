// The egress checks (SPEC §5 egress): pod, dns, tcp, policy.k8s, policy.cilium, policy.cname,
// gitops, logs. Each reads the shared EgressContext; none prints or exits.
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { destText, refText, ruleText, suggestFix, type PodInfo, type PolicyRef, type Verdict } from '../../policy/index.ts';
import { podInfo, type EgressContext, type FlowVerdict, type PodProbe } from './context.ts';
import { compareWithSource, loadSource, objKey, ownerOf, ownerText, type KubeObj } from './drift.ts';
import { targetText } from './target.ts';

type Check = CheckDefinition<EgressContext>;

const podName = (p: PodInfo) => `${p.namespace}/${p.name}`;

/** Group pods by an outcome key: "3 pods: ..." for --selector runs. */
function grouped<T>(items: { pod: PodInfo; value: T }[], key: (v: T) => string): { key: string; pods: string[]; value: T }[] {
  const m = new Map<string, { key: string; pods: string[]; value: T }>();
  for (const it of items) {
    const k = key(it.value);
    const g = m.get(k);
    if (g) g.pods.push(podName(it.pod));
    else m.set(k, { key: k, pods: [podName(it.pod)], value: it.value });
  }
  return [...m.values()];
}

function podsText(pods: string[]): string {
  return pods.length === 1 ? `pod ${pods[0]}` : `${pods.length} pods (${pods.slice(0, 5).join(', ')}${pods.length > 5 ? ', …' : ''})`;
}

// ---- egress.pod ------------------------------------------------------------------------------

export const podCheck: Check = {
  id: 'egress.pod',
  title: 'Pod and probe tools',
  codes: ['egress.pod.not-found', 'egress.pod.not-running', 'egress.pod.api-error', 'egress.pod.exec-forbidden', 'egress.pod.no-tools', 'egress.pod.exec-failed', 'egress.pod.debug-container', 'egress.pod.debug-failed'],
  async run(ctx) {
    const r = await ctx.pods();
    const sel = ctx.options.selector;
    const what = sel ? `pods -l ${sel} in ${ctx.namespace}` : `pod ${ctx.namespace}/${ctx.options.pod}`;
    const reproduce = [ctx.kubectl(sel ? `get pods -n ${ctx.namespace} -l ${sel} -o wide` : `get pod -n ${ctx.namespace} ${ctx.options.pod} -o wide`)];
    if (!r.ok && r.status !== 404) {
      return { summary: `cannot read ${what}: ${r.message}`, findings: [{ code: 'egress.pod.api-error', message: `Reading ${what} failed: ${r.message}` }], reproduce };
    }
    const pods = r.body ?? [];
    if (!pods.length) {
      return { summary: `${what} not found`, findings: [{ code: 'egress.pod.not-found', message: sel ? `No pod in namespace ${ctx.namespace} matches ${sel}.` : `Pod ${ctx.options.pod} does not exist in namespace ${ctx.namespace}.` }], reproduce };
    }
    const findings: FindingInput[] = [];
    const notRunning = pods.filter((p) => p.status?.phase !== 'Running');
    if (notRunning.length) {
      findings.push({ code: 'egress.pod.not-running', message: notRunning.map((p) => `${p.metadata.name} is ${p.status?.phase ?? 'Unknown'}`).join('; ') + '.' });
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
    const toolText = tools?.tools.join(', ') || (probes.some((p) => p.skipped === 'forbidden') ? 'unknown (exec forbidden)' : 'none found');
    const summary =
      pods.length === 1
        ? `${first.metadata.namespace}/${first.metadata.name} ${first.status?.phase ?? '?'} on ${first.spec?.nodeName ?? '?'}, IP ${first.status?.podIP ?? '-'}, container ${probes[0]?.container ?? ctx.containerOf(first)}${probes[0]?.debug?.name ? ' (ephemeral, --debug-image)' : ''}; tools: ${toolText}`
        : `${pods.length} pods match ${sel}; ${pods.length - notRunning.length} running; tools: ${toolText}`;
    return {
      summary,
      findings,
      evidence: {
        pods: pods.map((p) => ({ name: p.metadata.name, phase: p.status?.phase, node: p.spec?.nodeName, ips: p.status?.podIPs?.map((i) => i.ip) ?? [p.status?.podIP], containers: p.spec?.containers?.map((c) => c.name), labels: p.metadata.labels })),
        probe: probes.map((p) => ({ pod: podName(p.pod), container: p.container, tools: p.tools?.tools, execProtocol: p.tools?.exec.protocol, skipped: p.skipped, message: p.message })),
        listPages: r.pages,
      },
      reproduce,
    };
  },
};

// ---- egress.dns ------------------------------------------------------------------------------

function probeSkip(probes: PodProbe[]): CheckOutcome | undefined {
  if (probes.some((p) => p.probe)) return undefined;
  const p = probes[0];
  if (!p) return { skip: true, summary: 'not applicable: no pod' };
  if (p.skipped === 'forbidden') return { skip: true, summary: `not applicable: exec is forbidden (needs create on pods/exec in ${p.pod.namespace}); static verdict only` };
  if (p.skipped === 'no-tools') return { skip: true, summary: 'not applicable: the container has no probe tool (see egress.pod; --debug-image)' };
  return { skip: true, summary: `not applicable: no live probe (${p.message ?? p.skipped})` };
}

export const dnsCheck: Check = {
  id: 'egress.dns',
  title: 'DNS inside the pod',
  requires: ['egress.pod'],
  codes: ['egress.dns.nxdomain', 'egress.dns.timeout', 'egress.dns.error', 'egress.dns.cname', 'egress.dns.policy-denied', 'egress.dns.fqdn-proxy-missing'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [probes, dnsV, index, targets] = await Promise.all([ctx.probes(), ctx.dnsVerdicts(), ctx.index(), ctx.targets()]);
    const findings: FindingInput[] = [];
    const reproduce: string[] = [];
    // static: DNS egress to kube-dns
    for (const g of grouped(dnsV.map((d) => ({ pod: d.pod, value: d })), (d) => `${d.udp.allowed}/${d.tcp.allowed}`)) {
      const d = g.value;
      if (!d.udp.allowed) {
        findings.push({
          code: 'egress.dns.policy-denied',
          message: `DNS from ${podsText(g.pods)} to kube-dns (${d.dnsPod.namespace}, k8s-app=kube-dns) on UDP/53 is denied: ${d.udp.explanation} Every name fails to resolve, so every destination fails, whatever the policies say about it.`,
        });
      } else if (!d.tcp.allowed) {
        findings.push({
          code: 'egress.dns.policy-denied',
          severity: 'warn',
          message: `DNS from ${podsText(g.pods)} to kube-dns is allowed on UDP/53 but denied on TCP/53: ${d.tcp.explanation} Answers too large for UDP (truncated, retried over TCP) will fail.`,
        });
      }
    }
    // static: toFQDNs needs the DNS proxy for each name
    for (const pp of probes) {
      for (const t of targets) {
        if (t.service) continue;
        const sel = index.fqdnSelectors(pp.pod);
        if (!sel.length || /^[\d.:]+$/.test(t.host)) continue;
        const proxy = index.dnsProxy(pp.pod, t.host);
        if (!proxy.covers) {
          findings.push({
            code: 'egress.dns.fqdn-proxy-missing',
            message: proxy.intercepted
              ? `Cilium's DNS proxy intercepts the lookups of pod ${podName(pp.pod)} but its dns rules do not match ${t.host}: the lookup is refused and toFQDNs never learns the addresses.`
              : `The policies of pod ${podName(pp.pod)} use toFQDNs, but no rule sends its DNS through Cilium's DNS proxy (toPorts 53 with rules.dns): toFQDNs never learns the addresses of ${t.host}.`,
          });
          break;
        }
      }
    }
    // live
    const skip = probeSkip(probes);
    const live: Record<string, unknown>[] = [];
    const parts: string[] = [];
    if (!skip) {
      for (const pp of probes) {
        for (const r of pp.probe?.results ?? []) {
          const t = targets.find((x) => x.host === r.host && x.port === r.port) ?? (ctx.control?.host === r.host ? ctx.control : undefined);
          live.push({ pod: podName(pp.pod), host: r.host, ...r.dns });
          if (/^[\d.:]+$/.test(r.host)) continue;
          reproduce.push(ctx.kubectl(`exec -n ${pp.pod.namespace} ${pp.pod.name} -- getent ahosts ${r.host}`));
          const isControl = t?.from === 'control';
          if (r.dns.ok) {
            parts.push(`${r.host} → ${r.dns.addresses.join(', ')}${r.dns.canonical && r.dns.canonical !== r.host ? ` (CNAME → ${r.dns.canonical})` : ''}`);
            if (r.dns.canonical && r.dns.canonical.toLowerCase() !== r.host.toLowerCase()) {
              findings.push({ code: 'egress.dns.cname', message: `${r.host} is an alias: the chain ends at ${r.dns.canonical}. toFQDNs matches ${r.host}, the name the application asks for, never ${r.dns.canonical}.` });
            }
          } else {
            parts.push(`${r.host}: ${r.dns.error}`);
            const code = r.dns.error === 'nxdomain' ? 'egress.dns.nxdomain' : r.dns.error === 'timeout' ? 'egress.dns.timeout' : 'egress.dns.error';
            findings.push({
              code,
              severity: isControl ? 'warn' : undefined,
              message: `Inside pod ${podName(pp.pod)}, ${r.host} ${r.dns.error === 'nxdomain' ? 'does not exist (NXDOMAIN)' : r.dns.error === 'timeout' ? `got no DNS answer within ${ctx.timeoutMs} ms` : `failed to resolve: ${r.dns.message}`}${isControl ? ' (the control target)' : ''}.`,
            });
          }
        }
        if (ctx.options.selector) break; // one pod's lookups stand for the group; the verdicts cover all
      }
    }
    const deduped = dedupe(findings);
    return {
      summary: skip && !deduped.length ? skip.summary : skip ? `static only: ${deduped.map((f) => f.code).join(', ')}` : parts.join('; ') || 'nothing to resolve',
      findings: deduped,
      skip: skip && !deduped.length ? true : undefined,
      evidence: { live, dnsPolicy: dnsV.map((d) => ({ pod: podName(d.pod), udp: d.udp.allowed, tcp: d.tcp.allowed, explanation: d.udp.explanation })) },
      reproduce,
    };
  },
};

function dedupe(f: FindingInput[]): FindingInput[] {
  const seen = new Set<string>();
  return f.filter((x) => {
    const k = `${x.code} ${x.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

// ---- egress.tcp ------------------------------------------------------------------------------

export const tcpCheck: Check = {
  id: 'egress.tcp',
  title: 'TCP from the pod',
  requires: ['egress.pod'],
  codes: ['egress.tcp.timeout', 'egress.tcp.refused', 'egress.tcp.unreachable', 'egress.tcp.reset', 'egress.tcp.error', 'egress.tcp.all-egress-blocked', 'egress.tcp.contradiction', 'egress.tcp.agrees'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [probes, verdicts, index] = await Promise.all([ctx.probes(), ctx.verdicts(), ctx.index()]);
    const skip = probeSkip(probes);
    if (skip) return skip;
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
          reproduce.push(ctx.kubectl(`exec -n ${pp.pod.namespace} ${pp.pod.name} -- python3 -c "import socket; socket.create_connection(('${c.address}', ${r.port}), ${Math.round(ctx.timeoutMs / 1000)})"`));
          const flow = [...(v?.flows ?? []), ...(v?.control ?? [])].find((f) => f.dest.ip === c.address && f.dest.port === r.port);
          const label = `${r.host}${r.host !== c.address ? ` (${c.address})` : ''}:${r.port}`;
          parts.push(`${label} ${c.ok ? 'connects' : c.error}${isControl ? ' [control]' : ''}`);
          if (!c.ok) {
            const code = c.error === 'timeout' ? 'egress.tcp.timeout' : c.error === 'refused' ? 'egress.tcp.refused' : c.error === 'unreachable' ? 'egress.tcp.unreachable' : c.error === 'reset' ? 'egress.tcp.reset' : 'egress.tcp.error';
            findings.push({
              code,
              severity: isControl ? 'warn' : undefined,
              message: `From pod ${podName(pp.pod)}, TCP to ${label} ${c.error === 'timeout' ? `timed out after ${ctx.timeoutMs} ms (dropped)` : c.error === 'refused' ? 'was refused' : c.error === 'unreachable' ? 'has no route' : `failed: ${c.message ?? c.error}`}${isControl ? ' (control target)' : ''}.`,
            });
          }
          if (flow) {
            const live = c.ok;
            const stat = flow.verdict.allowed;
            // a refusal means the packets got through the policies
            const liveThrough = live || c.error === 'refused';
            if (liveThrough === stat) agree++;
            else {
              contradict++;
              findings.push({
                code: 'egress.tcp.contradiction',
                message: stat
                  ? `The policies allow ${destText({ pod: pp.pod, dest: flow.dest })} (${flow.verdict.decisive[0] ? ruleText(flow.verdict.decisive[0]) : 'nothing selects the pod'}), but the connect ${c.error === 'timeout' ? 'times out' : `fails (${c.error})`}: something outside the policies drops it (a firewall, security group, egress gateway), or a policy the tool cannot read.`
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

// ---- egress.policy.k8s / egress.policy.cilium -----------------------------------------------

function verdictKey(v: Verdict): string {
  return `${v.allowed}|${v.decisive.map(ruleText).join(';')}|${v.k8s.allowed}|${v.cilium.allowed}`;
}

function flowsByTarget(all: { pod: PodInfo; flows: FlowVerdict[] }[]): { pod: PodInfo; fv: FlowVerdict }[] {
  return all.flatMap((v) => v.flows.map((fv) => ({ pod: v.pod, fv })));
}

export const k8sPolicyCheck: Check = {
  id: 'egress.policy.k8s',
  title: 'NetworkPolicies',
  requires: ['egress.pod'],
  codes: ['egress.policy.k8s.denied', 'egress.policy.k8s.allowed', 'egress.policy.k8s.error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [np, verdicts, index, nss] = await Promise.all([ctx.networkPolicies(), ctx.verdicts(), ctx.index(), ctx.namespaces()]);
    const reproduce = [ctx.kubectl(`get networkpolicy -n ${ctx.namespace} -o yaml`)];
    if (!np.ok) {
      return { summary: `cannot list NetworkPolicies: ${np.message}`, findings: [{ code: 'egress.policy.k8s.error', message: `Listing NetworkPolicies in ${ctx.namespace} failed: ${np.message}` }], reproduce };
    }
    const findings: FindingInput[] = [];
    const usesNsSelector = (np.body ?? []).some((p) => p.spec.egress?.some((r) => r.to?.some((t) => t.namespaceSelector && Object.keys(t.namespaceSelector).length)));
    if (!nss.ok && usesNsSelector) {
      findings.push({ code: 'egress.policy.k8s.error', message: `Namespaces could not be listed (${nss.message}): namespaceSelector is evaluated with the label kubernetes.io/metadata.name only.` });
    }
    const selecting = new Map<string, PolicyRef>();
    const rows: Record<string, unknown>[] = [];
    const items = flowsByTarget(verdicts);
    for (const { pod } of items) for (const r of index.selecting(pod).k8s) selecting.set(refText(r.ref), r.ref);
    for (const g of grouped(items.map((i) => ({ pod: i.pod, value: i })), (i) => `${targetText(i.fv.target)}|${i.fv.dest.ip}|${verdictKey(i.fv.verdict)}`)) {
      const { verdict: v, dest, target } = g.value.fv;
      rows.push({ pods: g.pods, target: targetText(target), address: dest.ip, allowed: v.k8s.allowed, isolated: v.k8s.isolated, rules: v.k8s.allowedBy.map(ruleText), explanation: v.k8s.explanation });
      if (!v.k8s.isolated) continue;
      if (v.k8s.allowed) findings.push({ code: 'egress.policy.k8s.allowed', message: `${podsText(g.pods)} → ${targetText(target)} (${dest.ip}): ${v.k8s.explanation}` });
      else if (!v.allowed) findings.push({ code: 'egress.policy.k8s.denied', message: `${podsText(g.pods)} → ${targetText(target)} (${dest.ip}): ${v.k8s.explanation}` });
      else findings.push({ code: 'egress.policy.k8s.allowed', message: `${podsText(g.pods)} → ${targetText(target)} (${dest.ip}): NetworkPolicies alone would deny it, but with Cilium the allows add up: ${v.explanation}` });
    }
    const names = [...selecting.values()].map((r) => `${r.namespace}/${r.name}`);
    const denied = findings.some((f) => f.code === 'egress.policy.k8s.denied');
    return {
      summary: `${np.body?.length ?? 0} NetworkPolicies in ${ctx.namespace}; ${names.length ? `selecting the pod for egress: ${names.join(', ')}` : 'none selects the pod for egress'}; ${denied ? 'the flow is denied' : 'the flow is allowed'}`,
      findings: dedupe(findings),
      evidence: { listed: np.body?.length ?? 0, pages: np.pages, selecting: names, verdicts: rows },
      reproduce,
    };
  },
};

export const ciliumPolicyCheck: Check = {
  id: 'egress.policy.cilium',
  title: 'Cilium policies',
  requires: ['egress.pod'],
  codes: ['egress.policy.cilium.denied', 'egress.policy.cilium.egress-deny', 'egress.policy.cilium.dns-proxy-missing', 'egress.policy.cilium.allowed', 'egress.policy.cilium.error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [cil, verdicts, index] = await Promise.all([ctx.ciliumPolicies(), ctx.verdicts(), ctx.index()]);
    const reproduce = [ctx.kubectl(`get ciliumnetworkpolicies -n ${ctx.namespace} -o yaml`), ctx.kubectl('get ciliumclusterwidenetworkpolicies -o yaml')];
    if (!cil.installed) return { skip: true, summary: 'not applicable: the Cilium CRDs are not installed (404)' };
    const findings: FindingInput[] = [];
    if (!cil.cnp.ok && !cil.ccnp.ok) {
      return { summary: `cannot list Cilium policies: ${cil.cnp.message}`, findings: [{ code: 'egress.policy.cilium.error', message: `Listing Cilium policies failed: ${cil.cnp.message}` }], reproduce };
    }
    // one of the two unreadable (often: CCNPs are cluster-scoped and a namespace user cannot list them)
    if (!cil.cnp.ok) findings.push({ code: 'egress.policy.cilium.error', message: `CiliumNetworkPolicies of ${ctx.namespace} could not be listed (${cil.cnp.message}): the verdict below counts only the clusterwide ones.` });
    if (!cil.ccnp.ok) findings.push({ code: 'egress.policy.cilium.error', message: `CiliumClusterwideNetworkPolicies could not be listed (${cil.ccnp.message}): the verdict below counts only the namespace's CNPs; a clusterwide policy may still deny or isolate the pod.` });
    const selecting = new Map<string, PolicyRef>();
    const rows: Record<string, unknown>[] = [];
    const items = flowsByTarget(verdicts);
    for (const { pod } of items) for (const r of index.selecting(pod).cilium) selecting.set(refText(r.ref), r.ref);
    for (const g of grouped(items.map((i) => ({ pod: i.pod, value: i })), (i) => `${targetText(i.fv.target)}|${i.fv.dest.ip}|${verdictKey(i.fv.verdict)}`)) {
      const { verdict: v, dest, target } = g.value.fv;
      const c = v.cilium;
      rows.push({ pods: g.pods, target: targetText(target), address: dest.ip, allowed: c.allowed, isolated: c.isolated, allowedBy: c.allowedBy.map(ruleText), deniedBy: c.deniedBy.map(ruleText), explanation: c.explanation });
      const head = `${podsText(g.pods)} → ${targetText(target)} (${dest.ip})`;
      if (c.deniedBy.length) findings.push({ code: 'egress.policy.cilium.egress-deny', message: `${head}: ${c.explanation}` });
      else if (!c.isolated) continue;
      else if (c.allowed) findings.push({ code: 'egress.policy.cilium.allowed', message: `${head}: ${c.explanation}` });
      else if (v.allowed) findings.push({ code: 'egress.policy.cilium.allowed', message: `${head}: no Cilium rule allows it, but a NetworkPolicy does and the allows add up: ${v.explanation}` });
      else if (c.explanation.includes('DNS proxy')) findings.push({ code: 'egress.policy.cilium.dns-proxy-missing', message: `${head}: ${c.explanation}` });
      else {
        const fix = suggestFix(index, { pod: g.value.pod, dest }, v);
        findings.push({ code: 'egress.policy.cilium.denied', message: `${head}: ${c.explanation}${fix ? ` Fix: ${fix.summary}` : ''}` });
      }
    }
    const names = [...selecting.values()].map(refText);
    const bad = findings.some((f) => f.severity !== 'info' && f.code !== 'egress.policy.cilium.allowed');
    return {
      summary: `${cil.cnp.ok ? `${cil.cnp.body?.length ?? 0} CNPs` : 'CNPs unreadable'} in ${ctx.namespace}, ${cil.ccnp.ok ? `${cil.ccnp.body?.length ?? 0} CCNPs` : 'CCNPs unreadable'}; ${names.length ? `selecting the pod: ${names.join(', ')}` : 'none selects the pod'}; ${bad ? 'the flow is denied' : 'the flow is allowed'}`,
      findings: dedupe(findings),
      evidence: { cnp: cil.cnp.body?.length ?? 0, ccnp: cil.ccnp.body?.length ?? 0, selecting: names, verdicts: rows },
      reproduce,
    };
  },
};

// ---- egress.policy.cname ---------------------------------------------------------------------

export const cnameCheck: Check = {
  id: 'egress.policy.cname',
  title: 'CNAME vs allow-list',
  requires: ['egress.pod'],
  codes: ['egress.policy.cname.target-listed', 'egress.policy.cname.alias-listed'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [verdicts, index, cil] = await Promise.all([ctx.verdicts(), ctx.index(), ctx.ciliumPolicies()]);
    if (!cil.installed || !(cil.cnp.body?.length || cil.ccnp.body?.length)) return { skip: true, summary: 'not applicable: no Cilium policies (toFQDNs)' };
    const findings: FindingInput[] = [];
    const checked: string[] = [];
    for (const { pod, fv } of flowsByTarget(verdicts)) {
      if (!fv.dest.host) continue;
      checked.push(`${fv.dest.host}${fv.dest.cnames?.length ? ` → ${fv.dest.cnames.join(' → ')}` : ''}`);
      if (fv.verdict.allowed) continue;
      for (const h of index.cnameHints({ pod, dest: fv.dest })) {
        findings.push(
          h.kind === 'target-listed'
            ? { code: 'egress.policy.cname.target-listed', message: `${ruleText(h.rule)} names ${h.listed}, the CNAME target of ${h.dialled}. The application asks DNS for ${h.dialled}; toFQDNs matches only that name, so the rule never applies. Add matchName: ${h.dialled}.` }
            : { code: 'egress.policy.cname.alias-listed', message: `${ruleText(h.rule)} names ${h.listed}, an alias of ${h.dialled}; the application now dials ${h.dialled} directly. Add matchName: ${h.dialled}.` },
        );
      }
    }
    const uniq = dedupe(findings);
    return {
      summary: uniq.length ? uniq.map((f) => f.code.split('.').pop()).join(', ') : `no CNAME mismatch (${[...new Set(checked)].join('; ') || 'no names'})`,
      findings: uniq,
      evidence: { names: [...new Set(checked)] },
    };
  },
};

// ---- egress.gitops ---------------------------------------------------------------------------

export const gitopsCheck: Check = {
  id: 'egress.gitops',
  title: 'Policy owners and drift',
  requires: ['egress.pod'],
  codes: ['egress.gitops.owner', 'egress.gitops.manual', 'egress.gitops.hand-edited', 'egress.gitops.not-in-source', 'egress.gitops.missing-live', 'egress.gitops.different', 'egress.gitops.source-error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [index, verdicts, np, cil] = await Promise.all([ctx.index(), ctx.verdicts(), ctx.networkPolicies(), ctx.ciliumPolicies()]);
    const live: KubeObj[] = [
      ...((np.body ?? []).map((o) => ({ ...o, kind: o.kind ?? 'NetworkPolicy' })) as KubeObj[]),
      ...((cil.cnp.body ?? []).map((o) => ({ ...o, kind: o.kind ?? 'CiliumNetworkPolicy' })) as KubeObj[]),
      ...((cil.ccnp.body ?? []).map((o) => ({ ...o, kind: o.kind ?? 'CiliumClusterwideNetworkPolicy' })) as KubeObj[]),
    ];
    // the relevant policies: those that select any of the pods
    const relevant = new Set<string>();
    for (const v of verdicts) {
      const s = index.selecting(v.pod);
      for (const r of [...s.k8s.map((x) => x.ref), ...s.cilium.map((x) => x.ref)]) relevant.add(`${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`);
    }
    const findings: FindingInput[] = [];
    const owners: Record<string, unknown>[] = [];
    for (const o of live) {
      const k = objKey(o);
      if (!relevant.has(k)) continue;
      const ow = ownerOf(o);
      owners.push({ policy: k, owner: ownerText(ow), evidence: ow.evidence, managers: ow.managers });
      findings.push({ code: 'egress.gitops.owner', message: `${k}: ${ownerText(ow)}${ow.evidence.length ? ` [${ow.evidence.join('; ')}]` : ''}` });
      if (ow.tool === 'kubectl (by hand)') findings.push({ code: 'egress.gitops.manual', message: `${k} was applied by hand (${ow.evidence.join('; ')}): it is in no GitOps source.` });
      else if (ow.handEdits.length && ow.tool !== 'unknown') findings.push({ code: 'egress.gitops.hand-edited', message: `${k} is managed by ${ownerText(ow)}; the next sync reverts the hand edits (${ow.handEdits.join(', ')}).` });
    }
    let source: Record<string, unknown> | undefined;
    if (ctx.options.source) {
      const src = await ctx.once('source', () => loadSource(ctx.options.source!, ctx.timeoutMs * 4));
      for (const e of src.errors) findings.push({ code: 'egress.gitops.source-error', message: e });
      const ns = ctx.namespace;
      const inScope = (o: KubeObj) => o.kind === 'CiliumClusterwideNetworkPolicy' || (o.metadata.namespace ?? ns) === ns;
      const drift = compareWithSource(live.filter(inScope), src.objects, inScope);
      for (const o of drift.notInGit) {
        const ow = ownerOf(o);
        findings.push({ code: 'egress.gitops.not-in-source', message: `${objKey(o)} is live but not in ${ctx.options.source} (owner: ${ownerText(ow)}): ${ow.tool === 'Flux' || ow.tool === 'Argo CD' ? 'it will be pruned on the next sync' : 'it was never committed; a rebuild from git loses it'}.` });
      }
      for (const s of drift.notLive) findings.push({ code: 'egress.gitops.missing-live', message: `${objKey(s.obj)} is in ${s.file} but not live.` });
      for (const d of drift.different) findings.push({ code: 'egress.gitops.different', message: `${objKey(d.live)} differs from ${d.git.file} (- git, + live):\n${d.diff.slice(0, 30).join('\n')}` });
      source = { dir: ctx.options.source, how: src.how, notInGit: drift.notInGit.map(objKey), notLive: drift.notLive.map((s) => objKey(s.obj)), different: drift.different.map((d) => ({ policy: objKey(d.live), file: d.git.file, diff: d.diff })), same: drift.same };
    }
    const summaryOwners = owners.map((o) => `${o.policy}: ${o.owner}`).join('; ');
    return {
      summary: `${summaryOwners || 'no policy selects the pod'}${source ? `; --source: ${(source.notInGit as string[]).length} not in git, ${(source.notLive as string[]).length} not live, ${(source.different as unknown[]).length} different` : ''}`,
      findings,
      evidence: { owners, ...(source ? { source } : {}) },
      reproduce: [ctx.kubectl(`get networkpolicy,ciliumnetworkpolicy -n ${ctx.namespace} --show-managed-fields -o yaml`)],
    };
  },
};

// ---- egress.logs -----------------------------------------------------------------------------

export const logsCheck: Check = {
  id: 'egress.logs',
  title: 'Container logs',
  requires: ['egress.pod'],
  codes: ['egress.logs.connection-errors', 'egress.logs.presigned-url', 'egress.logs.host-denied', 'egress.logs.unavailable'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [logs, hits, index, pods] = await Promise.all([ctx.logs(), ctx.logHits(), ctx.index(), ctx.pods()]);
    const findings: FindingInput[] = [];
    const failed = logs.filter((l) => !l.ok);
    if (failed.length === logs.length && logs.length) {
      return { skip: true, summary: `not applicable: logs unreadable (${failed[0]!.message})`, findings: [{ code: 'egress.logs.unavailable', message: `Reading the logs failed: ${failed[0]!.message}` }] };
    }
    const failures = hits.filter((h) => h.error !== 'presigned URL in the logs');
    if (failures.length) {
      findings.push({
        code: 'egress.logs.connection-errors',
        message: `Connection failures in the logs: ${failures.slice(0, 8).map((h) => `${h.host}${h.port ? `:${h.port}` : ''} (${h.runtime}: ${h.error})`).join('; ')}.`,
      });
    }
    for (const h of hits.filter((x, i, all) => x.presigned && all.findIndex((y) => y.host === x.host && y.presigned) === i)) {
      findings.push({ code: 'egress.logs.presigned-url', message: `${h.presigned} to ${h.host}${h.storage ? ` (${h.storage})` : ''}: the SDK reaches this storage host directly, not through the API host.` });
    }
    // every host from the logs through the policy engine
    const pod = (pods.body ?? [])[0];
    const rows: Record<string, unknown>[] = [];
    if (pod) {
      const pi = podInfo(pod);
      const seen = new Set<string>();
      for (const h of hits) {
        const port = h.port ?? 443;
        const key = `${h.host}:${port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const isIp = /^[\d.]+$|:/.test(h.host);
        const v = index.evaluate({ pod: pi, dest: { ip: isIp ? h.host : '0.0.0.0', port, host: isIp ? undefined : h.host, kind: 'world' } });
        rows.push({ host: h.host, port, allowed: v.allowed, rule: v.decisive[0] ? ruleText(v.decisive[0]) : undefined, explanation: v.explanation, runtime: h.runtime, line: h.line });
        if (!v.allowed) findings.push({ code: 'egress.logs.host-denied', message: `${key} (from the logs${h.storage ? `, ${h.storage}` : ''}) is denied: ${v.explanation}` });
      }
      const allowed = rows.filter((r) => r.allowed).map((r) => `${r.host}`);
      const denied = rows.filter((r) => !r.allowed).map((r) => `${r.host}`);
      if (allowed.length && denied.length) {
        findings.push({ code: 'egress.logs.connection-errors', severity: 'info', message: `The policies allow ${allowed.join(', ')} but not ${denied.join(', ')}.` });
      }
    }
    return {
      summary: rows.length ? `${rows.length} host${rows.length === 1 ? '' : 's'} in the logs: ${rows.map((r) => `${r.host} ${r.allowed ? 'allowed' : 'denied'}`).join(', ')}` : `no connection failure in ${logs.length} container log${logs.length === 1 ? '' : 's'}`,
      findings: dedupe(findings),
      evidence: { containers: logs.map((l) => ({ pod: l.pod, container: l.container, ok: l.ok, lines: l.text ? l.text.split('\n').length : 0, message: l.message })), hosts: rows },
      reproduce: [ctx.kubectl(`logs -n ${ctx.namespace} ${ctx.options.pod ?? `-l ${ctx.options.selector}`} --all-containers --tail=500`)],
    };
  },
};

export const EGRESS_CHECKS: Check[] = [podCheck, dnsCheck, tcpCheck, k8sPolicyCheck, ciliumPolicyCheck, cnameCheck, gitopsCheck, logsCheck];
