// ingress.http01: GET http://HOST/.well-known/acme-challenge/<token> from this machine (as the
// ACME server would) and the same path from inside the cluster (the API server's service proxy
// to the solver Service, or to the controller Service; when the proxy is forbidden, the same GET
// from a pod over pods/exec, see inside-exec.ts), to separate "outside" from "inside".
// With a pending Challenge the token is the Challenge's and the answer must be its key.
import { randomBytes } from 'node:crypto';
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { joinHostPort } from '../../net/ip.ts';
import { openTcp } from '../../net/tcp.ts';
import { httpRequest } from '../../net/http.ts';
import { hostIngresses, isSolverIngress, nameOf, type HostClusterContext } from './cluster-context.ts';
import { certManager } from './certmanager.ts';
import { controller } from './metallb.ts';
import { httpGetInPod, podsFromSlices, type ExecTarget } from './inside-exec.ts';
import type { Challenge } from './types.ts';
import { monotonicMs } from '../../net/clock.ts';

export interface Probe {
  where: string;
  url: string;
  ok: boolean;
  status?: number;
  location?: string;
  body?: string;
  errorKind?: string;
  error?: string;
  durationMs: number;
}

export interface Http01State {
  token: string;
  challenge?: Challenge;
  outside: Probe[];
  /** via: the service proxy path, or "pods/exec"; reproduce: the command that makes the same request */
  inside?: Probe & { via: string; reproduce: string };
  insideSkipped?: string;
}

async function outsideProbe(ctx: HostClusterContext, address: string, path: string): Promise<Probe> {
  const url = `http://${ctx.host}${path}`;
  const where = joinHostPort(address, 80);
  const t = await openTcp(address, 80, { timeoutMs: ctx.timeoutMs });
  if (!t.ok || !t.socket) return { where, url, ok: false, errorKind: t.error?.kind, error: t.error?.message, durationMs: t.durationMs };
  const r = await httpRequest({ socket: t.socket, method: 'GET', host: ctx.host, path, headers: { 'User-Agent': 'kubectl-netdiag/0.1.0 (acme http-01 probe)', Accept: '*/*' }, timeoutMs: ctx.timeoutMs });
  if (!r.ok || !r.response) return { where, url, ok: false, errorKind: r.error?.kind, error: r.error?.message, durationMs: t.durationMs + r.durationMs };
  const loc = r.response.headers.location;
  return {
    where,
    url,
    ok: true,
    status: r.response.statusCode,
    ...(loc ? { location: String(loc) } : {}),
    body: r.response.body.slice(0, 300),
    durationMs: t.durationMs + r.durationMs,
  };
}

export function http01(ctx: HostClusterContext): Promise<Http01State> {
  return ctx.once('http01', async (): Promise<Http01State> => {
    const cm = await certManager(ctx);
    const challenge = [...cm.chains.flatMap((c) => c.challenges), ...cm.challenges].find((c) => c.spec?.type !== 'DNS-01' && c.spec?.token && c.status?.state !== 'valid');
    const token = challenge?.spec?.token ?? `netdiag-probe-${randomBytes(8).toString('hex')}`;
    const path = `/.well-known/acme-challenge/${token}`;
    const dns = await ctx.dns();
    const addrs = dns.addresses.map((a) => a.address).slice(0, 4);
    const insideP = (async (): Promise<{ inside?: Http01State['inside']; skipped?: string }> => {
      const unusable = await ctx.clusterUnusable();
      if (unusable) return { skipped: `not applicable: ${unusable.why}` };
      // the solver Service when a Challenge is pending, else the controller Service
      const d = await ctx.discover();
      const solver = d.ingresses.filter(isSolverIngress).find((i) => (i.spec?.rules ?? []).some((r) => (r.http?.paths ?? []).some((p) => p.path?.includes(token))));
      const solverBackend = solver?.spec?.rules?.flatMap((r) => r.http?.paths ?? []).find((p) => p.path?.includes(token))?.backend.service;
      let ns: string;
      let svc: string;
      let port: string;
      let portNumber: number | undefined;
      if (solver && solverBackend) {
        ns = solver.metadata.namespace ?? 'default';
        svc = solverBackend.name;
        port = String(solverBackend.port?.number ?? solverBackend.port?.name ?? 8089);
        portNumber = solverBackend.port?.number ?? (solverBackend.port?.name ? undefined : 8089);
      } else {
        const c = await controller(ctx);
        if (!c.service) return { skipped: 'no solver or controller Service to ask from inside the cluster' };
        ns = c.service.metadata.namespace ?? 'default';
        svc = c.service.metadata.name;
        const p = (c.service.spec?.ports ?? []).find((x) => x.port === 80) ?? c.service.spec?.ports?.[0];
        port = p?.name ?? String(p?.port ?? 80);
        portNumber = p?.port ?? 80;
      }
      const via = `/api/v1/namespaces/${ns}/services/${svc}:${port}/proxy${path}`;
      const url = `http://${svc}.${ns}.svc:${portNumber ?? port}${path}`;
      const r = await serviceProxyGet(ctx, via);
      if (r.status === 403) {
        // no services/proxy: the same GET from a pod, when exec is allowed
        const proxyWhy = `forbidden: needs the RBAC permission to get services/proxy in namespace ${ns}`;
        const byExec = await insideByExec(ctx, url);
        if (byExec.inside) return { inside: byExec.inside };
        return { skipped: `${proxyWhy}${byExec.why ? `; ${byExec.why}` : ''}` };
      }
      const probe: Http01State['inside'] = {
        where: `service ${ns}/${svc}:${port} (API server service proxy)`,
        url,
        via,
        reproduce: ctx.kubectl(`get --raw '${via}'`),
        ok: r.ok && r.status !== undefined && r.status < 500 && r.status !== 403,
        ...(r.status !== undefined ? { status: r.status } : {}),
        ...(r.body !== undefined ? { body: r.body.slice(0, 300) } : {}),
        ...(r.message ? { error: r.message } : {}),
        durationMs: r.durationMs,
      };
      return { inside: probe };
    })();
    const outside = await Promise.all(addrs.map((a) => outsideProbe(ctx, a, path)));
    const inside = await insideP;
    return { token, challenge, outside, inside: inside.inside, insideSkipped: inside.skipped };
  });
}

/**
 * GET through the API server's service proxy: the proxied service's answer as it is, whatever its
 * status (a 404 or 503 of the solver is the evidence, not an API error); a 403 is the API server's
 * own (services/proxy forbidden). Credentials go only to an API server whose certificate verified.
 */
async function serviceProxyGet(ctx: HostClusterContext, path: string): Promise<{ ok: boolean; status?: number; body?: string; message?: string; durationMs: number }> {
  const t0 = monotonicMs();
  const reach = await ctx.client.reachable();
  if (!reach.ok) return { ok: false, message: reach.why, durationMs: 0 };
  const res = await ctx.client.request('GET', path, { auth: true });
  const durationMs = Math.round(monotonicMs() - t0);
  if (!res.ok || !res.response) return { ok: false, message: res.error?.message ?? 'request failed', durationMs };
  return { ok: true, status: res.response.statusCode, body: res.response.body, durationMs };
}

/**
 * The inside GET over pods/exec: from a ready ingress controller pod (the hop external traffic
 * takes), else from a pod behind the Ingress's backend Service; the first pod exec is allowed in
 * and that has a tool wins. Without any, why not (for the skip reason).
 */
async function insideByExec(ctx: HostClusterContext, url: string): Promise<{ inside?: Http01State['inside']; why?: string }> {
  const slicesOf = async (ns: string, name: string, role: string): Promise<ExecTarget[]> => {
    const r = await ctx.endpointSlices(ns, name);
    return r.ok ? podsFromSlices(r.body, role) : [];
  };
  const targets: ExecTarget[] = [];
  const c = await controller(ctx);
  if (c.service) targets.push(...(await slicesOf(c.service.metadata.namespace ?? 'default', c.service.metadata.name, 'ingress controller pod')));
  const d = await ctx.discover();
  for (const i of hostIngresses(d)) {
    const ns = i.metadata.namespace ?? 'default';
    const backends = new Set((i.spec?.rules ?? []).flatMap((r) => (r.http?.paths ?? []).map((p) => p.backend.service?.name)).filter((n): n is string => !!n));
    for (const b of backends) targets.push(...(await slicesOf(ns, b, `pod behind Service ${ns}/${b}`)));
  }
  if (targets.length === 0) return { why: 'no ready pod found to run the request from with kubectl exec' };
  const reasons: string[] = [];
  for (const t of targets.slice(0, 2)) {
    const r = await httpGetInPod(ctx.client, t, url, ctx.timeoutMs, (a) => ctx.kubectl(a));
    if (r.ran) {
      return {
        inside: {
          where: `${t.role} ${t.namespace}/${t.pod} (kubectl exec, ${r.tool})`,
          url,
          via: 'pods/exec',
          reproduce: r.command!,
          ok: r.ok,
          ...(r.status !== undefined ? { status: r.status } : {}),
          ...(r.body !== undefined ? { body: r.body } : {}),
          ...(r.errorKind ? { errorKind: r.errorKind } : {}),
          ...(r.error ? { error: r.error } : {}),
          durationMs: r.durationMs,
        },
      };
    }
    reasons.push(`${t.namespace}/${t.pod}: ${r.unusable}`);
  }
  return { why: `no pod to run it from with kubectl exec (${reasons.join('; ')})` };
}

const KIND_CODE: Record<string, string> = {
  timeout: 'ingress.http01.timeout',
  refused: 'ingress.http01.refused',
  reset: 'ingress.http01.reset',
  unreachable: 'ingress.http01.unreachable',
};

export const http01Check: CheckDefinition<HostClusterContext> = {
  id: 'ingress.http01',
  title: 'HTTP-01 challenge path',
  codes: ['ingress.http01.timeout', 'ingress.http01.refused', 'ingress.http01.reset', 'ingress.http01.unreachable', 'ingress.http01.redirect', 'ingress.http01.token-not-found', 'ingress.http01.wrong-key', 'ingress.http01.http-error', 'ingress.http01.inside-failed'],
  // outside and inside run in parallel; inside may be the service proxy, then up to two pods over exec
  timeoutMs: (ctx) => ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs * 4 + 2000 + (ctx.timeoutMs * 2 + 2000) * 2,
  async run(ctx): Promise<CheckOutcome> {
    const dns = await ctx.dns();
    if (dns.error || dns.addresses.length === 0) return { blockedBy: 'ingress.dns', summary: 'skipped because ingress.dns failed' };
    const s = await http01(ctx);
    const path = `/.well-known/acme-challenge/${s.token}`;
    const key = s.challenge?.spec?.key;
    const findings: FindingInput[] = [];
    const reproduce = [`curl -sv -m ${Math.ceil(ctx.timeoutMs / 1000)} http://${ctx.host}${path}`];
    if (s.inside) reproduce.push(s.inside.reproduce);
    const insideOk = !!s.inside?.ok && (!key || s.inside.body?.trim() === key);
    const insideWords = s.inside
      ? insideOk
        ? `while the same request from inside the cluster (${s.inside.where}) ${s.inside.status === 200 ? 'answers 200' + (key ? ' with the Challenge key' : '') : `is answered (${s.inside.status})`}`
        : `and from inside the cluster (${s.inside.where}) it fails too: ${s.inside.error ?? `HTTP ${s.inside.status}`}`
      : '';
    for (const p of s.outside) {
      if (!p.ok) {
        const code = KIND_CODE[p.errorKind ?? ''] ?? 'ingress.http01.reset';
        findings.push({ code, message: `GET ${p.url} from this machine (to ${p.where}): ${p.error}${insideWords ? `, ${insideWords}` : ''}.` });
      } else if (p.status && p.status >= 300 && p.status < 400) {
        findings.push({ code: 'ingress.http01.redirect', message: `GET ${p.url} (to ${p.where}) answers ${p.status} redirecting to ${p.location ?? '(no Location)'}: the challenge path is redirected to HTTPS instead of reaching the solver.` });
      } else if (p.status === 404 && s.challenge) {
        findings.push({ code: 'ingress.http01.token-not-found', message: `GET ${p.url} (to ${p.where}) answers 404 for the pending Challenge's token: the request reaches a web server that does not route it to the solver${insideWords ? `, ${insideWords}` : ''}.` });
      } else if (p.status === 200 && key && p.body?.trim() !== key) {
        findings.push({ code: 'ingress.http01.wrong-key', message: `GET ${p.url} (to ${p.where}) answers 200, but not with the Challenge's key authorization: another server answers for the host.` });
      } else if (p.status && p.status >= 500) {
        findings.push({ code: 'ingress.http01.http-error', message: `GET ${p.url} (to ${p.where}) answers ${p.status}.` });
      }
    }
    if (s.inside && !insideOk && !s.insideSkipped) {
      findings.push({ code: 'ingress.http01.inside-failed', message: `From inside the cluster, GET ${s.inside.url} (${s.inside.where}) fails: ${s.inside.error ?? `HTTP ${s.inside.status}${s.inside.body ? `: ${s.inside.body.trim().slice(0, 120)}` : ''}`}.` });
    }
    const out = s.outside.map((p) => `${p.where}: ${p.ok ? String(p.status) : (p.errorKind ?? 'error')}`).join(', ');
    const inn = s.inside ? `inside: ${s.inside.ok ? String(s.inside.status) : (s.inside.error ?? String(s.inside.status))}` : `inside: ${s.insideSkipped ?? 'not tried'}`;
    const summary = `${s.challenge ? `Challenge ${nameOf(s.challenge)} token` : 'probe token'}; outside ${out}; ${inn}`;
    return {
      summary,
      findings,
      evidence: { challengeToken: s.token, challenge: s.challenge ? nameOf(s.challenge) : null, expectedKey: key ?? null, outside: s.outside, inside: s.inside ?? null, insideSkipped: s.insideSkipped ?? null },
      reproduce,
    };
  },
};
