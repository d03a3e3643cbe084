// The fleet as text: one line per context (context, server, verdict, duration, one-line root
// cause), then the contexts grouped by root cause, worst first.
import { formatDuration, type FleetEntry, type FleetReport } from '../fleet.ts';
import { STATUS_SYMBOL, plainStyle, type Style } from './style.ts';

export interface FleetTextOptions {
  style?: Style;
  width?: number;
  /** list every member of a group (default: the first 8) */
  verbose?: boolean;
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(1, n - 1))}…`;
}

export function fleetLine(e: FleetEntry, st: Style, widths: { context: number; server: number }, width: number): string {
  const verdict = st.status(e.status, `${STATUS_SYMBOL[e.status]} ${e.status.padEnd(5)}`);
  const head = `${clip(e.context, widths.context).padEnd(widths.context)}  ${clip(e.server ?? '-', widths.server).padEnd(widths.server)}  `;
  const dur = formatDuration(e.durationMs).padStart(6);
  const cause = e.status === 'pass' ? 'ok' : e.rootCause;
  const room = Math.max(20, width - head.length - 8 - 8);
  return `${head}${verdict}  ${st.dim(dur)}  ${clip(cause, room)}`;
}

export function renderFleetText(f: FleetReport, opts: FleetTextOptions = {}): string {
  const st = opts.style ?? plainStyle;
  const width = Math.max(80, Math.min(opts.width ?? 160, 240));
  const out: string[] = [];
  out.push(st.bold(`kubectl netdiag ${f.command} · ${f.summary.total} contexts · ${f.parallel} at once`));
  out.push('');
  const widths = {
    context: Math.min(40, Math.max(7, ...f.contexts.map((e) => e.context.length))),
    server: Math.min(40, Math.max(6, ...f.contexts.map((e) => (e.server ?? '-').length))),
  };
  out.push(st.dim(`${'CONTEXT'.padEnd(widths.context)}  ${'SERVER'.padEnd(widths.server)}  VERDICT  DURATION  ROOT CAUSE`));
  for (const e of f.contexts) out.push(fleetLine(e, st, widths, width));
  out.push('');
  out.push(st.bold('By root cause'));
  const countWidth = String(f.summary.total).length;
  for (const g of f.summary.groups) {
    const n = g.contexts.length;
    out.push(`  ${st.status(g.status, String(n).padStart(countWidth))} context${n === 1 ? ': ' : 's:'} ${st.status(g.status, g.label)}`);
    if (g.key !== 'ok') {
      const shown = opts.verbose ? g.contexts : g.contexts.slice(0, 8);
      const more = g.contexts.length - shown.length;
      out.push(st.dim(`  ${' '.repeat(countWidth)}           ${shown.join(', ')}${more > 0 ? `, … (+${more} more)` : ''}`));
    }
  }
  out.push('');
  const p = f.summary.probes;
  const shared = p && p.shared > 0 ? ` · ${p.run} probes run, ${p.shared} shared` : '';
  const verdict = f.summary.failing === 0 ? st.status('pass', 'ALL OK') : st.status('fail', `${f.summary.failing} FAILING`);
  out.push(`${verdict} · ${f.summary.ok} of ${f.summary.total} contexts ok · ${formatDuration(f.durationMs)}${shared}`);
  return out.join('\n') + '\n';
}
