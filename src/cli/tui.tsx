// The command layer's Ink paths (loaded only by `await import()`, so `version`, `--help` and
// `-o json` never load Ink or React):
// - runTui: `kubectl netdiag` with no subcommand on a terminal: the interactive app. The session
//   given to it runs diagnoses through their command modules (runReportCommand with a sink), reads
//   the kubeconfig for the header and the context switcher, and writes exported reports.
// - startLiveView: a subcommand on a terminal without -o: the live progress view.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import chalk from 'chalk';
import { render } from 'ink';
import { DIAGNOSIS_MENU } from '../checks/menu.ts';
import type { DiagnosisDefinition } from '../engine/definitions.ts';
import { listContexts, loadKubeconfig } from '../kube/kubeconfig.ts';
import { selectProxy } from '../net/proxy.ts';
import { redactUrl } from '../report/redact.ts';
import type { RunnerEvent } from '../engine/runner.ts';
import type { Report } from '../report/types.ts';
import { App } from '../tui/App.tsx';
import { LiveRun } from '../tui/LiveRun.tsx';
import { EMPTY_RUN, applyEvent, tally, type HeaderInfo, type MenuItem, type RunOutcome, type TuiSession } from '../tui/model.ts';
import { COMMANDS } from './commands/index.ts';
import { kubeconfigOptions } from './kubeconfig-flags.ts';
import type { CliIO, CommonFlags, OutStream } from './main.ts';
import type { CommandContext, RenderFn } from './report-command.ts';
import { useColor } from '../report/render/style.ts';
import { fullScreenInkOptions } from './terminal.ts';

/**
 * Ink colours through chalk (the same chalk module, Ink's dependency), whose own detection says no
 * colour whenever CI is in the environment at all, even CI=false. --color and NO_COLOR decide here
 * (useColor); chalk follows.
 */
function applyColor(color: boolean): void {
  if (!color) chalk.level = 0;
  else if (chalk.level === 0) chalk.level = 1;
}

/** The header: the kubeconfig selection with kubectl's rules, and the proxy Go's rules pick for the server. */
export function headerInfo(flags: CommonFlags, io: CliIO, context?: string): HeaderInfo {
  const opts = { ...kubeconfigOptions(flags, io), context: context ?? flags.context };
  try {
    const k = loadKubeconfig(opts);
    let proxy = 'none';
    try {
      const d = selectProxy(new URL(k.cluster.server), io.env, k.cluster.proxyUrl);
      proxy = d.error ? `unusable: ${d.error}` : d.proxy ? `${redactUrl(d.proxy)} (${d.source})` : 'none';
    } catch {
      proxy = '?';
    }
    return {
      context: k.contextName || undefined,
      cluster: k.clusterName || undefined,
      user: k.userName || undefined,
      server: redactUrl(k.cluster.server),
      namespace: k.namespace,
      proxy,
    };
  } catch (e) {
    return { context: opts.context, error: (e as Error).message };
  }
}

/** The menu, from the light DIAGNOSIS_MENU: the first paint loads no diagnosis (each loads when it runs). */
function menuItems(flags: CommonFlags): MenuItem[] {
  return DIAGNOSIS_MENU.map((d) => {
    const entry = COMMANDS.find((c) => c.command.split(' ')[0] === d.command);
    return {
      command: d.command,
      title: d.title,
      description: d.description,
      inputs: (d.inputs ?? []).map((i) => ({
        name: i.name,
        label: i.label,
        required: !!i.required,
        placeholder: i.placeholder,
        value: typeof flags[i.name] === 'string' ? (flags[i.name] as string) : undefined,
        kind: i.kind,
      })),
      unavailable: entry ? undefined : 'no command registered',
    };
  });
}

function stamp(iso: string): string {
  return iso.replace(/\.\d+Z$/, '').replace(/[-:]/g, '').replace('T', '-');
}

/** A stream that keeps what a command module writes, so nothing lands on the app's screen. */
function captured(): OutStream & { text: string } {
  const s = { text: '', isTTY: false, write: (c: string) => (s.text += c) };
  return s;
}

export function createSession(cc: CommandContext): TuiSession {
  const { flags, io, redactor } = cc;
  // the renderers (for export), loaded with the first run: a report to export exists only after one
  let renderers: { markdown: RenderFn; json: RenderFn } | undefined;
  return {
    diagnoses: menuItems(flags),
    header: (context) => headerInfo(flags, io, context),
    // the form's pickers: loaded when a form first asks, never for the first paint
    suggest: (kind, q) =>
      import('../tui/suggest.ts').then((m) =>
        m.createSuggest({ kubeconfig: kubeconfigOptions(flags, io), timeoutMs: cc.timeoutMs, requestTimeoutMs: cc.requestTimeoutMs, env: io.env, redactor })(kind, q),
      ),
    contexts() {
      try {
        return listContexts(kubeconfigOptions(flags, io));
      } catch (e) {
        return { names: [], error: (e as Error).message };
      }
    },
    async run(req, onEvent, signal) {
      const entry = COMMANDS.find((c) => c.command.split(' ')[0] === req.command);
      if (!entry) throw new Error(`no command ${req.command}`);
      const [mod, rc] = await Promise.all([entry.load(), import('./report-command.ts')]);
      if (!renderers) {
        const [markdown, json] = await Promise.all([rc.rendererFor('markdown'), rc.rendererFor('json')]);
        renderers = { markdown, json };
      }
      let outcome: RunOutcome | undefined;
      const stderr = captured();
      const code = await mod.run({
        ...cc,
        flags: { ...flags, _: [req.command], context: req.context ?? flags.context, ...req.inputs },
        io: { ...io, stdout: captured(), stderr },
        sink: { onEvent, signal, done: (o) => (outcome = o) },
      });
      if (!outcome) throw new Error(redactor.redact(stderr.text.trim()) || `${req.command} exited ${code} without a report`);
      return outcome;
    },
    exportReport(report) {
      const base = join(io.cwd, `netdiag-${report.command}-${stamp(report.startedAt)}`);
      const paths = [`${base}.md`, `${base}.json`];
      try {
        if (!renderers) throw new Error('no diagnosis has run');
        writeFileSync(paths[0]!, redactor.redact(renderers.markdown(report, { color: false, verbose: false })));
        writeFileSync(paths[1]!, redactor.redact(renderers.json(report, { color: false, verbose: false })));
        return { paths };
      } catch (e) {
        return { error: (e as Error).message };
      }
    },
  };
}

/** `kubectl netdiag` on a terminal: the app, on the alternate screen; the exit code of the last diagnosis. */
export async function runTui(cc: CommandContext): Promise<number> {
  const { flags, io } = cc;
  const session = createSession(cc);
  const color = useColor(flags.color, true, io.env);
  applyColor(color);
  let code = 0;
  let last: RunOutcome | undefined;
  const tracked: TuiSession = {
    ...session,
    run: async (req, onEvent, signal) => (last = await session.run(req, onEvent, signal)),
  };
  const ink = render(<App session={tracked} color={color} initialContext={flags.context} onExit={(c) => (code = c)} />, fullScreenInkOptions(io));
  await ink.waitUntilExit();
  // the alternate screen is gone: leave one line of what was found in the scrollback
  if (last) {
    const r = last.report;
    io.stdout.write(
      cc.redactor.redact(
        `kubectl netdiag ${r.command}${r.target.context ? ` · context ${r.target.context}` : ''}: ${r.diagnosis.status.toUpperCase()} · ${r.checks.length} checks: ${tally(r.checks.map((c) => ({ ...c })))}\n`,
      ),
    );
  }
  return code;
}

/** The live progress view of one subcommand run; the caller runs the diagnosis and feeds it. */
export async function startLiveView<O, C>(
  def: DiagnosisDefinition<O, C>,
  ctx: C,
  cc: CommandContext,
  color: boolean,
): Promise<{ onEvent(e: RunnerEvent): void; finish(report: Report, configError?: string): Promise<void> }> {
  const { flags, io, redactor } = cc;
  const target = def.target(ctx);
  const header: HeaderInfo = { ...headerInfo(flags, io), context: target.context, server: target.server };
  const idWidth = Math.max(10, ...def.checks.map((c) => c.id.length));
  applyColor(color);
  let state = EMPTY_RUN;
  const view = (report?: Report, configError?: string) => (
    <LiveRun title={def.command} header={header} state={state} report={report} configError={configError} color={color} idWidth={idWidth} />
  );
  const ink = render(view(), { stdout: io.stdout as NodeJS.WriteStream, stderr: process.stderr, patchConsole: false });
  return {
    onEvent(e) {
      state = applyEvent(state, redactor.redactValue(e));
      ink.rerender(view());
    },
    async finish(report, configError) {
      ink.rerender(view(report, configError));
      await ink.waitUntilRenderFlush();
      ink.unmount();
      await ink.waitUntilExit();
    },
  };
}
