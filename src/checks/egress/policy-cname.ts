// egress.policy.cname: Cilium toFQDNs against CNAME chains. toFQDNs matches the name the
// application asks DNS for, never the end of its CNAME chain: an allow-list that names the CNAME
// target (or an old alias) never applies.
import type { FindingInput } from '../../engine/definitions.ts';
import { normalizeName, ruleText, type CnameHint } from '../../policy/index.ts';
import { ciliumPoliciesExist, dedupe, flowsByTarget, type Check } from './shared.ts';

export const cnameCheck: Check = {
  id: 'egress.policy.cname',
  title: 'CNAME vs allow-list',
  requires: ['egress.pod'],
  appliesWhen: [ciliumPoliciesExist],
  codes: ['egress.policy.cname.target-listed', 'egress.policy.cname.alias-listed'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [verdicts, index] = await Promise.all([ctx.verdicts(), ctx.index()]);
    const findings: FindingInput[] = [];
    const checked: string[] = [];
    const aliases: Record<string, string[]> = {};
    for (const { pod, fv } of flowsByTarget(verdicts)) {
      if (!fv.dest.host) continue;
      checked.push(`${fv.dest.host}${fv.dest.cnames?.length ? ` → ${fv.dest.cnames.join(' → ')}` : ''}`);
      if (fv.verdict.allowed) continue;
      // the names the allow-list lists instead of the dialled one: their CNAME chains (an old alias
      // whose chain leads to the name the application now dials directly)
      const listed = [...new Set(index.fqdnSelectors(pod).flatMap((s) => (s.selector.matchName ? [normalizeName(s.selector.matchName)] : [])))].filter((n) => n !== normalizeName(fv.dest.host!) && !(n in aliases));
      const chains = await Promise.all(listed.map((n) => ctx.cnameChain(n)));
      listed.forEach((n, i) => {
        aliases[n] = chains[i]!;
        if (chains[i]!.length) checked.push(`${n} → ${chains[i]!.join(' → ')} (listed)`);
      });
      for (const h of index.cnameHints({ pod, dest: fv.dest }, aliases)) findings.push(cnameFinding(h));
    }
    const uniq = dedupe(findings);
    return {
      summary: uniq.length ? uniq.map((f) => f.code.split('.').pop()).join(', ') : `no CNAME mismatch (${[...new Set(checked)].join('; ') || 'no names'})`,
      findings: uniq,
      evidence: { names: [...new Set(checked)] },
    };
  },
};

/** The finding for one mismatch between a toFQDNs name and the CNAME chain of the dialled name. */
export function cnameFinding(h: CnameHint): FindingInput {
  return h.kind === 'target-listed'
    ? { code: 'egress.policy.cname.target-listed', message: `${ruleText(h.rule)} names ${h.listed}, the CNAME target of ${h.dialled}. The application asks DNS for ${h.dialled}; toFQDNs matches only that name, so the rule never applies. Add matchName: ${h.dialled}.` }
    : { code: 'egress.policy.cname.alias-listed', message: `${ruleText(h.rule)} names ${h.listed}, an alias of ${h.dialled}; the application now dials ${h.dialled} directly. Add matchName: ${h.dialled}.` };
}
