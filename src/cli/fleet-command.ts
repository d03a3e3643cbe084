// api/server with --all-contexts, --contexts or --context-pattern: the diagnosis once per selected
// context (src/fleet), printed as one line per context and the groups by root cause; -o json the
// fleet report (every context's usual report and the summary); -o markdown the incident report.
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DiagnosisDefinition } from '../engine/definitions.ts';
import type { ProbeCache } from '../kube/probe-cache.ts';
import { contextsWithPlugins, KubeconfigError, listContexts } from '../kube/kubeconfig.ts';
import { FleetSelectionError, selectContexts } from '../fleet/select.ts';
import { fleetExitCode, isFleetRedacted, type FleetEntry, type FleetReport } from '../report/fleet.ts';
import type { Report } from '../report/types.ts';
import { useColor } from '../report/render/style.ts';
import { EXIT, type CommonFlags, type Format } from './io.ts';
import { kubeconfigOptions } from './kubeconfig-flags.ts';
import { formatFromFile, type CommandContext } from './report-command.ts';
import { monotonicMs } from '../net/clock.ts';

/**
 * Where a fleet run goes when the TUI drives it (its fleet screen): the selection, each context as
 * it starts and finishes (redacted), and the fleet report; nothing is printed.
 */
export interface FleetSink {
  start(contexts: string[]): void;
  contextStart(context: string): void;
  entry(entry: FleetEntry, report: Report): void;
  signal?: AbortSignal;
  done(fleet: FleetReport, exitCode: number): void;
}

/** The command context of api/server as the TUI hands it over for a fleet run. */
export interface FleetCommandContext extends CommandContext {
  fleetSink?: FleetSink;
}

/** Whether the flags ask for a fleet run. */
export function wantsFleet(flags: CommonFlags): boolean {
  return flags['all-contexts'] === true || (Array.isArray(flags.contexts) && flags.contexts.length > 0) || (Array.isArray(flags['context-pattern']) && flags['context-pattern'].length > 0);
}

export async function renderFleet(f: FleetReport, format: Format, opts: { color: boolean; verbose: boolean; width?: number }): Promise<string> {
  switch (format) {
    case 'json':
      return (await import('../report/render/fleet-json.ts')).renderFleetJson(f);
    case 'yaml': {
      const { dump } = await import('js-yaml');
      return dump(JSON.parse(JSON.stringify(f)), { lineWidth: -1, noRefs: true });
    }
    case 'markdown':
      return (await import('../report/render/fleet-markdown.ts')).renderFleetMarkdown(f);
    default: {
      const [{ renderFleetText }, { ansiStyle, plainStyle }] = await Promise.all([import('../report/render/fleet-text.ts'), import('../report/render/style.ts')]);
      return renderFleetText(f, { style: opts.color ? ansiStyle : plainStyle, width: opts.width, verbose: opts.verbose });
    }
  }
}

export async function runFleetCommand<O, C>(def: DiagnosisDefinition<O, C>, optionsFor: (context: string, probeCache: ProbeCache) => O, cc: FleetCommandContext): Promise<number> {
  const { flags, io, redactor, fleetSink: sink } = cc;
  const err = (s: string) => io.stderr.write(redactor.redact(s));

  const parallel = Number(flags.parallel ?? 16);
  if (!Number.isInteger(parallel) || parallel < 1) {
    err('error: --parallel must be a whole number of at least 1\n');
    return EXIT.usage;
  }
  if (flags.context) {
    err('error: --context selects one context; with --all-contexts, --contexts or --context-pattern leave it out\n');
    return EXIT.usage;
  }
  let contexts: string[];
  let plugins: Set<string> | undefined;
  try {
    const { names } = listContexts(kubeconfigOptions(flags, io));
    plugins = contextsWithPlugins(kubeconfigOptions(flags, io));
    contexts = selectContexts(names, {
      all: flags['all-contexts'] === true,
      contexts: flags.contexts as string[] | undefined,
      patterns: flags['context-pattern'] as string[] | undefined,
    });
  } catch (e) {
    if (e instanceof KubeconfigError || e instanceof FleetSelectionError) {
      err(`error: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }

  const color = useColor(flags.color, !!io.stdout.isTTY, io.env);
  const started = monotonicMs();
  const { runFleet } = await import('../fleet/run.ts');
  sink?.start(contexts);
  const fleet = await runFleet({
    def,
    contexts,
    optionsFor,
    parallel,
    checkTimeoutMs: cc.timeoutMs + 1000,
    contextDeadlineMs: Math.max(cc.timeoutMs, cc.requestTimeoutMs) + 1000,
    redactor,
    signal: sink?.signal,
    startFirst: plugins,
    onStart: sink ? (c) => sink.contextStart(c) : undefined,
    onEntry: sink
      ? (e, r) => sink.entry(redactor.redactValue(e), redactor.isCurrent(r) ? r : redactor.redactValue(r))
      : flags.verbose
        ? (e) => err(`[${String(Math.round(monotonicMs() - started)).padStart(5)}ms] ${e.context} ${e.status} (${e.durationMs}ms): ${e.rootCause}\n`)
        : undefined,
  });
  if (sink) {
    const code = fleetExitCode(fleet);
    sink.done(fleet, code);
    return code;
  }

  // a fleet report can be megabytes: wait until a real stream has handed it to the OS (the
  // executable exits shortly after main() returns, which would cut a pipe's pending output)
  // (the output is redacted again as it is written, except a JSON or YAML rendering of a fleet
  // report that is redacted whole already: megabytes of text, and the same rules on the same values)
  const format = flags.output ?? 'text';
  const rendered = await renderFleet(fleet, format, { color, verbose: flags.verbose, width: io.stdout.columns });
  const text = (format === 'json' || format === 'yaml') && isFleetRedacted(fleet, redactor) ? rendered : redactor.redact(rendered);
  const stream = io.stdout as typeof io.stdout & { writable?: boolean; write(chunk: string, cb?: () => void): unknown };
  if (typeof stream.writable === 'boolean') await new Promise<void>((done) => stream.write(text, () => done()));
  else io.stdout.write(text);
  if (flags['output-file']) {
    const path = resolve(io.cwd, flags['output-file']);
    const fmt = formatFromFile(path, flags.output ?? 'markdown');
    try {
      writeFileSync(path, redactor.redact(await renderFleet(fleet, fmt, { color: false, verbose: flags.verbose })));
      if (flags.verbose) err(`report written to ${path}\n`);
    } catch (e) {
      err(`error: cannot write ${path}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  }
  return fleetExitCode(fleet);
}
