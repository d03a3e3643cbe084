// The fleet runner with a stand-in diagnosis: the parallel bound, the per-context and fleet
// deadlines, and the report it assembles.
import { describe, expect, it } from 'vitest';
import type { DiagnosisDefinition } from '../../../src/engine/definitions.ts';
import { runFleet } from '../../../src/fleet/run.ts';
import type { ProbeCache } from '../../../src/kube/probe-cache.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { isFleetRedacted } from '../../../src/report/fleet.ts';

interface Opts {
  context: string;
  ms: number;
  fail?: boolean;
}

/** A stand-in diagnosis of the given checks, whose options are its context. */
function stand<O extends { context: string }>(checks: DiagnosisDefinition<O, O>['checks'], diagnose?: DiagnosisDefinition<O, O>['diagnose']): DiagnosisDefinition<O, O> {
  return {
    command: 'api',
    title: 'fake',
    description: 'fake',
    createContext: (o) => o,
    checks,
    diagnose: diagnose ?? (() => ({ status: 'pass', rootCause: 'fine', remediation: [] })),
    target: (ctx) => ({ context: ctx.context }),
  };
}

function fakeDiagnosis(track: { running: number; max: number }): DiagnosisDefinition<Opts, Opts> {
  return {
    command: 'api',
    title: 'fake',
    description: 'fake',
    createContext: (o) => o,
    checks: [
      {
        id: 'fake.wait',
        title: 'wait',
        codes: [],
        run: async (ctx, signal) => {
          track.running++;
          track.max = Math.max(track.max, track.running);
          try {
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, ctx.ms);
              signal.addEventListener('abort', () => { clearTimeout(t); resolve(); });
            });
          } finally {
            track.running--;
          }
          return { summary: 'waited', findings: ctx.fail ? [{ code: 'check.crashed', severity: 'fail', message: 'x' }] : [] };
        },
      },
    ],
    diagnose: (results, ctx) => ({
      status: results[0]!.status === 'pass' ? 'pass' : 'fail',
      rootCause: ctx.fail ? `Server of ${ctx.context} refuses.` : 'works.',
      remediation: [],
    }),
    target: (ctx) => ({ context: ctx.context, server: `https://${ctx.context}.test` }),
  };
}

describe('runFleet', () => {
  it('diagnoses every context at most `parallel` at once and reports them in the order selected', async () => {
    const track = { running: 0, max: 0 };
    const contexts = Array.from({ length: 20 }, (_, i) => `ctx${i}`);
    const f = await runFleet({
      def: fakeDiagnosis(track),
      contexts,
      optionsFor: (context) => ({ context, ms: 30, fail: context.endsWith('7') }),
      parallel: 4,
      checkTimeoutMs: 5000,
      contextDeadlineMs: 5000,
      redactor: new Redactor(),
    });
    expect(track.max).toBe(4);
    expect(f.contexts.map((e) => e.context)).toEqual(contexts);
    expect(f.reports.map((r) => r.target.context)).toEqual(contexts);
    expect(f.summary).toMatchObject({ total: 20, ok: 18, failing: 2 });
    expect(f.summary.groups.map((g) => [g.label, g.contexts])).toEqual([
      ['Server of <context> refuses.', ['ctx7', 'ctx17']],
      ['ok', contexts.filter((c) => !c.endsWith('7'))],
    ]);
    expect(f.kind).toBe('netdiag-fleet');
    expect(f.parallel).toBe(4);
  });

  it('a context that hangs is reported as not finished at its deadline; the fleet does not wait for it', async () => {
    const track = { running: 0, max: 0 };
    const t0 = performance.now();
    const f = await runFleet({
      def: fakeDiagnosis(track),
      contexts: ['fast', 'hangs'],
      optionsFor: (context) => ({ context, ms: context === 'hangs' ? 60_000 : 10 }),
      parallel: 2,
      checkTimeoutMs: 120_000,
      contextDeadlineMs: 300,
      redactor: new Redactor(),
    });
    expect(performance.now() - t0).toBeLessThan(1000);
    const hang = f.contexts.find((e) => e.context === 'hangs')!;
    expect(hang).toMatchObject({ status: 'error', rootCause: 'The diagnosis of hangs did not finish within 300ms.', server: 'https://hangs.test' });
    expect(f.contexts.find((e) => e.context === 'fast')!.status).toBe('pass');
  });

  it('never runs past one context deadline plus a second: contexts still waiting for a slot are reported as not run', async () => {
    const track = { running: 0, max: 0 };
    const t0 = performance.now();
    const contexts = Array.from({ length: 6 }, (_, i) => `slow${i}`);
    const f = await runFleet({
      def: fakeDiagnosis(track),
      contexts,
      optionsFor: (context) => ({ context, ms: 450 }),
      parallel: 1,
      checkTimeoutMs: 120_000,
      contextDeadlineMs: 500,
      redactor: new Redactor(),
    });
    const wall = performance.now() - t0;
    expect(wall).toBeLessThan(1500 + 250);
    expect(f.contexts.slice(0, 3).map((e) => e.status)).toEqual(['pass', 'pass', 'pass']);
    const notRun = f.contexts.filter((e) => /was not diagnosed: the fleet deadline \(1\.5s\) passed while it waited for one of the 1 slots/.test(e.rootCause));
    expect(notRun.length).toBeGreaterThanOrEqual(2);
    expect(notRun.every((e) => e.status === 'error')).toBe(true);
  });

  it('contexts waiting for a probe another context has in flight give their slot up: 10 on one slow address hold one slot, not all', async () => {
    // the stand-in: each context probes its address through the run's ProbeCache (as KubeClient does)
    let working = 0;
    let maxWorking = 0;
    const probes: string[] = [];
    const def: DiagnosisDefinition<{ context: string; cache: ProbeCache }, { context: string; cache: ProbeCache }> = {
      command: 'api',
      title: 'fake',
      description: 'fake',
      createContext: (o) => o,
      checks: [
        {
          id: 'fake.tcp',
          title: 'tcp',
          codes: [],
          run: async (ctx) => {
            working++;
            maxWorking = Math.max(maxWorking, working);
            const address = ctx.context.startsWith('bh') ? 'bh' : ctx.context;
            try {
              // 500 ms for the black hole's timeout, 300 ms for the others' own slow probe
              const ok = await ctx.cache.shared(`tcp:${address}`, async () => {
                probes.push(address);
                await new Promise((r) => setTimeout(r, address === 'bh' ? 500 : 300));
                return address !== 'bh';
              });
              return { summary: ok ? 'connected' : 'timed out', findings: ok ? [] : [{ code: 'api.tcp.timeout', severity: 'fail' as const, message: 'timed out' }] };
            } finally {
              working--;
            }
          },
        },
      ],
      diagnose: (results) => ({ status: results[0]!.status === 'pass' ? 'pass' : 'fail', rootCause: results[0]!.summary, remediation: [] }),
      target: (ctx) => ({ context: ctx.context }),
    };
    const contexts = [...Array.from({ length: 10 }, (_, i) => `bh${i}`), 'x0', 'x1'];
    const t0 = performance.now();
    const f = await runFleet({ def, contexts, optionsFor: (context, cache) => ({ context, cache }), parallel: 3, checkTimeoutMs: 5000, contextDeadlineMs: 700, redactor: new Redactor() });
    const wall = performance.now() - t0;
    // one probe of the black hole for its ten contexts
    expect(probes.filter((p) => p === 'bh')).toHaveLength(1);
    expect(f.contexts.map((e) => `${e.context}:${e.status}`)).toEqual([...Array.from({ length: 10 }, (_, i) => `bh${i}:fail`), 'x0:pass', 'x1:pass']);
    // without parking, bh0-2 fill the 3 slots for 500 ms and x0, x1 start after them (~800 ms);
    // parked after 250 ms, they let x0 and x1 run alongside the black hole's probe
    expect(wall).toBeLessThan(750);
    // the deadline (700 ms) does not run while a context is parked: every bh context has its own verdict
    expect(f.contexts.every((e) => !/did not finish/.test(e.rootCause))).toBe(true);
  });

  it('starts the contexts with a credential plugin first (startFirst), and still reports in the order selected', async () => {
    const track = { running: 0, max: 0 };
    const starts: string[] = [];
    const f = await runFleet({
      def: fakeDiagnosis(track),
      contexts: ['a', 'b', 'plugin-1', 'c', 'plugin-2'],
      optionsFor: (context) => ({ context, ms: 5 }),
      parallel: 1,
      checkTimeoutMs: 5000,
      contextDeadlineMs: 5000,
      redactor: new Redactor(),
      startFirst: new Set(['plugin-1', 'plugin-2']),
      onStart: (c) => starts.push(c),
    });
    expect(starts).toEqual(['plugin-1', 'plugin-2', 'a', 'b', 'c']);
    expect(f.contexts.map((e) => e.context)).toEqual(['a', 'b', 'plugin-1', 'c', 'plugin-2']);
  });

  it('a context parked by two waits at once (its checks run side by side) takes one slot back, not two: no slot is lost', async () => {
    type O = { context: string; cache: ProbeCache };
    const wait = (key: string, ms: number) => async (ctx: O) => {
      await ctx.cache.shared(`tcp:${key}`, () => new Promise((r) => setTimeout(r, ms)));
      return { summary: key, findings: [] };
    };
    // two checks without dependencies: the runner starts them together
    const def = stand<O>([
      { id: 'fake.a', title: 'a', codes: [], run: wait('a', 400) },
      { id: 'fake.b', title: 'b', codes: [], run: wait('b', 450) },
    ]);
    const contexts = Array.from({ length: 12 }, (_, i) => `c${i}`);
    const t0 = performance.now();
    const f = await runFleet({ def, contexts, optionsFor: (context, cache) => ({ context, cache }), parallel: 2, checkTimeoutMs: 5000, contextDeadlineMs: 1500, redactor: new Redactor() });
    expect(f.contexts.map((e) => e.status)).toEqual(contexts.map(() => 'pass'));
    // every context waits on the same two probes: about one probe's time, far from the deadline
    expect(performance.now() - t0).toBeLessThan(1200);
  });

  it('a report finished before a later context registered a secret is redacted again, and the fleet report is then redacted whole', async () => {
    type O = { context: string; redactor: Redactor };
    const redactor = new Redactor();
    const def = stand<O>(
      [
        {
          id: 'fake.plugin',
          title: 'plugin',
          codes: [],
          run: async (ctx) => {
            // the first context finishes at once and prints what will be the second one's token;
            // the second one learns it is a secret (its exec plugin's output) only later
            if (ctx.context === 'second') {
              await new Promise((r) => setTimeout(r, 50));
              ctx.redactor.add('plugin-token-0123456789');
            }
            return { summary: ctx.context === 'first' ? 'the server said plugin-token-0123456789' : 'fine', findings: [] };
          },
        },
      ],
      (results) => ({ status: 'pass', rootCause: `fine: ${results[0]!.summary}.`, remediation: [] }),
    );
    const f = await runFleet({ def, contexts: ['first', 'second'], optionsFor: (context) => ({ context, redactor }), parallel: 2, checkTimeoutMs: 5000, contextDeadlineMs: 5000, redactor });
    expect(JSON.stringify(f)).not.toContain('plugin-token');
    expect(f.reports[0]!.checks[0]!.summary).toBe('the server said REDACTED');
    expect(f.contexts[0]!.rootCause).toBe('fine: the server said REDACTED.');
    expect(isFleetRedacted(f, redactor)).toBe(true);
    redactor.add('yet-another-secret');
    expect(isFleetRedacted(f, redactor)).toBe(false);
  });
});
