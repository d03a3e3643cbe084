// The fleet report (--all-contexts, --contexts, --context-pattern): one diagnosis per kubeconfig
// context, and the contexts grouped by root cause. Pure: the fleet runner (src/fleet) fills it, the
// fleet renderers (render/fleet-*.ts) and `diff` read it.
import { STATUS_ORDER, type CheckStatus, type Report } from './types.ts';
import type { Redactor } from './redact.ts';

export interface FleetEntry {
  context: string;
  server?: string;
  /** the context's verdict: its diagnosis status */
  status: CheckStatus;
  /** the first sentence of the root cause */
  rootCause: string;
  durationMs: number;
  /** the key of the group this context is in (see groupKey) */
  group: string;
  /** 0, 1 or 3 as a single run would exit */
  exitCode: number;
}

export interface FleetGroup {
  key: string;
  /** the verdict shared by the group (the worst of its members) */
  status: CheckStatus;
  /** "ok", or the root cause the members share */
  label: string;
  contexts: string[];
  /** the full root cause and remediation of the group's first member */
  rootCause: string;
  remediation: string[];
}

export interface FleetSummary {
  total: number;
  ok: number;
  failing: number;
  /** worst first, then the biggest */
  groups: FleetGroup[];
  /** probes run and answered from the shared cache (contexts on the same server, proxy and CA) */
  probes?: { run: number; shared: number; byKind?: Record<string, { misses: number; hits: number }> };
}

export interface FleetReport {
  schemaVersion: 1;
  kind: 'netdiag-fleet';
  tool: { name: 'kubectl-netdiag'; version: string };
  command: string;
  startedAt: string;
  durationMs: number;
  /** contexts diagnosed at once (--parallel) */
  parallel: number;
  /** one entry per selected context, in the order selected */
  contexts: FleetEntry[];
  summary: FleetSummary;
  /** the usual report of each context, in the same order */
  reports: Report[];
}

/**
 * Whether every part of a fleet report that can hold a secret (the entries, the summary, each
 * report) is as the redactor returned it, with every secret known now (Redactor.isCurrent); the
 * rest is the tool's own (its name, the command, times, --parallel).
 */
export function isFleetRedacted(f: FleetReport, redactor: Redactor): boolean {
  return redactor.isCurrent(f.contexts) && redactor.isCurrent(f.summary) && f.reports.every((r) => redactor.isCurrent(r));
}

export function isFleetReport(j: unknown): j is FleetReport {
  return !!j && typeof j === 'object' && (j as { kind?: unknown }).kind === 'netdiag-fleet' && Array.isArray((j as FleetReport).contexts);
}

/** The first sentence of a root cause (up to 240 characters), for one line per context. */
export function firstSentence(text: string): string {
  const t = text.replace(/\s+/g, ' ').trim();
  const m = /^(.+?[.!?])(\s|$)/.exec(t);
  const s = m ? m[1]! : t;
  return s.length > 240 ? `${s.slice(0, 239)}…` : s;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * What groups contexts: "ok" for a pass, else the status and the first sentence of the root cause
 * with the context's own names (context, cluster, user) taken out, so fifty contexts behind the
 * same intercepting proxy land in one group while two different servers' failures do not.
 */
export function groupKey(report: Pick<Report, 'diagnosis' | 'target'>): string {
  const d = report.diagnosis;
  if (d.status === 'pass') return 'ok';
  let s = firstSentence(d.rootCause);
  const names = [report.target.context, report.target.cluster, report.target.user].filter((n): n is string => typeof n === 'string' && n.length > 2);
  for (const n of names.sort((a, b) => b.length - a.length)) s = s.replace(new RegExp(`(?<![\\w.-])${escapeRe(n)}(?![\\w-])`, 'g'), '<context>');
  return `${d.status}: ${s}`;
}

export function entryOf(context: string, report: Report, exitCode: number): FleetEntry {
  return {
    context,
    server: typeof report.target.server === 'string' ? report.target.server : undefined,
    status: report.diagnosis.status,
    rootCause: firstSentence(report.diagnosis.rootCause),
    durationMs: report.durationMs,
    group: groupKey(report),
    exitCode,
  };
}

export function summarize(entries: FleetEntry[], reports: Report[]): FleetSummary {
  const groups = new Map<string, FleetGroup>();
  entries.forEach((e, i) => {
    let g = groups.get(e.group);
    if (!g) {
      const r = reports[i];
      g = {
        key: e.group,
        status: e.status,
        label: e.group === 'ok' ? 'ok' : e.group.replace(/^\w+: /, ''),
        contexts: [],
        rootCause: r?.diagnosis.rootCause ?? e.rootCause,
        remediation: r?.diagnosis.remediation ?? [],
      };
      groups.set(e.group, g);
    }
    if (STATUS_ORDER[e.status] > STATUS_ORDER[g.status]) g.status = e.status;
    g.contexts.push(e.context);
  });
  const ok = entries.filter((e) => e.status === 'pass' || e.status === 'warn' || e.status === 'skip').length;
  return {
    total: entries.length,
    ok,
    failing: entries.length - ok,
    groups: [...groups.values()].sort((a, b) => STATUS_ORDER[b.status] - STATUS_ORDER[a.status] || b.contexts.length - a.contexts.length || a.label.localeCompare(b.label)),
  };
}

/** 1 when any context failed, 3 when the tool broke on one (and none failed), else 0. */
export function fleetExitCode(f: Pick<FleetReport, 'contexts'>): number {
  if (f.contexts.some((e) => e.exitCode === 1 || e.status === 'fail' || e.status === 'error')) return 1;
  if (f.contexts.some((e) => e.exitCode === 3)) return 3;
  return 0;
}

export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}
