// The fleet incident report: the groups first, then one section per failing group (root cause,
// fix, its contexts), and the healthy contexts in one table.
import { formatDuration, type FleetReport } from '../fleet.ts';

function cell(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderFleetMarkdown(f: FleetReport): string {
  const out: string[] = [];
  const s = f.summary;
  out.push(`# Fleet report: kubectl netdiag ${f.command} (${s.total} contexts)`);
  out.push('');
  out.push(`${s.failing === 0 ? '**All contexts OK.**' : `**${s.failing} of ${s.total} contexts failing.**`} Started ${f.startedAt}, took ${formatDuration(f.durationMs)}, ${f.parallel} contexts at once.`);
  out.push('');
  out.push('## Groups');
  out.push('');
  out.push('| Contexts | Verdict | Root cause |');
  out.push('|---:|---|---|');
  for (const g of s.groups) out.push(`| ${g.contexts.length} | ${g.status} | ${cell(g.label)} |`);
  out.push('');
  const byName = new Map(f.contexts.map((e) => [e.context, e]));
  for (const g of s.groups.filter((x) => x.key !== 'ok')) {
    out.push(`## ${g.contexts.length} context${g.contexts.length === 1 ? '' : 's'}: ${g.label}`);
    out.push('');
    out.push(`**Verdict:** ${g.status}`);
    out.push('');
    out.push('**Root cause** (as diagnosed for ' + `\`${g.contexts[0]}\`` + ')');
    out.push('');
    out.push(g.rootCause);
    out.push('');
    if (g.remediation.length) {
      out.push('**Fix**');
      out.push('');
      g.remediation.forEach((r, i) => out.push(`${i + 1}. ${r}`));
      out.push('');
    }
    out.push('| Context | Server | Duration |');
    out.push('|---|---|---:|');
    for (const c of g.contexts) {
      const e = byName.get(c);
      out.push(`| ${cell(c)} | ${cell(e?.server ?? '-')} | ${e ? formatDuration(e.durationMs) : '-'} |`);
    }
    out.push('');
  }
  const healthy = f.contexts.filter((e) => e.group === 'ok');
  out.push(`## Healthy (${healthy.length})`);
  out.push('');
  if (healthy.length === 0) out.push('None.');
  else {
    out.push('| Context | Server | Duration |');
    out.push('|---|---|---:|');
    for (const e of healthy) out.push(`| ${cell(e.context)} | ${cell(e.server ?? '-')} | ${formatDuration(e.durationMs)} |`);
  }
  out.push('');
  return out.join('\n');
}
