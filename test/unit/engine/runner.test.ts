import { describe, expect, it } from 'vitest';
import { runChecks, type CheckDefinition, type RunnerEvent } from '../../../src/engine/runner.ts';
import { requiring, type Requirement } from '../../../src/engine/definitions.ts';

type Ctx = { log: string[] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function def(id: string, over: Partial<CheckDefinition<Ctx>> = {}): CheckDefinition<Ctx> {
  return {
    id,
    title: id,
    codes: ['api.tcp.timeout', 'api.tcp.refused', 'api.proxy.in-use'],
    async run(ctx) {
      ctx.log.push(id);
      return { summary: `${id} ok` };
    },
    ...over,
  };
}

describe('runner', () => {
  it('derives status from the worst finding and fills severity and remediation from the catalog', async () => {
    const results = await runChecks(
      [
        def('a', { run: async () => ({ summary: 's', findings: [{ code: 'api.proxy.in-use', message: 'm' }] }) }),
        def('b', { run: async () => ({ summary: 's', findings: [{ code: 'api.tcp.refused', message: 'm' }] }) }),
        def('c', { run: async () => ({ summary: 's', findings: [{ code: 'api.tcp.refused', message: 'm', severity: 'warn' }] }) }),
      ],
      { log: [] },
      { defaultTimeoutMs: 1000 },
    );
    expect(results.map((r) => r.status)).toEqual(['pass', 'fail', 'warn']);
    expect(results[1]!.findings[0]!.remediation[0]).toMatch(/port/);
  });

  it('runs independent checks in parallel', async () => {
    const t0 = performance.now();
    await runChecks(
      ['a', 'b', 'c', 'd'].map((id) => def(id, { run: async () => (await sleep(200), { summary: 'ok' }) })),
      { log: [] },
      { defaultTimeoutMs: 2000 },
    );
    expect(performance.now() - t0).toBeLessThan(550);
  });

  it('skips dependants of a failed check with the root cause named, transitively', async () => {
    const ctx = { log: [] as string[] };
    const results = await runChecks(
      [
        def('api.tcp', { run: async () => ({ summary: 'x', findings: [{ code: 'api.tcp.timeout', message: 'm' }] }) }),
        def('api.tls', { requires: ['api.tcp'] }),
        def('api.http', { requires: ['api.tls'] }),
        def('other'),
      ],
      ctx,
      { defaultTimeoutMs: 1000 },
    );
    expect(results.map((r) => [r.id, r.status, r.summary])).toEqual([
      ['api.tcp', 'fail', 'x'],
      ['api.tls', 'skip', 'skipped because api.tcp failed'],
      ['api.http', 'skip', 'skipped because api.tcp failed'],
      ['other', 'pass', 'other ok'],
    ]);
    expect(ctx.log).not.toContain('api.tls');
  });

  it('beforeRequires: what a check finds before its requirements stands when they fail; otherwise run decides', async () => {
    const tcpFails = def('api.tcp', { run: async () => ({ summary: 'x', findings: [{ code: 'api.tcp.timeout', message: 'm' }] }) });
    const early = (finds: boolean) =>
      def('api.auth', {
        requires: ['api.tcp'],
        codes: ['api.tcp.refused'],
        beforeRequires: async (ctx) => (ctx.log.push('early'), finds ? { summary: 'found early', findings: [{ code: 'api.tcp.refused', message: 'local' }] } : undefined),
        run: async (ctx) => (ctx.log.push('run'), { summary: 'ran' }),
      });
    const after = def('api.discovery', { requires: ['api.auth'] });

    // the requirement fails, the early part found something: it is the check's result; dependants stay blocked by the root
    let ctx = { log: [] as string[] };
    let r = await runChecks([tcpFails, early(true), after], ctx, { defaultTimeoutMs: 1000 });
    expect(r.map((x) => [x.id, x.status, x.summary])).toEqual([
      ['api.tcp', 'fail', 'x'],
      ['api.auth', 'fail', 'found early'],
      ['api.discovery', 'skip', 'skipped because api.tcp failed'],
    ]);
    expect(ctx.log).toEqual(['early']);

    // the requirement fails, nothing found early: skipped as before
    ctx = { log: [] };
    r = await runChecks([tcpFails, early(false), after], ctx, { defaultTimeoutMs: 1000 });
    expect(r[1]).toMatchObject({ status: 'skip', summary: 'skipped because api.tcp failed' });

    // the requirement holds: run decides, even when the early part found something
    ctx = { log: [] };
    r = await runChecks([def('api.tcp'), early(true), after], ctx, { defaultTimeoutMs: 1000 });
    expect(r.map((x) => [x.id, x.status, x.summary])).toEqual([
      ['api.tcp', 'pass', 'api.tcp ok'],
      ['api.auth', 'pass', 'ran'],
      ['api.discovery', 'pass', 'api.discovery ok'],
    ]);
    expect(ctx.log).toContain('run');
  });

  it('beforeRequires starts with the requirements, not after them (kubectl runs its credential plugin before it dials)', async () => {
    const t0 = performance.now();
    const r = await runChecks(
      [
        def('api.tcp', { run: async () => (await sleep(300), { summary: 'x', findings: [{ code: 'api.tcp.timeout', message: 'm' }] }) }),
        def('api.auth', { requires: ['api.tcp'], beforeRequires: async () => (await sleep(300), { summary: 'slow plugin', findings: [{ code: 'api.tcp.refused', message: 'plugin' }] }) }),
      ],
      { log: [] },
      { defaultTimeoutMs: 2000 },
    );
    expect(r[1]).toMatchObject({ status: 'fail', summary: 'slow plugin' });
    expect(performance.now() - t0).toBeLessThan(550);
  });

  it('lets dependants of a not-applicable skip run', async () => {
    const results = await runChecks(
      [def('dns', { run: async () => ({ skip: true, summary: 'not applicable' }) }), def('tcp', { requires: ['dns'] })],
      { log: [] },
      { defaultTimeoutMs: 1000 },
    );
    expect(results.map((r) => r.status)).toEqual(['skip', 'pass']);
  });

  it('declared applicability: an unmet requirement skips the check as not applicable without running it, and its dependants still run', async () => {
    const cluster: Requirement<Ctx & { cluster?: boolean }> = { name: 'cluster', unmet: (c) => (c.cluster ? undefined : 'no kubeconfig resolves') };
    const later: Requirement<Ctx & { cluster?: boolean }> = { name: 'async', unmet: async () => (await sleep(5), 'the host is not in the cluster') };
    const ctx = { log: [] as string[] };
    const results = await runChecks(
      [def('a', { appliesWhen: [cluster] }), def('b', { requires: ['a'] }), requiring(def('c'), later)],
      ctx,
      { defaultTimeoutMs: 1000 },
    );
    expect(results.map((r) => [r.id, r.status, r.summary])).toEqual([
      ['a', 'skip', 'not applicable: no kubeconfig resolves'],
      ['b', 'pass', 'b ok'],
      ['c', 'skip', 'not applicable: the host is not in the cluster'],
    ]);
    expect(ctx.log).toEqual(['b']);
    const met = await runChecks([def('a', { appliesWhen: [cluster] })], { log: [], cluster: true }, { defaultTimeoutMs: 1000 });
    expect(met[0]!.status).toBe('pass');
  });

  it('a check blocked by another check skips itself and its dependants', async () => {
    const results = await runChecks(
      [
        def('connect', { run: async () => ({ summary: 'x', findings: [{ code: 'api.tcp.refused', message: 'm' }] }) }),
        def('tls', { run: async () => ({ blockedBy: 'connect', summary: '' }) }),
        def('http', { requires: ['tls'] }),
      ],
      { log: [] },
      { defaultTimeoutMs: 1000 },
    );
    expect(results.map((r) => `${r.id}:${r.status}:${r.summary}`)).toEqual([
      'connect:fail:x',
      'tls:skip:skipped because connect failed',
      'http:skip:skipped because connect failed',
    ]);
  });

  it('enforces the deadline: a hung check ends as error with check.deadline, the run does not hang', async () => {
    const t0 = performance.now();
    const results = await runChecks(
      [def('hang', { run: () => new Promise(() => {}), timeoutMs: () => 150 }), def('next', { requires: ['hang'] })],
      { log: [] },
      { defaultTimeoutMs: 5000 },
    );
    expect(performance.now() - t0).toBeLessThan(400);
    expect(results[0]).toMatchObject({ status: 'error', summary: 'did not finish within 150ms' });
    expect(results[0]!.findings[0]!.code).toBe('check.deadline');
    expect(results[1]).toMatchObject({ status: 'skip', summary: 'skipped because hang errored' });
  });

  it('turns a thrown error and an undeclared code into status error with check.crashed', async () => {
    const results = await runChecks(
      [
        def('boom', { run: async () => { throw new Error('kaput'); } }),
        def('sneaky', { run: async () => ({ summary: 's', findings: [{ code: 'api.tls.expired', message: 'm' }] }) }),
      ],
      { log: [] },
      { defaultTimeoutMs: 1000 },
    );
    expect(results.map((r) => r.status)).toEqual(['error', 'error']);
    expect(results[0]!.findings[0]).toMatchObject({ code: 'check.crashed', message: 'kaput' });
    expect(results[1]!.summary).toMatch(/undeclared finding code api\.tls\.expired/);
  });

  it('emits start and end events for every check, and run events around them', async () => {
    const events: RunnerEvent[] = [];
    await runChecks([def('a'), def('b', { requires: ['a'] })], { log: [] }, { defaultTimeoutMs: 1000, onEvent: (e) => events.push(e) });
    expect(events.map((e) => (e.type === 'check-start' ? `start:${e.id}` : e.type === 'check-end' ? `end:${e.result.id}` : e.type))).toEqual([
      'run-start',
      'start:a',
      'end:a',
      'start:b',
      'end:b',
      'run-end',
    ]);
  });
});
