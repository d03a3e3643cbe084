// Issue 15's fleet screen in a real terminal: tmux runs the BUILT executable inside the lab's
// fleet-6 namespace (3 healthy contexts, 1 black-holed, 1 rejected with 401, 1 whose exec plugin
// waits for a browser login) at 120x30; keys go in with send-keys, the screen comes back with
// capture-pane. From the menu: every context at once, the rows grouped by root cause, Enter on
// the black-holed one opens its report, `r` reruns the three failing ones, and the screen never
// waits longer than one context's deadline plus a second.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/netns.ts';
import { EXE, requireBuild } from './harness.ts';
import { labTuiScript, selected, Tmux } from './tmux.ts';

beforeAll(() => requireBuild());

/** --timeout 2s: one context's deadline is 3 s; the fleet's one more second */
const DEADLINE_MS = 3000 + 1000;
const FINISHED = /API server, many contexts · 3 FAILING · 3 of 6 contexts ok · ([\d.]+)(ms|s)/;
const seconds = (m: RegExpMatchArray) => Number(m[1]) * (m[2] === 's' ? 1000 : 1);

describe('the fleet screen in tmux, lab fleet-6', () => {
  let lab: Lab;
  let tmux: Tmux;
  let dir: string;
  beforeAll(async () => {
    lab = await startLab('fleet-6');
    dir = mkdtempSync(join(tmpdir(), 'netdiag-fleet-tui-'));
  }, 60_000);
  afterAll(async () => {
    tmux?.kill();
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('menu → every context → groups by root cause → Enter: a report → r: the failing ones again → exit 1; never past the deadline + 1 s', async () => {
    const { script, exitFile } = labTuiScript(dir, lab, EXE, ['--timeout', '2s']);
    tmux = new Tmux({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color' }, 'fleet-tui', 25);
    tmux.start(script, 120, 30);

    // the menu offers the api diagnosis over many contexts; its form asks which (* = every one)
    let s = await tmux.until((x) => x.includes('Diagnose'), 'the menu');
    expect(s).toMatch(/^ {2}API server, many contexts +api +the api diagnosis over every context/m);
    for (let i = 0; i < 12 && !selected(tmux.screen()).includes('API server, many contexts'); i++) {
      tmux.keys('j');
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(selected(tmux.screen())).toMatch(/^❯ API server, many contexts/);
    tmux.keys('Enter');
    await tmux.until((x) => /Contexts.*\*/.test(x), 'the form with * prefilled');
    const t0 = performance.now();
    tmux.keys('Enter');

    // live: the rows fill in; the healthy ones are done long before the black hole's timeout
    s = await tmux.until((x) => /^✔ 3 contexts: ok$/m.test(x) && /running|waiting/.test(x), 'the healthy rows while the others run', DEADLINE_MS + 2000);
    s = await tmux.until((x) => FINISHED.test(x), 'the finished fleet', DEADLINE_MS + 5000);
    const wall = performance.now() - t0;
    // the screen's own clock says the run took at most one context's deadline plus a second; the
    // wall time adds the key's and the screen's way through tmux (polled every 25 ms)
    expect(seconds(s.match(FINISHED)!)).toBeLessThanOrEqual(DEADLINE_MS);
    expect(wall).toBeLessThan(DEADLINE_MS + 1000);

    expect(s).toMatch(/^✖ 1 context: {2}kubectl cannot open a TCP connection to 192\.0\.2\.10:6443/m);
    expect(s).toMatch(/^✖ 1 context: {2}.*authentication fails: The server rejects the token/m);
    expect(s).toMatch(/^[✖!] 1 context: {2}.*(exec plugin|did not finish)/m);
    expect(s).toMatch(/^✔ 3 contexts: ok$/m);
    expect(s).toMatch(/^(?:❯ | {2}) {2}bh-000 +https:\/\/192\.0\.2\.10:6443 +✖ fail /m);
    expect(s).toMatch(/^ {4}ok-00[012] +https:\/\/198\.51\.100\.1[01]:644[34] +✔ pass /m);
    for (const l of s.split('\n')) expect([...l].length).toBeLessThanOrEqual(120);

    // Enter on the black-holed context: its report (the checks, the failing TCP connect, the verdict)
    for (let i = 0; i < 8 && !selected(tmux.screen()).includes('bh-000'); i++) {
      tmux.keys('j');
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(selected(tmux.screen())).toMatch(/^❯ {3}bh-000 /);
    tmux.keys('Enter');
    s = await tmux.until((x) => /api · bh-000 · FAIL · \d+ checks/.test(x), "bh-000's report");
    expect(s).toMatch(/^ {2}✖ fail {2}api\.tcp /m);
    expect(s).toMatch(/^│ Root cause/m);
    tmux.keys('q');
    s = await tmux.until((x) => FINISHED.test(x), 'back on the fleet');
    expect(selected(s)).toMatch(/^❯ {3}bh-000 /);

    // r: the three failing contexts run again, the healthy rows stay as they were
    const t1 = performance.now();
    tmux.keys('r');
    s = await tmux.until((x) => /running [3-5]\/6/.test(x), 'the rerun');
    expect(s).toMatch(/^✔ 3 contexts: ok$/m);
    s = await tmux.until((x) => FINISHED.test(x) && !/running/.test(x), 'the rerun finished', DEADLINE_MS + 5000);
    expect(performance.now() - t1).toBeLessThan(DEADLINE_MS + 1000);
    expect(seconds(s.match(FINISHED)!)).toBeLessThanOrEqual(DEADLINE_MS);
    expect(s).toMatch(/^✖ 1 context: {2}kubectl cannot open a TCP connection to 192\.0\.2\.10:6443/m);

    // q: the menu; q again quits with 1 (contexts fail)
    tmux.keys('q');
    await tmux.until((x) => x.includes('Diagnose'), 'the menu again');
    tmux.keys('q');
    await tmux.until(() => existsSync(exitFile), 'the process to exit', 5000);
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=1');
    // the scrollback keeps one line of the whole fleet (the rerun's three and the healthy three)
    expect(tmux.screen()).toMatch(/^kubectl netdiag api · 6 contexts: 3 FAILING · 3 ok$/m);
  }, 90_000);
});
