// The saved-report viewers (`kubectl netdiag open`), driven by keys: move, expand, close, quit.
import { cleanup, render } from 'ink-testing-library';
import { afterEach, describe, expect, it } from 'vitest';
import { compareReports } from '../../../src/diff/diff.ts';
import { DiffViewer } from '../../../src/tui/DiffViewer.tsx';
import { ReportViewer } from '../../../src/tui/ReportViewer.tsx';
import { sampleReport, strip, waitFor } from './helpers.ts';

afterEach(() => cleanup());

async function drive(el: React.ReactElement) {
  const r = render(el);
  const frame = () => strip(r.lastFrame());
  const until = (cond: (f: string) => boolean, what: string) => waitFor(() => cond(frame()), what, 5000, frame);
  const press = async (k: string) => {
    r.stdin.write(k);
    await new Promise((res) => setTimeout(res, 30));
  };
  return { frame, until, press };
}

describe('ReportViewer', () => {
  it('j moves, enter expands the check, esc collapses it back to the verdict; the footer lists the keys', async () => {
    const t = await drive(<ReportViewer report={sampleReport} file="a.json" />);
    await t.until((f) => f.includes('Root cause'), 'the verdict');
    expect(t.frame()).toMatch(/^↑↓ move · enter expand · pgdn scroll · esc close · q quit$/m);
    await t.press('j');
    await t.until((f) => /^❯ ✖ fail {2}api\.tls/m.test(f), 'api.tls selected');
    await t.press('\r');
    await t.until((f) => f.includes('Findings') && !f.includes('Root cause'), 'expanded');
    await t.press('\u001b');
    await t.until((f) => f.includes('Root cause'), 'collapsed');
  });
});

describe('DiffViewer', () => {
  it('starts on the first divergence; enter shows its differences', async () => {
    const b = { ...sampleReport, checks: sampleReport.checks.map((c) => (c.id === 'api.tls' ? { ...c, status: 'pass' as const, findings: [] } : c)), diagnosis: { status: 'pass' as const, rootCause: 'fine', remediation: [] } };
    const diff = compareReports(sampleReport, b, 'a.json', 'b.json');
    const t = await drive(<DiffViewer diff={diff} />);
    await t.until((f) => f.includes('Diverges at'), 'the verdict');
    expect(t.frame()).toMatch(/^❯ ≠ differs/m);
    await t.press('\r');
    await t.until((f) => /difference/.test(f) && !f.includes('Diverges at'), 'the differences');
  });
});
