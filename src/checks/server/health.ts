// server.health: /readyz and /livez as the API server reports them (read and judged by
// src/kube/health.ts), with what a failing check usually means.
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import { readHealth, type HealthAnswer } from '../../kube/health.ts';
import type { ServerContext } from './context.ts';
import { cluster } from './requirements.ts';

const HEALTH_HINTS: [RegExp, string][] = [
  [/^etcd/, 'etcd is unreachable or unhealthy from the API server: check the etcd members (`etcdctl endpoint health`) and the API server log for etcd errors (`kubectl netdiag server --local` on a control-plane node).'],
  [/apiservice|aggregator|autoregister/, 'the aggregation layer is not synced: see server.apiservices.'],
  [/informer|poststarthook/, 'a start-up hook has not finished: the API server is starting or stuck; check its log.'],
  [/shutdown/, 'the API server is shutting down.'],
];

export const healthCheck: CheckDefinition<ServerContext> = {
  id: 'server.health',
  title: 'readyz and livez',
  requires: ['server.connection'],
  appliesWhen: [cluster],
  codes: ['server.health.not-ready', 'server.health.not-live'],
  timeoutMs: (ctx) => (ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs) * 2 + 1000,
  async run(ctx) {
    const { readyz, livez, unreadable, notReady, notLive } = await readHealth(ctx.api);
    const reproduce = [`kubectl get --raw '/readyz?verbose'${ctx.contextArgs}`, `kubectl get --raw '/livez?verbose'${ctx.contextArgs}`];
    const evidence = { readyz, livez };
    if (unreadable) {
      return { skip: true, summary: `not readable by this identity or anonymously (${readyz.status})`, evidence, reproduce };
    }
    const findings: FindingInput[] = [];
    for (const [h, failed, code, name] of [
      [readyz, notReady, 'server.health.not-ready', 'readyz'],
      [livez, notLive, 'server.health.not-live', 'livez'],
    ] as const) {
      if (!failed) continue;
      const hints = [...new Set(h.failing.flatMap((f) => HEALTH_HINTS.filter(([re]) => re.test(f)).map(([, t]) => t)))];
      findings.push({
        code,
        message: `/${name} answered ${h.status ?? h.error}${h.failing.length ? `; failing checks: ${h.failing.join(', ')} (${h.failingLines.join('; ')})` : ''}.${hints.length ? ` ${hints.join(' ')}` : ''}`,
      });
    }
    const part = (h: HealthAnswer, name: string) => (h.ok ? `${name} ok (${h.checks} checks)` : `${name} failing${h.failing.length ? `: ${h.failing.join(', ')}` : ` (${h.status ?? h.error})`}`);
    return { summary: `${part(readyz, 'readyz')}, ${part(livez, 'livez')}`, findings, evidence, reproduce };
  },
};
