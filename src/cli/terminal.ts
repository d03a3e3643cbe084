// When Ink may draw. Kept apart from the renderers and Ink so that main.ts can decide without
// loading either (start-up time).
import type { CliIO } from './io.ts';

/** is-in-ci's rule (what Ink itself uses): CI or CONTINUOUS_INTEGRATION set to anything but 0/false. */
export function inCI(env: Record<string, string | undefined>): boolean {
  const set = (k: string) => env[k] !== undefined && env[k] !== '0' && env[k] !== 'false';
  return set('CI') || set('CONTINUOUS_INTEGRATION');
}

/**
 * Whether Ink may draw: stdout and stdin are terminals, CI is not set and TERM is not dumb.
 * Otherwise (pipes, CI logs) output is plain text or the requested format, and nothing ever
 * waits for a key.
 */
export function canUseInk(io: CliIO): boolean {
  return !!io.stdout.isTTY && !!io.stdinIsTTY && !inCI(io.env) && io.env.TERM !== 'dumb';
}

/**
 * How the full-screen views (the TUI, `open`) hand the terminal to Ink: the alternate screen, keys
 * from stdin (q and Ctrl-C are the views' own keys), console output left alone.
 */
export function fullScreenInkOptions(io: CliIO) {
  return {
    stdout: io.stdout as NodeJS.WriteStream,
    stdin: process.stdin,
    stderr: process.stderr,
    exitOnCtrlC: false,
    patchConsole: false,
    alternateScreen: true,
  };
}
