// The layers of src/, read from the import statements themselves: cli and tui → checks/<diagnosis>
// → engine, kube, net, policy → report. A change that points an import back up, lets one diagnosis
// reach into another, or closes an import cycle fails here, with the offending lines named.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../../src');
const DIAGNOSIS_FOLDERS = ['api', 'egress', 'cert', 'ingress', 'server'];

function walk(d: string, out: string[] = []): string[] {
  for (const e of readdirSync(d)) {
    const f = join(d, e);
    if (statSync(f).isDirectory()) walk(f, out);
    else if (/\.tsx?$/.test(e)) out.push(f);
  }
  return out;
}

interface Edge {
  from: string;
  to: string;
  line: number;
}

/** Every relative import of a src file (static, type-only, re-exports and dynamic import()). */
function importsOf(file: string): Edge[] {
  const text = readFileSync(file, 'utf8');
  const out: Edge[] = [];
  const re = /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;
  for (const m of text.matchAll(re)) {
    const line = text.slice(0, m.index).split('\n').length;
    out.push({ from: rel(file), to: rel(resolve(dirname(file), m[2]!)), line });
  }
  return out;
}

const rel = (f: string) => relative(SRC, f).split('\\').join('/');
const top = (f: string) => f.split('/')[0]!;
const diagnosisOf = (f: string) => (f.startsWith('checks/') && DIAGNOSIS_FOLDERS.includes(f.split('/')[1]!) && f.split('/').length > 2 ? f.split('/')[1] : undefined);

const files = walk(SRC);
const edges = files.flatMap(importsOf);
const show = (e: Edge) => `${e.from}:${e.line} → ${e.to}`;

describe('layers of src/', () => {
  it('reads the source tree (the test itself sees imports)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(edges.some((e) => e.from.startsWith('cli/') && e.to.startsWith('checks/'))).toBe(true);
  });

  it('kube, net, policy, engine and report import nothing from checks, cli or tui', () => {
    const lower = ['kube', 'net', 'policy', 'engine', 'report'];
    const bad = edges.filter((e) => lower.includes(top(e.from)) && ['checks', 'cli', 'tui'].includes(top(e.to)));
    expect(bad.map(show)).toEqual([]);
  });

  it('report (model, catalog, renderers) is the bottom: it imports no other layer', () => {
    const bad = edges.filter((e) => top(e.from) === 'report' && top(e.to) !== 'report');
    expect(bad.map(show)).toEqual([]);
  });

  it('policy is pure: it imports only policy, report and the address arithmetic of net/ip.ts', () => {
    const bad = edges.filter((e) => top(e.from) === 'policy' && !['policy', 'report'].includes(top(e.to)) && e.to !== 'net/ip.ts');
    expect(bad.map(show)).toEqual([]);
  });

  it('no diagnosis folder imports another, and shared check modules import no diagnosis', () => {
    const bad = edges.filter((e) => {
      if (!e.from.startsWith('checks/') || !e.to.startsWith('checks/')) return false;
      const a = diagnosisOf(e.from);
      const b = diagnosisOf(e.to);
      if (!b) return false; // to a shared module of checks/
      if (!a) return e.from.split('/').length > 2; // a shared folder reaching into a diagnosis
      return a !== b;
    });
    expect(bad.map(show)).toEqual([]);
  });

  it('no check reads which command ran it', () => {
    const bad = files.filter((f) => rel(f).startsWith('checks/') && /\boptions\.command\b|\bopts\.command\b/.test(readFileSync(f, 'utf8')));
    expect(bad.map(rel)).toEqual([]);
  });

  it('has no import cycle', () => {
    const graph = new Map<string, string[]>();
    for (const e of edges) graph.set(e.from, [...(graph.get(e.from) ?? []), e.to]);
    // Tarjan's strongly connected components
    let index = 0;
    const idx = new Map<string, number>();
    const low = new Map<string, number>();
    const stack: string[] = [];
    const on = new Set<string>();
    const cycles: string[][] = [];
    const visit = (v: string) => {
      idx.set(v, index);
      low.set(v, index++);
      stack.push(v);
      on.add(v);
      for (const w of graph.get(v) ?? []) {
        if (!idx.has(w)) {
          visit(w);
          low.set(v, Math.min(low.get(v)!, low.get(w)!));
        } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, idx.get(w)!));
      }
      if (low.get(v) === idx.get(v)) {
        const scc: string[] = [];
        let w: string;
        do {
          w = stack.pop()!;
          on.delete(w);
          scc.push(w);
        } while (w !== v);
        if (scc.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(scc.sort());
      }
    };
    for (const f of files.map(rel)) if (!idx.has(f)) visit(f);
    expect(cycles).toEqual([]);
  });

  it('each folder of src/ opens with a one-line README saying what it is', () => {
    const folders = readdirSync(SRC).filter((d) => statSync(join(SRC, d)).isDirectory());
    const missing = folders.filter((d) => {
      try {
        const lines = readFileSync(join(SRC, d, 'README.md'), 'utf8').trim().split('\n');
        return lines.length !== 1 || lines[0]!.length < 20;
      } catch {
        return true;
      }
    });
    expect(missing).toEqual([]);
  });
});
