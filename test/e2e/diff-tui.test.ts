// `kubectl netdiag --open` in a real terminal (tmux, 110x32): a saved report, and two reports
// compared layer by layer. The reports are the built CLI's own, from the lab's healthy and
// incident-1 scenarios.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../lab/netns.ts';
import { EXE, requireBuild } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'netdiag-open-e2e-'));
const socket = `netdiag-open-${process.pid}-${Date.now()}`;
const tmux = (args: string[]) => execFileSync('tmux', ['-L', socket, ...args], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', TERM: 'xterm-256color', HOME: dir } });
afterAll(() => {
  try {
    tmux(['kill-server']);
  } catch {
    // not running
  }
  rmSync(dir, { recursive: true, force: true });
});

async function reportOf(scenario: string): Promise<string> {
  const lab = await startLab(scenario);
  try {
    const r = await lab.exec(EXE, ['api', '--kubeconfig', lab.kubeconfig, '-o', 'json'], { env: lab.baseEnv(), timeoutMs: 30_000 });
    const path = join(dir, `${scenario}.json`);
    writeFileSync(path, r.stdout);
    return path;
  } finally {
    await lab.stop();
  }
}

let session = 0;
function start(args: string): string {
  const name = `s${++session}`;
  const script = join(dir, `${name}.sh`);
  writeFileSync(script, `cd ${dir}\nexport TERM=xterm-256color\n${EXE} ${args}\necho "EXIT=$?"\nsleep 60\n`);
  tmux(['-f', '/dev/null', 'new-session', '-d', '-s', name, '-x', '110', '-y', '34', `sh ${script}`]);
  return name;
}
const screen = (s: string) => tmux(['capture-pane', '-p', '-t', s]);
/** One key, then wait until the screen changed (keys sent together reach Ink as one chunk). */
async function press(s: string, key: string): Promise<void> {
  const before = screen(s);
  tmux(['send-keys', '-t', s, key]);
  const t0 = Date.now();
  while (screen(s) === before && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 20));
}
async function until(s: string, cond: (text: string) => boolean, what: string): Promise<string> {
  const t0 = Date.now();
  for (;;) {
    const text = screen(s);
    if (cond(text)) return text;
    if (Date.now() - t0 > 15_000) throw new Error(`timed out waiting for ${what}:\n${text}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  requireBuild();
  await reportOf('healthy');
  await reportOf('incident-1');
}, 60_000);

describe('--open two reports: the diff in the terminal UI', () => {
  it('lines up the layers, starts on the first divergence, shows a layer\'s differences, quits with the diff exit code', async () => {
    const s = start('--open healthy.json incident-1.json');
    let text = await until(s, (t) => t.includes('Diverges at: kubeconfig'), 'the diff view');
    expect(text).toMatch(/❯ ≠ differs kubeconfig .*← first divergence/);
    expect(text).toMatch(/ {2}= same {4}DNS/);
    expect(text).toMatch(/ {2}≠ differs TLS +A: tls pass \| B: tls fail/);
    // down to TLS (kubeconfig → DNS → proxy → TCP → TLS), open it
    for (let i = 0; i < 10 && !/❯ ≠ differs TLS/.test(screen(s)); i++) await press(s, 'Down');
    await until(s, (t) => /❯ ≠ differs TLS/.test(t), 'TLS selected');
    await press(s, 'Enter');
    text = await until(s, (t) => t.includes('TLS: '), 'the TLS differences');
    expect(text).toMatch(/❯ ≠ differs TLS/);
    expect(text).toMatch(/TLS: \d+ differences/);
    expect(text).toMatch(/api\.tls · certificate\n\s+A: CN=kube-apiserver issued by CN=lab-ca,O=kubectl-netdiag lab/);
    await press(s, 'd');
    // the first changed frame may still be the old one: wait for the scrolled content itself
    text = await until(s, (t) => /B: CN=egress-proxy issued by CN=egress-proxy/.test(t), 'the scrolled differences');
    expect(text).toMatch(/↑ \d+ above/);
    await press(s, 'Escape');
    await until(s, (t) => t.includes('Diverges at: kubeconfig'), 'the verdict again');
    tmux(['send-keys', '-t', s, 'q']);
    text = await until(s, (t) => /EXIT=\d/.test(t), 'the exit');
    expect(text).toMatch(/EXIT=1/);
  });

  it('two identical reports: "Same", exit 0', async () => {
    const s = start('--open=healthy.json healthy.json');
    await until(s, (t) => /Same/.test(t) && t.includes('agree on every layer'), 'the verdict');
    tmux(['send-keys', '-t', s, 'q']);
    expect(await until(s, (t) => /EXIT=\d/.test(t), 'the exit')).toMatch(/EXIT=0/);
  });
});

describe('--open one report', () => {
  it('shows the checks and the root cause; enter expands the selected check', async () => {
    const s = start('--open incident-1.json');
    let text = await until(s, (t) => t.includes('Root cause'), 'the report view');
    expect(text).toMatch(/kubectl netdiag api · incident-1\.json · taken /);
    expect(text).toMatch(/❯ ✔ pass {2}api\.kubeconfig/);
    expect(text).toMatch(/✖ fail {2}api\.tls/);
    // move with j until api.tls is selected (a key can reach Ink before the view reads keys)
    for (let i = 0; i < 10 && !/❯ ✖ fail {2}api\.tls/.test(screen(s)); i++) await press(s, 'j');
    await until(s, (t) => /❯ ✖ fail {2}api\.tls/.test(t), 'api.tls selected');
    await press(s, 'Enter');
    text = await until(s, (t) => t.includes('api.tls.intercepted'), 'the TLS details');
    expect(text).toMatch(/▾ ✖ fail {2}api\.tls/);
    tmux(['send-keys', '-t', s, 'q']);
    expect(await until(s, (t) => /EXIT=\d/.test(t), 'the exit')).toMatch(/EXIT=1/);
  });

  it('without a terminal, --open prints the report (no key is awaited)', () => {
    const out = execFileSync(EXE, ['--open', join(dir, 'healthy.json')], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', HOME: dir } });
    expect(out).toMatch(/^kubectl netdiag api · context lab-admin@lab/);
    expect(out).toMatch(/PASS · 11 checks/);
  });
});
