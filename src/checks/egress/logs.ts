// egress.logs: connection failures and presigned URLs in the container logs, and the policy
// verdict for every host found there.
import type { FindingInput } from '../../engine/definitions.ts';
import { ruleText } from '../../policy/index.ts';
import { itemsOf, podInfo } from './context.ts';
import { presignedHosts, scanLogs, storageKind, urlHosts } from './log-scan.ts';
import { dedupe, type Check } from './shared.ts';

export const logsCheck: Check = {
  id: 'egress.logs',
  title: 'Container logs',
  requires: ['egress.pod'],
  codes: ['egress.logs.connection-errors', 'egress.logs.presigned-url', 'egress.logs.host-denied', 'egress.logs.two-hops', 'egress.logs.unavailable'],
  timeoutMs: (ctx) => ctx.timeoutMs * 12 + 10_000,
  async run(ctx) {
    const [logs, hits, index, pods] = await Promise.all([ctx.logs(), ctx.logHits(), ctx.index(), ctx.pods()]);
    const findings: FindingInput[] = [];
    const failed = logs.filter((l) => !l.ok);
    if (failed.length === logs.length && logs.length) {
      return { skip: true, summary: `not applicable: logs unreadable (${failed[0]!.message})`, findings: [{ code: 'egress.logs.unavailable', message: `Reading the logs failed: ${failed[0]!.message}` }] };
    }
    const failures = hits.filter((h) => h.error !== 'presigned URL in the logs');
    if (failures.length) {
      findings.push({
        code: 'egress.logs.connection-errors',
        message: `Connection failures in the logs: ${failures.slice(0, 8).map((h) => `${h.host}${h.port ? `:${h.port}` : ''} (${h.runtime}: ${h.error})`).join('; ')}.`,
      });
    }
    for (const h of hits.filter((x, i, all) => x.presigned && all.findIndex((y) => y.host === x.host && y.presigned) === i)) {
      findings.push({ code: 'egress.logs.presigned-url', message: `${h.presigned} to ${h.host}${h.storage ? ` (${h.storage})` : ''}: the SDK reaches this storage host directly, not through the API host.` });
    }
    // every host from the logs through the policy engine
    const pod = itemsOf(pods)[0];
    const rows: Record<string, unknown>[] = [];
    if (pod) {
      const pi = podInfo(pod);
      const seen = new Set<string>();
      for (const h of hits) {
        const port = h.port ?? 443;
        const key = `${h.host}:${port}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const isIp = /^[\d.]+$|:/.test(h.host);
        const v = index.evaluate({ pod: pi, dest: { ip: isIp ? h.host : '0.0.0.0', port, host: isIp ? undefined : h.host, kind: 'world' } });
        rows.push({ host: h.host, port, allowed: v.allowed, rule: v.decisive[0] ? ruleText(v.decisive[0]) : undefined, explanation: v.explanation, runtime: h.runtime, line: h.line });
        if (!v.allowed) findings.push({ code: 'egress.logs.host-denied', message: `${key} (from the logs${h.storage ? `, ${h.storage}` : ''}) is denied: ${v.explanation}` });
      }
      // incident 2: the SDK's API call is allowed, then the presigned download goes straight to
      // the storage host, which is not; judged per container log (the two hops of one program)
      const verdict = (host: string, port: number) => {
        const isIp = /^[\d.]+$|:/.test(host);
        return index.evaluate({ pod: pi, dest: { ip: isIp ? host : '0.0.0.0', port, host: isIp ? undefined : host, kind: 'world' } });
      };
      for (const l of logs.filter((x) => x.ok && x.text)) {
        const signed = new Map<string, { host: string; port: number; kind: string }>();
        for (const h of scanLogs(l.text)) if (h.presigned) signed.set(h.host, { host: h.host, port: h.port ?? 443, kind: h.presigned });
        for (const p of presignedHosts(l.text)) if (!signed.has(p.host)) signed.set(p.host, p);
        if (!signed.size) continue;
        const apiHosts = urlHosts(l.text).filter((h) => !signed.has(h.host));
        for (const st of signed.values()) {
          const sv = verdict(st.host, st.port);
          if (sv.allowed) continue;
          const api = apiHosts.find((h) => verdict(h.host, h.port).allowed);
          if (!api) continue;
          const kind = storageKind(st.host);
          findings.push({
            code: 'egress.logs.two-hops',
            message:
              `Two hops in the logs of ${l.pod}/${l.container}: the call to the API host ${api.host}:${api.port} is allowed, ` +
              `then the presigned download (${st.kind}) goes straight to ${st.host}:${st.port}${kind ? ` (${kind})` : ''}, which is denied: ${sv.explanation} ` +
              `Allowing the API host is not enough: the storage host must be allowed as well.`,
          });
        }
      }
      const allowed = rows.filter((r) => r.allowed).map((r) => `${r.host}`);
      const denied = rows.filter((r) => !r.allowed).map((r) => `${r.host}`);
      if (allowed.length && denied.length) {
        findings.push({ code: 'egress.logs.connection-errors', severity: 'info', message: `The policies allow ${allowed.join(', ')} but not ${denied.join(', ')}.` });
      }
    }
    return {
      summary: rows.length ? `${rows.length} host${rows.length === 1 ? '' : 's'} in the logs: ${rows.map((r) => `${r.host} ${r.allowed ? 'allowed' : 'denied'}`).join(', ')}` : `no connection failure in ${logs.length} container log${logs.length === 1 ? '' : 's'}`,
      findings: dedupe(findings),
      evidence: { containers: logs.map((l) => ({ pod: l.pod, container: l.container, ok: l.ok, lines: l.text ? l.text.split('\n').length : 0, message: l.message })), hosts: rows },
      reproduce: [ctx.kubectl(`logs -n ${ctx.namespace} ${ctx.options.pod ?? `-l ${ctx.options.selector}`} --all-containers --tail=500`)],
    };
  },
};
