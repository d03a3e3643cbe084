// `server` from the TUI menu (it joins the menu through DIAGNOSES), in tmux, inside the lab's
// server-incident namespace: the same checks and verdict as `kubectl netdiag server`.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/netns.ts';
import { EXE, requireBuild } from './harness.ts';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

describe('server in the TUI menu, lab server-incident', () => {
  let lab: Lab;
  let dir: string;
  const socket = `netdiag-server-tui-${process.pid}-${Date.now()}`;
  const tmux = (args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: dir, TERM: 'xterm-256color' } });
  const screen = () => tmux(['capture-pane', '-p', '-t', 'tui']);
  async function until(cond: (s: string) => boolean, what: string): Promise<string> {
    const t0 = Date.now();
    for (;;) {
      const s = screen();
      if (cond(s)) return s;
      if (Date.now() - t0 > 20_000) throw new Error(`timed out waiting for ${what}:\n${s}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  beforeAll(async () => {
    requireBuild();
    lab = await startLab('server-incident');
    dir = mkdtempSync(join(tmpdir(), 'netdiag-server-tui-'));
  });
  afterAll(async () => {
    try {
      tmux(['kill-server']);
    } catch {
      // not started
    }
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('menu → server → the failing checks and the root cause → q exits 1', async () => {
    const exitFile = join(dir, 'exit');
    const env = { ...lab.baseEnv(), CI: 'false', TERM: 'xterm-256color', LANG: 'C.UTF-8' };
    const script = join(dir, 'run.sh');
    writeFileSync(
      script,
      [
        ...Object.entries(env).map(([k, v]) => `export ${k}=${q(v)}`),
        'unset CONTINUOUS_INTEGRATION NO_COLOR',
        `nsenter -t ${lab.pid} -n -m -- ${q(EXE)} --kubeconfig ${q(lab.kubeconfig)}`,
        `echo "EXIT=$?" > ${q(exitFile)}`,
        'exec sleep 600',
      ].join('\n'),
    );
    tmux(['-f', '/dev/null', 'new-session', '-d', '-s', 'tui', '-x', '110', '-y', '34', `sh ${q(script)}`]);
    let s = await until((x) => x.includes('Diagnose'), 'the menu');
    expect(s).toMatch(/API server side +server /);
    // down to `server` (the second entry), run it
    tmux(['send-keys', '-t', 'tui', 'j']);
    await until((x) => /^❯ API server side +server /m.test(x), 'server selected');
    tmux(['send-keys', '-t', 'tui', 'Enter']);
    s = await until((x) => /FAIL · 6 checks/.test(x), 'the finished diagnosis');
    expect(s).toMatch(/✖ fail {2}server\.apiservices .*2 of 33 APIServices not Available/);
    expect(s).toMatch(/✖ fail {2}server\.endpoints .*not covered by the served certificate: 198\.51\.100\.11/);
    expect(s).toMatch(/▲ warn {2}server\.certs /);
    expect(s).toMatch(/Root cause/);
    tmux(['send-keys', '-t', 'tui', 'q']);
    await until(() => existsSync(exitFile), 'the exit');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=1');
  });
});
