// The command layer's Ink paths (loaded only by `await import()`, so `version`, `--help` and
// `-o json` never load Ink or React):
// - runTui: `kubectl netdiag` with no subcommand on a terminal: the interactive app. The session
//   given to it runs diagnoses through their command modules (runReportCommand with a sink), reads
//   the kubeconfig for the header and the context switcher, and writes exported reports.
// The live progress view of a subcommand (startLiveView) is in ./live-view.tsx.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { render } from 'ink';
import { DIAGNOSIS_MENU } from '../checks/menu.ts';
import { listContexts } from '../kube/kubeconfig.ts';
import { App } from '../tui/App.tsx';
import { applyColor, headerInfo } from './live-view.tsx';
import { tally, type MenuItem, type RunOutcome, type TuiSession } from '../tui/model.ts';
import { COMMANDS } from './commands/index.ts';
import { kubeconfigOptions } from './kubeconfig-flags.ts';
import type { CommonFlags, OutStream } from './io.ts';
import type { CommandContext, RenderFn } from './report-command.ts';
import type { FleetCommandContext } from './fleet-command.ts';
import type { FleetOutcome, FleetSession } from '../tui/fleet.ts';
import { useColor } from '../report/render/style.ts';
import { fullScreenInkOptions } from './terminal.ts';

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

/** The diagnoses that run over many contexts (--all-contexts) and what the menu calls them. */
const FLEET_COMMANDS = [
  { command: 'api', title: 'API server, many contexts', description: 'the api diagnosis over every context of the kubeconfig (or a pattern), grouped by root cause' },
  { command: 'server', title: 'API server side, many contexts', description: 'the server diagnosis (remote checks) over every context (or a pattern), grouped by root cause' },
];

/** The fleet screen's runs: the command module with --context-pattern / --contexts and a fleet sink. */
function fleetSession(cc: CommandContext): FleetSession {
  const { flags, io, redactor } = cc;
  return {
    commands: FLEET_COMMANDS.filter((f) => COMMANDS.some((c) => c.command.split(' ')[0] === f.command)),
    async run(req, onEvent, signal) {
      const entry = COMMANDS.find((c) => c.command.split(' ')[0] === req.command);
      if (!entry) throw new Error(`no command ${req.command}`);
      const mod = await entry.load();
      const pattern = req.pattern?.trim();
      const selection = req.contexts ? { contexts: req.contexts } : pattern && pattern !== '*' ? { 'context-pattern': [pattern] } : { 'all-contexts': true };
      let outcome: FleetOutcome | undefined;
      const stderr = captured();
      const fc: FleetCommandContext = {
        ...cc,
        flags: { ...flags, _: [req.command], context: undefined, local: undefined, root: undefined, output: undefined, 'output-file': undefined, ...selection },
        io: { ...io, stdout: captured(), stderr },
        fleetSink: {
          signal,
          start: (contexts) => onEvent({ type: 'fleet-start', contexts }),
          contextStart: (context) => onEvent({ type: 'context-start', context }),
          entry: (e, report) => onEvent({ type: 'context-end', entry: e, report }),
          done: (fleet, exitCode) => (outcome = { fleet, exitCode }),
        },
      };
      const code = await mod.run(fc);
      if (!outcome) throw new Error(redactor.redact(stderr.text.trim().replace(/^error: /, '')) || `${req.command} exited ${code} without a fleet report`);
      return outcome;
    },
  };
}

export function createSession(cc: CommandContext): TuiSession {
  const { flags, io, redactor } = cc;
  // the renderers (for export), loaded with the first run: a report to export exists only after one
  let renderers: { markdown: RenderFn; json: RenderFn } | undefined;
  return {
    diagnoses: menuItems(flags),
    fleet: fleetSession(cc),
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
  let lastFleet: FleetOutcome | undefined;
  // the fleet screen's rows across its reruns (`r` runs only the failing contexts again)
  const fleetRows = new Map<string, string>();
  const tracked: TuiSession = {
    ...session,
    run: async (req, onEvent, signal) => {
      lastFleet = undefined;
      return (last = await session.run(req, onEvent, signal));
    },
    fleet: session.fleet && {
      ...session.fleet,
      run: async (req, onEvent, signal) => {
        last = undefined;
        if (!req.contexts) fleetRows.clear();
        lastFleet = await session.fleet!.run(req, onEvent, signal);
        for (const e of lastFleet.fleet.contexts) fleetRows.set(e.context, e.status);
        return lastFleet;
      },
    },
  };
  const ink = render(<App session={tracked} color={color} initialContext={flags.context} onExit={(c) => (code = c)} />, fullScreenInkOptions(io));
  await ink.waitUntilExit();
  // the alternate screen is gone: leave one line of what was found in the scrollback
  if (lastFleet) {
    const total = fleetRows.size;
    const failing = [...fleetRows.values()].filter((s) => s === 'fail' || s === 'error').length;
    io.stdout.write(cc.redactor.redact(`kubectl netdiag ${lastFleet.fleet.command} · ${total} contexts: ${failing ? `${failing} FAILING` : 'ALL OK'} · ${total - failing} ok\n`));
  } else if (last) {
    const r = last.report;
    io.stdout.write(
      cc.redactor.redact(
        `kubectl netdiag ${r.command}${r.target.context ? ` · context ${r.target.context}` : ''}: ${r.diagnosis.status.toUpperCase()} · ${r.checks.length} checks: ${tally(r.checks.map((c) => ({ ...c })))}\n`,
      ),
    );
  }
  return code;
}
