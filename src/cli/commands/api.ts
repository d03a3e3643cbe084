// kubectl netdiag api: this machine → API server; --all-contexts/--contexts/--context-pattern: the
// same for many contexts at once (../fleet-command.ts).
import { apiDiagnosis } from '../../checks/api/index.ts';
import type { ApiOptions } from '../../checks/api/context.ts';
import { runFleetCommand, wantsFleet } from '../fleet-command.ts';
import { kubeconfigOptions } from '../kubeconfig-flags.ts';
import { runReportCommand, type CommandContext } from '../report-command.ts';

export function run(cc: CommandContext): Promise<number> {
  const options: ApiOptions = {
    kubeconfig: kubeconfigOptions(cc.flags, cc.io),
    timeoutMs: cc.timeoutMs,
    requestTimeoutMs: cc.requestTimeoutMs,
    endpoints: (cc.flags.endpoint as string[] | undefined) ?? [],
    ...(typeof cc.flags['compare-host'] === 'string' ? { compareHost: cc.flags['compare-host'] as string } : {}),
    env: cc.io.env,
    redactor: cc.redactor,
  };
  if (wantsFleet(cc.flags) && !cc.sink) {
    return runFleetCommand(apiDiagnosis, (context, probeCache) => ({ ...options, kubeconfig: { ...options.kubeconfig, context }, probeCache }), cc);
  }
  return runReportCommand(apiDiagnosis, options, cc);
}
