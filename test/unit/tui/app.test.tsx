// The app driven by key presses (stdin.write) against the real command layer: the session runs the
// `api` diagnosis through its command module against lab API servers on loopback, one healthy and
// one serving the intercepting proxy's certificate (CN=egress-proxy).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { dump } from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/cli/tui.tsx';
import type { CommonFlags } from '../../../src/cli/io.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { App } from '../../../src/tui/App.tsx';
import type { TuiSession } from '../../../src/tui/model.ts';
import { startApiServer, type ApiServer } from '../../lab/apiserver.ts';
import { labPki } from '../../lab/pki.ts';
import { NOW, strip, waitFor } from './helpers.ts';

const TOKEN = 'tui-unit-admin-token';
let healthy: ApiServer;
let intercepted: ApiServer;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  const pki = labPki();
  const tokens = { [TOKEN]: { user: 'lab-admin', groups: ['lab-admins'], rbac: 'admin' as const } };
  healthy = await startApiServer({ host: '127.0.0.1', port: 0, tls: pki.server, tokens });
  intercepted = await startApiServer({ host: '127.0.0.1', port: 0, tls: pki.egressProxy, tokens });
  dir = mkdtempSync(join(tmpdir(), 'netdiag-tui-'));
  kubeconfig = join(dir, 'config');
  const cluster = (url: string) => ({ server: url, 'certificate-authority-data': Buffer.from(pki.ca.cert).toString('base64') });
  writeFileSync(
    kubeconfig,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'broken',
      clusters: [
        { name: 'intercepted', cluster: cluster(intercepted.url) },
        { name: 'healthy', cluster: cluster(healthy.url) },
      ],
      users: [{ name: 'admin', user: { token: TOKEN } }],
      contexts: [
        { name: 'broken', context: { cluster: 'intercepted', user: 'admin', namespace: 'default' } },
        { name: 'healthy', context: { cluster: 'healthy', user: 'admin', namespace: 'default' } },
      ],
    }),
  );
});

afterAll(async () => {
  await healthy?.close();
  await intercepted?.close();
});

afterEach(() => cleanup());

function session(): { session: TuiSession; runs: string[] } {
  const flags: CommonFlags = { kubeconfig, timeout: '2s', color: 'never', verbose: false, _: [] };
  let stdout = '';
  const s = createSession({
    flags,
    io: { stdout: { write: (c: string) => (stdout += c) }, stderr: { write: () => true }, env: { HOME: dir, PATH: process.env.PATH }, cwd: dir, homeDir: dir },
    redactor: new Redactor(),
    timeoutMs: 2000,
    requestTimeoutMs: 2000,
  });
  const runs: string[] = [];
  return {
    runs,
    session: {
      ...s,
      run: (req, onEvent, signal) => {
        runs.push(`${req.command}@${req.context ?? '(current)'}`);
        return s.run(req, onEvent, signal);
      },
    },
  };
}

function start(size = { columns: 100, rows: 30 }) {
  const { session: s, runs } = session();
  const exits: number[] = [];
  const r = render(<App session={s} color={false} onExit={(c) => exits.push(c)} size={size} now={NOW} />);
  const frame = () => strip(r.lastFrame());
  const until = (cond: (f: string) => boolean, what: string) => waitFor(() => cond(frame()), what, 10_000, frame);
  const press = async (keys: string) => {
    r.stdin.write(keys);
    await new Promise((res) => setTimeout(res, 30));
  };
  return { ...r, frame, until, press, runs, exits };
}

const selectedLine = (f: string) => f.split('\n').find((l) => /^[❯▾] /.test(l)) ?? '';

describe('the TUI app, driven by keys', () => {
  it('menu → run → navigate → expand the certificate → rerun → export → switch context → quit', async () => {
    const t = start();
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    let f = t.frame();
    expect(f).toMatch(/^kubectl netdiag · context broken · cluster intercepted · user admin · namespace default$/m);
    expect(f).toContain(`server ${intercepted.url} · proxy none`);
    expect(selectedLine(f)).toMatch(/^❯ API server +api +this machine → API server/);

    // run
    await t.press('\r');
    await t.until((f) => /API server · FAIL · 11 checks/.test(f), 'the failed run');
    f = t.frame();
    expect(f).toMatch(/^ {2}✖ fail {2}api\.tls .*CN=egress-proxy/m);
    expect(f).toMatch(/^│ Root cause/m);
    expect(t.runs).toEqual(['api@(current)']);

    // navigate: five rows down in one chunk (typed ahead) is api.tls
    await t.press('jjjjj');
    await t.until((f) => selectedLine(f).includes('api.tls'), 'api.tls selected');
    await t.press('k');
    await t.until((f) => selectedLine(f).includes('api.proxy.connect'), 'k moves up');
    await t.press('j');
    await t.until((f) => selectedLine(f).includes('api.tls'), 'j moves down');

    // expand: findings first, then the certificate tree (scroll to it)
    await t.press('\r');
    await t.until((f) => f.includes('TLS handshake (api.tls):') && f.includes('Findings'), 'the expanded check');
    expect(selectedLine(t.frame())).toMatch(/^▾ ✖ fail  api\.tls/);
    for (let i = 0; i < 5 && !t.frame().includes('├─ CN=egress-proxy') && !t.frame().includes('└─ CN=egress-proxy'); i++) await t.press('d');
    f = t.frame();
    expect(f).toMatch(/[└├]─ CN=egress-proxy \(leaf, self-signed\)/);
    expect(f).toMatch(/issuer +CN=egress-proxy/);
    expect(f).toMatch(/sha256 +([0-9A-F]{2}:){16}\n +([0-9A-F]{2}:){15}[0-9A-F]{2}\n/);
    // esc collapses, the verdict comes back
    await t.press('\u001b');
    await t.until((f) => f.includes('Root cause') && !f.includes('Findings'), 'collapsed');

    // rerun
    await t.press('r');
    await t.until(() => t.runs.length === 2, 'a second run');
    await t.until((f) => /API server · FAIL · 11 checks/.test(f), 'the rerun finished');

    // export: markdown and JSON, the paths shown
    await t.press('e');
    await t.until((f) => f.includes('exported:'), 'the export notice');
    const paths = t.frame().match(/\/\S+\.(?:md|json)/g) ?? [];
    expect(paths.map((p) => p.slice(p.lastIndexOf('.')))).toEqual(['.md', '.json']);
    for (const p of paths) expect(existsSync(p)).toBe(true);
    const exported = JSON.parse(readFileSync(paths[1]!, 'utf8'));
    expect(exported.checks.find((c: { id: string }) => c.id === 'api.tls').status).toBe('fail');
    expect(readFileSync(paths[0]!, 'utf8')).toContain('api.tls');
    expect(readFileSync(paths[0]!, 'utf8') + readFileSync(paths[1]!, 'utf8')).not.toContain(TOKEN);

    // switch context: the picker lists the kubeconfig's contexts; choosing one reruns there
    await t.press('x');
    await t.until((f) => f.includes('Context') && f.includes('broken (in use)'), 'the context picker');
    expect(t.frame()).toMatch(/^│ {3}healthy/m);
    await t.press('j');
    await t.press('\r');
    await t.until((f) => /context healthy · cluster healthy/.test(f) && /API server · PASS · 11 checks/.test(f), 'the healthy context passing');
    expect(t.runs).toEqual(['api@(current)', 'api@(current)', 'api@healthy']);

    // help, then quit with the exit code of the last diagnosis (it passed)
    await t.press('?');
    await t.until((f) => f.includes('Keys'), 'the key help');
    await t.press('?');
    await t.until((f) => !f.includes('Keys'), 'help closed');
    await t.press('q');
    await t.until(() => t.exits.length > 0, 'the exit');
    expect(t.exits).toEqual([0]);
  });

  it('q after a failed diagnosis exits 1; m goes back to the menu', async () => {
    const t = start();
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('\r');
    await t.until((f) => f.includes('API server · FAIL'), 'the failed run');
    await t.press('m');
    await t.until((f) => f.includes('Diagnose'), 'back at the menu');
    await t.press('q');
    await t.until(() => t.exits.length > 0, 'the exit');
    expect(t.exits).toEqual([1]);
  });

  it('at 80x24 every line fits and nothing wraps; esc on the menu quits (1: the last diagnosis failed)', async () => {
    const t = start({ columns: 80, rows: 24 });
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('\r');
    await t.until((f) => f.includes('API server · FAIL'), 'the failed run');
    for (const frame of [t.frame()]) {
      const lines = frame.split('\n');
      expect(lines.length).toBeLessThanOrEqual(24);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
      // the verdict box is whole: both borders inside the 80 columns
      expect(lines.find((l) => l.startsWith('╭'))).toMatch(/^╭─{78}╮$/);
      expect(lines.find((l) => l.startsWith('│ Root cause'))).toMatch(/^│ Root cause {67}│$/);
    }
    await t.press('jjjjj\r');
    await t.until((f) => f.includes('TLS handshake (api.tls):'), 'expanded');
    const lines = t.frame().split('\n');
    expect(lines.length).toBeLessThanOrEqual(24);
    for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
    await t.press('m');
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('\u001b');
    await t.until(() => t.exits.length > 0, 'the exit');
    // the last diagnosis failed
    expect(t.exits).toEqual([1]);
  });
});

describe('a diagnosis that declares inputs (DiagnosisDefinition.inputs)', () => {
  it('asks for them in a form, refuses an empty required one, and runs with what was typed', async () => {
    const requests: { command: string; context?: string; inputs: Record<string, string> }[] = [];
    const fake: TuiSession = {
      diagnoses: [
        { command: 'api', title: 'API server', description: 'no inputs', inputs: [] },
        {
          command: 'cert',
          title: 'Served certificate',
          description: 'the certificate served at a host',
          inputs: [
            { name: 'host', label: 'Host', required: true, placeholder: 'example.com[:443]' },
            { name: 'namespace', label: 'Namespace', required: false, value: 'default' },
          ],
        },
      ],
      header: () => ({ context: 'c', server: 'https://x', proxy: 'none' }),
      contexts: () => ({ names: ['c'], current: 'c' }),
      run: async (req, onEvent) => {
        requests.push(req);
        const { runChecks } = await import('../../../src/engine/runner.ts');
        const checks = await runChecks([{ id: 'cert.tls', title: 'TLS', codes: [], run: async () => ({ summary: `served at ${req.inputs.host}` }) }], {}, { defaultTimeoutMs: 1000, onEvent });
        const report = { schemaVersion: 1 as const, tool: { name: 'kubectl-netdiag' as const, version: '0' }, command: req.command, startedAt: NOW.toISOString(), durationMs: 1, target: {}, checks, diagnosis: { status: 'pass' as const, rootCause: 'fine', remediation: [] } };
        return { report, exitCode: 0 };
      },
      exportReport: () => ({ paths: [] }),
    };
    const exits: number[] = [];
    const r = render(<App session={fake} color={false} onExit={(c) => exits.push(c)} size={{ columns: 100, rows: 30 }} now={NOW} />);
    const frame = () => strip(r.lastFrame());
    const until = (cond: (f: string) => boolean, what: string) => waitFor(() => cond(frame()), what, 5000, frame);
    const press = async (k: string) => {
      r.stdin.write(k);
      await new Promise((res) => setTimeout(res, 30));
    };
    await until((f) => f.includes('Served certificate'), 'the menu');
    await press('j');
    await press('\r');
    await until((f) => f.includes('Host') && f.includes('example.com[:443]'), 'the form');
    expect(frame()).toMatch(/Namespace +default/);
    // enter on the first field goes to the next; enter on the last runs, but Host is empty
    await press('\r');
    await press('\r');
    await until((f) => f.includes('Host is required'), 'the required error');
    expect(requests).toHaveLength(0);
    await press('example.org:8443');
    await press('\t');
    await press('\u007f'); // backspace: "defaul"
    await press('t-ns');
    await press('\r');
    await until((f) => f.includes('served at example.org:8443'), 'the run with the inputs');
    expect(requests).toEqual([{ command: 'cert', context: undefined, inputs: { host: 'example.org:8443', namespace: 'default-ns' } }]);
    // esc on a form goes back to the menu without running
    await press('m');
    await until((f) => f.includes('Diagnose'), 'the menu');
    await press('j');
    await press('\r');
    await until((f) => f.includes('Host'), 'the form again');
    await press('\u001b');
    await until((f) => f.includes('Diagnose'), 'back at the menu');
    expect(requests).toHaveLength(1);
    // ctrl-c quits from anywhere, even while typing in a form
    await press('j');
    await press('\r');
    await until((f) => f.includes('Host'), 'the form');
    await press('\u0003');
    await waitFor(() => exits.length > 0, 'the exit');
    expect(exits).toEqual([0]);
  });
});
