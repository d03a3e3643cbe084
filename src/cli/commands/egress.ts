// kubectl netdiag egress -n NS POD TARGET[:PORT]: why can't this pod reach that host?
import { egressDiagnosis } from '../../checks/egress/index.ts';
import { runReportCommand, type CommandContext } from '../report-command.ts';
import { kubeconfigOptions } from '../kubeconfig-flags.ts';

export function run(cc: CommandContext): Promise<number> {
  const f = cc.flags;
  let pod = f.pod as string | undefined;
  let target = f.target as string | undefined;
  // with --selector the only positional is the target
  if (f.selector && pod && !target) {
    target = pod;
    pod = undefined;
  }
  return runReportCommand(
    egressDiagnosis,
    {
      kubeconfig: kubeconfigOptions(f, cc.io),
      timeoutMs: cc.timeoutMs,
      requestTimeoutMs: cc.requestTimeoutMs,
      env: cc.io.env,
      redactor: cc.redactor,
      cwd: cc.io.cwd,
      namespace: f.namespace,
      pod,
      target,
      selector: f.selector as string | undefined,
      container: f.container as string | undefined,
      control: (f.control as string | undefined) ?? 'kubernetes.default.svc:443',
      fromLogs: !!f['from-logs'],
      source: f.source as string | undefined,
      debugImage: f['debug-image'] as string | undefined,
    },
    cc,
  );
}
