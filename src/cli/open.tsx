// `kubectl netdiag open REPORT.json [OTHER.json]` (also `kubectl netdiag --open …`): look at a saved
// report, or at two of them compared layer by layer (the diff), in the terminal UI. Loaded only by
// `await import()`. Without a terminal (pipes, CI) or with -o, it prints the report or the diff in
// the requested format instead, and never waits for a key.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Box, render, Text, useApp, useInput, useStdout } from 'ink';
import { useState } from 'react';
import { compareReports, DiffInputError, parseReport, type DiffResult, type LayerDiff } from '../diff/diff.ts';
import { renderDiffJson, renderDiffMarkdown, renderDiffText, renderDiffYaml } from '../diff/render.ts';
import { exitCodeFor } from '../engine/run-diagnosis.ts';
import { ansiStyle, plainStyle, useColor } from '../report/render/style.ts';
import type { Report } from '../report/types.ts';
import { CheckDetails } from '../tui/components/CheckDetails.tsx';
import { CheckRow } from '../tui/components/CheckRow.tsx';
import { DiagnosisBox } from '../tui/components/DiagnosisBox.tsx';
import { ScrollArea } from '../tui/components/ScrollArea.tsx';
import { stateFromReport, tally } from '../tui/model.ts';
import { ThemeContext, statusColor, useTheme } from '../tui/theme.tsx';
import { EXIT } from './io.ts';
import { renderReport, type CommandContext } from './report-command.ts';
import { canUseInk, fullScreenInkOptions } from './terminal.ts';

interface Keys {
  up(): void;
  down(): void;
  toggle(): void;
  scroll(by: number): void;
  quit(): void;
  close(): boolean;
}

function useKeys(k: Keys) {
  useInput((input, key) => {
    if (key.ctrl && input === 'c') return k.quit();
    if (input === 'q') return k.quit();
    if (key.escape) {
      if (!k.close()) k.quit();
      return;
    }
    if (key.upArrow || input === 'k') return k.up();
    if (key.downArrow || input === 'j') return k.down();
    if (key.return) return k.toggle();
    if (key.pageDown || input === 'd') return k.scroll(10);
    if (key.pageUp || input === 'u') return k.scroll(-10);
  });
}

function Help({ text }: { text: string }) {
  const theme = useTheme();
  return (
    <Text dimColor={theme.color} wrap="truncate-end">
      {text}
    </Text>
  );
}

/** One saved report: the checks, each expandable, and the verdict. */
export function ReportViewer({ report, file }: { report: Report; file: string }) {
  const theme = useTheme();
  const { exit } = useApp();
  const { stdout } = useStdout();
  const rows = stateFromReport(report).rows;
  const [selected, setSelected] = useState(0);
  const [expanded, setExpanded] = useState(false);
  const [offset, setOffset] = useState(0);
  const height = Math.max(8, ((stdout as NodeJS.WriteStream).rows || 30) - rows.length - 6);
  const idWidth = Math.max(10, ...rows.map((r) => r.id.length));
  useKeys({
    up: () => (setSelected((s) => Math.max(0, s - 1)), setOffset(0)),
    down: () => (setSelected((s) => Math.min(rows.length - 1, s + 1)), setOffset(0)),
    toggle: () => (setExpanded((e) => !e), setOffset(0)),
    scroll: (by) => setOffset((o) => Math.max(0, o + by)),
    quit: () => exit(),
    close: () => (expanded ? (setExpanded(false), setOffset(0), true) : false),
  });
  const t = report.target;
  const host = (report.environment?.host as { name?: string } | undefined)?.name;
  const result = rows[selected]?.result;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold={theme.color}>kubectl netdiag {report.command}</Text>
        {` · ${file} · taken ${report.startedAt}${host ? ` on ${host}` : ''}`}
      </Text>
      <Text dimColor={theme.color} wrap="truncate-end">
        {[t.context ? `context ${t.context}` : '', t.server ? `server ${t.server}` : ''].filter(Boolean).join(' · ') || ' '}
      </Text>
      <Box flexDirection="column" marginTop={1}>
        {rows.map((r, i) => (
          <CheckRow key={r.id} row={r} idWidth={idWidth} selected={i === selected} expanded={expanded && i === selected} />
        ))}
      </Box>
      <Box marginTop={1} flexDirection="column">
        {expanded && result ? (
          <ScrollArea height={height} offset={offset}>
            <CheckDetails result={result} />
          </ScrollArea>
        ) : (
          <ScrollArea height={height} offset={offset}>
            <DiagnosisBox diagnosis={report.diagnosis} footer={` · ${report.checks.length} checks: ${tally(rows)}`} />
          </ScrollArea>
        )}
      </Box>
      <Help text="↑↓ move · enter expand · u/d scroll · esc close · q quit" />
    </Box>
  );
}

function LayerRow({ l, first, selected, width }: { l: LayerDiff; first: boolean; selected: boolean; width: number }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end">
      <Text color={theme.color && selected ? 'cyan' : undefined}>{selected ? '❯ ' : '  '}</Text>
      <Text color={statusColor(theme, l.same ? 'pass' : 'fail')}>{l.same ? '= same   ' : '≠ differs'}</Text>{' '}
      <Text bold={theme.color && selected} inverse={theme.color && selected}>
        {l.layer.padEnd(width)}
      </Text>
      {'  '}A: {l.a} <Text dimColor={theme.color}>|</Text> B: {l.b}
      {first ? <Text bold={theme.color}>{'  ← first divergence'}</Text> : null}
    </Text>
  );
}

/** Two reports lined up layer by layer; enter shows a layer's differences in evidence. */
export function DiffViewer({ diff }: { diff: DiffResult }) {
  const theme = useTheme();
  const { exit } = useApp();
  const { stdout } = useStdout();
  const [selected, setSelected] = useState(Math.max(0, diff.layers.findIndex((l) => l.layer === diff.firstDivergence)));
  const [expanded, setExpanded] = useState(false);
  const [offset, setOffset] = useState(0);
  const height = Math.max(8, ((stdout as NodeJS.WriteStream).rows || 30) - diff.layers.length - 7);
  const width = Math.max(10, ...diff.layers.map((l) => l.layer.length));
  useKeys({
    up: () => (setSelected((s) => Math.max(0, s - 1)), setOffset(0)),
    down: () => (setSelected((s) => Math.min(diff.layers.length - 1, s + 1)), setOffset(0)),
    toggle: () => (setExpanded((e) => !e), setOffset(0)),
    scroll: (by) => setOffset((o) => Math.max(0, o + by)),
    quit: () => exit(),
    close: () => (expanded ? (setExpanded(false), setOffset(0), true) : false),
  });
  const layer = diff.layers[selected];
  const side = (k: 'A' | 'B', s: DiffResult['a']) => `${k}: ${s.label}${s.host ? ` (host ${s.host})` : ''} ${s.startedAt} ${s.status.toUpperCase()}`;
  const color = statusColor(theme, diff.identical ? 'pass' : 'fail');
  return (
    <Box flexDirection="column">
      <Text bold={theme.color} wrap="truncate-end">
        kubectl netdiag diff · {diff.command}
      </Text>
      <Text wrap="truncate-end">{side('A', diff.a)}</Text>
      <Text wrap="truncate-end">{side('B', diff.b)}</Text>
      <Box flexDirection="column" marginTop={1}>
        {diff.layers.map((l, i) => (
          <LayerRow key={l.layer} l={l} first={l.layer === diff.firstDivergence} selected={i === selected} width={width} />
        ))}
      </Box>
      <Box marginTop={1} flexDirection="column">
        <ScrollArea height={height} offset={offset}>
          {expanded && layer ? (
            <Box flexDirection="column" paddingLeft={2}>
              <Text bold={theme.color}>
                {layer.layer}: {layer.same ? 'the same on both sides' : `${layer.differences.length} difference${layer.differences.length === 1 ? '' : 's'}`}
              </Text>
              {layer.differences.map((x, i) => (
                <Box key={i} flexDirection="column" marginTop={1}>
                  <Text dimColor={theme.color}>
                    {x.check} · {x.what}
                  </Text>
                  <Text>  A: {x.a}</Text>
                  <Text>  B: {x.b}</Text>
                </Box>
              ))}
            </Box>
          ) : (
            <Box flexDirection="column" borderStyle="round" borderColor={color} paddingX={1}>
              <Text bold={theme.color} color={color}>
                {diff.identical ? 'Same' : `Diverges at: ${diff.firstDivergence}`}
              </Text>
              {diff.explanation.map((s, i) => (
                <Text key={i}>{s}</Text>
              ))}
            </Box>
          )}
        </ScrollArea>
      </Box>
      <Help text="↑↓ move · enter show the layer's differences · u/d scroll · esc close · q quit" />
    </Box>
  );
}

function load(cc: CommandContext, path: string): Report {
  let text: string;
  try {
    text = readFileSync(resolve(cc.io.cwd, path), 'utf8');
  } catch (e) {
    throw new DiffInputError(`cannot read ${path}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
  }
  return parseReport(text, path);
}

export async function run(cc: CommandContext): Promise<number> {
  const { flags, io, redactor } = cc;
  const err = (s: string) => io.stderr.write(redactor.redact(s));
  const out = (s: string) => io.stdout.write(redactor.redact(s));
  const files = [flags.report, flags.other].filter((f): f is string => typeof f === 'string' && f !== '');
  let reports: Report[];
  let diff: DiffResult | undefined;
  try {
    reports = files.map((f) => load(cc, f));
    if (reports.length === 2) diff = compareReports(reports[0]!, reports[1]!, files[0]!, files[1]!);
  } catch (e) {
    if (e instanceof DiffInputError) {
      err(`error: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  const code = diff ? (diff.identical ? EXIT.ok : EXIT.failed) : exitCodeFor(reports[0]!);
  const colorOut = useColor(flags.color, !!io.stdout.isTTY, io.env);
  if (!canUseInk(io) || flags.output) {
    const format = flags.output ?? 'text';
    if (diff) {
      out(
        format === 'json'
          ? renderDiffJson(diff)
          : format === 'yaml'
            ? renderDiffYaml(diff)
            : format === 'markdown'
              ? renderDiffMarkdown(diff)
              : renderDiffText(diff, { style: colorOut ? ansiStyle : plainStyle, width: io.stdout.columns }),
      );
    } else {
      out(await renderReport(reports[0]!, format, { color: colorOut, verbose: flags.verbose, width: io.stdout.columns }));
    }
    return code;
  }
  const color = useColor(flags.color, true, io.env);
  // the reports were redacted when written; redact again in case they were edited by hand
  const view = diff ? <DiffViewer diff={redactor.redactValue(diff)} /> : <ReportViewer report={redactor.redactValue(reports[0]!)} file={files[0]!} />;
  const ink = render(<ThemeContext.Provider value={{ color }}>{view}</ThemeContext.Provider>, fullScreenInkOptions(io));
  await ink.waitUntilExit();
  return code;
}
