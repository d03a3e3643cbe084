// The TUI's view model: what the command layer hands to the components (plain data and a few
// functions), and the pure reducer that turns runner events into rows. No diagnosis logic here:
// rows are what the runner reported, in the order the diagnosis declares its checks.
import type { RunnerEvent } from '../engine/runner.ts';
import type { CheckResult, CheckStatus, Report } from '../report/types.ts';
import type { FleetSession } from './fleet.ts';
import type { Suggest } from './suggest.ts';

/** What the header shows: the kubeconfig selection and whether a proxy applies to the server. */
export interface HeaderInfo {
  context?: string;
  cluster?: string;
  user?: string;
  server?: string;
  namespace?: string;
  /** e.g. "http://198.51.100.21:3128 (HTTPS_PROXY)", or "none" */
  proxy?: string;
  /** the kubeconfig cannot be resolved: one line */
  error?: string;
}

/** A text the user types before a diagnosis runs (see DiagnosisInput in src/engine/definitions.ts). */
export interface MenuInput {
  name: string;
  label: string;
  required: boolean;
  placeholder?: string;
  /** prefilled from the command line flags */
  value?: string;
  /** a picker for the field (DiagnosisInput.kind): namespace, pod, host; else plain text */
  kind?: string;
}

export interface MenuItem {
  command: string;
  title: string;
  description: string;
  inputs: MenuInput[];
  /** set when the diagnosis cannot run from the menu (no command registered for it) */
  unavailable?: string;
  /** the diagnosis over many contexts (the fleet screen); its one input is the context pattern */
  fleet?: boolean;
}

export interface RunRequest {
  command: string;
  /** the kubeconfig context chosen with `x`; undefined = the one from the flags / current-context */
  context?: string;
  inputs: Record<string, string>;
}

export interface RunOutcome {
  report: Report;
  exitCode: number;
  /** a configuration error (what the subcommand prints as `error: …` and exits 2 for) */
  configError?: string;
}

/** What the command layer gives the app. Everything diagnosis-specific stays behind it. */
export interface TuiSession {
  diagnoses: MenuItem[];
  header(context: string | undefined): HeaderInfo;
  contexts(): { names: string[]; current?: string; error?: string };
  run(req: RunRequest, onEvent: (e: RunnerEvent) => void, signal: AbortSignal): Promise<RunOutcome>;
  /** writes the report as markdown and JSON; returns the paths written */
  exportReport(report: Report): { paths: string[] } | { error: string };
  /** the lists of the form's pickers (src/tui/suggest.ts); without it the fields are plain text */
  suggest?: Suggest;
  /** diagnoses over many contexts at once (the fleet screen); without it the menu offers none */
  fleet?: FleetSession;
}

export type RowStatus = CheckStatus | 'pending' | 'running';

export interface Row {
  id: string;
  title: string;
  status: RowStatus;
  durationMs?: number;
  summary?: string;
  result?: CheckResult;
}

export interface RunState {
  rows: Row[];
  /** check ids in the order they finished (the live view moves them to <Static> in this order) */
  finished: string[];
  done: boolean;
  durationMs?: number;
}

export const EMPTY_RUN: RunState = { rows: [], finished: [], done: false };

/** Fold one runner event into the rows. Pure; unknown ids are appended (never dropped). */
export function applyEvent(state: RunState, e: RunnerEvent): RunState {
  switch (e.type) {
    case 'run-start':
      return { rows: e.checks.map((c) => ({ id: c.id, title: c.title, status: 'pending' })), finished: [], done: false };
    case 'check-start':
      return { ...state, rows: upsert(state.rows, { id: e.id, title: e.title, status: 'running' }) };
    case 'check-end': {
      const r = e.result;
      const row: Row = { id: r.id, title: r.title, status: r.status, durationMs: r.durationMs, summary: r.summary, result: r };
      return { ...state, rows: upsert(state.rows, row), finished: state.finished.includes(r.id) ? state.finished : [...state.finished, r.id] };
    }
    case 'run-end':
      return { ...state, done: true, durationMs: e.durationMs };
  }
}

function upsert(rows: Row[], row: Row): Row[] {
  const i = rows.findIndex((r) => r.id === row.id);
  if (i < 0) return [...rows, row];
  const next = rows.slice();
  next[i] = row;
  return next;
}

/** The rows of a finished report (after a rerun or when only the report is known). */
export function stateFromReport(report: Report): RunState {
  return {
    rows: report.checks.map((c) => ({ id: c.id, title: c.title, status: c.status, durationMs: c.durationMs, summary: c.summary, result: c })),
    finished: report.checks.map((c) => c.id),
    done: true,
    durationMs: report.durationMs,
  };
}

export function tally(rows: Row[]): string {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  return ['pass', 'warn', 'fail', 'error', 'skip', 'running', 'pending']
    .filter((s) => counts.get(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(', ');
}
