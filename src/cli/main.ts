// The command layer: parse flags, run one diagnosis, hand the report to a renderer, return the
// exit code. Data goes to stdout, messages to stderr. Nothing below this layer prints or exits.
import type { Argv } from 'yargs';
import { COMMANDS } from './commands/index.ts';
import { parseDuration } from './duration.ts';
import { Redactor } from '../report/redact.ts';
import { canUseInk } from './terminal.ts';

export interface OutStream {
  write(chunk: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface CliIO {
  stdout: OutStream;
  stderr: OutStream;
  env: Record<string, string | undefined>;
  cwd: string;
  homeDir: string;
  stdinIsTTY?: boolean;
}

export const EXIT = { ok: 0, failed: 1, usage: 2, bug: 3 } as const;
export type Format = 'text' | 'json' | 'yaml' | 'markdown';
const FORMATS: Format[] = ['text', 'json', 'yaml', 'markdown'];

export interface CommonFlags {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  'request-timeout'?: string;
  'insecure-skip-tls-verify'?: boolean;
  'tls-server-name'?: string;
  output?: Format;
  'output-file'?: string;
  timeout: string;
  color: 'auto' | 'always' | 'never';
  verbose: boolean;
  endpoint?: string[];
  _: (string | number)[];
  /** command-specific flags and positionals */
  [flag: string]: unknown;
}

class UsageError extends Error {}

const LIST_FLAGS = new Set(COMMANDS.flatMap((c) => c.listFlags ?? []));

export function parser(yargs: typeof import('yargs').default, argv: string[]) {
  return yargs(argv)
    .scriptName('kubectl netdiag')
    .usage('$0 <command> [flags]\n\nExplains why Kubernetes network connections fail.')
    .command(
      COMMANDS.map((c) => ({ command: c.command, describe: c.describe, builder: (y: Argv) => c.builder?.(y) ?? y, handler: () => {} })),
    )
    .option('kubeconfig', { type: 'string', describe: 'path to the kubeconfig file (else KUBECONFIG, else ~/.kube/config)' })
    .option('context', { type: 'string', describe: 'the kubeconfig context to use' })
    .option('cluster', { type: 'string', describe: 'the kubeconfig cluster to use' })
    .option('user', { type: 'string', describe: 'the kubeconfig user to use' })
    .option('namespace', { alias: 'n', type: 'string', describe: 'the namespace' })
    .option('server', { alias: 's', type: 'string', describe: 'the address of the API server (overrides the kubeconfig)' })
    .option('request-timeout', { type: 'string', describe: 'deadline of one API request (e.g. 5s); default: --timeout' })
    .option('insecure-skip-tls-verify', { type: 'boolean', describe: "don't verify the server certificate (the check still reports what it would find)" })
    .option('tls-server-name', { type: 'string', describe: 'the name the server certificate is checked against (and SNI)' })
    .option('output', { alias: 'o', choices: FORMATS, describe: 'output format (default: text; the live view on a terminal)' })
    .option('output-file', { type: 'string', describe: 'also write the report to this file (format from its extension: .json .yaml .md .txt)' })
    .option('timeout', { type: 'string', default: '5s', describe: 'deadline of each network probe' })
    .option('color', { choices: ['auto', 'always', 'never'] as const, default: 'auto' as const, describe: 'colour in text output (NO_COLOR turns it off)' })
    .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'show evidence, reproduce commands and progress on stderr' })
    // no --no-X negation, no camelCase aliases: flags are spelled as kubectl spells them
    .parserConfiguration({ 'camel-case-expansion': false, 'boolean-negation': false })
    .strict()
    // no demandCommand: without a subcommand, a terminal gets the TUI (main() checks the rest)
    .version(false)
    .help('help')
    .alias('help', 'h')
    .wrap(100)
    .epilogue(
      'Exit codes: 0 no check failed · 1 at least one check failed · 2 usage or configuration error · 3 internal error.\n' +
        'Docs: https://github.com/kubectl-netdiag/kubectl-netdiag',
    )
    .exitProcess(false);
}

/**
 * What parseArgs([]) gives: every option at its default. `kubectl netdiag` alone on a terminal (the
 * TUI) takes these without loading or running yargs (~20 ms of the TUI's first paint);
 * test/unit/tui/first-paint.test.ts checks that they are what yargs gives.
 */
export function bareFlags(): CommonFlags {
  return { _: [], timeout: '5s', color: 'auto', verbose: false, v: false, $0: 'kubectl netdiag' };
}

export async function parseArgs(argv: string[]): Promise<{ flags?: CommonFlags; output?: string; error?: string }> {
  let output = '';
  let failure: string | undefined;
  // loaded here, not at start-up: the TUI's first paint does without it (bareFlags)
  const { default: yargs } = await import('yargs');
  const y = parser(yargs, argv).fail((msg, err) => {
    failure = msg || err?.message || 'invalid arguments';
  });
  // After routing to a command, yargs renders the whole help text (usage.cacheHelpMessage) for a
  // later showHelp() from inside a handler, which this program never calls: two thirds of every
  // parse (~10 ms of each run). `--help` does not go through it (tested in test/unit/cli).
  const usage = (y as unknown as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: () => void } } })
    .getInternalMethods?.()
    .getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => {};
  const flags = await new Promise<CommonFlags | undefined>((res) => {
    y.parse(argv, {}, (err, parsed, out) => {
      output = out ?? '';
      if (err && !failure) failure = err.message;
      res(parsed as unknown as CommonFlags);
    });
  });
  if (failure) return { error: failure };
  // like kubectl (pflag): a repeated scalar flag's last value wins; list flags accumulate
  const record = flags as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(record)) {
    if (Array.isArray(value) && key !== '_' && !LIST_FLAGS.has(key)) record[key] = value[value.length - 1];
  }
  return { flags, output };
}

export async function main(argv: string[], io: CliIO): Promise<number> {
  const redactor = new Redactor();
  const out = (s: string) => io.stdout.write(redactor.redact(s));
  const err = (s: string) => io.stderr.write(redactor.redact(s));

  // No subcommand: the interactive TUI on a terminal (below); elsewhere, the help.
  // `--open FILE [OTHER]` is the `open` command (src/cli/open.tsx): a saved report, or two compared
  const openAt = argv.findIndex((a) => a === '--open' || a.startsWith('--open='));
  if (openAt >= 0) {
    const a = argv[openAt]!;
    argv = ['open', ...argv.slice(0, openAt), ...(a.includes('=') ? [a.slice('--open='.length)] : []), ...argv.slice(openAt + 1)];
  }
  if (argv.length === 0 && !canUseInk(io)) argv = ['--help'];
  // kubectl_complete-netdiag (kubectl >= 1.26) and the shell scripts of `completion`: cobra's protocol
  if (argv[0] === '__complete') return (await import('./commands/completion.ts')).complete(argv.slice(1), io);
  const parsed = argv.length === 0 ? { flags: bareFlags() } : await parseArgs(argv);
  if (parsed.error) {
    err(`error: ${parsed.error}\nSee 'kubectl netdiag --help' for usage.\n`);
    return EXIT.usage;
  }
  const flags = parsed.flags!;
  if (parsed.output) {
    // --help
    out(parsed.output.endsWith('\n') ? parsed.output : `${parsed.output}\n`);
    return EXIT.ok;
  }
  const command = String(flags._[0] ?? '');

  let timeoutMs: number;
  let requestTimeoutMs: number;
  try {
    timeoutMs = parseDuration(flags.timeout);
    if (timeoutMs <= 0) throw new UsageError('--timeout must be greater than zero');
    const rt = flags['request-timeout'] !== undefined ? parseDuration(flags['request-timeout']) : 0;
    requestTimeoutMs = rt > 0 ? rt : timeoutMs;
  } catch (e) {
    err(`error: ${(e as Error).message}\n`);
    return EXIT.usage;
  }

  // The diagnosis path (checks, network probes, renderers) is loaded only when needed, so
  // `version` and `--help` start as fast as node itself.
  if (command === '') {
    // `kubectl netdiag [flags]`: the TUI, only where Ink may draw and no -o asks for a format
    if (!canUseInk(io) || flags.output) {
      err(`error: a command is required: try "kubectl netdiag api"\nSee 'kubectl netdiag --help' for usage.\n`);
      return EXIT.usage;
    }
    const { runTui } = await import('./tui.tsx');
    return runTui({ flags, io, redactor, timeoutMs, requestTimeoutMs });
  }
  const entry = COMMANDS.find((c) => c.command.split(' ')[0] === command);
  if (!entry) {
    err(`error: unknown command "${command}"\nSee 'kubectl netdiag --help' for usage.\n`);
    return EXIT.usage;
  }
  const mod = await entry.load();
  return mod.run({ flags, io, redactor, timeoutMs, requestTimeoutMs });
}
