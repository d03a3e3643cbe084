// What several egress checks share: the check type, pods grouped by outcome ("3 pods: …" for
// --selector runs), duplicate findings dropped, flows by target, and the skip when no live probe ran.
import type { CheckDefinition, CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { ruleText, type PodInfo, type Verdict } from '../../policy/index.ts';
import type { EgressContext, FlowVerdict, PodProbe } from './context.ts';

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

export function probeSkip(probes: PodProbe[]): CheckOutcome | undefined {
  if (probes.some((p) => p.probe)) return undefined;
  const p = probes[0];
  if (!p) return { skip: true, summary: 'not applicable: no pod' };
  if (p.skipped === 'forbidden') return { skip: true, summary: `not applicable: exec is forbidden (needs create on pods/exec in ${p.pod.namespace}); static verdict only` };
  if (p.skipped === 'no-tools') return { skip: true, summary: 'not applicable: the container has no probe tool (see egress.pod; --debug-image)' };
  return { skip: true, summary: `not applicable: no live probe (${p.message ?? p.skipped})` };
}

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
