// kubectl netdiag api: this machine → API server.
import { apiDiagnosis } from '../../checks/api/index.ts';
import { kubeconfigOptions } from '../kubeconfig-flags.ts';
import { runReportCommand, type CommandContext } from '../report-command.ts';

export function run(cc: CommandContext): Promise<number> {
  return runReportCommand(
    apiDiagnosis,
    {
      kubeconfig: kubeconfigOptions(cc.flags, cc.io),
      timeoutMs: cc.timeoutMs,
      requestTimeoutMs: cc.requestTimeoutMs,
      endpoints: (cc.flags.endpoint as string[] | undefined) ?? [],
      ...(typeof cc.flags['compare-host'] === 'string' ? { compareHost: cc.flags['compare-host'] as string } : {}),
      env: cc.io.env,
      redactor: cc.redactor,
    },
    cc,
  );
}
