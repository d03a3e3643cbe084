// egress.gitops: who owns each policy that selects the pod (Flux, Argo CD, Helm, by hand), and
// with --source the drift between the live policies and the manifests in git.
import type { FindingInput } from '../../engine/definitions.ts';
import { livePolicies } from './context.ts';
import { compareWithSource, loadSource } from './drift.ts';
import { objKey, ownerOf, ownerText, type KubeObj } from './owner.ts';
import type { Check } from './shared.ts';

export const gitopsCheck: Check = {
  id: 'egress.gitops',
  title: 'Policy owners and drift',
  requires: ['egress.pod'],
  codes: ['egress.gitops.owner', 'egress.gitops.manual', 'egress.gitops.hand-edited', 'egress.gitops.not-in-source', 'egress.gitops.missing-live', 'egress.gitops.different', 'egress.gitops.source-error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [index, verdicts, np, cil] = await Promise.all([ctx.index(), ctx.verdicts(), ctx.networkPolicies(), ctx.ciliumPolicies()]);
    const live = livePolicies(np, cil);
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
