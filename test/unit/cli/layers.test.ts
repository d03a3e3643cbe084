// The command layer has no import cycle: the commands import what they share with main.ts from
// src/cli/io.ts, never main.ts (which imports them), and the cli and tui modules form no cycle.
import { describe, expect, it } from 'vitest';
import { cycles, importGraph } from './imports.ts';

describe('the command layer', () => {
  const graph = importGraph();

  it('no module under src/cli/commands imports main.ts', () => {
    const offenders = [...graph].filter(([f, deps]) => f.startsWith('src/cli/commands/') && deps.includes('src/cli/main.ts')).map(([f]) => f);
    expect(offenders).toEqual([]);
  });

  it('only the executable imports main.ts', () => {
    expect([...graph].filter(([, deps]) => deps.includes('src/cli/main.ts')).map(([f]) => f)).toEqual(['src/cli/bin.ts']);
  });

  it('src/cli and src/tui form no import cycle', () => {
    expect(cycles(graph, (f) => f.startsWith('src/cli/') || f.startsWith('src/tui/'))).toEqual([]);
  });

  it('src/tui imports nothing from src/cli', () => {
    expect([...graph].filter(([f, deps]) => f.startsWith('src/tui/') && deps.some((d) => d.startsWith('src/cli/'))).map(([f]) => f)).toEqual([]);
  });
});
