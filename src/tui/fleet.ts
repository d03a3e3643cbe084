// The fleet screen's view model (one diagnosis over many contexts, issue 15): what the session
// hands over as the contexts start and finish, folded into one row per context, and the rows
// grouped by root cause the way the fleet report groups them (src/report/fleet.ts), the contexts
// still running or waiting for a slot last. Pure; no diagnosis logic.
import { summarize, type FleetEntry, type FleetReport } from '../report/fleet.ts';
import type { CheckStatus, Report } from '../report/types.ts';

/** A fleet run as the menu starts it: one diagnosis over the contexts a pattern selects. */
export interface FleetRequest {
  command: string;
  /** shell globs, comma separated (`prod-*`, `a,b`); empty: every context of the kubeconfig */
  pattern?: string;
  /** exactly these contexts (`r`: the failing ones again) */
  contexts?: string[];
}

export type FleetEvent =
  | { type: 'fleet-start'; contexts: string[] }
  | { type: 'context-start'; context: string }
  | { type: 'context-end'; entry: FleetEntry; report: Report };

export interface FleetOutcome {
  fleet: FleetReport;
  exitCode: number;
}

/** What the session offers for fleets: which diagnoses run over many contexts, and the run itself. */
export interface FleetSession {
  commands: { command: string; title: string; description: string }[];
  /** the selection is checked first: a pattern that matches nothing rejects with its words */
  run(req: FleetRequest, onEvent: (e: FleetEvent) => void, signal: AbortSignal): Promise<FleetOutcome>;
}

export type FleetRowStatus = CheckStatus | 'pending' | 'running';

export interface FleetRow {
  context: string;
  status: FleetRowStatus;
  entry?: FleetEntry;
  report?: Report;
}

export interface FleetState {
  /** one row per context, in the order selected */
  rows: FleetRow[];
  done: boolean;
}

export const EMPTY_FLEET: FleetState = { rows: [], done: false };

/**
 * Fold one event into the rows. A `fleet-start` of a rerun (`keep`) sets only its contexts back to
 * waiting and keeps the others' results; otherwise it starts a fresh list.
 */
export function applyFleetEvent(state: FleetState, e: FleetEvent, keep = false): FleetState {
  switch (e.type) {
    case 'fleet-start': {
      const again = new Set(e.contexts);
      if (!keep) return { rows: e.contexts.map((context) => ({ context, status: 'pending' })), done: false };
      const known = new Set(state.rows.map((r) => r.context));
      const rows = state.rows.map((r): FleetRow => (again.has(r.context) ? { context: r.context, status: 'pending' } : r));
      for (const c of e.contexts) if (!known.has(c)) rows.push({ context: c, status: 'pending' });
      return { rows, done: false };
    }
    case 'context-start':
      return { ...state, rows: state.rows.map((r) => (r.context === e.context ? { context: r.context, status: 'running' } : r)) };
    case 'context-end': {
      const row: FleetRow = { context: e.entry.context, status: e.entry.status, entry: e.entry, report: e.report };
      const i = state.rows.findIndex((r) => r.context === row.context);
      const rows = state.rows.slice();
      if (i < 0) rows.push(row);
      else rows[i] = row;
      return { ...state, rows };
    }
  }
}

/** Whether a finished context counts as failing (what `r` runs again; the exit code's rule). */
export function isFailing(row: FleetRow): boolean {
  return row.status === 'fail' || row.status === 'error';
}

export interface FleetRowGroup {
  key: string;
  status: FleetRowStatus;
  /** "ok", the shared root cause, "running" or "waiting" */
  label: string;
  rows: FleetRow[];
}

/** The rows grouped by root cause (worst first, then the biggest), then running, then waiting. */
export function fleetGroups(state: FleetState): FleetRowGroup[] {
  const finished = state.rows.filter((r) => r.entry);
  const byContext = new Map(finished.map((r) => [r.context, r]));
  const summary = summarize(
    finished.map((r) => r.entry!),
    finished.map((r) => r.report!),
  );
  const groups: FleetRowGroup[] = summary.groups.map((g) => ({ key: g.key, status: g.status, label: g.label, rows: g.contexts.map((c) => byContext.get(c)!) }));
  const running = state.rows.filter((r) => r.status === 'running');
  const waiting = state.rows.filter((r) => r.status === 'pending');
  if (running.length) groups.push({ key: '(running)', status: 'running', label: 'running', rows: running });
  if (waiting.length) groups.push({ key: '(waiting)', status: 'pending', label: 'waiting', rows: waiting });
  return groups;
}

/** The contexts in the order the screen lists them (group by group). */
export function fleetOrder(groups: FleetRowGroup[]): string[] {
  return groups.flatMap((g) => g.rows.map((r) => r.context));
}

/** The counts the screen's status line gives. */
export function fleetTally(state: FleetState): { total: number; finished: number; failing: number; ok: number } {
  const finished = state.rows.filter((r) => r.entry);
  const failing = finished.filter(isFailing).length;
  return { total: state.rows.length, finished: finished.length, failing, ok: finished.length - failing };
}
