// The command layer as a test drives it: `main(argv, io)` with captured stdout and stderr, a fresh
// home (or the one given) as home and working directory, and only PATH and `env` in the environment.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../src/cli/main.ts';
import type { CliIO } from '../../../src/cli/io.ts';

export async function runMain(argv: string[], env: Record<string, string> = {}, home = mkdtempSync(join(tmpdir(), 'netdiag-home-'))) {
  let stdout = '';
  let stderr = '';
  const io: CliIO = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    env: { HOME: home, PATH: process.env.PATH, ...env },
    cwd: home,
    homeDir: home,
  };
  const code = await main(argv, io);
  return { code, stdout, stderr, home };
}
