// The fleet screen (issue 15): one diagnosis over many contexts from the menu. The rows fill in as
// the contexts finish, grouped by root cause (worst first), running and waiting ones last; Enter
// opens a context's report, `r` reruns the failing ones and keeps the others, q goes back. Frames
// are colour-stripped; the session is a fake that hands over recorded results at its own pace.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { entryOf } from '../../../src/report/fleet.ts';
import type { Report } from '../../../src/report/types.ts';
import { App } from '../../../src/tui/App.tsx';
import { applyFleetEvent, EMPTY_FLEET, fleetGroups, type FleetEvent, type FleetRequest, type FleetState } from '../../../src/tui/fleet.ts';
import { bindingFor } from '../../../src/tui/keys.ts';
import { FLEET_KEYS, FLEET_REPORT_KEYS } from '../../../src/tui/keymap.ts';
import type { TuiSession } from '../../../src/tui/model.ts';
import { FleetScreen } from '../../../src/tui/screens/FleetScreen.tsx';
import { NOW, PRESSES, sampleReport, strip, waitFor } from './helpers.ts';

afterEach(() => cleanup());

const TCP = 'kubectl cannot open a TCP connection to 192.0.2.10:6443: the connection timed out after 2s.';
const AUTH = 'The API server is reachable, but authentication fails: the server rejects the token with 401 Unauthorized.';

/** A recorded report of one context: its verdict and root cause (the checks of the sample). */
function reportOf(context: string, status: 'pass' | 'fail', rootCause: string, server: string): Report {
  return {
    ...sampleReport,
    target: { context, cluster: context, user: context, server },
    durationMs: 100,
    diagnosis: { status, rootCause, remediation: status === 'pass' ? [] : ['fix it'] },
    checks: status === 'pass' ? sampleReport.checks.map((c) => ({ ...c, status: 'pass' as const, findings: [] })) : sampleReport.checks,
  };
}

const FLEET: Record<string, Report> = {
  'ok-1': reportOf('ok-1', 'pass', 'Everything answers.', 'https://198.51.100.10:6443'),
  'ok-2': reportOf('ok-2', 'pass', 'Everything answers.', 'https://198.51.100.10:6444'),
  'bh-1': reportOf('bh-1', 'fail', TCP, 'https://192.0.2.10:6443'),
  'bh-2': reportOf('bh-2', 'fail', TCP, 'https://192.0.2.10:6443'),
  'bad-1': reportOf('bad-1', 'fail', AUTH, 'https://198.51.100.10:6445'),
  'ok-3': reportOf('ok-3', 'pass', 'Everything answers.', 'https://198.51.100.11:6443'),
};
const NAMES = Object.keys(FLEET);

const end = (c: string, report = FLEET[c]!): FleetEvent => ({ type: 'context-end', entry: entryOf(c, report, report.diagnosis.status === 'pass' ? 0 : 1), report });

describe('the fleet view model', () => {
  it('groups finished contexts by root cause, worst and biggest first, then running, then waiting', () => {
    let s: FleetState = applyFleetEvent(EMPTY_FLEET, { type: 'fleet-start', contexts: NAMES });
    for (const c of ['ok-1', 'bh-1', 'bh-2', 'bad-1']) s = applyFleetEvent(applyFleetEvent(s, { type: 'context-start', context: c }), end(c));
    s = applyFleetEvent(s, { type: 'context-start', context: 'ok-2' });
    const g = fleetGroups(s);
    expect(g.map((x) => [x.label.slice(0, 40), x.rows.map((r) => r.context)])).toEqual([
      ['kubectl cannot open a TCP connection to ', ['bh-1', 'bh-2']],
      ['The API server is reachable, but authent', ['bad-1']],
      ['ok', ['ok-1']],
      ['running', ['ok-2']],
      ['waiting', ['ok-3']],
    ]);
  });

  it('a rerun sets only its contexts back to waiting and keeps the other rows', () => {
    let s: FleetState = applyFleetEvent(EMPTY_FLEET, { type: 'fleet-start', contexts: NAMES });
    for (const c of NAMES) s = applyFleetEvent(s, end(c));
    s = applyFleetEvent(s, { type: 'fleet-start', contexts: ['bh-1', 'bad-1'] }, true);
    expect(s.rows.map((r) => `${r.context}:${r.status}`)).toEqual(['ok-1:pass', 'ok-2:pass', 'bh-1:pending', 'bh-2:fail', 'bad-1:pending', 'ok-3:pass']);
    // without keep, a new list
    expect(applyFleetEvent(s, { type: 'fleet-start', contexts: ['x'] }).rows).toEqual([{ context: 'x', status: 'pending' }]);
  });
});

describe('FleetScreen (plain props)', () => {
  it('one line per group with its count and cause, one row per context with server, verdict, duration and cause', () => {
    let s: FleetState = applyFleetEvent(EMPTY_FLEET, { type: 'fleet-start', contexts: NAMES });
    for (const c of ['ok-1', 'bh-1', 'bh-2']) s = applyFleetEvent(s, end(c));
    s = applyFleetEvent(s, { type: 'context-start', context: 'bad-1' });
    const f = strip(render(<FleetScreen title="API server, many contexts" state={s} running selected="bh-2" columns={140} height={20} />).lastFrame());
    const lines = f.split('\n');
    expect(lines[0]).toBe('API server, many contexts · running 3/6 · 2 failing');
    expect(lines[1]).toMatch(/^✖ 2 contexts: kubectl cannot open a TCP connection to 192\.0\.2\.10:6443/);
    expect(lines[2]).toMatch(/^ {4}bh-1 +https:\/\/192\.0\.2\.10:6443 +✖ fail +100ms {2}kubectl cannot open/);
    expect(lines[3]).toMatch(/^❯ {3}bh-2 /);
    expect(lines[4]).toMatch(/^✔ 1 context: {2}ok$/);
    expect(lines[5]).toMatch(/^ {4}ok-1 +https:\/\/198\.51\.100\.10:6443 +✔ pass +100ms {2}ok$/);
    expect(lines[6]).toMatch(/^⠋ 1 context: {2}running$/);
    expect(lines[7]).toMatch(/^ {4}bad-1 +⠋ run/);
    expect(lines[8]).toMatch(/^· 2 contexts: waiting$/);
    expect(lines.slice(9, 11).map((l) => l.trim().split(/ +/)[0])).toEqual(['ok-2', 'ok-3']);
  });

  it('finished: the verdict, the counts and the wall time; a long list scrolls to keep the selection in view', () => {
    let s: FleetState = applyFleetEvent(EMPTY_FLEET, { type: 'fleet-start', contexts: NAMES });
    for (const c of NAMES) s = applyFleetEvent(s, end(c));
    s = { ...s, done: true };
    const f = strip(render(<FleetScreen title="fleet" state={s} running={false} durationMs={2345} selected="ok-3" columns={120} height={5} />).lastFrame());
    const lines = f.split('\n');
    expect(lines[0]).toBe('fleet · 3 FAILING · 3 of 6 contexts ok · 2.3s · lines 6–9 of 9');
    expect(lines.some((l) => /^❯ {3}ok-3 /.test(l))).toBe(true);
    expect(lines).toHaveLength(5);
  });
});

/** A fake session: fleet runs hand over FLEET's results, one context every `stepMs`. */
function fakeSession(stepMs = 40) {
  const requests: FleetRequest[] = [];
  const session: TuiSession = {
    diagnoses: [{ command: 'api', title: 'API server', description: 'one context', inputs: [] }],
    header: () => ({ context: 'ok-1', server: 'https://x', proxy: 'none' }),
    contexts: () => ({ names: NAMES, current: 'ok-1' }),
    run: async () => {
      throw new Error('not in this test');
    },
    exportReport: () => ({ paths: [] }),
    fleet: {
      commands: [{ command: 'api', title: 'API server, many contexts', description: 'every context' }],
      run: async (req, onEvent, signal) => {
        requests.push(req);
        if (req.pattern === 'nope-*') throw new Error("--context-pattern 'nope-*' matches no context in the kubeconfig (6 contexts)");
        const contexts = req.contexts ?? NAMES.filter((n) => !req.pattern || req.pattern === '*' || n.startsWith(req.pattern.replace('*', '')));
        onEvent({ type: 'fleet-start', contexts });
        const reports: Report[] = [];
        for (const c of contexts) {
          if (signal.aborted) break;
          onEvent({ type: 'context-start', context: c });
          await new Promise((r) => setTimeout(r, stepMs));
          // a rerun finds the black-holed ones reachable again
          const report = req.contexts && c.startsWith('bh-') ? reportOf(c, 'pass', 'Everything answers.', 'https://192.0.2.10:6443') : FLEET[c]!;
          reports.push(report);
          onEvent(end(c, report));
        }
        const { summarize } = await import('../../../src/report/fleet.ts');
        const entries = contexts.map((c, i) => entryOf(c, reports[i]!, 0));
        const fleet = { schemaVersion: 1 as const, kind: 'netdiag-fleet' as const, tool: { name: 'kubectl-netdiag' as const, version: '0' }, command: req.command, startedAt: NOW.toISOString(), durationMs: 1, parallel: 16, contexts: entries, summary: summarize(entries, reports), reports };
        return { fleet, exitCode: entries.some((e) => e.status === 'fail') ? 1 : 0 };
      },
    },
  };
  return { session, requests };
}

function start(stepMs = 40) {
  const { session, requests } = fakeSession(stepMs);
  const exits: number[] = [];
  const r = render(<App session={session} color={false} onExit={(c) => exits.push(c)} size={{ columns: 120, rows: 30 }} now={NOW} />);
  const frame = () => strip(r.lastFrame());
  const until = (cond: (f: string) => boolean, what: string) => waitFor(() => cond(frame()), what, 5000, frame);
  const press = async (k: string) => {
    r.stdin.write(k);
    await new Promise((res) => setTimeout(res, 30));
  };
  return { frame, until, press, requests, exits };
}

const selected = (f: string) => f.split('\n').find((l) => /^[❯▾] /.test(l)) ?? '';

describe('the fleet screen in the app', () => {
  it('menu → pattern form → rows fill in live, grouped → Enter opens a report → q back → r reruns the failing → q to the menu', async () => {
    const t = start();
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    expect(t.frame()).toMatch(/^ {2}API server, many contexts +api +every context$/m);
    await t.press('j');
    await t.press('\r');
    await t.until((f) => f.includes('Contexts') && f.includes('*'), 'the pattern form, * prefilled');
    await t.press('\r');
    // live: some finished and grouped, the rest running or waiting
    await t.until((f) => /running [1-5]\/6/.test(f) && /contexts?: waiting/.test(f), 'a frame mid-run');
    await t.until((f) => f.includes('3 FAILING · 3 of 6 contexts ok'), 'the finished fleet');
    expect(t.requests).toEqual([{ command: 'api', pattern: '*' }]);
    const f = t.frame();
    expect(f).toMatch(/^✖ 2 contexts: kubectl cannot open a TCP connection to 192\.0\.2\.10:6443/m);
    expect(f).toMatch(/^✖ 1 context: {2}The API server is reachable, but authentication fails/m);
    expect(f).toMatch(/^✔ 3 contexts: ok$/m);
    expect(f).not.toMatch(/running|waiting/);
    // the first row of the worst group is selected
    expect(selected(f)).toMatch(/^❯ {3}bh-1 /);

    // Enter: bh-1's report, as the run screen shows one (checks, then the verdict)
    await t.press('\r');
    await t.until((x) => x.includes('api · bh-1 · FAIL · 3 checks'), "bh-1's report");
    expect(t.frame()).toMatch(/✖ fail {2}api\.tls/);
    expect(t.frame()).toContain(TCP.slice(0, 40));
    // Enter expands a check there; esc collapses it, then goes back
    await t.press('j');
    await t.press('\r');
    await t.until((x) => x.includes('TLS handshake (api.tls)'), 'the expanded check');
    await t.press('\u001b');
    await t.until((x) => !x.includes('TLS handshake (api.tls)') && x.includes('api · bh-1'), 'collapsed');
    await t.press('q');
    await t.until((x) => x.includes('3 FAILING'), 'back on the fleet');
    expect(selected(t.frame())).toMatch(/^❯ {3}bh-1 /);

    // r: only the three failing contexts run again; the healthy rows stay
    await t.press('r');
    await t.until((x) => /running \d\/6/.test(x), 'the rerun');
    expect(t.frame()).toMatch(/^✔ 3 contexts: ok$/m);
    await t.until((x) => x.includes('1 FAILING · 5 of 6 contexts ok'), 'the rerun finished');
    expect(t.requests[1]).toEqual({ command: 'api', contexts: ['bh-1', 'bh-2', 'bad-1'] });
    expect(t.frame()).toMatch(/^✔ 5 contexts: ok$/m);

    // q: back to the menu; ctrl-c quits with 1 (a context still fails)
    await t.press('q');
    await t.until((x) => x.includes('Diagnose'), 'the menu again');
    await t.press('\u0003');
    await t.until(() => t.exits.length > 0, 'the exit');
    expect(t.exits).toEqual([1]);
  });

  it('Enter on a context still running says so; a pattern that matches nothing is the error line', async () => {
    const t = start(400);
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('j');
    await t.press('\r');
    await t.until((f) => f.includes('Contexts'), 'the form');
    await t.press('\r');
    await t.until((f) => /running 0\/6/.test(f), 'the first context running');
    await t.press('\r');
    await t.until((f) => f.includes('ok-1: still running; its report opens once it has finished'), 'the notice');
    await t.press('q');
    await t.until((f) => f.includes('Diagnose'), 'the menu');

    await t.press('\r');
    await t.until((f) => f.includes('Contexts'), 'the form again');
    await t.press('\u007f');
    await t.press('nope-*');
    await t.press('\r');
    await t.until((f) => f.includes("error: --context-pattern 'nope-*' matches no context"), 'the selection error');
  });

  it('every key the fleet screens take is in the help ? shows there', async () => {
    const t = start(5);
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('j');
    await t.press('\r');
    await t.until((f) => f.includes('Contexts'), 'the form');
    await t.press('\r');
    await t.until((f) => f.includes('3 FAILING'), 'the fleet');
    for (const [table, open] of [
      [FLEET_KEYS, async () => {}],
      [FLEET_REPORT_KEYS, async () => {
        await t.press('\r');
        await t.until((x) => x.includes('api · bh-1'), 'the report');
      }],
    ] as const) {
      await open();
      await t.press('?');
      await t.until((x) => x.includes('Keys'), 'the help');
      const help = t.frame();
      let handled = 0;
      for (const p of PRESSES) {
        const hit = bindingFor(table, p.input, p.key);
        if (!hit) continue;
        handled++;
        const row = help.split('\n').find((l) => l.includes(hit.binding.help));
        expect(row, `${p.name} is handled ("${hit.binding.help}") but not in the help:\n${help}`).toBeDefined();
        expect(row!.replace(/^│ /, '').split(/ {3,}/)[0]!.split(/ +/)).toContain(p.name);
      }
      expect(handled).toBeGreaterThan(15);
      await t.press('?');
      await t.until((x) => !x.includes('Keys'), 'the help closed');
    }
  });
});
