// The reducer against real runner events, and the live progress view of a subcommand: finished
// checks move into <Static> in the order they finish, running ones keep a spinner, the verdict last.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { runChecks, type CheckDefinition, type RunnerEvent } from '../../../src/engine/runner.ts';
import { LiveRun } from '../../../src/tui/LiveRun.tsx';
import { EMPTY_RUN, applyEvent, stateFromReport, tally, type RunState } from '../../../src/tui/model.ts';
import { sampleReport, strip, waitFor } from './helpers.ts';

afterEach(() => cleanup());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Three checks: slow passes, fast fails, and one that needs the failing one (skipped). */
function checks(gate: Promise<void>): CheckDefinition<object>[] {
  return [
    { id: 'x.slow', title: 'Slow one', codes: [], run: async () => (await gate, { summary: 'slow and fine' }) },
    { id: 'x.fast', title: 'Fast one', codes: ['api.tcp.refused'], run: async () => ({ summary: 'refused', findings: [{ code: 'api.tcp.refused', message: 'connect 10.0.0.1:443: connection refused.' }] }) },
    { id: 'x.after', title: 'After fast', codes: [], requires: ['x.fast'], run: async () => ({ summary: 'never runs' }) },
  ];
}

describe('applyEvent', () => {
  it('folds real runner events into rows in declaration order, and finished ids in finishing order', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const events: RunnerEvent[] = [];
    const done = runChecks(checks(gate), {}, { defaultTimeoutMs: 5000, onEvent: (e) => events.push(e) });
    await waitFor(() => events.some((e) => e.type === 'check-end' && e.result.id === 'x.after'), 'the skip');
    let s: RunState = EMPTY_RUN;
    for (const e of events) s = applyEvent(s, e);
    expect(s.rows.map((r) => `${r.id}:${r.status}`)).toEqual(['x.slow:running', 'x.fast:fail', 'x.after:skip']);
    expect(s.finished).toEqual(['x.fast', 'x.after']);
    expect(s.done).toBe(false);
    open();
    await done;
    for (const e of events.slice(events.length - 2)) s = applyEvent(s, e);
    expect(s.rows.map((r) => r.status)).toEqual(['pass', 'fail', 'skip']);
    expect(s.finished).toEqual(['x.fast', 'x.after', 'x.slow']);
    expect(s.done).toBe(true);
    expect(tally(s.rows)).toBe('1 pass, 1 fail, 1 skip');
  });

  it('stateFromReport gives the same rows as the events would', () => {
    const s = stateFromReport(sampleReport);
    expect(s.rows.map((r) => [r.id, r.status])).toEqual([
      ['api.proxy', 'pass'],
      ['api.tls', 'fail'],
      ['api.http', 'skip'],
    ]);
    expect(s.done).toBe(true);
  });
});

describe('LiveRun (a subcommand on a terminal)', () => {
  it('prints finished checks once, in finishing order, with findings of failures; the running one spins; then the verdict', async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    let state = EMPTY_RUN;
    const header = { context: 'lab-admin@lab', server: 'https://203.0.113.10:10443', proxy: 'http://198.51.100.21:3128 (HTTPS_PROXY)' };
    const view = (report?: typeof sampleReport) => <LiveRun title="api" header={header} state={state} report={report} color={false} idWidth={10} />;
    const r = render(view());
    const done = runChecks(checks(gate), {}, {
      defaultTimeoutMs: 5000,
      onEvent: (e) => {
        state = applyEvent(state, e);
        r.rerender(view());
      },
    });
    await waitFor(() => strip(r.lastFrame()).includes('x.after'), 'the skipped check');
    await sleep(50);
    // ink-testing-library renders in debug mode: every frame is the <Static> output so far plus the live part
    let out = strip(r.lastFrame());
    expect(out).toContain('kubectl netdiag api · context lab-admin@lab · server https://203.0.113.10:10443\nproxy http://198.51.100.21:3128 (HTTPS_PROXY)\n');
    const lines = out.split('\n');
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    expect(at(/✖ fail  x\.fast/)).toBeGreaterThan(0);
    expect(lines[at(/✖ fail  x\.fast/) + 1]).toBe('          fail api.tcp.refused');
    expect(lines[at(/✖ fail  x\.fast/) + 2]).toBe('            connect 10.0.0.1:443: connection refused.');
    expect(at(/○ skip  x\.after +skipped because x\.fast failed/)).toBeGreaterThan(at(/x\.fast/));
    expect(out).toMatch(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] run   x\.slow {13}Slow one…/);
    expect(out).not.toContain('Root cause');

    open();
    await done;
    r.rerender(view({ ...sampleReport, checks: sampleReport.checks }));
    await sleep(50);
    out = strip(r.lastFrame());
    expect(out).toMatch(/✔ pass  x\.slow/);
    expect(out).not.toMatch(/run   x\.slow/);
    expect(out).toMatch(/│ Root cause/);
    expect(out).toMatch(/FAIL · 3 checks: 1 pass, 1 fail, 1 skip · 0\.41s/);
    // each check once: a finished check is in <Static> only, never also in the live part
    for (const id of ['x.fast', 'x.after', 'x.slow']) expect(out.match(new RegExp(`^ {2}\\S \\S+ +${id.replace('.', '\\.')} `, 'gm'))).toHaveLength(1);
  });
});
