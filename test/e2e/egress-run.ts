// Running `kubectl netdiag egress` (the BUILT executable) inside an egress lab scenario and reading
// its JSON report: shared by the egress end-to-end files.
import { afterAll, beforeAll, describe } from 'vitest';
import { startLab, type ExecResult, type Lab } from '../lab/netns.ts';
import type { CheckResult, Report } from '../../src/report/types.ts';
import { EXE, readReport, requireBuild } from './harness.ts';

export interface Egress extends ExecResult {
  report: Report;
  check(id: string): CheckResult;
  codes: string[];
  status: Record<string, string>;
}

export async function egress(lab: Lab, args: string[], format = 'json'): Promise<Egress> {
  const argv = ['egress', '--kubeconfig', lab.kubeconfig, '-o', format, '--timeout', '2s', ...args.map((a) => a.replace('$SOURCE', lab.files.source ?? ''))];
  const r = await lab.exec(EXE, argv, { env: lab.baseEnv(), timeoutMs: 60_000 });
  if (format !== 'json') return { ...r, report: undefined as unknown as Report, check: () => { throw new Error('text'); }, codes: [], status: {} };
  const read = readReport(r, lab);
  return { ...r, ...read, status: Object.fromEntries(read.report.checks.map((c) => [c.id, c.status])) };
}

export function withLab(scenario: string, body: (get: () => Lab) => void) {
  describe(scenario, () => {
    let lab: Lab;
    beforeAll(async () => {
      requireBuild();
      lab = await startLab(scenario);
    });
    afterAll(async () => {
      await lab?.stop();
    });
    body(() => lab);
  });
}
