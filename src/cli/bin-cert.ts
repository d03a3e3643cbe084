// The single executable's entry for `cert` (scripts/sea-loader.cjs picks it when the first argument
// is `cert`): a bundle of `cert` alone, without yargs, the other commands or the TUI, so that the
// commonest lines start with a fraction of the code to read and compile. start() runs the lines
// whose flags certFlags() reads (./flags.ts), as main() does, and answers false for any other,
// which the loader then hands to the whole program (./bin.ts): --help, usage errors, other flags,
// and a terminal without -o or -v (the live view, Ink: not in this bundle, see scripts/build.mjs).
import { Redactor } from '../report/redact.ts';
import { run } from './commands/cert.ts';
import { certFlags, timeoutsOf } from './flags.ts';
import { EXIT } from './io.ts';
import { processIO, runAsProcess } from './process.ts';
import { canUseInk } from './terminal.ts';

export function start(argv: readonly string[]): boolean {
  const flags = certFlags(argv);
  if (!flags) return false;
  const io = processIO();
  if (!flags.output && !flags.verbose && canUseInk(io)) return false;
  runAsProcess(async () => {
    const redactor = new Redactor();
    const t = timeoutsOf(flags);
    if ('error' in t) {
      io.stderr.write(redactor.redact(`error: ${t.error}\n`));
      return EXIT.usage;
    }
    return run({ flags, io, redactor, ...t });
  }, io);
  return true;
}
