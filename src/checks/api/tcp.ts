// api.tcp: a direct TCP connection to every address of the API server (through a proxy: whether
// the direct path would work too).
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import { joinHostPort } from '../../net/ip.ts';
import { shortError, tcpCode } from './connection-errors.ts';
import type { ApiContext } from './context.ts';
import { resolvesLocally } from './requirements.ts';

export const tcpCheck: CheckDefinition<ApiContext> = {
  id: 'api.tcp',
  title: 'TCP connect',
  requires: ['api.dns', 'api.proxy'],
  appliesWhen: [resolvesLocally],
  codes: ['api.tcp.unreachable', 'api.tcp.refused', 'api.tcp.timeout', 'api.tcp.reset', 'api.tcp.error', 'api.tcp.direct-failed', 'api.tcp.every-address-failed'],
  timeoutMs: (ctx) => ctx.timeoutMs * 2 + 1000,
  async run(ctx) {
    const proxied = ctx.proxy().proxy !== undefined;
    const results = await ctx.tcp();
    const ok = results.filter((r) => r.ok);
    const failed = results.filter((r) => !r.ok);
    const reproduce = results.map((r) => `nc -vz -w ${Math.ceil(ctx.timeoutMs / 1000)} ${r.host} ${r.port}`);
    const evidence = { direct: !proxied, results: results.map(({ host, port, ok: okk, durationMs, error, localAddress }) => ({ address: joinHostPort(host, port), ok: okk, durationMs, error, localAddress })) };
    const findings: FindingInput[] = [];
    if (proxied) {
      for (const r of failed) {
        findings.push({
          code: 'api.tcp.direct-failed',
          message: `Without the proxy, connecting to ${joinHostPort(r.host, r.port)} fails: ${shortError(r.error)}.`,
        });
      }
      const summary =
        failed.length === 0
          ? `traffic goes through the proxy; ${ok.map((r) => joinHostPort(r.host, r.port)).join(', ')} is also reachable directly`
          : `traffic goes through the proxy; direct: ${failed.map((r) => `${joinHostPort(r.host, r.port)} ${shortError(r.error)}`).join(', ')}`;
      return { summary, findings, evidence, reproduce };
    }
    if (failed.length > 1 && ok.length === 0) {
      // several addresses (dual-stack, several A records), each failing: every attempt with its
      // own result, since kubectl (Go's dialer) shows only the first one's error
      const attempts = failed.map((r) => `${joinHostPort(r.host, r.port)} ${shortError(r.error)}`);
      const kinds = new Set(failed.map((r) => r.error?.kind));
      findings.push({
        code: 'api.tcp.every-address-failed',
        message:
          `every address of ${ctx.host} fails (${failed.length} tried): ${attempts.join('; ')}` +
          `${kinds.size > 1 ? ', each for its own reason' : ''}; kubectl tries them in turn and shows only the first one's error ("${shortError(failed[0]!.error)}").`,
      });
    }
    for (const r of failed) {
      findings.push({
        code: tcpCode(r.error),
        severity: ok.length > 0 ? 'warn' : undefined,
        message: `connect ${joinHostPort(r.host, r.port)}: ${shortError(r.error)}.`,
      });
    }
    const summary =
      failed.length === 0
        ? `connected to ${ok.map((r) => `${joinHostPort(r.host, r.port)} in ${r.durationMs} ms`).join(', ')}`
        : failed.map((r) => `${joinHostPort(r.host, r.port)}: ${shortError(r.error)}`).join('; ');
    return { summary, findings, evidence, reproduce };
  },
};
