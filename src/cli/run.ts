// The `api` command once flags are parsed: build the context, run the diagnosis, render.
import { writeFileSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { exitCodeFor, runDiagnosis } from '../report/build.ts';
import type { RunnerEvent } from '../report/runner.ts';
import type { Report } from '../report/types.ts';
import type { Redactor } from '../report/redact.ts';
import { renderText } from '../report/render/text.ts';
import { renderJson, renderYaml } from '../report/render/json.ts';
import { renderMarkdown } from '../report/render/markdown.ts';
import { ansiStyle, plainStyle, useColor } from '../report/render/style.ts';
import { apiDiagnosis } from '../checks/api/index.ts';
import type { ApiOptions } from '../checks/api/context.ts';
import { EXIT, type CliIO, type CommonFlags, type Format } from './main.ts';

function formatFromFile(path: string, fallback: Format): Format {
  const ext = extname(path).toLowerCase();
  if (ext === '.json') return 'json';
  if (ext === '.yaml' || ext === '.yml') return 'yaml';
  if (ext === '.md' || ext === '.markdown') return 'markdown';
  if (ext === '.txt' || ext === '.log') return 'text';
  return fallback;
}

function render(report: Report, format: Format, opts: { color: boolean; verbose: boolean; width?: number }): string {
  switch (format) {
    case 'json':
      return renderJson(report);
    case 'yaml':
      return renderYaml(report);
    case 'markdown':
      return renderMarkdown(report);
    default:
      return renderText(report, { style: opts.color ? ansiStyle : plainStyle, verbose: opts.verbose, width: opts.width });
  }
}

export async function runApiCommand(
  flags: CommonFlags,
  io: CliIO,
  redactor: Redactor,
  { timeoutMs, requestTimeoutMs }: { timeoutMs: number; requestTimeoutMs: number },
): Promise<number> {
  const out = (s: string) => io.stdout.write(redactor.redact(s));
  const err = (s: string) => io.stderr.write(redactor.redact(s));
  const options: ApiOptions = {
    kubeconfig: {
      kubeconfig: flags.kubeconfig ? resolve(io.cwd, flags.kubeconfig) : undefined,
      context: flags.context,
      cluster: flags.cluster,
      user: flags.user,
      namespace: flags.namespace,
      server: flags.server,
      insecureSkipTlsVerify: flags['insecure-skip-tls-verify'],
      tlsServerName: flags['tls-server-name'],
      env: io.env,
      homeDir: io.homeDir,
    },
    timeoutMs,
    requestTimeoutMs,
    endpoints: flags.endpoint ?? [],
    env: io.env,
    redactor,
  };

  const started = performance.now();
  const onEvent = flags.verbose
    ? (e: RunnerEvent) => {
        const t = `[${String(Math.round(performance.now() - started)).padStart(5)}ms]`;
        if (e.type === 'check-start') err(`${t} ${e.id} started\n`);
        else if (e.type === 'check-end') err(`${t} ${e.result.id} ${e.result.status} (${e.result.durationMs}ms): ${e.result.summary}\n`);
      }
    : undefined;

  const ctx = apiDiagnosis.createContext(options);
  const report = await runDiagnosis(apiDiagnosis, ctx, {
    defaultTimeoutMs: timeoutMs + 1000,
    onEvent,
    redactor,
  });

  const color = useColor(flags.color, !!io.stdout.isTTY, io.env);
  const stdoutFormat: Format = flags.output ?? 'text';
  const configError = ctx.kubeError;
  if (!configError || flags.output) {
    out(render(report, stdoutFormat, { color, verbose: flags.verbose, width: io.stdout.columns }));
  }
  if (flags['output-file']) {
    const path = resolve(io.cwd, flags['output-file']);
    const fmt = formatFromFile(path, flags.output ?? 'markdown');
    try {
      writeFileSync(path, redactor.redact(render(report, fmt, { color: false, verbose: flags.verbose })));
      if (flags.verbose) err(`report written to ${path}\n`);
    } catch (e) {
      err(`error: cannot write ${path}: ${(e as Error).message}\n`);
      return EXIT.usage;
    }
  }
  if (configError) {
    err(`error: ${configError.message}\n`);
    return EXIT.usage;
  }
  return exitCodeFor(report);
}
