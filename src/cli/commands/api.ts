// kubectl netdiag api: this machine → API server.
import { resolve } from 'node:path';
import { apiDiagnosis } from '../../checks/api/index.ts';
import type { KubeconfigOptions } from '../../kube/kubeconfig.ts';
import { runReportCommand, type CommandContext } from '../report-command.ts';
import type { CliIO, CommonFlags } from '../main.ts';

/** The kubectl-style connection flags, for every command that talks to a cluster. */
export function kubeconfigOptions(flags: CommonFlags, io: CliIO): KubeconfigOptions {
  return {
    kubeconfig: flags.kubeconfig ? resolve(io.cwd, flags.kubeconfig) : undefined,
    context: flags.context,
    cluster: flags.cluster,
    user: flags.user,
    namespace: flags.namespace,
    server: flags.server,
    insecureSkipTlsVerify: flags['insecure-skip-tls-verify'],
    tlsServerName: flags['tls-server-name'],
    env: io.env,
    homeDir: io.homeDir,
  };
}

export function run(cc: CommandContext): Promise<number> {
  return runReportCommand(
    apiDiagnosis,
    {
      kubeconfig: kubeconfigOptions(cc.flags, cc.io),
      timeoutMs: cc.timeoutMs,
      requestTimeoutMs: cc.requestTimeoutMs,
      endpoints: (cc.flags.endpoint as string[] | undefined) ?? [],
      env: cc.io.env,
      redactor: cc.redactor,
    },
    cc,
  );
}
