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
  codes: ['egress.policy.cilium.denied', 'egress.policy.cilium.egress-deny', 'egress.policy.cilium.ingress-denied', 'egress.policy.cilium.l7-rules', 'egress.policy.cilium.dns-proxy-missing', 'egress.policy.cilium.allowed', 'egress.policy.cilium.error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [cil, verdicts, index, dest, cluster, groups, nodes, svcs] = await Promise.all([ctx.ciliumPolicies(), ctx.verdicts(), ctx.index(), ctx.destinationPolicies(), ctx.clusterName(), ctx.cidrGroups(), ctx.nodes(), ctx.serviceInfos()]);
    const reproduce = [ctx.kubectl(`get ciliumnetworkpolicies -n ${ctx.namespace} -o yaml`), ctx.kubectl('get ciliumclusterwidenetworkpolicies -o yaml')];
    const findings: FindingInput[] = [];
    if (!cil.cnp.ok && !cil.ccnp.ok) {
      return { summary: `cannot list Cilium policies: ${cil.cnp.message}`, findings: [{ code: 'egress.policy.cilium.error', message: `Listing Cilium policies failed: ${cil.cnp.message}` }], reproduce };
    }
    // one of the two unreadable (often: CCNPs are cluster-scoped and a namespace user cannot list them)
    if (!cil.cnp.ok) findings.push({ code: 'egress.policy.cilium.error', message: `CiliumNetworkPolicies of ${ctx.namespace} could not be listed (${cil.cnp.message}): the verdict below counts only the clusterwide ones.` });
    if (!cil.ccnp.ok) findings.push({ code: 'egress.policy.cilium.error', message: `CiliumClusterwideNetworkPolicies could not be listed (${cil.ccnp.message}): the verdict below counts only the namespace's CNPs; a clusterwide policy may still deny or isolate the pod.` });
    const needs = (r: { message: string; needs?: { verb: string; resource: string; namespace?: string } }) => `${r.message}${r.needs ? `; needs \`${r.needs.verb}\` on \`${r.needs.resource}\`${r.needs.namespace ? ` in ${r.needs.namespace}` : ''}` : ''}`;
    for (const d of dest.filter((x) => !x.dnsOnly)) {
      if (d.cnp && !d.cnp.ok) findings.push({ code: 'egress.policy.cilium.error', message: `CiliumNetworkPolicies of ${d.namespace} (the destination's namespace) could not be listed (${needs(d.cnp)}): the destination's ingress verdict does not count them.` });
    }
    if (cluster?.error) findings.push({ code: 'egress.policy.cilium.error', message: `The cilium-config ConfigMap could not be read (${needs(cluster.error)}): selectors on io.cilium.k8s.policy.cluster assume Cilium's default cluster name "default".` });
    if (groups && !groups.result.ok) findings.push({ code: 'egress.policy.cilium.error', message: `CiliumCIDRGroups could not be listed (${needs(groups.result)}): toCIDRSet/fromCIDRSet cidrGroupRef rules match no address.` });
    if (svcs?.error) findings.push({ code: 'egress.policy.cilium.error', message: `Services could not be listed (${needs(svcs.error)}): toServices rules match only svc/ targets, not the pods or addresses behind the Services they name.` });
    if (!nodes.result.ok) findings.push({ code: 'egress.policy.cilium.error', message: `Nodes could not be listed (${needs(nodes.result)}): a node's address is judged as world, not as host or remote-node (toEntities, toNodes).` });
    const selecting = new Map<string, PolicyRef>();
    const rows: Record<string, unknown>[] = [];
    const items = flowsByTarget(verdicts);
    for (const { pod } of items) for (const r of index.selecting(pod).cilium) selecting.set(refText(r.ref), r.ref);
    for (const g of grouped(items.map((i) => ({ pod: i.pod, value: i })), (i) => `${targetText(i.fv.target)}|${i.fv.dest.ip}|${verdictKey(i.fv.verdict)}`)) {
      const { verdict: v, dest, target } = g.value.fv;
      const c = v.cilium;
      rows.push({ pods: g.pods, target: targetText(target), address: dest.ip, allowed: c.allowed, isolated: c.isolated, allowedBy: c.allowedBy.map(ruleText), deniedBy: c.deniedBy.map(ruleText), explanation: c.explanation });
      const head = `${podsText(g.pods)} → ${targetText(target)} (${dest.ip})`;
      const path = g.value.fv.path;
      const ing = path.ingress;
      if (ing) rows[rows.length - 1]!.ingress = { pod: `${dest.pod!.namespace}/${dest.pod!.name}`, allowed: ing.cilium.allowed, isolated: ing.cilium.isolated, allowedBy: ing.cilium.allowedBy.map(ruleText), deniedBy: ing.cilium.deniedBy.map(ruleText), explanation: ing.cilium.explanation };
      const notes = [...(v.notes ?? []), ...(ing?.notes ?? [])];
      if (notes.length) rows[rows.length - 1]!.notes = notes;
      const l7 = [...c.allowedBy, ...(ing?.cilium.allowedBy ?? [])].filter((r) => r.l7);
      if (l7.length && path.allowed) findings.push({ code: 'egress.policy.cilium.l7-rules', message: `${head}: allowed at L3/L4, and L7 rules then also apply: ${l7.map(ruleText).join('; ')}.` });
      if (ing && path.drops === 'ingress' && ing.tier === 'policy' && (ing.cilium.deniedBy.length || (ing.cilium.isolated && !ing.cilium.allowed)) && !ing.allowed) {
        findings.push({ code: 'egress.policy.cilium.ingress-denied', message: `${head}: the source may send it, but the destination ${dest.pod!.namespace}/${dest.pod!.name} drops it: ${ing.cilium.explanation}` });
      }
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
    const bad = findings.some((f) => f.severity !== 'info' && f.code !== 'egress.policy.cilium.allowed' && f.code !== 'egress.policy.cilium.l7-rules');
    return {
      summary: `${cil.cnp.ok ? `${cil.cnp.body.length} CNPs` : 'CNPs unreadable'} in ${ctx.namespace}, ${cil.ccnp.ok ? `${cil.ccnp.body.length} CCNPs` : 'CCNPs unreadable'}; ${names.length ? `selecting the pod: ${names.join(', ')}` : 'none selects the pod'}; ${bad ? 'the flow is denied' : 'the flow is allowed'}`,
      findings: dedupe(findings),
      evidence: {
        cnp: itemsOf(cil.cnp).length,
        ccnp: itemsOf(cil.ccnp).length,
        clusterName: cluster ? `${cluster.name} (${cluster.source})` : undefined,
        ...(dest.length ? { destinationNamespaces: dest.map((d) => ({ namespace: d.namespace, cnp: d.cnp ? (d.cnp.ok ? d.cnp.body.length : d.cnp.message) : undefined })) } : {}),
        selecting: names,
        verdicts: rows,
      },
      reproduce,
    };
  },
};
