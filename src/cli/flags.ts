// The flags every command shares, as data: yargs declares them from this list (main.ts), and
// bareFlags() is what they give with no argument at all (the TUI's first paint skips yargs).
import type { Argv, Options } from 'yargs';
import { parseDuration } from './duration.ts';
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

// The flags the fast path of `cert` takes (certFlags): each spelling and the flag it sets, with
// its alias as yargs reports it.
const CERT_FAST_STRINGS: Record<string, [string, string?]> = {
  '--ca-file': ['ca-file'],
  '--sni': ['sni'],
  '--timeout': ['timeout'],
  '--output-file': ['output-file'],
  '-o': ['output', 'o'],
  '--output': ['output', 'o'],
};
const CERT_FAST_BOOLEANS = new Set(['-v', '--verbose']);

/** What yargs-parser would turn into a number (its isNumber, wider): such a positional is left to yargs. */
const NUMERIC = /^(?:0x[0-9a-f]+|[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?)$/i;

/**
 * The fast path of the commonest command line, `cert HOST [--ca-file F] [--sni N] [-o FMT]
 * [--timeout D] [--output-file F] [-v]` (also `--flag=value`, in any order): the flags yargs
 * gives for it, without loading or running yargs (~16 ms of a `cert` run), or undefined for
 * anything else: another command, any other flag, a repeated flag, a value that starts with '-',
 * a format yargs would refuse, a HOST yargs would read as a number, `--`, a missing or second
 * HOST. Every such line, and so every usage error, goes through yargs as before
 * (test/unit/cli/fast-flags.test.ts compares the two).
 */
export function certFlags(argv: readonly string[]): CommonFlags | undefined {
  if (argv[0] !== 'cert') return undefined;
  const flags: CommonFlags = { _: ['cert'], timeout: '5s', color: 'auto', verbose: false, v: false, $0: 'kubectl netdiag' };
  const seen = new Set<string>();
  let host: string | undefined;
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!;
    if (!a.startsWith('-')) {
      if (host !== undefined || NUMERIC.test(a)) return undefined;
      host = a;
      continue;
    }
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(0, eq) : a;
    if (CERT_FAST_BOOLEANS.has(name)) {
      // `-v true` and `--verbose=false` are yargs' to read
      if (eq > 0 || seen.has('verbose') || argv[i + 1] === 'true' || argv[i + 1] === 'false') return undefined;
      seen.add('verbose');
      flags.verbose = true;
      flags.v = true;
      continue;
    }
    const known = CERT_FAST_STRINGS[name];
    if (!known || seen.has(known[0])) return undefined;
    const value = eq > 0 ? a.slice(eq + 1) : argv[++i];
    if (value === undefined || value.startsWith('-')) return undefined;
    if (known[0] === 'output' && !(FORMATS as readonly string[]).includes(value)) return undefined;
    seen.add(known[0]);
    flags[known[0]] = value;
    if (known[1]) flags[known[1]] = value;
  }
  if (host === undefined) return undefined;
  flags.host = host;
  return flags;
}

/** --timeout and --request-timeout in ms (the second defaults to the first), or the usage error. */
export function timeoutsOf(flags: CommonFlags): { timeoutMs: number; requestTimeoutMs: number } | { error: string } {
  try {
    const timeoutMs = parseDuration(flags.timeout);
    if (timeoutMs <= 0) return { error: '--timeout must be greater than zero' };
    const rt = flags['request-timeout'] !== undefined ? parseDuration(flags['request-timeout']) : 0;
    return { timeoutMs, requestTimeoutMs: rt > 0 ? rt : timeoutMs };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
