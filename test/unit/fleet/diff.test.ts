// diff of two fleet reports: the contexts whose verdict differs, through main() and the pure compare.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../cli/run-main.ts';
import { compareFleets, renderFleetDiff } from '../../../src/diff/fleet.ts';
import { entryOf, summarize, type FleetReport } from '../../../src/report/fleet.ts';
import { plainStyle } from '../../../src/report/render/style.ts';
import type { CheckStatus, Report } from '../../../src/report/types.ts';

function report(context: string, tcp: CheckStatus, rootCause: string): Report {
  const status: CheckStatus = tcp === 'pass' ? 'pass' : 'fail';
  return {
    schemaVersion: 1,
    tool: { name: 'kubectl-netdiag', version: '0' },
    command: 'api',
    startedAt: '2026-12-06T05:00:00.000Z',
    durationMs: 10,
    target: { context, server: 'https://10.0.0.1:6443' },
    checks: [
      { id: 'api.kubeconfig', title: 'k', status: 'pass', durationMs: 1, summary: 'ok', findings: [], reproduce: [] },
      { id: 'api.tcp', title: 't', status: tcp, durationMs: 1, summary: tcp, findings: tcp === 'fail' ? [{ code: 'api.tcp.timeout', severity: 'fail', message: 'timeout', remediation: [] }] : [], reproduce: [] },
    ],
    diagnosis: { status, rootCause, remediation: [] },
  };
}

function fleet(rs: Report[]): FleetReport {
  const contexts = rs.map((r) => entryOf(r.target.context!, r, r.diagnosis.status === 'pass' ? 0 : 1));
  return { schemaVersion: 1, kind: 'netdiag-fleet', tool: { name: 'kubectl-netdiag', version: '0' }, command: 'api', startedAt: '2026-12-06T05:00:00.000Z', durationMs: 1, parallel: 16, contexts, summary: summarize(contexts, rs), reports: rs };
}

const OK = 'kubectl can reach the API server directly.';
const TIMEOUT = 'kubectl cannot open a TCP connection to 10.0.0.1:6443: timeout.';
const laptop = fleet([report('prod-1', 'fail', TIMEOUT), report('prod-2', 'fail', TIMEOUT), report('dev-1', 'pass', OK), report('old-1', 'pass', OK)]);
const jump = fleet([report('prod-1', 'pass', OK), report('prod-2', 'fail', TIMEOUT), report('dev-1', 'pass', OK), report('new-1', 'pass', OK)]);

describe('diff of two fleet reports', () => {
  it('names the contexts whose verdict differs, with the first layer where they diverge, and those only one side has', () => {
    const d = compareFleets(laptop, jump, 'laptop.json', 'jump.json');
    expect(d.identical).toBe(false);
    expect(d.differing).toEqual([{ context: 'prod-1', a: { status: 'fail', rootCause: TIMEOUT }, b: { status: 'pass', rootCause: OK }, firstDivergence: 'TCP' }]);
    expect(d.same).toBe(2);
    expect(d.onlyInA).toEqual(['old-1']);
    expect(d.onlyInB).toEqual(['new-1']);
    const t = renderFleetDiff(d, 'text', { style: plainStyle });
    expect(t).toContain('≠ prod-1  (diverges at TCP)');
    expect(t).toContain('only in A: old-1');
    expect(renderFleetDiff(d, 'markdown', { style: plainStyle })).toContain('| prod-1 | fail: kubectl cannot open a TCP connection to 10.0.0.1:6443: timeout. | pass: kubectl can reach the API server directly. | TCP |');
    expect(compareFleets(laptop, laptop, 'a', 'b').identical).toBe(true);
  });

  it('kubectl netdiag diff reads two fleet files: exit 1 when a verdict differs, 0 when none does, 2 for a fleet against a single report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-fleet-diff-'));
    writeFileSync(join(dir, 'laptop.json'), JSON.stringify(laptop));
    writeFileSync(join(dir, 'jump.json'), JSON.stringify(jump));
    writeFileSync(join(dir, 'single.json'), JSON.stringify(laptop.reports[0]));
    const run = (argv: string[]) => runMain(argv, {}, dir);
    const r = await run(['diff', 'laptop.json', 'jump.json', '-o', 'json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).differing.map((x: { context: string }) => x.context)).toEqual(['prod-1']);
    expect((await run(['diff', 'laptop.json', 'laptop.json'])).code).toBe(0);
    expect(await run(['diff', 'laptop.json', 'single.json'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/single\.json is not a fleet report/) });
  });
});
