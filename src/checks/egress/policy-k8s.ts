// egress.policy.k8s: the NetworkPolicies that select the pod, and their verdict on each flow.
import type { FindingInput } from '../../engine/definitions.ts';
import { refText, ruleText, type PolicyRef } from '../../policy/index.ts';
import { dedupe, flowsByTarget, grouped, podsText, verdictKey, type Check } from './shared.ts';
import { targetText } from './target.ts';

export const k8sPolicyCheck: Check = {
  id: 'egress.policy.k8s',
  title: 'NetworkPolicies',
  requires: ['egress.pod'],
  codes: ['egress.policy.k8s.denied', 'egress.policy.k8s.ingress-denied', 'egress.policy.k8s.allowed', 'egress.policy.k8s.error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [np, verdicts, index, nss, dest] = await Promise.all([ctx.networkPolicies(), ctx.verdicts(), ctx.index(), ctx.namespaces(), ctx.destinationPolicies()]);
    const reproduce = [ctx.kubectl(`get networkpolicy -n ${ctx.namespace} -o yaml`)];
    if (!np.ok) {
      return { summary: `cannot list NetworkPolicies: ${np.message}`, findings: [{ code: 'egress.policy.k8s.error', message: `Listing NetworkPolicies in ${ctx.namespace} failed: ${np.message}` }], reproduce };
    }
    const findings: FindingInput[] = [];
    const usesNsSelector = np.body.some((p) => p.spec.egress?.some((r) => r.to?.some((t) => t.namespaceSelector && Object.keys(t.namespaceSelector).length)));
    if (!nss.ok && usesNsSelector) {
      findings.push({ code: 'egress.policy.k8s.error', message: `Namespaces could not be listed (${nss.message}): namespaceSelector is evaluated with the label kubernetes.io/metadata.name only.` });
    }
    for (const d of dest.filter((x) => !x.dnsOnly)) {
      if (!d.np.ok) findings.push({ code: 'egress.policy.k8s.error', message: `NetworkPolicies of ${d.namespace} (the destination's namespace) could not be listed (${d.np.message}${d.np.needs ? `; needs \`${d.np.needs.verb}\` on \`${d.np.needs.resource}\` in ${d.namespace}` : ''}): the destination's ingress verdict does not count them.` });
    }
    const selecting = new Map<string, PolicyRef>();
    const ingressSelecting = new Map<string, PolicyRef>();
    const rows: Record<string, unknown>[] = [];
    const items = flowsByTarget(verdicts);
    for (const { pod } of items) for (const r of index.selecting(pod).k8s) selecting.set(refText(r.ref), r.ref);
    for (const g of grouped(items.map((i) => ({ pod: i.pod, value: i })), (i) => `${targetText(i.fv.target)}|${i.fv.dest.ip}|${verdictKey(i.fv.verdict)}`)) {
      const { verdict: v, dest, target } = g.value.fv;
      const path = g.value.fv.path;
      const ing = path.ingress;
      if (ing && dest.pod) for (const r of index.selectingIngress(dest.pod).k8s) ingressSelecting.set(refText(r.ref), r.ref);
      rows.push({
        pods: g.pods,
        target: targetText(target),
        address: dest.ip,
        allowed: v.k8s.allowed,
        isolated: v.k8s.isolated,
        rules: v.k8s.allowedBy.map(ruleText),
        explanation: v.k8s.explanation,
        ...(ing ? { ingress: { pod: `${dest.pod!.namespace}/${dest.pod!.name}`, allowed: ing.k8s.allowed, isolated: ing.k8s.isolated, rules: ing.k8s.allowedBy.map(ruleText), explanation: ing.k8s.explanation } } : {}),
      });
      if (ing && path.drops === 'ingress' && ing.tier === 'policy' && ing.k8s.isolated && !ing.k8s.allowed && !ing.allowed) {
        const names = index.selectingIngress(dest.pod!).k8s.map((c) => refText(c.ref));
        findings.push({
          code: 'egress.policy.k8s.ingress-denied',
          message: `${podsText(g.pods)} → ${targetText(target)} (${dest.ip}): the source may send it, but the destination ${dest.pod!.namespace}/${dest.pod!.name} drops it: ${ing.k8s.explanation}${names.length ? ` (isolated for ingress by ${names.join(', ')})` : ''}`,
        });
      }
      if (!v.k8s.isolated) continue;
      if (v.k8s.allowed) findings.push({ code: 'egress.policy.k8s.allowed', message: `${podsText(g.pods)} → ${targetText(target)} (${dest.ip}): ${v.k8s.explanation}` });
      else if (!v.allowed) findings.push({ code: 'egress.policy.k8s.denied', message: `${podsText(g.pods)} → ${targetText(target)} (${dest.ip}): ${v.k8s.explanation}` });
      else findings.push({ code: 'egress.policy.k8s.allowed', message: `${podsText(g.pods)} → ${targetText(target)} (${dest.ip}): NetworkPolicies alone would deny it, but with Cilium the allows add up: ${v.explanation}` });
    }
    const names = [...selecting.values()].map((r) => `${r.namespace}/${r.name}`);
    const ingNames = [...ingressSelecting.values()].map((r) => `${r.namespace}/${r.name}`);
    const denied = findings.some((f) => f.code === 'egress.policy.k8s.denied');
    const ingDenied = findings.some((f) => f.code === 'egress.policy.k8s.ingress-denied');
    for (const d of dest) reproduce.push(ctx.kubectl(`get networkpolicy -n ${d.namespace} -o yaml`));
    return {
      summary: `${np.body.length} NetworkPolicies in ${ctx.namespace}; ${names.length ? `selecting the pod for egress: ${names.join(', ')}` : 'none selects the pod for egress'}${ingNames.length ? `; selecting the destination for ingress: ${ingNames.join(', ')}` : ''}; ${denied ? 'the flow is denied' : ingDenied ? 'the destination drops the flow' : 'the flow is allowed'}`,
      findings: dedupe(findings),
      evidence: { listed: np.body.length, pages: np.pages, selecting: names, ...(dest.length ? { destinationNamespaces: dest.map((d) => ({ namespace: d.namespace, listed: d.np.ok ? d.np.body.length : d.np.message })), selectingIngress: ingNames } : {}), verdicts: rows },
      reproduce,
    };
  },
};
