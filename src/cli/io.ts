// What every command module shares with the command layer: the streams and environment it runs
// with (CliIO), the exit codes, and the parsed flags' shape. Commands import this module, never
// main.ts (which imports the commands): the command layer has no import cycle.

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
export const FORMATS: readonly Format[] = ['text', 'json', 'yaml', 'markdown'];

/** The flags every command takes (see src/cli/flags.ts), plus each command's own. */
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
