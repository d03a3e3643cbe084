// What several egress checks share: the check type, pods grouped by outcome ("3 pods: …" for
// --selector runs), duplicate findings dropped, flows by target, and the skip when no live probe ran.
import type { CheckDefinition, CheckOutcome, FindingInput, Requirement } from '../../engine/definitions.ts';
import { ruleText, type PodInfo, type Verdict } from '../../policy/index.ts';
import { itemsOf, type EgressContext, type FlowVerdict, type PodProbe } from './context.ts';

export type Check = CheckDefinition<EgressContext>;

export const podName = (p: PodInfo) => `${p.namespace}/${p.name}`;

/** Group pods by an outcome key: "3 pods: ..." for --selector runs. */
export function grouped<T>(items: { pod: PodInfo; value: T }[], key: (v: T) => string): { key: string; pods: string[]; value: T }[] {
  const m = new Map<string, { key: string; pods: string[]; value: T }>();
  for (const it of items) {
    const k = key(it.value);
    const g = m.get(k);
    if (g) g.pods.push(podName(it.pod));
    else m.set(k, { key: k, pods: [podName(it.pod)], value: it.value });
  }
  return [...m.values()];
}

export function podsText(pods: string[]): string {
  return pods.length === 1 ? `pod ${pods[0]}` : `${pods.length} pods (${pods.slice(0, 5).join(', ')}${pods.length > 5 ? ', …' : ''})`;
}

/** Why no live probe ran from any pod, or undefined when one did. */
export function noProbe(probes: PodProbe[]): string | undefined {
  if (probes.some((p) => p.probe)) return undefined;
  const p = probes[0];
  if (!p) return 'no pod';
  if (p.skipped === 'forbidden') return `exec is forbidden (needs create on pods/exec in ${p.pod.namespace}); static verdict only`;
  if (p.skipped === 'no-tools') return 'the container has no probe tool (see egress.pod; --debug-image)';
  return `no live probe (${p.message ?? p.skipped})`;
}

/** The skip of a check whose live part cannot run. */
export function probeSkip(probes: PodProbe[]): CheckOutcome | undefined {
  const why = noProbe(probes);
  return why === undefined ? undefined : { skip: true, summary: `not applicable: ${why}` };
}

// ---- when egress checks apply ----------------------------------------------------------------

/** A live probe ran from at least one pod (exec allowed, a tool found). */
export const liveProbe: Requirement<EgressContext> = {
  name: 'live-probe',
  unmet: async (ctx) => noProbe(await ctx.probes()),
};

/** The server serves the Cilium policy CRDs. */
export const ciliumInstalled: Requirement<EgressContext> = {
  name: 'cilium',
  unmet: async (ctx) => ((await ctx.ciliumPolicies()).installed ? undefined : 'the Cilium CRDs are not installed (404)'),
};

/** Cilium policies exist (toFQDNs can only come from them). */
export const ciliumPoliciesExist: Requirement<EgressContext> = {
  name: 'cilium-policies',
  unmet: async (ctx) => {
    const cil = await ctx.ciliumPolicies();
    return cil.installed && (itemsOf(cil.cnp).length || itemsOf(cil.ccnp).length) ? undefined : 'no Cilium policies (toFQDNs)';
  },
};

export function dedupe(f: FindingInput[]): FindingInput[] {
  const seen = new Set<string>();
  return f.filter((x) => {
    const k = `${x.code} ${x.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function verdictKey(v: Verdict): string {
  return `${v.allowed}|${v.decisive.map(ruleText).join(';')}|${v.k8s.allowed}|${v.cilium.allowed}`;
}

export function flowsByTarget(all: { pod: PodInfo; flows: FlowVerdict[] }[]): { pod: PodInfo; fv: FlowVerdict }[] {
  return all.flatMap((v) => v.flows.map((fv) => ({ pod: v.pod, fv })));
}
