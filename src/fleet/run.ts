// Run one diagnosis per context, at most `parallel` at once, contexts on the same server, proxy and
// CA sharing their probes (kube/probe-cache.ts), and assemble the fleet report. The diagnosis is
// passed in by the command layer; nothing here knows which one it is.
//
// Slots: at most `parallel` contexts work at once. A context that only waits for a probe another
// context has in flight (the same server, proxy and CA) gives its slot up meanwhile (ProbeCache
// views, kube/probe-cache.ts) and takes one again, before any new context, once the answer is
// there: 50 contexts on one black-holed address hold one slot for the timeout, not 16.
//
// Time bound: each context has a deadline (contextDeadlineMs, from when it starts); past it, its
// run is aborted and it is reported as not finished. The whole run also ends at contextDeadlineMs
// + 1 s from the start: contexts still waiting for a slot then are reported as not run. So the
// fleet never takes longer than one context's deadline plus a second, whatever the count.
import type { DiagnosisDefinition } from '../engine/definitions.ts';
import { exitCodeFor, runDiagnosis, TOOL_VERSION } from '../engine/run-diagnosis.ts';
import { ProbeCache, type ProbeWaitHooks } from '../kube/probe-cache.ts';
import { entryOf, summarize, type FleetEntry, type FleetReport } from '../report/fleet.ts';
import type { Redactor } from '../report/redact.ts';
import type { Report } from '../report/types.ts';
import { formatMs } from '../engine/runner.ts';
import { monotonicMs } from '../net/clock.ts';

export interface FleetRunOptions<O, C> {
  def: DiagnosisDefinition<O, C>;
  contexts: string[];
  /** the diagnosis options for one context; `probeCache` is the run's shared cache (as this context sees it) */
  optionsFor(context: string, probeCache: ProbeCache): O;
  /** contexts diagnosed at once */
  parallel: number;
  /** the per-check deadline given to the runner (as one run: --timeout + 1 s) */
  checkTimeoutMs: number;
  /** how long one context may take, from its start */
  contextDeadlineMs: number;
  redactor: Redactor;
  /** contexts to start before the others (their credential plugins may take up to --timeout) */
  startFirst?: ReadonlySet<string>;
  /** called as each context starts (it got a slot) */
  onStart?(context: string, index: number): void;
  /** called as each context finishes (any order) */
  onEntry?(entry: FleetEntry, report: Report, index: number): void;
  signal?: AbortSignal;
  /** the target of a context that never resolved (for the not-run report) */
  targetFor?(context: string): Report['target'];
}

function unfinished(command: string, context: string, startedAt: Date, durationMs: number, rootCause: string, target: Report['target']): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'kubectl-netdiag', version: TOOL_VERSION },
    command,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    target: { ...target, context },
    checks: [],
    diagnosis: { status: 'error', rootCause, remediation: [`Run it for this context alone: \`kubectl netdiag ${command} --context ${context}\`, or raise --timeout.`] },
  };
}

/** A context's deadline: a timer that stops while the context is parked. */
class PausableTimer {
  private timer: NodeJS.Timeout | undefined;
  private fire: (() => void) | undefined;
  private left: number;
  private since = 0;
  constructor(ms: number) {
    this.left = ms;
  }
  start(fire: () => void): void {
    this.fire = fire;
    this.resume();
  }
  pause(): void {
    if (!this.timer) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.left -= monotonicMs() - this.since;
  }
  resume(): void {
    if (this.timer || !this.fire) return;
    this.since = monotonicMs();
    this.timer = setTimeout(this.fire, Math.max(0, this.left));
  }
  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.fire = undefined;
  }
}

export async function runFleet<O, C>(o: FleetRunOptions<O, C>): Promise<FleetReport> {
  const startedAt = new Date();
  const t0 = monotonicMs();
  const cache = new ProbeCache();
  const n = o.contexts.length;
  const entries: (FleetEntry | undefined)[] = new Array(n);
  const reports: (Report | undefined)[] = new Array(n);
  const fleetDeadlineMs = o.contextDeadlineMs + 1000;
  const command = o.def.command;
  const targetFor = (c: string) => o.targetFor?.(c) ?? { context: c };

  const settle = (i: number, report: Report, exitCode: number) => {
    if (reports[i]) return;
    reports[i] = report;
    entries[i] = entryOf(o.contexts[i]!, report, exitCode);
    o.onEntry?.(entries[i]!, report, i);
  };

  // the slots: contexts resuming after a shared probe go before contexts not started yet
  let free = Math.max(1, Math.min(o.parallel, n));
  const resumers: (() => void)[] = [];
  const starters: (() => void)[] = [];
  const acquire = (resuming: boolean) =>
    free > 0 ? (free--, Promise.resolve()) : new Promise<void>((r) => (resuming ? resumers : starters).push(r));
  const release = () => {
    const w = resumers.shift() ?? starters.shift();
    if (w) w();
    else free++;
  };
  let closed = false;
  // contexts started and not finished, parked ones included: at most 4 slots' worth (each one's
  // deadline runs from its start, so starting everything at once would let none finish in time)
  const maxActive = Math.max(1, Math.min(o.parallel, n)) * 4;
  let active = 0;
  const activeWaiters: (() => void)[] = [];

  /**
   * One context's hold on a slot: it has one from its start to its end, except while parked; its
   * deadline's clock stops while it is parked (the fleet deadline bounds the whole run anyway).
   */
  const slotOf = (clock: PausableTimer) => {
    let held = true;
    let ended = false;
    let resuming: Promise<void> | undefined;
    const hooks: ProbeWaitHooks = {
      park: () => {
        if (held && !ended) {
          held = false;
          clock.pause();
          release();
        }
      },
      // one acquisition however many of the context's waits end parked (its checks run side by side)
      resume: () => {
        if (held || ended) return Promise.resolve();
        return (resuming ??= acquire(true).then(() => {
          resuming = undefined;
          if (ended) release();
          else {
            held = true;
            clock.resume();
          }
        }));
      },
    };
    const end = () => {
      ended = true;
      active--;
      activeWaiters.shift()?.();
      if (held) {
        held = false;
        release();
      }
    };
    return { hooks, end };
  };

  const runOne = async (i: number, cacheView: ProbeCache, clock: PausableTimer): Promise<void> => {
    const context = o.contexts[i]!;
    o.onStart?.(context, i);
    const started = new Date();
    const s0 = monotonicMs();
    const controller = new AbortController();
    const onAbort = () => controller.abort(o.signal?.reason);
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const deadline = new Promise<'deadline'>((resolve) => clock.start(() => resolve('deadline')));
    try {
      const ctx = o.def.createContext(o.optionsFor(context, cacheView));
      const run = runDiagnosis(o.def, ctx, { defaultTimeoutMs: o.checkTimeoutMs, signal: controller.signal, redactor: o.redactor });
      const outcome = await Promise.race([run, deadline]);
      if (outcome === 'deadline') {
        controller.abort(new Error('deadline'));
        const target = (() => {
          try {
            return o.def.target(ctx);
          } catch {
            return targetFor(context);
          }
        })();
        settle(i, unfinished(command, context, started, monotonicMs() - s0, `The diagnosis of ${context} did not finish within ${formatMs(o.contextDeadlineMs)}.`, target), 1);
        return;
      }
      const configError = o.def.configError?.(ctx);
      if (configError && outcome.diagnosis.status === 'pass') {
        settle(i, o.redactor.redactValue({ ...outcome, diagnosis: { ...outcome.diagnosis, status: 'error', rootCause: configError } }), 1);
      } else settle(i, outcome, configError ? 1 : exitCodeFor(outcome));
    } catch (err) {
      settle(i, unfinished(command, context, started, monotonicMs() - s0, `The diagnosis of ${context} broke: ${err instanceof Error ? err.message : String(err)}`, targetFor(context)), 3);
    } finally {
      clock.clear();
      o.signal?.removeEventListener('abort', onAbort);
    }
  };

  // the start order: startFirst's contexts, then the others, each in the order selected
  const first = o.startFirst;
  const order = first?.size ? [...o.contexts.keys()].sort((a, b) => Number(first.has(o.contexts[b]!)) - Number(first.has(o.contexts[a]!))) : [...o.contexts.keys()];
  const begun = new Set<number>();
  const dispatch = async () => {
    const started: Promise<void>[] = [];
    for (const i of order) {
      while (active >= maxActive) await new Promise<void>((r) => activeWaiters.push(r));
      await acquire(false);
      if (closed || o.signal?.aborted || monotonicMs() - t0 >= fleetDeadlineMs) {
        release();
        break;
      }
      begun.add(i);
      active++;
      const clock = new PausableTimer(o.contextDeadlineMs);
      const slot = slotOf(clock);
      started.push(runOne(i, cache.view(slot.hooks), clock).finally(slot.end));
    }
    await Promise.all(started);
  };
  let fleetTimer: NodeJS.Timeout | undefined;
  const fleetDeadline = new Promise<void>((resolve) => {
    fleetTimer = setTimeout(resolve, fleetDeadlineMs);
  });
  await Promise.race([dispatch(), fleetDeadline]);
  closed = true;
  clearTimeout(fleetTimer);
  // the shared keep-alive connections are idle now: nothing keeps the process up after the output
  cache.close();

  for (let i = 0; i < n; i++) {
    if (reports[i]) continue;
    const context = o.contexts[i]!;
    const why = begun.has(i)
      ? `The diagnosis of ${context} did not finish before the fleet deadline (${formatMs(fleetDeadlineMs)}).`
      : `${context} was not diagnosed: the fleet deadline (${formatMs(fleetDeadlineMs)}) passed while it waited for one of the ${o.parallel} slots (raise --parallel).`;
    settle(i, unfinished(command, context, startedAt, begun.has(i) ? monotonicMs() - t0 : 0, why, targetFor(context)), 1);
  }

  // Each report was redacted as it was built (runDiagnosis); one built before a secret that a later
  // context registered (its exec plugin's token) is redacted again now, with every secret known, and
  // so are the entries and the summary (context names, root causes): the whole fleet report is then
  // redacted (isFleetRedacted) and -o json need not run the rules again over megabytes of text.
  const done = (reports as Report[]).map((r) => (o.redactor.isCurrent(r) ? r : o.redactor.redactValue(r)));
  const list = o.redactor.redactValue((entries as FleetEntry[]).map((e, i) => (reports[i] === done[i] ? e : entryOf(o.contexts[i]!, done[i]!, e.exitCode))));
  const summary = summarize(list, done);
  summary.probes = { run: cache.stats.misses, shared: cache.stats.hits, byKind: cache.stats.byKind };
  return {
    schemaVersion: 1,
    kind: 'netdiag-fleet',
    tool: { name: 'kubectl-netdiag', version: TOOL_VERSION },
    command,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(monotonicMs() - t0),
    parallel: o.parallel,
    contexts: list,
    summary: o.redactor.redactValue(summary),
    reports: done,
  } satisfies FleetReport;
}
