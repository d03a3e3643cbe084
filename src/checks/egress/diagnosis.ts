// From the egress findings to one root cause and the fix: which policy, where, the YAML to add,
// and where that policy comes from (so the change lands in the right source).
import { dump } from 'js-yaml';
import type { CheckResult, Diagnosis } from '../../report/types.ts';
import { worstStatus } from '../../report/types.ts';
import { destText, refText, ruleText, suggestFix, type PolicyIndex, type PolicyRef } from '../../policy/index.ts';
import { livePolicies, type CiliumLists, type DnsVerdict, type EgressContext, type FlowVerdict, type PodProbe } from './context.ts';
import { objKey, ownerOf, ownerText, type KubeObj } from './owner.ts';
import type { SourceObject } from './drift.ts';
import { targetText } from './target.ts';
import type { PodInfo } from '../../policy/index.ts';

function verifyCommand(ctx: EgressContext): string {
  const o = ctx.options;
  const parts = ['kubectl netdiag egress', `-n ${ctx.namespace}`, o.pod ?? `--selector ${o.selector}`];
  if (o.target) parts.push(o.target);
  if (o.fromLogs) parts.push('--from-logs');
  if (o.source) parts.push(`--source ${o.source}`);
  return `Verify: \`${parts.join(' ')}\``;
}

function overall(results: CheckResult[]): Diagnosis['status'] {
  const s = worstStatus(results.map((r) => r.status));
  return s === 'skip' ? 'pass' : s;
}

function liveObject(ctx: EgressContext, ref: PolicyRef): KubeObj | undefined {
  const all = livePolicies(ctx.peek<Awaited<ReturnType<EgressContext['networkPolicies']>>>('np'), ctx.peek<CiliumLists>('cilium'));
  return all.find((o) => o.kind === ref.kind && o.metadata.name === ref.name && (ref.namespace === undefined || o.metadata.namespace === ref.namespace));
}

/** "in git: ./policies/x.yaml (Flux Kustomization flux-system/apps)" or "applied by hand". */
function sourceOf(ctx: EgressContext, ref: PolicyRef): { text: string; gitops: boolean; file?: string; owner?: string } {
  const o = liveObject(ctx, ref);
  const key = `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
  const src = ctx.peek<{ objects: SourceObject[] }>('source');
  const file = src?.objects.find((s) => objKey(s.obj) === key)?.file;
  if (!o) return { text: 'owner unknown', gitops: false, file };
  const ow = ownerOf(o);
  const gitops = ow.tool === 'Flux' || ow.tool === 'Argo CD' || ow.tool === 'Helm';
  const where = file ? ` in ${ctx.options.source}/${file}` : '';
  const text = gitops ? `managed by ${ownerText(ow)}: change it in its source${where}, not in the cluster (a live edit is reverted on the next sync)` : ow.tool === 'kubectl (by hand)' ? `applied by hand${file ? `; also in ${ctx.options.source}/${file}` : ''}: edit it, and commit it to your GitOps source` : `owner unknown${where}`;
  return { text, gitops, file, owner: ownerText(ow) };
}

function applyStep(ctx: EgressContext, ref: PolicyRef, src: { gitops: boolean; owner?: string }): string {
  if (src.gitops && src.owner?.startsWith('Flux (Kustomization')) {
    const m = /Kustomization ([^/]+)\/([^)]+)\)/.exec(src.owner);
    return m ? `Commit, push, then \`flux reconcile kustomization ${m[2]} -n ${m[1]} --with-source\`.` : 'Commit and push; let Flux reconcile.';
  }
  if (src.gitops && src.owner?.startsWith('Argo CD')) return `Commit and push, then \`argocd app sync ${/Application ([^)]+)\)/.exec(src.owner)?.[1] ?? 'APP'}\`.`;
  if (src.gitops) return 'Commit and push; let the controller apply it.';
  const kind = ref.kind === 'NetworkPolicy' ? 'networkpolicy' : ref.kind === 'CiliumNetworkPolicy' ? 'ciliumnetworkpolicy' : 'ciliumclusterwidenetworkpolicy';
  return `\`${ctx.kubectl(`edit ${kind} ${ref.namespace ? `-n ${ref.namespace} ` : ''}${ref.name}`)}\` (and commit the policy to git so it survives).`;
}

function liveText(probes: PodProbe[] | undefined, fv: FlowVerdict): string {
  const pp = probes?.[0];
  if (!pp?.probe) {
    if (pp?.skipped === 'forbidden') return 'The live probe was skipped (exec forbidden: needs create on pods/exec), so this is the static verdict alone.';
    if (pp?.skipped === 'no-tools') return 'The container has no probe tool, so this is the static verdict alone (--debug-image IMAGE would add an ephemeral container to probe from).';
    return 'No live probe ran, so this is the static verdict alone.';
  }
  const r = pp.probe.results.find((x) => x.host === fv.target.host && x.port === fv.target.port);
  const c = r?.connects.find((x) => x.address === fv.dest.ip) ?? r?.connects.find((x) => x.address === fv.dest.via);
  if (!r) return '';
  if (!r.dns.ok) return `Inside the pod the name does not resolve (${r.dns.error}).`;
  if (!c) return '';
  const through = c.ok || c.error === 'refused';
  const agrees = through === fv.path.allowed;
  return `The live probe ${c.ok ? 'connects' : c.error === 'timeout' ? `times out (${pp.probe.tool})` : `fails: ${c.error}`}${agrees ? ', which agrees with the policies.' : ', which CONTRADICTS the policy verdict: something outside the policies is involved.'}`;
}

export function diagnoseEgress(results: CheckResult[], ctx: EgressContext): Diagnosis {
  const status = overall(results);
  const byId = new Map(results.map((r) => [r.id, r]));
  const pod = byId.get('egress.pod');
  if (pod?.status === 'fail' || pod?.status === 'error') {
    const f = pod.findings[0];
    return { status, rootCause: f?.message ?? pod.summary, remediation: f?.remediation ?? [] };
  }
  const index = ctx.peek<PolicyIndex>('index');
  const verdicts = ctx.peek<{ pod: PodInfo; flows: FlowVerdict[]; control: FlowVerdict[] }[]>('verdicts') ?? [];
  const probes = ctx.peek<PodProbe[]>('probes');
  const dnsV = ctx.peek<DnsVerdict[]>('dns-verdicts') ?? [];
  const logsCheck = byId.get('egress.logs');
  const cname = byId.get('egress.policy.cname');

  // 1. DNS itself is blocked: every name fails
  const dnsDropped = dnsV.find((d) => d.udp.allowed && !d.udpPath.allowed && d.udpPath.drops === 'ingress');
  const dnsDenied = dnsV.find((d) => !d.udp.allowed);
  if (!dnsDenied && dnsDropped?.udpPath.ingress) {
    const ing = dnsDropped.udpPath.ingress;
    const rule = ing.decisive[0];
    const ref = rule ?? ing.cilium.selectedBy[0] ?? ing.k8s.selectedBy[0];
    return {
      status,
      rootCause: `DNS is blocked, not the target: the pod's egress allows DNS, but kube-dns (${dnsDropped.dnsPod.namespace}/${dnsDropped.dnsPod.name}) drops it at its ingress: ${ing.explanation} Inside pod ${dnsDropped.pod.namespace}/${dnsDropped.pod.name} every lookup fails, so every name fails, whatever the policies say about the target.`,
      remediation: [
        `Allow DNS at kube-dns, in namespace ${dnsDropped.dnsPod.namespace}${ref ? ` (${rule ? ruleText(rule) : refText(ref)})` : ''}: its ingress must accept UDP and TCP 53 from pod ${dnsDropped.pod.namespace}/${dnsDropped.pod.name} (ask the cluster administrators: kube-dns serves every pod).`,
        verifyCommand(ctx),
      ],
    };
  }
  if (dnsDenied) {
    const ref = dnsDenied.udp.cilium.selectedBy[0] ?? dnsDenied.udp.k8s.selectedBy[0];
    const src = ref ? sourceOf(ctx, ref) : undefined;
    const isCilium = ref && ref.kind !== 'NetworkPolicy';
    const snippet = isCilium
      ? dump([{ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] }], { lineWidth: -1 })
      : dump([{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }], { lineWidth: -1 });
    return {
      status,
      rootCause: `DNS is blocked, not the target: ${dnsDenied.udp.explanation} Inside pod ${dnsDenied.pod.namespace}/${dnsDenied.pod.name} every lookup fails, so every name fails, whatever the policies say about the target.${ref ? ` ${refText(ref)} is ${src!.text}.` : ''}`,
      remediation: [
        `Allow DNS to kube-dns: add to spec.egress of ${ref ? refText(ref) : 'the policy that selects the pod'}:\n${snippet.trimEnd()}`,
        ...(ref ? [applyStep(ctx, ref, src!)] : []),
        verifyCommand(ctx),
      ],
    };
  }

  // 2. a target flow the policies deny
  const denied = verdicts.flatMap((v) => v.flows.map((fv) => ({ pod: v.pod, fv }))).filter((x) => !x.fv.path.allowed);
  if (denied.length && index) {
    const first = denied.find((d) => d.fv.target.from !== 'control') ?? denied[0]!;
    const { pod: p, fv } = first;
    const atIngress = fv.path.drops === 'ingress' ? fv.path.ingress : undefined;
    const decided = atIngress ?? fv.verdict;
    const byAdmin = decided.tier === 'admin' || decided.tier === 'baseline' ? decided.decisive[0] : undefined;
    // an ingress drop or an admin policy: the source's policies are not what to change
    const fix = atIngress || byAdmin ? undefined : suggestFix(index, { pod: p, dest: fv.dest }, fv.verdict);
    const allowedTargets = verdicts.flatMap((v) => v.flows).filter((f) => f.path.allowed && f.target.from !== 'control');
    const pods = [...new Set(denied.map((d) => `${d.pod.namespace}/${d.pod.name}`))];
    const parts = [
      `${pods.length > 1 ? `${pods.length} pods (${pods.slice(0, 3).join(', ')}${pods.length > 3 ? ', …' : ''})` : `Pod ${p.namespace}/${p.name}`} cannot reach ${targetText(fv.target)}${fv.dest.pod && fv.target.service ? ` (backend ${fv.dest.pod.namespace}/${fv.dest.pod.name})` : ''}: ${fv.path.explanation}`,
      liveText(probes, fv),
    ];
    if (atIngress) parts.push(`The destination drops it: ${atIngress.decisive[0] ? `the deciding rule is ${ruleText(atIngress.decisive[0])}` : `policies isolate ${fv.dest.pod!.namespace}/${fv.dest.pod!.name} for ingress and no rule allows this source`}.`);
    const notes = [...(fv.path.egress.notes ?? []), ...(fv.path.ingress?.notes ?? [])];
    if (notes.length) parts.push(`Note: ${notes.join(' ')}`);
    if (fv.target.from === 'logs') parts.push(`The host comes from the pod's logs${fv.target.presigned ? ` (${fv.target.presigned}: the SDK reaches the storage host directly)` : ''}.`);
    const twoHops = logsCheck?.findings.find((f) => f.code === 'egress.logs.two-hops' && f.message.includes(` straight to ${fv.target.host}:`));
    if (twoHops) parts.push(twoHops.message);
    if (allowedTargets.length) parts.push(`By contrast ${[...new Set(allowedTargets.map((f) => f.target.host))].join(', ')} ${allowedTargets.length === 1 ? 'is' : 'are'} allowed (${allowedTargets[0]!.verdict.decisive[0] ? ruleText(allowedTargets[0]!.verdict.decisive[0]) : 'no policy'}).`);
    const logDenied = logsCheck?.findings.filter((f) => f.code === 'egress.logs.host-denied') ?? [];
    if (logDenied.length && fv.target.from !== 'logs') parts.push(`The logs show failures to hosts the policies also deny: ${logDenied.map((f) => f.message.split(' ')[0]).join(', ')}.`);
    const cnameF = cname?.findings.find((f) => f.code.startsWith('egress.policy.cname.'));
    if (cnameF) parts.push(cnameF.message);
    const incomplete = [byId.get('egress.policy.admin'), byId.get('egress.policy.cilium'), byId.get('egress.policy.k8s')].flatMap((c) => c?.findings ?? []).filter((f) => f.code.endsWith('.error'));
    if (incomplete.length) parts.push(`Note: ${incomplete.map((f) => f.message).join(' ')}`);
    const remediation: string[] = [];
    if (fix) {
      const src = fix.policy ? sourceOf(ctx, fix.policy) : undefined;
      if (src) parts.push(`${refText(fix.policy!)} is ${src.text}.`);
      remediation.push(`${fix.summary}\n${fix.action === 'remove' ? 'Remove' : 'Add'} at ${fix.path} of ${fix.policy ? refText(fix.policy) : 'a new policy'}${src?.file ? ` (${ctx.options.source}/${src.file})` : ''}:\n${fix.yaml}`);
      if (fix.policy && src) remediation.push(applyStep(ctx, fix.policy, src));
    }
    if (byAdmin) {
      remediation.push(
        `${refText(byAdmin)} is cluster-scoped and decides ${byAdmin.kind === 'AdminNetworkPolicy' ? 'before' : 'after'} every NetworkPolicy${byAdmin.kind === 'AdminNetworkPolicy' ? ': no NetworkPolicy or Cilium policy in the namespace can override it' : ''}. Ask the cluster administrators to change its ${byAdmin.section}[${byAdmin.ruleIndex}]${byAdmin.ruleName ? ` "${byAdmin.ruleName}"` : ''} rule (${byAdmin.action}), e.g. an Allow or Pass rule for this flow at a higher priority: \`${ctx.kubectl(`get ${byAdmin.kind.toLowerCase()} ${byAdmin.name} -o yaml`)}\`.`,
      );
    } else if (atIngress) {
      const d = fv.dest.pod!;
      const rule = atIngress.decisive[0];
      const ns = d.namespace;
      const selecting = index.selectingIngress(d);
      const owners = [...selecting.k8s.map((c) => c.ref), ...selecting.cilium.map((c) => c.ref)];
      const policy = rule ?? owners[0];
      remediation.push(
        rule?.section === 'ingressDeny'
          ? `Remove or narrow the ingressDeny rule ${ruleText(rule)} in namespace ${ns} (the destination's): a deny wins over every allow.`
          : `Allow it at the destination, in namespace ${ns}: add an ingress rule from ${p.namespace}/${p.name} (e.g. namespaceSelector kubernetes.io/metadata.name: ${p.namespace} with its pod labels) on ${fv.dest.protocol ?? 'TCP'}${fv.dest.protocol?.startsWith('ICMP') ? '' : `/${fv.dest.port}`} to ${policy ? refText(policy) : `a policy that selects ${d.namespace}/${d.name}`}. The source's egress policies already allow it; changing them does not help.`,
      );
      if (policy && policy.kind !== 'AdminNetworkPolicy' && policy.kind !== 'BaselineAdminNetworkPolicy') remediation.push(`\`${ctx.kubectl(`edit ${policy.kind === 'NetworkPolicy' ? 'networkpolicy' : policy.kind.toLowerCase()} ${policy.namespace ? `-n ${policy.namespace} ` : ''}${policy.name}`)}\``);
    }
    remediation.push(verifyCommand(ctx));
    return { status, rootCause: parts.filter(Boolean).join(' '), remediation };
  }

  // 3. the policies allow it, but the probe fails
  const tcp = byId.get('egress.tcp');
  const dns = byId.get('egress.dns');
  const failing = [...(dns?.findings ?? []), ...(tcp?.findings ?? [])].find((f) => f.severity === 'fail');
  if (failing) {
    const contradiction = tcp?.findings.find((f) => f.code === 'egress.tcp.contradiction');
    return {
      status,
      rootCause: contradiction
        ? `${failing.message} ${contradiction.message}`
        : `${failing.message} The policies allow the flow${verdicts[0]?.flows[0]?.path.ingress ? ' on both sides' : ''}${verdicts[0]?.flows[0]?.verdict.decisive[0] ? ` (${ruleText(verdicts[0].flows[0].verdict.decisive[0])})` : ' (no policy selects the pod)'}: the cause is outside them.`,
      remediation: failing.remediation,
    };
  }

  // 4. fine
  const fv = verdicts[0]?.flows[0];
  const warn = results.flatMap((r) => r.findings).find((f) => f.severity === 'warn');
  return {
    status,
    rootCause: fv
      ? `${targetText(fv.target)} is reachable from pod ${verdicts[0]!.pod.namespace}/${verdicts[0]!.pod.name}: ${fv.path.explanation} ${liveText(probes, fv)}${warn ? ` Note: ${warn.message}` : ''}`
      : `Nothing to diagnose: ${warn?.message ?? 'no target resolved'}.`,
    remediation: warn?.remediation ?? [],
  };
}

export { destText };
