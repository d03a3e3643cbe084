// egress.policy.admin: AdminNetworkPolicies and the BaselineAdminNetworkPolicy
// (policy.networking.k8s.io/v1alpha1). They decide before (ANP) and after (BANP) every
// NetworkPolicy, on the source's egress and on the destination's ingress alike.
import type { FindingInput, Requirement } from '../../engine/definitions.ts';
import { ruleText, type RuleRef, type Verdict } from '../../policy/index.ts';
import { itemsOf, type EgressContext } from './context.ts';
import { dedupe, flowsByTarget, grouped, podsText, verdictKey, type Check } from './shared.ts';
import { targetText } from './target.ts';

/** The server serves AdminNetworkPolicy or BaselineAdminNetworkPolicy. */
export const adminInstalled: Requirement<EgressContext> = {
  name: 'admin-network-policy',
  unmet: async (ctx) => {
    const a = await ctx.adminPolicies();
    return a.anp.notInstalled && a.banp.notInstalled ? 'the AdminNetworkPolicy CRDs (policy.networking.k8s.io/v1alpha1) are not installed' : undefined;
  },
};

/** The admin or baseline rule that decided one side, if one did. */
function adminRule(v: Verdict | undefined): RuleRef | undefined {
  return v && (v.tier === 'admin' || v.tier === 'baseline') ? v.decisive[0] : undefined;
}

export const adminPolicyCheck: Check = {
  id: 'egress.policy.admin',
  title: 'AdminNetworkPolicies',
  requires: ['egress.pod'],
  appliesWhen: [adminInstalled],
  codes: ['egress.policy.admin.denied', 'egress.policy.admin.allowed', 'egress.policy.admin.error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [admin, verdicts] = await Promise.all([ctx.adminPolicies(), ctx.verdicts()]);
    const reproduce = [ctx.kubectl('get adminnetworkpolicies -o yaml'), ctx.kubectl('get baselineadminnetworkpolicies -o yaml')];
    const findings: FindingInput[] = [];
    for (const l of [admin.anp, admin.banp]) {
      const r = l.result;
      if (!r.ok) {
        findings.push({
          code: 'egress.policy.admin.error',
          message: `${l.what} could not be listed (${r.message}${r.needs ? `; needs \`${r.needs.verb}\` on \`${r.needs.resource}\`` : ''}): the verdict cannot see an admin rule that allows or denies the flow ${l.what.startsWith('Baseline') ? 'after' : 'before'} the NetworkPolicies.`,
        });
      }
    }
    const rows: Record<string, unknown>[] = [];
    for (const g of grouped(flowsByTarget(verdicts).map((i) => ({ pod: i.pod, value: i })), (i) => `${targetText(i.fv.target)}|${i.fv.dest.ip}|${verdictKey(i.fv.verdict)}|${i.fv.path.ingress ? verdictKey(i.fv.path.ingress) : ''}`)) {
      const { dest, target, path } = g.value.fv;
      const head = `${podsText(g.pods)} → ${targetText(target)} (${dest.ip})`;
      for (const [side, v] of [['egress', path.egress], ['ingress', path.ingress]] as const) {
        const rule = adminRule(v);
        if (!rule || !v) continue;
        const where = side === 'egress' ? 'at the source (egress)' : `at the destination ${dest.pod!.namespace}/${dest.pod!.name} (ingress)`;
        rows.push({ pods: g.pods, target: targetText(target), address: dest.ip, side, tier: v.tier, rule: ruleText(rule), allowed: v.allowed });
        if (!v.allowed) findings.push({ code: 'egress.policy.admin.denied', message: `${head} is denied ${where} by ${ruleText(rule)}: ${v.tier === 'admin' ? 'an AdminNetworkPolicy decides before every NetworkPolicy and Cilium policy' : 'the BaselineAdminNetworkPolicy decides because no NetworkPolicy isolates the pod'}.` });
        else findings.push({ code: 'egress.policy.admin.allowed', message: `${head} is allowed ${where} by ${ruleText(rule)}.` });
      }
      for (const n of [...(path.egress.notes ?? []), ...(path.ingress?.notes ?? [])].filter((x) => / passes /.test(x))) rows.push({ pods: g.pods, target: targetText(target), note: n });
    }
    const anp = itemsOf(admin.anp.result).length;
    const banp = itemsOf(admin.banp.result).length;
    const denied = findings.some((f) => f.code === 'egress.policy.admin.denied');
    return {
      summary: `${admin.anp.result.ok ? `${anp} AdminNetworkPolicies` : 'AdminNetworkPolicies unreadable'}, ${admin.banp.result.ok ? `${banp} baseline` : 'baseline unreadable'}; ${denied ? 'an admin rule denies the flow' : rows.some((r) => r.rule) ? 'an admin rule allows the flow' : 'no admin rule decides the flow'}`,
      findings: dedupe(findings),
      evidence: { adminNetworkPolicies: anp, baselineAdminNetworkPolicies: banp, verdicts: rows },
      reproduce,
    };
  },
};
