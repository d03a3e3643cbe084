// A terminal for the TUI's end-to-end tests: a tmux server of our own (its own socket, so nothing
// else running tmux is touched) running one script, its screen read back as text.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Lab } from '../lab/netns.ts';

export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export class Tmux {
  readonly socket: string;
  private readonly session = 'tui';
  private readonly env: Record<string, string>;
  private readonly pollMs: number;
  /** `name` tells test files' servers apart; `pollMs` is how often until() reads the screen. */
  constructor(env: Record<string, string>, name = 'tui', pollMs = 50) {
    this.env = env;
    this.pollMs = pollMs;
    this.socket = `netdiag-${name}-${process.pid}-${Date.now()}`;
  }
  private tmux(args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', env: this.env });
  }
  start(script: string, columns: number, rows: number): void {
    this.tmux(['-f', '/dev/null', 'new-session', '-d', '-s', this.session, '-x', String(columns), '-y', String(rows), `sh ${shellQuote(script)}`]);
  }
  keys(...keys: string[]): void {
    this.tmux(['send-keys', '-t', this.session, ...keys]);
  }
  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', this.session]);
  }
  async until(cond: (screen: string) => boolean, what: string, timeoutMs = 15_000): Promise<string> {
    const t0 = Date.now();
    for (;;) {
      const s = this.screen();
      if (cond(s)) return s;
      if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}; the screen:\n${s}`);
      await new Promise((r) => setTimeout(r, this.pollMs));
    }
  }
  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
  }
}

/** The selected line of a list (the cursor ❯, or ▾ on an expanded check). */
export const selected = (screen: string) => screen.split('\n').find((l) => /^[❯▾] /.test(l)) ?? '';

/**
 * A script that runs the built executable as a user would on a terminal, inside the lab's
 * namespaces (CI unset, so Ink draws every frame), writes `EXIT=<code>` to `exitFile` when it ends,
 * and keeps the pane open so the last screen can still be read.
 */
export function labTuiScript(dir: string, lab: Pick<Lab, 'pid' | 'kubeconfig' | 'baseEnv'>, exe: string, args: string[] = []): { script: string; exitFile: string } {
  const exitFile = join(dir, 'exit');
  const script = join(dir, 'run.sh');
  const env = { ...lab.baseEnv(), CI: 'false', TERM: 'xterm-256color', LANG: 'C.UTF-8' };
  writeFileSync(
    script,
    [
      ...Object.entries(env).map(([k, v]) => `export ${k}=${shellQuote(v)}`),
      'unset CONTINUOUS_INTEGRATION NO_COLOR',
      `cd ${shellQuote(dir)}`,
      `nsenter -t ${lab.pid} -n -m -- ${[exe, '--kubeconfig', lab.kubeconfig, ...args].map(shellQuote).join(' ')}`,
      `echo "EXIT=$?" > ${shellQuote(exitFile)}`,
      'exec sleep 600',
    ].join('\n'),
  );
  return { script, exitFile };
}
