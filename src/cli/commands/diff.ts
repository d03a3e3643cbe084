// kubectl netdiag diff A.json B.json: no cluster needed. Exit 0 when the reports agree on every
// layer, 1 when they diverge, 2 when a file is unreadable or the reports are not comparable.
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compareReports, DiffInputError, parseReport, type DiffResult } from '../../diff/diff.ts';
import { compareFleets, parseFleet, renderFleetDiff } from '../../diff/fleet.ts';
import { renderDiffJson, renderDiffMarkdown, renderDiffText, renderDiffYaml } from '../../diff/render.ts';
import { ansiStyle, plainStyle, useColor } from '../../report/render/style.ts';
import { EXIT, type Format } from '../io.ts';
import { formatFromFile, type CommandContext } from '../report-command.ts';

function render(d: DiffResult, format: Format, color: boolean, width?: number): string {
  switch (format) {
    case 'json':
      return renderDiffJson(d);
    case 'yaml':
      return renderDiffYaml(d);
    case 'markdown':
      return renderDiffMarkdown(d);
    default:
      return renderDiffText(d, { style: color ? ansiStyle : plainStyle, width });
  }
}

export async function run(cc: CommandContext): Promise<number> {
  const { flags, io, redactor } = cc;
  const err = (s: string) => io.stderr.write(redactor.redact(s));
  const files = [String(flags.a ?? ''), String(flags.b ?? '')];
  let result: DiffResult;
  try {
    const texts = files.map((f) => {
      try {
        return readFileSync(resolve(io.cwd, f), 'utf8');
      } catch (e) {
        throw new DiffInputError(`cannot read ${f}: ${(e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message}`);
      }
    });
    // two fleet reports (--all-contexts -o json): the contexts whose verdict differs
    const fleets = texts.map((t, i) => parseFleet(t, files[i]!));
    if (fleets[0] || fleets[1]) {
      if (!fleets[0] || !fleets[1]) throw new DiffInputError(`${files[fleets[0] ? 1 : 0]} is not a fleet report: compare two fleet reports (--all-contexts -o json) or two single reports`);
      const d = compareFleets(fleets[0], fleets[1], files[0]!, files[1]!);
      const color = useColor(flags.color, !!io.stdout.isTTY, io.env);
      io.stdout.write(redactor.redact(renderFleetDiff(d, flags.output ?? 'text', { style: color ? ansiStyle : plainStyle, width: io.stdout.columns })));
      if (flags['output-file']) {
        const path = resolve(io.cwd, flags['output-file']);
        writeFileSync(path, redactor.redact(renderFleetDiff(d, formatFromFile(path, flags.output ?? 'markdown'), { style: plainStyle })));
      }
      return d.identical ? EXIT.ok : EXIT.failed;
    }
    const reports = texts.map((t, i) => parseReport(t, files[i]!));
    result = compareReports(reports[0]!, reports[1]!, files[0]!, files[1]!);
  } catch (e) {
    if (e instanceof DiffInputError) {
      err(`error: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
  // the reports were redacted when written; redact again in case they were edited by hand
  const color = useColor(flags.color, !!io.stdout.isTTY, io.env);
  io.stdout.write(redactor.redact(render(result, flags.output ?? 'text', color, io.stdout.columns)));
  if (flags['output-file']) {
    const path = resolve(io.cwd, flags['output-file']);
    try {
      writeFileSync(path, redactor.redact(render(result, formatFromFile(path, flags.output ?? 'markdown'), false)));
    } catch (e) {
      err(`error: cannot write ${path}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  }
  return result.identical ? EXIT.ok : EXIT.failed;
}
