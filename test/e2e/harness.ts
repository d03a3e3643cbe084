// End-to-end harness: start a lab scenario in its own network namespace and run the BUILT
// executable (dist/kubectl-netdiag) inside it, as a user would.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startLab, type ExecResult, type Lab } from '../lab/netns.ts';
import type { CheckResult, Report } from '../../src/report/types.ts';

/** The executable under test: dist/ by default, NETDIAG_EXE to test another build. */
export const EXE = process.env.NETDIAG_EXE ?? join(REPO_ROOT, 'dist', 'kubectl-netdiag');

export function requireBuild(): void {
  if (!existsSync(EXE)) throw new Error(`${EXE} is missing: run \`npm run build\` first (npm test does)`);
}

export interface Diagnosed extends ExecResult {
  report: Report;
  check(id: string): CheckResult;
  codes: string[];
  lab: Lab;
}

/** Run `kubectl netdiag api -o json` in a running lab and parse the report. */
export async function diagnoseIn(lab: Lab, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Diagnosed> {
  const r = await lab.exec(EXE, ['api', '--kubeconfig', lab.kubeconfig, '-o', 'json', ...lab.args, ...extraArgs], {
    env: { ...lab.baseEnv(), ...env },
    timeoutMs: 30_000,
  });
  return { ...r, ...readReport(r, lab), lab };
}

/** The JSON report a run printed, a finder for its checks and the finding codes; a clear error (with the lab's log) when there is none. */
export function readReport(r: ExecResult, lab: Lab): { report: Report; check(id: string): CheckResult; codes: string[] } {
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}\nlab log: ${lab.log().slice(-3000)}`);
  }
  const check = (id: string) => {
    const c = report.checks.find((x) => x.id === id);
    if (!c) throw new Error(`no check ${id}`);
    return c;
  };
  return { report, check, codes: report.checks.flatMap((c) => c.findings.map((f) => f.code)) };
}

/** Start a scenario, diagnose once, stop the lab. */
export async function diagnose(scenario: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<Diagnosed> {
  requireBuild();
  const lab = await startLab(scenario);
  try {
    return await diagnoseIn(lab, extraArgs, env);
  } finally {
    await lab.stop();
  }
}

export function statuses(report: Report): Record<string, string> {
  return Object.fromEntries(report.checks.map((c) => [c.id, c.status]));
}
