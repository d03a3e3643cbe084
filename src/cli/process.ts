// The process around a command line: the streams and environment as CliIO, crashes as exit code 3,
// a closed stdout pipe as a normal end, the answer as the exit code. The executable's entries
// (./bin.ts, ./bin-cert.ts) each hand their main function to runAsProcess.
import { homedir } from 'node:os';
import type { CliIO } from './io.ts';

function crash(err: unknown): never {
  const verbose = process.argv.includes('-v') || process.argv.includes('--verbose');
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: internal error: ${message}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(3);
}

/** This process's streams, environment and directories, as a command sees them. */
export function processIO(): CliIO {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    homeDir: process.env.HOME || homedir(),
    // read when asked (only when stdout is a terminal, src/cli/terminal.ts): process.stdin creates
    // the stream, and for a file or /dev/null that is an fs.ReadStream, which loads fs/promises and
    // readline (eight internal modules, ~3 ms) in a process that never reads its input
    get stdinIsTTY() {
      return process.stdin.isTTY;
    },
  };
}

export function runAsProcess(main: (io: CliIO) => Promise<number>, io: CliIO = processIO()): void {
  process.on('uncaughtException', crash);
  process.on('unhandledRejection', crash);
  // a closed pipe (`| head`) is not an error
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  });
  main(io).then((code) => {
    process.exitCode = code;
    // Every probe has its own deadline; this only guards against a stray handle keeping us alive.
    setTimeout(() => process.exit(code), 200).unref();
  }, crash);
}
