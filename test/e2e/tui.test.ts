// The TUI in a real terminal: tmux runs the BUILT executable inside the lab's incident-1 namespace
// at 100x30; keys go in with send-keys, the screen comes back with capture-pane. Plus the rules for
// when no Ink is used at all (pipes, CI, -o) and that nothing waits for a key without a TTY.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/netns.ts';
import { EXE, requireBuild } from './harness.ts';
import { labTuiScript, selected, shellQuote, Tmux } from './tmux.ts';

beforeAll(() => requireBuild());

/** Cursor movement, erase, alternate screen, cursor visibility: what Ink writes and plain text never does. */
const CURSOR = /\u001b\[(?:\d*[ABCDGHJK]|\d+;\d+H|\?(?:25|1049)[hl])/;
const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]/g;


describe('kubectl netdiag (no subcommand) in tmux, incident 1 (TLS-intercepting proxy)', () => {
  let lab: Lab;
  let tmux: Tmux;
  let dir: string;
  beforeAll(async () => {
    lab = await startLab('incident-1');
    dir = mkdtempSync(join(tmpdir(), 'netdiag-tui-e2e-'));
  });
  afterAll(async () => {
    tmux?.kill();
    await lab?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('menu → run → the failing TLS check → its certificate → root cause → q exits 1', async () => {
    const { script, exitFile } = labTuiScript(dir, lab, EXE);
    tmux = new Tmux({ PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/root', TERM: 'xterm-256color' });
    tmux.start(script, 100, 30);

    // the header and the menu
    let s = await tmux.until((x) => x.includes('Diagnose'), 'the menu');
    expect(s).toMatch(/^kubectl netdiag · context lab-admin@lab · cluster lab · user lab-admin · namespace default$/m);
    expect(s).toMatch(/^server https:\/\/203\.0\.113\.10:10443 · proxy http:\/\/198\.51\.100\.21:3128 \(HTTPS_PROXY\)$/m);
    expect(selected(s)).toMatch(/^❯ API server +api /);

    // run it: live progress, then the verdict
    tmux.keys('Enter');
    s = await tmux.until((x) => /API server · FAIL · 11 checks/.test(x), 'the finished diagnosis');
    expect(s).toMatch(/^ {2}✖ fail {2}api\.tls +(?:\d+ms|\d+\.\ds) {2}TLSv1\.3; CN=egress-proxy issued by CN=egress-proxy/m);
    expect(s).toMatch(/^ {2}✖ fail {2}api\.proxy\.connect /m);
    expect(s).toMatch(/^│ Root cause/m);
    expect(s).toMatch(/That proxy intercepts TLS: it presents its own/);
    // every line fits the 100 columns (truncated, never wrapped)
    for (const l of s.split('\n')) expect([...l].length).toBeLessThanOrEqual(100);

    // j down to the failing TLS check
    for (let i = 0; i < 12 && !selected(tmux.screen()).includes('api.tls'); i++) {
      tmux.keys('j');
      await tmux.until((x) => selected(x) !== '', 'a selection');
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(selected(tmux.screen())).toMatch(/^❯ ✖ fail {2}api\.tls /);

    // expand it; scroll to the certificate tree
    tmux.keys('Enter');
    s = await tmux.until((x) => x.includes('TLS handshake (api.tls):') && x.includes('Findings'), 'the expanded check');
    expect(s).toMatch(/fail api\.tls\.intercepted/);
    for (let i = 0; i < 6 && !/[└├]─ CN=egress-proxy/.test(tmux.screen()); i++) {
      tmux.keys('NPage');
      await new Promise((r) => setTimeout(r, 150));
    }
    s = tmux.screen();
    expect(s).toMatch(/[└├]─ CN=egress-proxy \(leaf, self-signed\)/);
    expect(s).toMatch(/issuer +CN=egress-proxy/);
    expect(s).toMatch(/SANs +none/);
    expect(s).toMatch(/sha256 +([0-9A-F]{2}:){16}/);

    // q quits, restores the screen, leaves one line, and the exit code is the diagnosis's: 1
    tmux.keys('q');
    await tmux.until(() => existsSync(exitFile), 'the process to exit');
    expect(readFileSync(exitFile, 'utf8').trim()).toBe('EXIT=1');
    s = tmux.screen();
    expect(s).not.toContain('Diagnose');
    expect(s).toMatch(/kubectl netdiag api · context lab-admin@lab: FAIL · 11 checks: 3 pass, 2 fail, 6 skip/);
  });
});

describe('without a terminal, or in CI, or with -o: no Ink, and nothing waits for a key', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab('incident-1');
  });
  afterAll(async () => lab?.stop());

  /** Run under `script`: a real pseudo-terminal on stdin and stdout; returns what the terminal got. */
  const inPty = async (args: string[], env: Record<string, string> = {}) => {
    const cmd = [EXE, '--kubeconfig', lab.kubeconfig, ...args].map(shellQuote).join(' ');
    const r = await lab.exec('script', ['-qec', cmd, '/dev/null'], {
      env: { ...lab.baseEnv(), TERM: 'xterm-256color', COLUMNS: '100', LINES: '30', ...env },
      timeoutMs: 30_000,
    });
    return { ...r, screen: r.stdout.replace(/\r\n/g, '\n') };
  };

  it('a subcommand on a terminal draws the live view (Ink), ending with the verdict box; exit 1', async () => {
    const r = await inPty(['api'], { CI: 'false' });
    expect(r.code).toBe(1);
    expect(r.screen).toMatch(CURSOR);
    const plain = r.screen.replace(ANSI, '');
    expect(plain).toMatch(/✖ fail {2}api\.tls/);
    expect(plain).toMatch(/│ Root cause/);
    expect(plain).toMatch(/FAIL · 11 checks: 3 pass, 2 fail, 6 skip/);
  });

  it('the live view honours NO_COLOR and --color never: Ink draws, without colour', async () => {
    const coloured = await inPty(['api'], { CI: 'false' });
    expect(coloured.screen).toMatch(/\u001b\[3[1-7]m/);
    for (const [args, env] of [[['api'], { CI: 'false', NO_COLOR: '1' }], [['api', '--color', 'never'], { CI: 'false' }]] as const) {
      const r = await inPty([...args], env);
      expect(r.code).toBe(1);
      expect(r.screen).toMatch(CURSOR);
      expect(r.screen).not.toMatch(/\u001b\[(?:3[0-9]|9[0-7]|1|2|7)m/);
      expect(r.screen.replace(ANSI, '')).toMatch(/│ Root cause/);
    }
  });

  it('with CI set, the same terminal gets the plain text report: no cursor movement', async () => {
    const r = await inPty(['api'], { CI: 'true' });
    expect(r.code).toBe(1);
    expect(r.screen).not.toMatch(CURSOR);
    expect(r.screen.replace(ANSI, '')).toMatch(/Root cause\n {2}Traffic from this machine/);
  });

  it('with -o json on a terminal: exactly the JSON report', async () => {
    const r = await inPty(['api', '-o', 'json'], { CI: 'false' });
    expect(r.code).toBe(1);
    expect(r.screen).not.toMatch(/\u001b/);
    expect(JSON.parse(r.screen).checks.find((c: { id: string }) => c.id === 'api.tls').status).toBe('fail');
  });

  it('stdout piped: no ANSI escape codes and no cursor movement, from the subcommand or without one', async () => {
    const api = await lab.exec(EXE, ['api', '--kubeconfig', lab.kubeconfig], { env: { ...lab.baseEnv(), CI: 'false' } });
    expect(api.code).toBe(1);
    expect(api.stdout).toMatch(/✖ fail {2}api\.tls/);
    expect(api.stdout + api.stderr).not.toMatch(/\u001b/);
    const none = await lab.exec(EXE, [], { env: { ...lab.baseEnv(), CI: 'false' } });
    expect(none.code).toBe(0);
    expect(none.stdout).toContain('kubectl netdiag <command> [flags]');
    expect(none.stdout + none.stderr).not.toMatch(/\u001b/);
  });

  it('stdout a terminal but stdin not (`… < /dev/null`): no TUI, no waiting for a key', () => {
    // script gives stdout a pty; the command's own stdin is /dev/null
    const t0 = Date.now();
    const r = spawnSync('script', ['-qec', `${shellQuote(EXE)} < /dev/null`, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: tmpdir(), TERM: 'xterm-256color', CI: 'false' },
      timeout: 10_000,
    });
    expect(r.status).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(r.stdout).toContain('kubectl netdiag <command> [flags]');
    expect(r.stdout).not.toMatch(CURSOR);
    const flagsOnly = spawnSync('script', ['-qec', `${shellQuote(EXE)} --context x < /dev/null`, '/dev/null'], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: tmpdir(), TERM: 'xterm-256color', CI: 'false' },
      timeout: 10_000,
    });
    expect(flagsOnly.status).toBe(2);
    expect(flagsOnly.stdout).toMatch(/error: a command is required/);
  });
});
