// `kubectl netdiag open REPORT.json [OTHER.json]` (also `kubectl netdiag --open …`): look at a saved
// report, or at two of them compared layer by layer (the diff), in the terminal UI (the viewers are
// src/tui/ReportViewer.tsx and src/tui/DiffViewer.tsx; this is the command's glue: read, compare,
// choose the output). Loaded only by `await import()`. Without a terminal (pipes, CI) or with -o, it
// prints the report or the diff in the requested format instead, and never waits for a key.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { render } from 'ink';
import { compareReports, DiffInputError, parseReport, type DiffResult } from '../diff/diff.ts';
import { renderDiffJson, renderDiffMarkdown, renderDiffText, renderDiffYaml } from '../diff/render.ts';
import { exitCodeFor } from '../engine/run-diagnosis.ts';
import { ansiStyle, plainStyle, useColor } from '../report/render/style.ts';
import type { Report } from '../report/types.ts';
import { DiffViewer } from '../tui/DiffViewer.tsx';
import { ReportViewer } from '../tui/ReportViewer.tsx';
import { ThemeContext } from '../tui/theme.tsx';
import { EXIT } from './io.ts';
import { renderReport, type CommandContext } from './report-command.ts';
import { canUseInk, fullScreenInkOptions } from './terminal.ts';

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
