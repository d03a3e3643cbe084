// diff of two fleet reports (--all-contexts -o json, e.g. this laptop vs a jump host): the contexts
// whose verdict differs, with the first layer where their two reports diverge, and the contexts
// only one side diagnosed. Same verdict and same root-cause group: not a difference.
import { dump } from 'js-yaml';
import { isFleetReport, type FleetReport } from '../report/fleet.ts';
import { wrap, type Style } from '../report/render/style.ts';
import { compareReports, DiffInputError } from './diff.ts';

export interface FleetContextDiff {
  context: string;
  a: { status: string; rootCause: string };
  b: { status: string; rootCause: string };
  /** the first layer where the two reports of this context diverge */
  firstDivergence: string | null;
}

export interface FleetDiffResult {
  schemaVersion: 1;
  kind: 'netdiag-fleet-diff';
  command: string;
  a: { file: string; startedAt: string; total: number; failing: number };
  b: { file: string; startedAt: string; total: number; failing: number };
  identical: boolean;
  /** contexts in both whose verdict (status or root-cause group) differs */
  differing: FleetContextDiff[];
  same: number;
  onlyInA: string[];
  onlyInB: string[];
}

/** The fleet report in a file's JSON, or undefined when it is not one. */
export function parseFleet(text: string, file: string): FleetReport | undefined {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!isFleetReport(j)) return undefined;
  if (j.schemaVersion !== 1) throw new DiffInputError(`${file} has schemaVersion ${String(j.schemaVersion)}; this version reads 1`);
  return j;
}

export function compareFleets(a: FleetReport, b: FleetReport, fileA: string, fileB: string): FleetDiffResult {
  if (a.command !== b.command) throw new DiffInputError(`${fileA} is a fleet of \`${a.command}\` and ${fileB} of \`${b.command}\`: compare fleets of the same command`);
  const bBy = new Map(b.contexts.map((e, i) => [e.context, { e, r: b.reports[i] }]));
  const aNames = new Set(a.contexts.map((e) => e.context));
  const differing: FleetContextDiff[] = [];
  let same = 0;
  a.contexts.forEach((ea, i) => {
    const other = bBy.get(ea.context);
    if (!other) return;
    const eb = other.e;
    if (ea.status === eb.status && ea.group === eb.group) {
      same++;
      return;
    }
    const ra = a.reports[i];
    const rb = other.r;
    let first: string | null = null;
    if (ra && rb && ra.checks.length && rb.checks.length) {
      try {
        first = compareReports(ra, rb, fileA, fileB).firstDivergence;
      } catch {
        first = null;
      }
    }
    differing.push({ context: ea.context, a: { status: ea.status, rootCause: ea.rootCause }, b: { status: eb.status, rootCause: eb.rootCause }, firstDivergence: first });
  });
  const side = (f: FleetReport, file: string) => ({ file, startedAt: f.startedAt, total: f.summary.total, failing: f.summary.failing });
  const onlyInA = a.contexts.map((e) => e.context).filter((n) => !bBy.has(n));
  const onlyInB = b.contexts.map((e) => e.context).filter((n) => !aNames.has(n));
  return {
    schemaVersion: 1,
    kind: 'netdiag-fleet-diff',
    command: a.command,
    a: side(a, fileA),
    b: side(b, fileB),
    identical: differing.length === 0 && onlyInA.length === 0 && onlyInB.length === 0,
    differing,
    same,
    onlyInA,
    onlyInB,
  };
}

export function renderFleetDiff(d: FleetDiffResult, format: string, opts: { style: Style; width?: number }): string {
  if (format === 'json') return JSON.stringify(d, null, 2) + '\n';
  if (format === 'yaml') return dump(JSON.parse(JSON.stringify(d)), { lineWidth: -1, noRefs: true });
  const md = format === 'markdown';
  const st = opts.style;
  const width = Math.max(60, Math.min(opts.width ?? 120, 160));
  const out: string[] = [];
  const head = `kubectl netdiag diff · fleets of ${d.command}`;
  out.push(md ? `# ${head}` : st.bold(head));
  if (md) out.push('');
  out.push(`${md ? '- ' : '  '}A: ${d.a.file} ${d.a.startedAt} · ${d.a.failing} of ${d.a.total} failing`);
  out.push(`${md ? '- ' : '  '}B: ${d.b.file} ${d.b.startedAt} · ${d.b.failing} of ${d.b.total} failing`);
  out.push('');
  if (d.differing.length) {
    out.push(md ? `## ${d.differing.length} context${d.differing.length === 1 ? '' : 's'} with another verdict` : st.bold(`${d.differing.length} context${d.differing.length === 1 ? '' : 's'} with another verdict`));
    if (md) {
      out.push('');
      out.push('| Context | A | B | First divergence |');
      out.push('|---|---|---|---|');
      for (const x of d.differing) out.push(`| ${x.context} | ${x.a.status}: ${x.a.rootCause.replace(/\|/g, '\\|')} | ${x.b.status}: ${x.b.rootCause.replace(/\|/g, '\\|')} | ${x.firstDivergence ?? '—'} |`);
    } else {
      for (const x of d.differing) {
        out.push(`  ${st.status('fail', '≠')} ${x.context}${x.firstDivergence ? st.dim(`  (diverges at ${x.firstDivergence})`) : ''}`);
        out.push(wrap(`A: ${st.status(x.a.status as 'pass', x.a.status)} ${x.a.rootCause}`, width, '      '));
        out.push(wrap(`B: ${st.status(x.b.status as 'pass', x.b.status)} ${x.b.rootCause}`, width, '      '));
      }
    }
    out.push('');
  }
  if (d.onlyInA.length) out.push(`${md ? '**Only in A:** ' : '  only in A: '}${d.onlyInA.join(', ')}`);
  if (d.onlyInB.length) out.push(`${md ? '**Only in B:** ' : '  only in B: '}${d.onlyInB.join(', ')}`);
  if (d.onlyInA.length || d.onlyInB.length) out.push('');
  out.push(d.identical ? (md ? '**Same verdict for every context.**' : st.bold('Same verdict for every context')) : `${d.differing.length} differ · ${d.same} same`);
  out.push('');
  return out.join('\n');
}
