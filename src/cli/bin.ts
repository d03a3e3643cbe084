// The executable's entry: wire process streams into main() and turn its answer into an exit code.
import { homedir } from 'node:os';
import { main } from './main.ts';

function crash(err: unknown): never {
  const verbose = process.argv.includes('-v') || process.argv.includes('--verbose');
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(`error: internal error: ${message}\n`);
  if (verbose && err instanceof Error && err.stack) process.stderr.write(`${err.stack}\n`);
  process.exit(3);
}

process.on('uncaughtException', crash);
process.on('unhandledRejection', crash);
// a closed pipe (`| head`) is not an error
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

// No top-level await: the single executable is built from a CommonJS bundle (see scripts/build.mjs).
main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
  homeDir: process.env.HOME || homedir(),
  stdinIsTTY: process.stdin.isTTY,
}).then((code) => {
  process.exitCode = code;
  // Every probe has its own deadline; this only guards against a stray handle keeping us alive.
  setTimeout(() => process.exit(code), 200).unref();
}, crash);
