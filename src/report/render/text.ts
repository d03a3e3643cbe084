// The human text report: one line per check, findings under failing ones, then root cause and fix.
import type { CheckResult, Report } from '../types.ts';
import { STATUS_SYMBOL, plainStyle, wrap, type Style } from './style.ts';
import { dump } from 'js-yaml';

export interface TextOptions {
  style?: Style;
  verbose?: boolean;
  width?: number;
}

export function renderText(report: Report, opts: TextOptions = {}): string {
  const st = opts.style ?? plainStyle;
  const width = Math.max(60, Math.min(opts.width ?? 100, 160));
  const out: string[] = [];
  const t = report.target;
  const head = [`kubectl netdiag ${report.command}`];
  if (t.context) head.push(`context ${t.context}`);
  if (t.server) head.push(`server ${t.server}`);
  out.push(st.bold(head.join(' · ')));
  out.push('');
  const idWidth = Math.max(...report.checks.map((c) => c.id.length), 10);
  for (const c of report.checks) out.push(...renderCheck(c, st, idWidth, width, !!opts.verbose));
  out.push('');
  const d = report.diagnosis;
  out.push(st.bold(d.status === 'pass' ? 'Result' : 'Root cause'));
  out.push(wrap(d.rootCause, width, '  '));
  if (d.remediation.length > 0) {
    out.push('');
    out.push(st.bold('Fix'));
    d.remediation.forEach((r, i) => out.push(wrap(r, width, '     ').replace(/^ {5}/, `  ${i + 1}. `)));
  }
  out.push('');
  const counts = new Map<string, number>();
  for (const c of report.checks) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
  const tally = ['pass', 'warn', 'fail', 'error', 'skip']
    .filter((s) => counts.get(s))
    .map((s) => `${counts.get(s)} ${s}`)
    .join(', ');
  out.push(
    `${st.status(d.status, d.status.toUpperCase())} · ${report.checks.length} checks: ${tally} · ${(report.durationMs / 1000).toFixed(2)}s`,
  );
  return out.join('\n') + '\n';
}

function renderCheck(c: CheckResult, st: Style, idWidth: number, width: number, verbose: boolean): string[] {
  const lines: string[] = [];
  const label = st.status(c.status, `${STATUS_SYMBOL[c.status]} ${c.status.padEnd(5)}`);
  const dur = c.status === 'skip' && c.durationMs === 0 ? '' : `${c.durationMs}ms`;
  lines.push(`  ${label} ${c.id.padEnd(idWidth)} ${st.dim(dur.padStart(7))}  ${c.summary}`);
  const showFindings = verbose ? c.findings : c.findings.filter((f) => f.severity !== 'info' || c.status !== 'pass');
  for (const f of showFindings) {
    lines.push(`${' '.repeat(10)}${st.status(f.severity, f.severity)} ${st.bold(f.code)}`);
    lines.push(wrap(f.message, width, ' '.repeat(12)));
    if (c.status === 'fail' || c.status === 'warn' || verbose) {
      for (const r of f.remediation) lines.push(wrap(`→ ${r}`, width, ' '.repeat(12)));
    }
  }
  if ((verbose || c.status === 'fail') && c.reproduce.length > 0) {
    lines.push(`${' '.repeat(10)}${st.dim('reproduce:')}`);
    for (const r of c.reproduce) lines.push(`${' '.repeat(12)}$ ${r}`);
  }
  if (verbose && c.evidence) {
    lines.push(`${' '.repeat(10)}${st.dim('evidence:')}`);
    const y = dump(c.evidence, { lineWidth: width - 12, noRefs: true, skipInvalid: true }).trimEnd();
    for (const l of y.split('\n')) lines.push(`${' '.repeat(12)}${l}`);
  }
  return lines;
}
