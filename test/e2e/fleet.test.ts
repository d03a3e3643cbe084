// Issue 15 end to end: `api --all-contexts` over 200 contexts in the lab (test/lab/fleet-scenarios.ts)
// through the built executable: the groups by root cause, the summary, the exit code, the wall time.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/netns.ts';
import type { FleetReport } from '../../src/report/fleet.ts';
import { EXE, requireBuild } from './harness.ts';

let lab: Lab;
beforeAll(async () => {
  requireBuild();
  lab = await startLab('fleet-200');
}, 120_000);
afterAll(async () => {
  await lab?.stop();
});

async function fleet(args: string[]) {
  const t0 = performance.now();
  const r = await lab.exec(EXE, ['api', '--kubeconfig', lab.kubeconfig, ...args], { env: lab.baseEnv(), timeoutMs: 60_000 });
  return { ...r, wallMs: performance.now() - t0 };
}

const group = (f: FleetReport, prefix: string) => f.summary.groups.filter((g) => g.contexts.some((c) => c.startsWith(prefix)));

describe('api --all-contexts over 200 contexts', () => {
  it('groups the black-holed, unroutable, intercepted, 401 and exec-plugin contexts by root cause; exit 1; bounded wall time', async () => {
    const r = await fleet(['--all-contexts', '--timeout', '2s', '--parallel', '32', '-o', 'json']);
    expect(r.code).toBe(1);
    const f = JSON.parse(r.stdout) as FleetReport;
    expect(f.kind).toBe('netdiag-fleet');
    expect(f.contexts).toHaveLength(200);
    expect(f.reports).toHaveLength(200);
    // --timeout 2s: each context's deadline is 3 s, the whole run 4 s (plus the process start)
    expect(f.durationMs).toBeLessThan(4000 + 500);
    expect(r.wallMs).toBeLessThan(4000 + 5000);

    const bh = group(f, 'bh-');
    expect(bh).toHaveLength(1);
    expect(bh[0]!.contexts).toHaveLength(50);
    expect(bh[0]!.label).toMatch(/^kubectl cannot open a TCP connection to 192\.0\.2\.10:6443: .*timed out/);

    const nr = group(f, 'nr-');
    expect(nr).toHaveLength(1);
    expect(nr[0]!.contexts).toHaveLength(10);
    expect(nr[0]!.label).toMatch(/203\.0\.113\.10:6443: .*network is unreachable/);

    const mitm = group(f, 'mitm-');
    expect(mitm.map((g) => g.contexts.length)).toEqual([10]);
    expect(mitm[0]!.rootCause).toMatch(/intercepts TLS/);

    const bad = group(f, 'bad-');
    expect(bad.map((g) => g.contexts.length)).toEqual([10]);
    expect(bad[0]!.label).toMatch(/authentication fails: The server rejects the token of user <context> with 401 Unauthorized/);

    // interactiveMode Always: a finding at once, not a hang
    const tty = group(f, 'exec-tty-');
    expect(tty.map((g) => g.contexts.length)).toEqual([5]);
    expect(tty[0]!.label).toMatch(/interactiveMode Always: it needs a terminal/);

    // a plugin waiting for a browser login: killed at its deadline, a per-context verdict, never a hang
    for (const e of f.contexts.filter((x) => x.context.startsWith('exec-hang-'))) {
      expect(e.status).not.toBe('pass');
      expect(e.rootCause).toMatch(/exec plugin .*timed out after 2000 ms and was killed|did not finish/);
    }

    // the healthy contexts that finished are one "ok" group; none is reported as failing for a reason of its own
    const ok = f.contexts.filter((e) => e.context.startsWith('ok-'));
    expect(ok.filter((e) => e.status === 'fail')).toEqual([]);
    expect(f.summary.groups.find((g) => g.key === 'ok')!.contexts.every((c) => c.startsWith('ok-'))).toBe(true);

    // contexts on the same server share their probes
    expect(f.summary.probes!.shared).toBeGreaterThan(f.summary.probes!.run);
    expect(f.summary.probes!.byKind!.tcp!.misses).toBeLessThanOrEqual(8);
    expect(f.summary.failing).toBe(f.contexts.filter((e) => e.status === 'fail' || e.status === 'error').length);
  }, 90_000);

  it('text: one line per context and the summary grouped by root cause', async () => {
    const r = await fleet(['--context-pattern', 'bh-*', '--contexts', 'nr-000,bad-000', '--timeout', '2s']);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('kubectl netdiag api · 52 contexts · 16 at once');
    expect(lines.filter((l) => /^bh-\d{3} +https:\/\/192\.0\.2\.10:6443 +✖ fail /.test(l))).toHaveLength(50);
    expect(r.stdout).toMatch(/ {2}50 contexts: kubectl cannot open a TCP connection to 192\.0\.2\.10:6443/);
    expect(r.stdout).toMatch(/ {3}1 context: {2}kubectl cannot open a TCP connection to 203\.0\.113\.10:6443/);
    expect(r.stdout).toMatch(/52 FAILING · 0 of 52 contexts ok · [\d.]+s · \d+ probes run, \d+ shared/);
    // 50 contexts on one black-holed address cost one TCP probe: about one --timeout, not 50/16 of them
    expect(r.wallMs).toBeLessThan(2000 + 1000 + 5000);
  }, 60_000);
});
