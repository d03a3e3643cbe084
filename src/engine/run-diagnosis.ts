// Run one diagnosis and assemble its Report.
import type { DiagnosisDefinition } from './definitions.ts';
import { runChecks, type RunnerEvent } from './runner.ts';
import type { Report } from '../report/types.ts';
import type { Redactor } from '../report/redact.ts';
import { hostPlatform, type Platform } from '../net/platform.ts';
import { textFor } from '../report/reproduce.ts';

import { TOOL_VERSION } from '../report/version.ts';
import { monotonicMs } from '../net/clock.ts';

export { TOOL_VERSION };

export interface BuildOptions {
  defaultTimeoutMs: number;
  onEvent?: (e: RunnerEvent) => void;
  signal?: AbortSignal;
  redactor: Redactor;
  /** The platform the report is for (reproduce lines in its shell); default: this host's. */
  platform?: Platform;
}

export async function runDiagnosis<O, C>(def: DiagnosisDefinition<O, C>, ctx: C, opts: BuildOptions): Promise<Report> {
  const startedAt = new Date();
  const t0 = monotonicMs();
  const checks = await runChecks(def.checks, ctx, {
    defaultTimeoutMs: opts.defaultTimeoutMs,
    onEvent: opts.onEvent,
    signal: opts.signal,
    platform: opts.platform ?? hostPlatform(),
  });
  const platform = opts.platform ?? hostPlatform();
  const judged = def.diagnose(checks, ctx);
  const diagnosis = { ...judged, rootCause: textFor(judged.rootCause, platform), remediation: judged.remediation.map((r) => textFor(r, platform)) };
  const report: Report = {
    schemaVersion: 1,
    tool: { name: 'kubectl-netdiag', version: TOOL_VERSION },
    command: def.command,
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(monotonicMs() - t0),
    target: def.target(ctx),
    checks,
    diagnosis,
  };
  const env = def.environment?.(ctx);
  if (env) report.environment = env;
  // the report was built here and is handed over: returned as it is when nothing in it is secret
  return opts.redactor.redactOwned(report);
}

/** SPEC §3: 0 no check failed; 1 at least one failed; 3 the tool itself broke. */
export function exitCodeFor(report: Report): number {
  if (report.checks.some((c) => c.findings.some((f) => f.code === 'check.crashed'))) return 3;
  if (report.checks.some((c) => c.status === 'fail' || c.status === 'error')) return 1;
  return 0;
}
