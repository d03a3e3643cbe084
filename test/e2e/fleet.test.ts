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
    const r = await fleet(['--all-contexts', '--timeout', '3s', '--parallel', '32', '-o', 'json']);
    expect(r.code).toBe(1);
    const f = JSON.parse(r.stdout) as FleetReport;
    expect(f.kind).toBe('netdiag-fleet');
    expect(f.contexts).toHaveLength(200);
    expect(f.reports).toHaveLength(200);
    // --timeout 3s: each context's deadline is 4 s, the whole run 5 s (plus the process start)
    expect(f.durationMs).toBeLessThan(5000 + 500);
    expect(r.wallMs).toBeLessThan(5000 + 5000);

    const bh = group(f, 'bh-');
    expect(bh).toHaveLength(1);
    expect(bh[0]!.contexts).toHaveLength(50);
    expect(bh[0]!.label).toMatch(/^kubectl cannot open a TCP connection to 192\.0\.2\.10:6443: .*timed out/);

    const nr = group(f, 'nr-');
    expect(nr).toHaveLength(1);
    expect(nr[0]!.contexts).toHaveLength(10);
    expect(nr[0]!.label).toMatch(/203\.0\.113\.10:6443: .*network is unreachable/);

    // on a loaded machine a slow context may hit its deadline: then it says so; otherwise its own cause
    const DEADLINE = /did not finish within 4s|did not finish before the fleet deadline|was not diagnosed: the fleet deadline/;
    const each = (prefix: string, cause: RegExp) => {
      const es = f.contexts.filter((e) => e.context.startsWith(prefix));
      for (const e of es) expect(`${e.context}: ${e.rootCause}`).toMatch(new RegExp(`${cause.source}|${DEADLINE.source}`));
      const own = es.filter((e) => cause.test(e.rootCause));
      expect(own.length).toBeGreaterThan(0);
      // those with their own cause are one group
      expect(new Set(own.map((e) => e.group)).size).toBe(1);
      expect(es.every((e) => e.status !== 'pass')).toBe(true);
    };
    each('mitm-', /sent through the proxy http:\/\/198\.51\.100\.21:3128/);
    expect(f.reports.find((x) => x.target.context === 'mitm-000')!.diagnosis.rootCause).toMatch(/intercepts TLS|did not finish/);
    each('bad-', /authentication fails: The server rejects the token of the kubeconfig user bad-\d+ with 401/);
    // interactiveMode Always: a finding at once, not a hang
    each('exec-tty-', /interactiveMode Always: it needs a terminal/);

    // a plugin waiting for a browser login: killed at its deadline, a per-context verdict, never a hang
    for (const e of f.contexts.filter((x) => x.context.startsWith('exec-hang-'))) {
      expect(e.status).not.toBe('pass');
      expect(e.rootCause).toMatch(/exec plugin .*timed out after 3000 ms and was killed|did not finish/);
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
