// The flags every command shares, as data: yargs declares them from this list (main.ts), and
// bareFlags() is what they give with no argument at all (the TUI's first paint skips yargs).
import type { Argv, Options } from 'yargs';
import { FORMATS, type CommonFlags } from './io.ts';

export const COMMON_OPTIONS: Record<string, Options> = {
  kubeconfig: { type: 'string', describe: 'path to the kubeconfig file (else KUBECONFIG, else ~/.kube/config)' },
  context: { type: 'string', describe: 'the kubeconfig context to use' },
  cluster: { type: 'string', describe: 'the kubeconfig cluster to use' },
  user: { type: 'string', describe: 'the kubeconfig user to use' },
  namespace: { alias: 'n', type: 'string', describe: 'the namespace' },
  server: { alias: 's', type: 'string', describe: 'the address of the API server (overrides the kubeconfig)' },
  'request-timeout': { type: 'string', describe: 'deadline of one API request (e.g. 5s); default: --timeout' },
  'insecure-skip-tls-verify': { type: 'boolean', describe: "don't verify the server certificate (the check still reports what it would find)" },
  'tls-server-name': { type: 'string', describe: 'the name the server certificate is checked against (and SNI)' },
  output: { alias: 'o', choices: FORMATS, describe: 'output format (default: text; the live view on a terminal)' },
  'output-file': { type: 'string', describe: 'also write the report to this file (format from its extension: .json .yaml .md .txt)' },
  timeout: { type: 'string', default: '5s', describe: 'deadline of each network probe' },
  color: { choices: ['auto', 'always', 'never'] as const, default: 'auto' as const, describe: 'colour in text output (NO_COLOR turns it off)' },
  verbose: { alias: 'v', type: 'boolean', default: false, describe: 'show evidence, reproduce commands and progress on stderr' },
};

/** Declares the shared flags on a parser. */
export function withCommonOptions<T>(y: Argv<T>): Argv<T> {
  let p: Argv<T> = y;
  for (const [name, o] of Object.entries(COMMON_OPTIONS)) p = p.option(name, o) as Argv<T>;
  return p;
}

/**
 * What parsing no arguments gives: every option at its default. `kubectl netdiag` alone on a
 * terminal (the TUI) takes these without loading or running yargs (~20 ms of the TUI's first
 * paint); test/unit/tui/first-paint.test.ts checks that they are what yargs gives.
 */
export function bareFlags(): CommonFlags {
  return { _: [], timeout: '5s', color: 'auto', verbose: false, v: false, $0: 'kubectl netdiag' };
}
