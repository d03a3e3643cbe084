// The keys are one table per screen (src/tui/keymap.ts): the app's handler runs the table, and the
// `?` help prints it. For every key press a terminal can send, the binding that takes it on a
// screen must be listed, with that key, in the help the app shows there; and the keys the old app
// handled without listing them (g, G, space) now both work and show.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { App } from '../../../src/tui/App.tsx';
import { bindingFor, hints, keyLabel, type KeyTable } from '../../../src/tui/keys.ts';
import { CONTEXT_KEYS, FORM_KEYS, HELP_KEYS, MENU_KEYS, RUN_KEYS } from '../../../src/tui/keymap.ts';
import type { TuiSession } from '../../../src/tui/model.ts';
import { KeyHelp } from '../../../src/tui/screens/HelpOverlay.tsx';
import { NOW, PRESSES, strip, waitFor } from './helpers.ts';

afterEach(() => cleanup());


/** The help's row for a binding: its keys column split into key names, and its words. */
function helpRows(frame: string): { keys: string[]; help: string }[] {
  return frame
    .split('\n')
    .map((l) => l.replace(/^│ /, '').replace(/ *│$/, ''))
    // the keys column and the words are 3 spaces apart at least; key groups 2 at most
    .map((l) => l.match(/^(.*?\S) {3,}(\S.*)$/))
    .filter((m): m is RegExpMatchArray => !!m)
    .map((m) => ({ keys: m[1]!.split(/ +/), help: m[2]! }));
}

/** Checks that every press the table takes is listed in `frame` under the binding that takes it. */
function expectListed(table: KeyTable<unknown>, frame: string, where: string): number {
  const rows = helpRows(frame);
  let handled = 0;
  for (const p of PRESSES) {
    const hit = bindingFor(table, p.input, p.key);
    if (!hit) continue;
    handled++;
    const row = rows.find((r) => r.help === hit.binding.help);
    expect(row, `${where}: ${JSON.stringify(p.name)} is handled ("${hit.binding.help}") but not in the help:\n${frame}`).toBeDefined();
    // a printable character taken as text is listed as "type"
    expect(row!.keys, `${where}: the help row of ${JSON.stringify(p.name)}`).toContain(hit.pressed === 'text' ? 'type' : p.name);
  }
  return handled;
}

function session(checks = 6): { session: TuiSession; runs: string[] } {
  const runs: string[] = [];
  return {
    runs,
    session: {
      diagnoses: [{ command: 'api', title: 'API server', description: 'no inputs', inputs: [] }],
      header: () => ({ context: 'c', server: 'https://x', proxy: 'none' }),
      contexts: () => ({ names: ['c', 'd'], current: 'c' }),
      run: async (req, onEvent) => {
        runs.push(req.command);
        const { runChecks } = await import('../../../src/engine/runner.ts');
        const defs = Array.from({ length: checks }, (_, i) => ({ id: `t.check-${i}`, title: `Check ${i}`, codes: [], run: async () => ({ summary: `summary ${i}`, evidence: { lines: Array.from({ length: 40 }, (_, j) => `line ${j}`) } }) }));
        const results = await runChecks(defs, {}, { defaultTimeoutMs: 1000, onEvent });
        const report = { schemaVersion: 1 as const, tool: { name: 'kubectl-netdiag' as const, version: '0' }, command: req.command, startedAt: NOW.toISOString(), durationMs: 1, target: {}, checks: results, diagnosis: { status: 'pass' as const, rootCause: 'fine', remediation: [] } };
        return { report, exitCode: 0 };
      },
      exportReport: () => ({ paths: [] }),
    },
  };
}

function start(columns = 100, rows = 30) {
  const { session: s, runs } = session();
  const r = render(<App session={s} color={false} onExit={() => {}} size={{ columns, rows }} now={NOW} />);
  const frame = () => strip(r.lastFrame());
  const until = (cond: (f: string) => boolean, what: string) => waitFor(() => cond(frame()), what, 5000, frame);
  const press = async (k: string) => {
    r.stdin.write(k);
    await new Promise((res) => setTimeout(res, 30));
  };
  return { frame, until, press, runs };
}

const selected = (f: string) => f.split('\n').find((l) => /^[❯▾] /.test(l)) ?? '';

describe('the key tables', () => {
  it('the menu: every key it takes is in the help that ? shows there', async () => {
    const t = start();
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('?');
    await t.until((f) => f.includes('Keys'), 'the help');
    expect(expectListed(MENU_KEYS, t.frame(), 'menu')).toBeGreaterThanOrEqual(8);
    // the help's own keys are its footer
    expect(t.frame()).toContain(hints(HELP_KEYS));
    await t.press('?');
    await t.until((f) => !f.includes('Keys'), 'the help closed');
  });

  it('the run screen: every key it takes is in its help, g G and space among them, and they work', async () => {
    const t = start();
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('\r');
    await t.until((f) => /API server · PASS · 6 checks/.test(f), 'the run');
    await t.press('?');
    await t.until((f) => f.includes('Keys'), 'the help');
    const help = t.frame();
    expect(expectListed(RUN_KEYS, help, 'run')).toBeGreaterThanOrEqual(20);
    for (const k of ['g', 'G', 'space']) expect(helpRows(help).some((r) => r.keys.includes(k)), k).toBe(true);
    await t.press('\u001b');
    await t.until((f) => !f.includes('Keys'), 'the help closed');
    expect(t.runs).toEqual(['api']);

    await t.press('G');
    await t.until((f) => selected(f).includes('t.check-5'), 'G: the last check');
    await t.press('g');
    await t.until((f) => selected(f).includes('t.check-0'), 'g: the first check');
    await t.press('\r');
    await t.until((f) => f.includes('line 0') && f.includes('more lines'), 'expanded');
    await t.press(' ');
    await t.until((f) => !f.includes('line 0') && f.includes('above'), 'space scrolled down');
  });

  it('the form and the overlays: every key they take is listed by the help built from their table', () => {
    for (const [name, table] of [['form', FORM_KEYS], ['contexts', CONTEXT_KEYS], ['help', HELP_KEYS]] as const) {
      const frame = strip(render(<KeyHelp table={table} />).lastFrame());
      expect(expectListed(table, frame, name)).toBeGreaterThan(0);
    }
  });

  it('labels: named keys first, then letters', () => {
    expect(keyLabel(['up', 'down', 'j', 'k'])).toBe('↑ ↓  j k');
    expect(keyLabel(['q', 'ctrl-c'])).toBe('ctrl-c  q');
    expect(hints(MENU_KEYS)).toBe('↑↓ move · enter run · x context · ? keys · q quit');
  });
});
