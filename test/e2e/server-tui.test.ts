// `server` from the TUI menu (it joins the menu through DIAGNOSES), in tmux, inside the lab's
// server-incident namespace: the same checks and verdict as `kubectl netdiag server`.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/netns.ts';
import { EXE, requireBuild } from './harness.ts';
import { labTuiScript, Tmux } from './tmux.ts';

describe('server in the TUI menu, lab server-incident', () => {
  let lab: Lab;
  let dir: string;
  let tmux: Tmux;
  beforeAll(async () => {
    requireBuild();
    lab = await startLab('server-incident');
    dir = mkdtempSync(join(tmpdir(), 'netdiag-server-tui-'));
  });
  afterAll(async () => {
    tmux?.kill();
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('menu → server → the failing checks and the root cause → q exits 1', async () => {
    const { script, exitFile } = labTuiScript(dir, lab, EXE);
    tmux = new Tmux({ PATH: '/usr/bin:/bin', HOME: dir, TERM: 'xterm-256color' }, 'server-tui');
    tmux.start(script, 110, 34);
    let s = await tmux.until((x) => x.includes('Diagnose'), 'the menu', 20_000);
    expect(s).toMatch(/API server side +server /);
    // down to `server` (the second entry), run it
    tmux.keys('j');
    await tmux.until((x) => /^❯ API server side +server /m.test(x), 'server selected');
    tmux.keys('Enter');
    s = await tmux.until((x) => /FAIL · 6 checks/.test(x), 'the finished diagnosis', 20_000);
    expect(s).toMatch(/✖ fail {2}server\.apiservices .*2 of 33 APIServices not Available/);
    expect(s).toMatch(/✖ fail {2}server\.endpoints .*not covered by the served certificate: 198\.51\.100\.11/);
    expect(s).toMatch(/▲ warn {2}server\.certs /);
    expect(s).toMatch(/Root cause/);
    tmux.keys('q');
    await tmux.until(() => existsSync(exitFile), 'the exit');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=1');
  });
});
