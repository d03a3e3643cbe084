// The live progress view of one subcommand run on a terminal, and what it shares with the menu
// (the header, Ink's colours). Loaded only by `await import()` from the report command; it knows
// no command, so the command modules and this view do not import each other.
import chalk from 'chalk';
import { render } from 'ink';
import type { DiagnosisDefinition } from '../engine/definitions.ts';
import type { RunnerEvent } from '../engine/runner.ts';
import { loadKubeconfig } from '../kube/kubeconfig.ts';
import { selectProxy } from '../net/proxy.ts';
import { redactUrl } from '../report/redact.ts';
import type { Report } from '../report/types.ts';
import { LiveRun } from '../tui/LiveRun.tsx';
import { EMPTY_RUN, applyEvent, type HeaderInfo } from '../tui/model.ts';
import type { CliIO, CommonFlags } from './io.ts';
import { kubeconfigOptions } from './kubeconfig-flags.ts';
import type { Redactor } from '../report/redact.ts';

/**
 * Ink colours through chalk (the same chalk module, Ink's dependency), whose own detection says no
 * colour whenever CI is in the environment at all, even CI=false. --color and NO_COLOR decide here
 * (useColor); chalk follows.
 */
export function applyColor(color: boolean): void {
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

/** The live progress view of one subcommand run; the caller runs the diagnosis and feeds it. */
export async function startLiveView<O, C>(
  def: DiagnosisDefinition<O, C>,
  ctx: C,
  cc: { flags: CommonFlags; io: CliIO; redactor: Redactor },
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
