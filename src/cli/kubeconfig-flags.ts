// The kubectl-style connection flags as KubeconfigOptions, for every command that talks to a
// cluster. Kept free of any diagnosis, so the TUI's first paint and `cert` without a cluster can
// use it without loading the api checks.
import { resolve } from 'node:path';
import type { KubeconfigOptions } from '../kube/kubeconfig.ts';
import type { CliIO, CommonFlags } from './io.ts';

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
