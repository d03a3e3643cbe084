// kubectl netdiag server: the API server's own side; --local (or --root DIR) adds this node;
// --all-contexts/--contexts/--context-pattern: the remote checks for many contexts at once.
import { resolve } from 'node:path';
import { SERVER_REMOTE_CHECKS, serverDiagnosis } from '../../checks/server/index.ts';
import type { ServerOptions } from '../../checks/server/context.ts';
import { runFleetCommand, wantsFleet } from '../fleet-command.ts';
import { runReportCommand, type CommandContext } from '../report-command.ts';
import { kubeconfigOptions } from '../kubeconfig-flags.ts';

export function run(cc: CommandContext): Promise<number> {
  const root = typeof cc.flags.root === 'string' && cc.flags.root !== '' ? resolve(cc.io.cwd, cc.flags.root) : undefined;
  const local = cc.flags.local === true || root !== undefined;
  // without --local the node checks are left out of the report (not listed as skipped)
  const def = local ? serverDiagnosis : { ...serverDiagnosis, checks: SERVER_REMOTE_CHECKS };
  const options: ServerOptions = {
    kubeconfig: kubeconfigOptions(cc.flags, cc.io),
    timeoutMs: cc.timeoutMs,
    requestTimeoutMs: cc.requestTimeoutMs,
    env: cc.io.env,
    redactor: cc.redactor,
    local,
    root,
  };
  if (wantsFleet(cc.flags) && !cc.sink) {
    if (local) {
      cc.io.stderr.write('error: --local reads this machine: it does not combine with --all-contexts, --contexts or --context-pattern\n');
      return Promise.resolve(2);
    }
    return runFleetCommand(def, (context, probeCache) => ({ ...options, kubeconfig: { ...options.kubeconfig, context }, probeCache }), cc);
  }
  return runReportCommand(def, options, cc);
}
