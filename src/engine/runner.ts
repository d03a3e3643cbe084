// The runner: runs independent checks in parallel, honours declared prerequisites and
// applicability, enforces per-check deadlines, and emits events. It never prints; renderers consume
// its events.
import { CATALOG } from '../report/catalog.ts';
import { reproduceFor, textFor } from '../report/reproduce.ts';
import { statusFromFindings, type CheckResult, type CheckStatus, type Finding } from '../report/types.ts';
import type { CheckDefinition, CheckOutcome, FindingInput } from './definitions.ts';
import { monotonicMs } from '../net/clock.ts';

export type { CheckDefinition };

export type RunnerEvent =
  | { type: 'run-start'; checks: { id: string; title: string }[] }
  | { type: 'check-start'; id: string; title: string }
  | { type: 'check-end'; result: CheckResult }
  | { type: 'run-end'; results: CheckResult[]; durationMs: number };

export interface RunOptions {
  defaultTimeoutMs: number;
  onEvent?: (event: RunnerEvent) => void;
  signal?: AbortSignal;
  now?: () => number;
  /** The platform the report is for (a NodeJS platform name): reproduce lines in its shell (PowerShell on win32). */
  platform?: string;
}

/** Whether a check's status lets its dependants run. A skip for "not applicable" does. */
interface Settled {
  result: CheckResult;
  satisfies: boolean;
  /** The check whose failure caused this skip chain, for "skipped because X failed". */
  rootFailure?: { id: string; status: CheckStatus };
}

export function toFinding(input: FindingInput): Finding {
  const entry = CATALOG[input.code];
  if (!entry) throw new Error(`finding code ${input.code} is not in the catalog`);
  return {
    code: input.code,
    severity: input.severity ?? entry.severity,
    message: input.message,
    remediation: input.remediation ?? entry.remediation,
  };
}

export async function runChecks<C>(
  definitions: readonly CheckDefinition<C>[],
  ctx: C,
  options: RunOptions,
): Promise<CheckResult[]> {
  const now = options.now ?? monotonicMs;
  const started = now();
  const ids = new Set(definitions.map((d) => d.id));
  const settled = new Map<string, Promise<Settled>>();
  const emit = (e: RunnerEvent) => options.onEvent?.(e);

  emit({ type: 'run-start', checks: definitions.map((d) => ({ id: d.id, title: d.title })) });

  const byId = new Map(definitions.map((d) => [d.id, d]));
  const requiresOf = (def: CheckDefinition<C>): readonly string[] => {
    const r = typeof def.requires === 'function' ? def.requires(ctx) : (def.requires ?? []);
    for (const id of r) if (!ids.has(id)) throw new Error(`check ${def.id} requires unknown check ${id}`);
    return r;
  };

  const settle = (def: CheckDefinition<C>): Promise<Settled> => {
    let p = settled.get(def.id);
    if (p) return p;
    p = (async (): Promise<Settled> => {
      // what the check can say before its requirements (kubectl's own order), started with them
      const early = def.beforeRequires ? runBeforeRequires(def, ctx, options, now) : undefined;
      const deps = await Promise.all(requiresOf(def).map((id) => settle(byId.get(id)!)));
      const blocked = deps.find((d) => !d.satisfies);
      const own = blocked && early ? await early : undefined;
      if (blocked && own) {
        // found before it needed what failed: the check's own failure, its dependants still blocked
        const root = blocked.rootFailure ?? { id: blocked.result.id, status: blocked.result.status };
        emit({ type: 'check-start', id: def.id, title: def.title });
        emit({ type: 'check-end', result: own });
        return { result: own, satisfies: false, rootFailure: root };
      }
      if (blocked) {
        const root = blocked.rootFailure ?? { id: blocked.result.id, status: blocked.result.status };
        const verb = root.status === 'error' ? 'errored' : 'failed';
        const result: CheckResult = {
          id: def.id,
          title: def.title,
          status: 'skip',
          durationMs: 0,
          summary: `skipped because ${root.id} ${verb}`,
          findings: [],
          reproduce: [],
        };
        emit({ type: 'check-end', result });
        return { result, satisfies: false, rootFailure: root };
      }
      emit({ type: 'check-start', id: def.id, title: def.title });
      const { result, blockedBy } = await runOne(def, ctx, options, now);
      emit({ type: 'check-end', result });
      if (blockedBy) {
        const root = settled.has(blockedBy) ? await settled.get(blockedBy)! : undefined;
        return { result, satisfies: false, rootFailure: root?.rootFailure ?? { id: blockedBy, status: root?.result.status ?? 'fail' } };
      }
      const satisfies = result.status === 'pass' || result.status === 'warn' || result.status === 'skip';
      return { result, satisfies };
    })();
    settled.set(def.id, p);
    return p;
  };

  const all = await Promise.all(definitions.map((d) => settle(d)));
  const results = all.map((s) => s.result);
  emit({ type: 'run-end', results, durationMs: Math.round(now() - started) });
  return results;
}

async function runOne<C>(
  def: CheckDefinition<C>,
  ctx: C,
  options: RunOptions,
  now: () => number,
): Promise<{ result: CheckResult; blockedBy?: string }> {
  const t0 = now();
  const timeoutMs = def.timeoutMs?.(ctx) ?? options.defaultTimeoutMs;
  const controller = new AbortController();
  const onParentAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onParentAbort, { once: true });
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'deadline'>((resolve) => {
    timer = setTimeout(() => resolve('deadline'), timeoutMs);
  });
  const base = { id: def.id, title: def.title };
  try {
    const outcome = await Promise.race([applicableThenRun(def, ctx, controller.signal), deadline]);
    const durationMs = Math.round(now() - t0);
    if (outcome === 'deadline') {
      controller.abort(new Error('deadline'));
      return {
        result: {
          ...base,
          status: 'error',
          durationMs,
          summary: `did not finish within ${formatMs(timeoutMs)}`,
          findings: [toFinding({ code: 'check.deadline', message: `${def.id} did not finish within ${formatMs(timeoutMs)}` })],
          reproduce: [],
        },
      };
    }
    const findings = (outcome.findings ?? []).map((f) => {
      if (!def.codes.includes(f.code) && !f.code.startsWith('check.')) {
        throw new Error(`check ${def.id} emitted undeclared finding code ${f.code}`);
      }
      const finding = toFinding(f);
      return options.platform === 'win32'
        ? { ...finding, message: textFor(finding.message, options.platform), remediation: finding.remediation.map((r) => textFor(r, 'win32')) }
        : finding;
    });
    const status: CheckStatus = outcome.skip || outcome.blockedBy ? 'skip' : statusFromFindings(findings);
    const summary = outcome.blockedBy && !outcome.summary ? `skipped because ${outcome.blockedBy} failed` : outcome.summary;
    const result: CheckResult = {
      ...base,
      status,
      durationMs,
      summary,
      findings,
      reproduce: reproduceFor(outcome.reproduce ?? [], options.platform ?? ''),
    };
    if (outcome.evidence) result.evidence = outcome.evidence;
    return { result, blockedBy: outcome.blockedBy };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const result: CheckResult = {
      ...base,
      status: 'error',
      durationMs: Math.round(now() - t0),
      summary: `the check itself failed: ${message}`,
      findings: [toFinding({ code: 'check.crashed', message })],
      reproduce: [],
    };
    if (err instanceof Error && err.stack) result.evidence = { stack: err.stack.split('\n').slice(0, 6) };
    return { result };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onParentAbort);
  }
}

/**
 * A check's beforeRequires part as a check of its own (deadline, declared codes, crash guard): its
 * result when it found something, else undefined.
 */
async function runBeforeRequires<C>(def: CheckDefinition<C>, ctx: C, options: RunOptions, now: () => number): Promise<CheckResult | undefined> {
  const part: CheckDefinition<C> = { ...def, run: async (c, signal) => (await def.beforeRequires!(c, signal)) ?? { skip: true, summary: '' } };
  const { result } = await runOne(part, ctx, options, now);
  return result.findings.length > 0 ? result : undefined;
}

/** Declared applicability first: the first unmet requirement makes the check "not applicable". */
async function applicableThenRun<C>(def: CheckDefinition<C>, ctx: C, signal: AbortSignal): Promise<CheckOutcome> {
  for (const req of def.appliesWhen ?? []) {
    const why = await req.unmet(ctx);
    if (why !== undefined) return { skip: true, summary: `not applicable: ${why}` };
  }
  return def.run(ctx, signal);
}

export function formatMs(ms: number): string {
  if (ms >= 1000 && ms % 1000 === 0) return `${ms / 1000}s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)}s`;
  return `${ms}ms`;
}
