// api.health: /livez and /readyz as the API server reports them (read and judged by src/kube/health.ts).
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import { readHealth } from '../../kube/health.ts';
import type { ApiContext } from './context.ts';

export const healthCheck: CheckDefinition<ApiContext> = {
  id: 'api.health',
  title: 'Health (livez, readyz)',
  requires: ['api.http'],
  codes: ['api.health.not-ready', 'api.health.not-live'],
  timeoutMs: (ctx) => (ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs) * 2 + 1000,
  async run(ctx) {
    const { livez, readyz, unreadable, notLive, notReady } = await readHealth(ctx);
    const reproduce = [`kubectl get --raw '/readyz?verbose' ${ctx.contextArgs}`.trim(), `kubectl get --raw '/livez?verbose' ${ctx.contextArgs}`.trim()];
    const evidence = { livez, readyz };
    if (unreadable) {
      return { skip: true, summary: `not readable by this identity or anonymously (${readyz.status})`, evidence, reproduce };
    }
    const findings: FindingInput[] = [];
    if (notLive) {
      findings.push({
        code: 'api.health.not-live',
        message: `/livez answered ${livez.status ?? livez.error}${livez.failing.length ? `; failing: ${livez.failing.join(', ')}` : ''}.`,
      });
    }
    if (notReady) {
      findings.push({
        code: 'api.health.not-ready',
        message: `/readyz answered ${readyz.status ?? readyz.error}${readyz.failing.length ? `; failing checks: ${readyz.failing.join(', ')}` : ''}.`,
      });
    }
    const summary =
      findings.length === 0
        ? `livez ok, readyz ok (${readyz.lines?.filter((l) => l.startsWith('[+]')).length ?? 0} checks)`
        : `${readyz.ok ? 'readyz ok' : `readyz failing${readyz.failing.length ? `: ${readyz.failing.join(', ')}` : ` (${readyz.status ?? readyz.error})`}`}; ${livez.ok ? 'livez ok' : `livez failing (${livez.status ?? livez.error})`}`;
    return { summary, findings, evidence, reproduce };
  },
};
