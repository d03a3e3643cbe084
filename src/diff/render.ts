// Renderers of a DiffResult: text (terminal), markdown (what a person sends to the network team),
// JSON and YAML (exactly the DiffResult).
import { dump } from 'js-yaml';
import { wrap, type Style } from '../report/render/style.ts';
import type { DiffResult } from './diff.ts';

export function renderDiffJson(d: DiffResult): string {
  return JSON.stringify(d, null, 2) + '\n';
}

export function renderDiffYaml(d: DiffResult): string {
  return dump(JSON.parse(JSON.stringify(d)), { lineWidth: -1, noRefs: true });
}

function side(s: DiffResult['a']): string {
  return `${s.label}${s.host ? ` (host ${s.host})` : ''} ${s.startedAt} ${s.status.toUpperCase()}`;
}

export function renderDiffText(d: DiffResult, opts: { style: Style; width?: number }): string {
  const st = opts.style;
  const width = Math.max(60, Math.min(opts.width ?? 100, 120));
  const out: string[] = [];
  out.push(st.bold(`kubectl netdiag diff · ${d.command}`));
  out.push(`  A: ${side(d.a)}`);
  out.push(`  B: ${side(d.b)}`);
  out.push('');
  const lw = Math.max(10, ...d.layers.map((l) => l.layer.length));
  for (const l of d.layers) {
    const mark = l.same ? st.status('pass', '=') : st.status('fail', '≠');
    const first = d.firstDivergence === l.layer ? st.bold('  ← first divergence') : '';
    out.push(`  ${mark} ${l.layer.padEnd(lw)}  A: ${l.a}`);
    out.push(`    ${''.padEnd(lw)}  B: ${l.b}${first}`);
    for (const x of l.differences) {
      out.push(st.dim(`    ${''.padEnd(lw)}    ${x.check} ${x.what}:`));
      out.push(wrap(`A: ${x.a}`, width, `    ${''.padEnd(lw)}      `));
      out.push(wrap(`B: ${x.b}`, width, `    ${''.padEnd(lw)}      `));
    }
  }
  out.push('');
  out.push(st.bold(d.identical ? 'Same' : `Diverges at: ${d.firstDivergence}`));
  for (const s of d.explanation) out.push(wrap(s, width, '  '));
  out.push('');
  return out.join('\n');
}

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

export function renderDiffMarkdown(d: DiffResult): string {
  const out: string[] = [];
  out.push(`# Network diagnosis compared: \`kubectl netdiag ${d.command}\` on two machines`);
  out.push('');
  out.push(d.identical ? '**Result: the two reports agree on every layer.**' : `**Result: the two machines diverge first at the ${d.firstDivergence} layer.**`);
  out.push('');
  out.push('| | report | host | taken at | result | API server |');
  out.push('| --- | --- | --- | --- | --- | --- |');
  for (const [k, s] of [
    ['A', d.a],
    ['B', d.b],
  ] as const) {
    out.push(`| ${k} | ${esc(s.file)} | ${esc(s.host ?? '?')} | ${s.startedAt} | ${s.status.toUpperCase()} | ${esc(s.server ?? '?')} |`);
  }
  out.push('');
  out.push('## Summary');
  out.push('');
  for (const s of d.explanation) out.push(`- ${s}`);
  out.push('');
  out.push('## Layer by layer');
  out.push('');
  out.push('| layer | A | B | |');
  out.push('| --- | --- | --- | --- |');
  for (const l of d.layers) {
    out.push(`| ${l.layer} | ${esc(l.a)} | ${esc(l.b)} | ${l.same ? 'same' : d.firstDivergence === l.layer ? '**differs (first)**' : 'differs'} |`);
  }
  const differing = d.layers.filter((l) => !l.same);
  if (differing.length) {
    out.push('');
    out.push('## Differences in evidence');
    for (const l of differing) {
      out.push('');
      out.push(`### ${l.layer}`);
      out.push('');
      out.push('| check | what | A | B |');
      out.push('| --- | --- | --- | --- |');
      for (const x of l.differences) out.push(`| ${x.check} | ${esc(x.what)} | ${esc(x.a)} | ${esc(x.b)} |`);
    }
  }
  out.push('');
  out.push(`_Produced by \`kubectl netdiag diff ${d.a.file} ${d.b.file}\`: timings, temp paths and local ports are not compared._`);
  out.push('');
  return out.join('\n');
}
