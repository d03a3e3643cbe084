// egress.policy.cilium: the CiliumNetworkPolicies and clusterwide policies that select the pod,
// and their verdict on each flow (egressDeny, default deny, the DNS proxy).
import type { FindingInput } from '../../engine/definitions.ts';
import { refText, ruleText, suggestFix, type PolicyRef } from '../../policy/index.ts';
import { itemsOf } from './context.ts';
import { ciliumInstalled, dedupe, flowsByTarget, grouped, podsText, verdictKey, type Check } from './shared.ts';
import { targetText } from './target.ts';

export const ciliumPolicyCheck: Check = {
  id: 'egress.policy.cilium',
  title: 'Cilium policies',
  requires: ['egress.pod'],
  appliesWhen: [ciliumInstalled],
  codes: ['egress.policy.cilium.denied', 'egress.policy.cilium.egress-deny', 'egress.policy.cilium.dns-proxy-missing', 'egress.policy.cilium.allowed', 'egress.policy.cilium.error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [cil, verdicts, index] = await Promise.all([ctx.ciliumPolicies(), ctx.verdicts(), ctx.index()]);
    const reproduce = [ctx.kubectl(`get ciliumnetworkpolicies -n ${ctx.namespace} -o yaml`), ctx.kubectl('get ciliumclusterwidenetworkpolicies -o yaml')];
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
      summary: `${cil.cnp.ok ? `${cil.cnp.body.length} CNPs` : 'CNPs unreadable'} in ${ctx.namespace}, ${cil.ccnp.ok ? `${cil.ccnp.body.length} CCNPs` : 'CCNPs unreadable'}; ${names.length ? `selecting the pod: ${names.join(', ')}` : 'none selects the pod'}; ${bad ? 'the flow is denied' : 'the flow is allowed'}`,
      findings: dedupe(findings),
      evidence: { cnp: itemsOf(cil.cnp).length, ccnp: itemsOf(cil.ccnp).length, selecting: names, verdicts: rows },
      reproduce,
    };
  },
};
