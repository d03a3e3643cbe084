// The static import graph of src/ (relative imports, read from the sources): what a module loads
// when it is imported. `import type` and `export type` are erased and load nothing; `await import()`
// loads later and is left out.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../../..');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(n) ? [p] : [];
  });
}

/** Each src file (relative to the repo) and the src files it imports statically, at run time. */
export function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    const deps: string[] = [];
    const re = /^\s*(import|export)\s+(type\s+)?([^'";]*?\sfrom\s+)?['"](\.[^'"]+)['"]/gm;
    for (const m of text.matchAll(re)) {
      if (m[2]) continue;
      const target = resolve(dirname(file), m[4]!);
      if (existsSync(target)) deps.push(relative(ROOT, target));
    }
    graph.set(relative(ROOT, file), deps);
  }
  return graph;
}

/** Everything `from` loads, itself included. */
export function reach(graph: Map<string, string[]>, from: string): Set<string> {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    stack.push(...(graph.get(f) ?? []));
  }
  return seen;
}

/** The import cycles among `files` (each as a path that returns to its start). */
export function cycles(graph: Map<string, string[]>, files: (f: string) => boolean): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (f: string) => {
    state.set(f, 'open');
    path.push(f);
    for (const d of graph.get(f) ?? []) {
      if (!files(d)) continue;
      if (state.get(d) === 'open') found.push([...path.slice(path.indexOf(d)), d]);
      else if (!state.has(d)) visit(d);
    }
    path.pop();
    state.set(f, 'done');
  };
  for (const f of graph.keys()) if (files(f) && !state.has(f)) visit(f);
  return found;
}
