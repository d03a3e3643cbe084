import { describe, expect, it } from 'vitest';
import { entryOf, fleetExitCode, groupKey, summarize, type FleetReport } from '../../../src/report/fleet.ts';
import type { CheckStatus, Report } from '../../../src/report/types.ts';
import { renderFleetText } from '../../../src/report/render/fleet-text.ts';
import { renderFleetMarkdown } from '../../../src/report/render/fleet-markdown.ts';

function report(context: string, status: CheckStatus, rootCause: string, server = 'https://10.0.0.1:6443', durationMs = 120): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'kubectl-netdiag', version: '0' },
    command: 'api',
    startedAt: '2026-12-06T05:00:00.000Z',
    durationMs,
    target: { context, cluster: `${context}-cluster`, user: `${context}-user`, server },
    checks: [],
    diagnosis: { status, rootCause, remediation: status === 'pass' ? [] : [`fix ${context}`] },
  };
}

const ZS = 'kubectl sends the request through the proxy http://proxy:3128, which intercepts TLS (Zscaler). More detail here.';
const ROUTE = 'kubectl cannot open a TCP connection to 10.20.0.5:6443: no route to host. Details.';

function fleet(): FleetReport {
  const reports = [
    report('prod-1', 'fail', ZS),
    report('ok-1', 'pass', 'kubectl can reach the API server https://10.0.0.1:6443 directly.'),
    report('prod-2', 'fail', ZS),
    report('far-1', 'fail', ROUTE, 'https://10.20.0.5:6443', 2000),
    report('ok-2', 'pass', 'kubectl can reach the API server https://10.0.0.2:6443 directly.', 'https://10.0.0.2:6443'),
    report('prod-3', 'fail', ZS),
  ];
  const contexts = reports.map((r) => entryOf(r.target.context!, r, r.diagnosis.status === 'pass' ? 0 : 1));
  return { schemaVersion: 1, kind: 'netdiag-fleet', tool: { name: 'kubectl-netdiag', version: '0' }, command: 'api', startedAt: '2026-12-06T05:00:00.000Z', durationMs: 2100, parallel: 16, contexts, summary: summarize(contexts, reports), reports };
}

describe('the fleet summary', () => {
  it('groups the healthy contexts as "ok" whatever their server, and failures by the first sentence of the root cause', () => {
    const s = fleet().summary;
    expect(s).toMatchObject({ total: 6, ok: 2, failing: 4 });
    expect(s.groups.map((g) => [g.contexts.length, g.status, g.label])).toEqual([
      [3, 'fail', 'kubectl sends the request through the proxy http://proxy:3128, which intercepts TLS (Zscaler).'],
      [1, 'fail', 'kubectl cannot open a TCP connection to 10.20.0.5:6443: no route to host.'],
      [2, 'pass', 'ok'],
    ]);
    expect(s.groups[0]!.contexts).toEqual(['prod-1', 'prod-2', 'prod-3']);
    expect(s.groups[0]!.remediation).toEqual(['fix prod-1']);
  });

  it('a root cause that names the context itself still groups with the others', () => {
    const a = report('team-a', 'fail', 'The user team-a-user in context team-a has no token.');
    const b = report('team-bb', 'fail', 'The user team-bb-user in context team-bb has no token.');
    expect(groupKey(a)).toBe(groupKey(b));
    expect(groupKey(a)).toBe('fail: The user <context> in context <context> has no token.');
    expect(groupKey(report('x1', 'fail', 'one thing.'))).not.toBe(groupKey(report('x1', 'fail', 'another thing.')));
    expect(groupKey(report('x1', 'warn', 'one thing.'))).not.toBe(groupKey(report('x1', 'fail', 'one thing.')));
  });

  it('exits 1 when any context fails or errors, 0 when all pass or warn', () => {
    const f = fleet();
    expect(fleetExitCode(f)).toBe(1);
    expect(fleetExitCode({ contexts: f.contexts.filter((e) => e.status === 'pass') })).toBe(0);
    expect(fleetExitCode({ contexts: [{ ...f.contexts[1]!, status: 'warn' }] })).toBe(0);
    expect(fleetExitCode({ contexts: [{ ...f.contexts[1]!, status: 'error', exitCode: 1 }] })).toBe(1);
  });
});

describe('fleet renderers', () => {
  it('text: one line per context with server, verdict, duration and cause, then the groups by root cause', () => {
    const t = renderFleetText(fleet(), { width: 200 });
    const lines = t.split('\n');
    expect(lines[0]).toBe('kubectl netdiag api · 6 contexts · 16 at once');
    expect(lines.find((l) => l.startsWith('far-1'))).toMatch(/^far-1 +https:\/\/10\.20\.0\.5:6443 +✖ fail +2\.0s +kubectl cannot open a TCP connection to 10\.20\.0\.5:6443: no route to host\.$/);
    expect(lines.find((l) => l.startsWith('ok-2'))).toMatch(/✔ pass +120ms +ok$/);
    const by = t.slice(t.indexOf('By root cause'));
    expect(by).toMatch(/3 contexts: kubectl sends the request through the proxy .*Zscaler/);
    expect(by).toMatch(/prod-1, prod-2, prod-3/);
    expect(by).toMatch(/1 context: {2}kubectl cannot open a TCP connection/);
    expect(by).toMatch(/2 contexts: ok/);
    expect(lines.at(-2)).toBe('4 FAILING · 2 of 6 contexts ok · 2.1s');
  });

  it('markdown: groups first, one section per failing group with its fix, then the healthy ones in a table', () => {
    const m = renderFleetMarkdown(fleet());
    const groups = m.indexOf('## Groups');
    const zs = m.indexOf('## 3 contexts: kubectl sends the request through the proxy');
    const route = m.indexOf('## 1 context: kubectl cannot open a TCP connection');
    const healthy = m.indexOf('## Healthy (2)');
    expect(groups).toBeGreaterThan(0);
    expect(zs).toBeGreaterThan(groups);
    expect(route).toBeGreaterThan(zs);
    expect(healthy).toBeGreaterThan(route);
    expect(m).toContain('**4 of 6 contexts failing.**');
    expect(m.slice(zs, route)).toContain('1. fix prod-1');
    expect(m.slice(zs, route)).toContain('| prod-3 | https://10.0.0.1:6443 | 120ms |');
    expect(m.slice(healthy)).toContain('| ok-2 | https://10.0.0.2:6443 | 120ms |');
    expect(m.slice(healthy)).not.toContain('prod-1');
  });
});
