// The yargs parser of every command: the commands' own flags (./commands/spec.ts) and the
// common ones (./flags.ts). main.ts parses with it; completion reads its flags and choices.
import type { Argv } from 'yargs';
import { COMMAND_SPECS } from './commands/spec.ts';
import { withCommonOptions } from './flags.ts';

export const LIST_FLAGS = new Set(COMMAND_SPECS.flatMap((c) => c.listFlags ?? []));

export function parser(yargs: typeof import('yargs').default, argv: string[]) {
  const y = yargs(argv)
    .scriptName('kubectl netdiag')
    .usage('$0 <command> [flags]\n\nExplains why Kubernetes network connections fail.')
    .command(
      COMMAND_SPECS.map((c) => ({ command: c.command, describe: c.describe, builder: (y: Argv) => c.builder?.(y) ?? y, handler: () => {} })),
    );
  return withCommonOptions(y)
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
