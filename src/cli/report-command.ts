// What every diagnosis command shares once its options are built: run the checks, render the
// report to stdout and --output-file, map the outcome to an exit code. Renderers never decide;
// this layer only routes the report to them.
import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import type { DiagnosisDefinition } from '../engine/definitions.ts';
import { exitCodeFor, runDiagnosis } from '../engine/run-diagnosis.ts';
import type { Redactor } from '../report/redact.ts';
import type { RunnerEvent } from '../engine/runner.ts';
import type { Report } from '../report/types.ts';
import { useColor } from '../report/render/style.ts';
import { EXIT, type CliIO, type CommonFlags, type Format } from './io.ts';
import { canUseInk } from './terminal.ts';
import { monotonicMs } from '../net/clock.ts';

export function formatFromFile(path: string, fallback: Format): Format {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  if (ext === '.txt' || ext === '.log') return 'text';
  return fallback;
}

export interface RenderOptions {
  color: boolean;
  verbose: boolean;
  width?: number;
}
export type RenderFn = (report: Report, opts: RenderOptions) => string;

/**
 * The renderer of one format, loaded on demand: a run loads only the one it prints with (js-yaml,
 * for one, is ~10 ms of start-up that `-o json` and text do not need).
 */
export async function rendererFor(format: Format): Promise<RenderFn> {
  switch (format) {
    case 'json': {
      const { renderJson } = await import('../report/render/json.ts');
      return (report) => renderJson(report);
    }
    case 'yaml': {
      const { renderYaml } = await import('../report/render/yaml.ts');
      return (report) => renderYaml(report);
    }
    case 'markdown': {
      const { renderMarkdown } = await import('../report/render/markdown.ts');
      return (report) => renderMarkdown(report);
    }
    default: {
      const [{ renderText }, { ansiStyle, plainStyle }] = await Promise.all([import('../report/render/text.ts'), import('../report/render/style.ts')]);
      return (report, opts) => renderText(report, { style: opts.color ? ansiStyle : plainStyle, verbose: opts.verbose, width: opts.width });
    }
  }
}

export async function renderReport(report: Report, format: Format, opts: RenderOptions): Promise<string> {
  return (await rendererFor(format))(report, opts);
}

/** Everything a command module gets from the command layer. */
export interface CommandContext {
  flags: CommonFlags;
  io: CliIO;
  redactor: Redactor;
  timeoutMs: number;
  requestTimeoutMs: number;
  /** Set by the TUI when it runs a command from its menu: events and the report go here, nothing to stdout. */
  sink?: ReportSink;
}

/** Where runReportCommand delivers a run when the TUI drives it (events and report are redacted). */
export interface ReportSink {
  onEvent(e: RunnerEvent): void;
  signal?: AbortSignal;
  done(outcome: { report: Report; exitCode: number; configError?: string }): void;
}

export async function runReportCommand<O, C>(def: DiagnosisDefinition<O, C>, options: O, cc: CommandContext): Promise<number> {
  const { flags, io, redactor } = cc;
  const out = (s: string) => io.stdout.write(redactor.redact(s));
  const err = (s: string) => io.stderr.write(redactor.redact(s));
  const started = monotonicMs();
  const onEvent = flags.verbose
    ? (e: RunnerEvent) => {
        const t = `[${String(Math.round(monotonicMs() - started)).padStart(5)}ms]`;
        if (e.type === 'check-start') err(`${t} ${e.id} started\n`);
        else if (e.type === 'check-end') err(`${t} ${e.result.id} ${e.result.status} (${e.result.durationMs}ms): ${e.result.summary}\n`);
      }
    : undefined;

  const ctx = def.createContext(options);
  const color = useColor(flags.color, !!io.stdout.isTTY, io.env);

  // Driven by the TUI: hand over events and the report, print nothing.
  if (cc.sink) {
    const sink = cc.sink;
    const report = await runDiagnosis(def, ctx, {
      defaultTimeoutMs: cc.timeoutMs + 1000,
      onEvent: (e) => sink.onEvent(redactor.redactValue(e)),
      signal: sink.signal,
      redactor,
    });
    const configError = def.configError?.(ctx);
    const exitCode = configError ? EXIT.usage : exitCodeFor(report);
    sink.done({ report, exitCode, configError: configError === undefined ? undefined : redactor.redact(configError) });
    return exitCode;
  }

  // On a terminal without -o (and without -v, whose evidence dump is plain text): the live progress
  // view. Ink loads only here. A configuration error is known before anything runs: one line, no view.
  const live =
    !flags.output && !flags.verbose && canUseInk(io) && !def.configError?.(ctx)
      ? await (await import('./live-view.tsx')).startLiveView(def, ctx, cc, color)
      : undefined;
  const report = await runDiagnosis(def, ctx, { defaultTimeoutMs: cc.timeoutMs + 1000, onEvent: live?.onEvent ?? onEvent, redactor });

  const configError = def.configError?.(ctx);
  if (live) await live.finish(report, configError);
  // a configuration error is one line on stderr; the report goes to stdout only when asked for
  else if (!configError || flags.output) {
    out(await renderReport(report, flags.output ?? 'text', { color, verbose: flags.verbose, width: io.stdout.columns }));
  }
  if (flags['output-file']) {
    const path = resolve(io.cwd, flags['output-file']);
    const fmt = formatFromFile(path, flags.output ?? 'markdown');
    try {
      writeFileSync(path, redactor.redact(await renderReport(report, fmt, { color: false, verbose: flags.verbose })));
      if (flags.verbose) err(`report written to ${path}\n`);
    } catch (e) {
      err(`error: cannot write ${path}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  }
  if (configError) {
    err(`error: ${configError}\n`);
    return EXIT.usage;
  }
  return exitCodeFor(report);
}
