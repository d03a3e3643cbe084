// The command layer: parse flags, run one diagnosis, hand the report to a renderer, return the
// exit code. Data goes to stdout, messages to stderr. Nothing below this layer prints or exits.
import { COMMANDS } from './commands/index.ts';
import { Redactor } from '../report/redact.ts';
import { canUseInk } from './terminal.ts';
import { bareFlags, certFlags, timeoutsOf } from './flags.ts';
import { LIST_FLAGS, parser } from './parser.ts';
import { EXIT, type CliIO, type CommonFlags } from './io.ts';

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
  // the commonest line (`cert HOST` with its usual flags) without yargs; anything else through it
  const fast = argv.length === 0 ? bareFlags() : certFlags(argv);
  const parsed: Awaited<ReturnType<typeof parseArgs>> = fast ? { flags: fast } : await parseArgs(argv);
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

  const t = timeoutsOf(flags);
  if ('error' in t) {
    err(`error: ${t.error}\n`);
    return EXIT.usage;
  }
  const { timeoutMs, requestTimeoutMs } = t;

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
