// api.http, api.health and api.auth: what the API server says once TLS works.
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { FindingInput } from '../../engine/definitions.ts';
import { ExecPluginError } from '../../kube/credentials.ts';
import type { HttpResult } from '../../net/http.ts';
import type { ApiContext } from './context.ts';
import { quoteBody } from './network.ts';

export const KUBECTL_401 =
  'error: You must be logged in to the server (the server has asked for the client to provide credentials)';

const CLOCK_SKEW_WARN_S = 60;

/** A JSON object body, or undefined for anything else. */
export function parseJson(body: string | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  try {
    const j = JSON.parse(body) as unknown;
    return j && typeof j === 'object' ? (j as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** '200 OK', or the network error when there was no answer. */
export function statusText(r: HttpResult): string {
  return r.response ? `${r.response.statusCode} ${r.response.statusMessage}` : (r.error?.message ?? 'no answer');
}

export const httpCheck: CheckDefinition<ApiContext> = {
  id: 'api.http',
  title: 'HTTP /version',
  requires: ['api.tls'],
  codes: ['api.http.error', 'api.http.clock-skew'],
  timeoutMs: (ctx) => ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs * 2 + 1000,
  async run(ctx) {
    const reproduce = [`kubectl version ${ctx.contextArgs}`.trim(), `kubectl get --raw /version ${ctx.contextArgs}`.trim()];
    const r = await ctx.requestOnce('version', 'GET', '/version', { auth: true });
    const evidence: Record<string, unknown> = { via: r.via, durationMs: r.durationMs };
    if (!r.response) {
      const msg =
        r.error?.kind === 'timeout'
          ? `GET /version got no complete answer within ${ctx.options.requestTimeoutMs} ms (the server accepted the request but did not finish its answer)`
          : `GET /version failed: ${r.error?.message ?? 'no answer'}`;
      evidence.error = r.error;
      return { summary: msg, findings: [{ code: 'api.http.error', message: `${msg}.` }], evidence, reproduce };
    }
    let res = r.response;
    evidence.status = `${res.statusCode} ${res.statusMessage}`;
    evidence.rttMs = res.durationMs;
    let note = '';
    if (res.statusCode === 401 || res.statusCode === 403) {
      // the HTTP layer works; who we are is api.auth's question. /version is public: ask anonymously.
      const anon = await ctx.requestOnce('version-anonymous', 'GET', '/version', { auth: false });
      note = ` (with credentials: ${res.statusCode}; see api.auth)`;
      if (anon.response) res = anon.response;
    }
    const findings: FindingInput[] = [];
    const body = parseJson(res.body);
    if (res.statusCode !== 200 || !body || typeof body.gitVersion !== 'string') {
      const what =
        res.statusCode === 200
          ? `GET /version answered 200 but not with a Kubernetes version document: "${quoteBody(res.body, 160)}" (is this an API server?)`
          : `GET /version answered ${res.statusCode} ${res.statusMessage}: "${quoteBody(res.body, 200)}"`;
      if (res.statusCode === 401 || res.statusCode === 403) {
        return { summary: `the server answers HTTP${note}; /version is not public here`, findings, evidence, reproduce };
      }
      findings.push({ code: 'api.http.error', message: `${what}.` });
      return { summary: what, findings, evidence, reproduce };
    }
    evidence.version = body;
    const date = res.headers['date'];
    let skewText = '';
    if (typeof date === 'string') {
      const serverTime = Date.parse(date);
      if (!Number.isNaN(serverTime)) {
        const local = ctx.now().getTime() - res.durationMs / 2;
        const skewS = Math.round((local - serverTime) / 1000);
        evidence.serverDate = date;
        evidence.clockSkewSeconds = skewS;
        if (Math.abs(skewS) > CLOCK_SKEW_WARN_S) {
          skewText = `; clock skew ${skewS} s`;
          findings.push({
            code: 'api.http.clock-skew',
            message: `This machine's clock is ${Math.abs(skewS)} s ${skewS > 0 ? 'ahead of' : 'behind'} the server's (server Date: ${date}); tokens and certificate validity depend on both clocks.`,
          });
        }
      }
    }
    return {
      summary: `server ${body.gitVersion as string} answered in ${res.durationMs} ms${note}${skewText}`,
      findings,
      evidence,
      reproduce,
    };
  },
};

/** One health endpoint (/livez, /readyz, with ?verbose): its status and the checks that fail. */
export interface HealthAnswer {
  path: string;
  status?: string;
  ok: boolean;
  /** names of the failing checks, e.g. ['etcd'] */
  failing: string[];
  /** the failing lines as the server wrote them, e.g. '[-]etcd failed: reason withheld' */
  failingLines: string[];
  /** how many checks the verbose answer lists */
  checks: number;
  lines?: string[];
  /** read without credentials, after the identity was refused (401/403) */
  anonymous: boolean;
  error?: string;
}

/** GET a health endpoint with the user's credentials, falling back to anonymous (public-info-viewer). */
export async function fetchHealth(ctx: ApiContext, path: string): Promise<HealthAnswer> {
  let r = await ctx.request('GET', path, { auth: true });
  let anonymous = false;
  if (r.response && (r.response.statusCode === 401 || r.response.statusCode === 403)) {
    r = await ctx.request('GET', path, { auth: false });
    anonymous = true;
  }
  if (!r.response) return { path, ok: false, failing: [], failingLines: [], checks: 0, anonymous, error: r.error?.message ?? 'no answer' };
  const lines = r.response.body.split('\n').map((l) => l.trimEnd()).filter(Boolean);
  const failingLines = lines.filter((l) => l.startsWith('[-]'));
  return {
    path,
    status: statusText(r),
    ok: r.response.statusCode === 200,
    failing: failingLines.map((l) => l.slice(3).replace(/ failed:.*$/, '').trim()),
    failingLines,
    checks: lines.filter((l) => l.startsWith('[+]') || l.startsWith('[-]')).length,
    lines,
    anonymous,
  };
}

export const healthCheck: CheckDefinition<ApiContext> = {
  id: 'api.health',
  title: 'Health (livez, readyz)',
  requires: ['api.http'],
  codes: ['api.health.not-ready', 'api.health.not-live'],
  timeoutMs: (ctx) => (ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs) * 2 + 1000,
  async run(ctx) {
    const [livez, readyz] = await Promise.all([fetchHealth(ctx, '/livez?verbose'), fetchHealth(ctx, '/readyz?verbose')]);
    const reproduce = [`kubectl get --raw '/readyz?verbose' ${ctx.contextArgs}`.trim(), `kubectl get --raw '/livez?verbose' ${ctx.contextArgs}`.trim()];
    const evidence = { livez, readyz };
    const unreadable = [livez, readyz].filter((h) => h.status?.startsWith('401') || h.status?.startsWith('403'));
    if (unreadable.length === 2) {
      return { skip: true, summary: `not readable by this identity or anonymously (${readyz.status})`, evidence, reproduce };
    }
    const findings: FindingInput[] = [];
    if (!livez.ok && !livez.status?.startsWith('40')) {
      findings.push({
        code: 'api.health.not-live',
        message: `/livez answered ${livez.status ?? livez.error}${livez.failing.length ? `; failing: ${livez.failing.join(', ')}` : ''}.`,
      });
    }
    if (!readyz.ok && !readyz.status?.startsWith('40')) {
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

export const authCheck: CheckDefinition<ApiContext> = {
  id: 'api.auth',
  title: 'Authentication',
  requires: ['api.tls'],
  codes: ['api.auth.unauthorized', 'api.auth.forbidden', 'api.auth.exec-plugin-failed', 'api.auth.anonymous'],
  timeoutMs: (ctx) => (ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs) * 4 + 1000,
  async run(ctx) {
    const k = ctx.config;
    const ns = k.namespace;
    const reproduce = [`kubectl auth whoami ${ctx.contextArgs}`.trim(), `kubectl auth can-i list pods -n ${ns} ${ctx.contextArgs}`.trim()];
    const creds = await ctx.credentials();
    const evidence: Record<string, unknown> = { authKind: k.user.authKind };
    if (creds instanceof ExecPluginError) {
      evidence.execCommand = k.user.exec?.command;
      return {
        summary: `the exec credential plugin failed: ${creds.message}`,
        findings: [{ code: 'api.auth.exec-plugin-failed', message: `${creds.message}.` }],
        evidence,
        reproduce: [`${k.user.exec?.command ?? ''} ${(k.user.exec?.args ?? []).join(' ')}`.trim(), ...reproduce],
      };
    }
    const findings: FindingInput[] = [];
    if (k.user.authKind === 'none') {
      findings.push({ code: 'api.auth.anonymous', message: `The context's user has no credentials: requests are anonymous (system:anonymous).` });
    }
    // who am I (SelfSubjectReview: GA in 1.28, else v1beta1) and what may I do
    // (SelfSubjectAccessReview, the fallback identity check before 1.28), asked concurrently
    const review = (version: string) =>
      ctx.request('POST', `/apis/authentication.k8s.io/${version}/selfsubjectreviews`, {
        auth: true,
        body: { apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview' },
      });
    const ssarPromise = ctx.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      auth: true,
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace: ns, verb: 'list', resource: 'pods' } },
      },
    });
    let identity: { username?: string; groups?: string[] } | undefined;
    let reviewNote = '';
    let r = await review('v1');
    if (r.response?.statusCode === 404) r = await review('v1beta1');
    if (r.response?.statusCode === 404) reviewNote = ' (SelfSubjectReview not served: before 1.28)';
    else if (r.response?.statusCode === 403) reviewNote = ' (SelfSubjectReview forbidden)';
    if (!r.response) {
      await ssarPromise;
      return { summary: `SelfSubjectReview failed: ${r.error?.message}`, findings: [{ code: 'api.auth.unauthorized', severity: 'warn' as const, message: `POST SelfSubjectReview got no answer: ${r.error?.message}.` }], evidence, reproduce };
    }
    if (r.response.statusCode === 401) {
      await ssarPromise;
      return unauthorized(ctx, r, evidence, reproduce);
    }
    if (r.response.statusCode === 403) evidence.selfSubjectReview = statusText(r);
    else if (r.response.statusCode !== 404) {
      const body = parseJson(r.response.body);
      const info = (body?.status as { userInfo?: { username?: string; groups?: string[] } } | undefined)?.userInfo;
      if (info) identity = { username: info.username, groups: info.groups };
    }
    if (!identity) evidence.selfSubjectReview = evidence.selfSubjectReview ?? 'not served (before 1.28): fell back to SelfSubjectAccessReview';
    const ssar = await ssarPromise;
    if (ssar.response?.statusCode === 401) return unauthorized(ctx, ssar, evidence, reproduce);
    let allowed: boolean | undefined;
    if (ssar.response?.statusCode === 201 || ssar.response?.statusCode === 200) {
      const st = parseJson(ssar.response.body)?.status as { allowed?: boolean; reason?: string } | undefined;
      allowed = st?.allowed === true;
      evidence.canListPods = { namespace: ns, allowed, reason: st?.reason };
    } else if (ssar.response) {
      evidence.selfSubjectAccessReview = statusText(ssar);
    }
    if (identity) evidence.user = identity;
    const anonymous = k.user.authKind === 'none';
    if (!identity && anonymous) identity = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
    const who = identity?.username ? `${identity.username}${identity.groups?.length ? ` (groups ${identity.groups.join(', ')})` : ''}` : 'an identity the server accepts';
    if (ssar.response?.statusCode === 403) {
      const status = parseJson(ssar.response.body);
      const reason = typeof status?.message === 'string' ? status.message : quoteBody(ssar.response.body, 200);
      findings.push({
        code: 'api.auth.forbidden',
        severity: 'fail',
        message: `${anonymous ? 'The requests are anonymous and' : 'The server accepts the credentials but'} RBAC forbids even SelfSubjectAccessReview: kubectl says "Error from server (Forbidden): ${reason}".`,
      });
    } else if (allowed === false) {
      const user = identity?.username ?? k.userName ?? 'this user';
      findings.push({
        code: 'api.auth.forbidden',
        message: `Authenticated as ${who}, but RBAC forbids listing pods in ${ns}: kubectl says "Error from server (Forbidden): pods is forbidden: User "${user}" cannot list resource "pods" in API group "" in the namespace "${ns}"".`,
      });
    }
    const can = allowed === undefined ? '' : allowed ? `; can list pods in ${ns}` : `; cannot list pods in ${ns}`;
    const summary = anonymous
      ? `no credentials: requests are sent as ${identity?.username ?? 'system:anonymous'}${ssar.response?.statusCode === 403 ? '; RBAC forbids them' : can}`
      : `authenticated as ${who} via ${describeAuth(ctx)}${reviewNote}${can}`;
    return { summary, findings, evidence, reproduce };
  },
};

function describeAuth(ctx: ApiContext): string {
  const u = ctx.config.user;
  switch (u.authKind) {
    case 'exec':
      return `exec plugin ${u.exec?.command ?? ''}`.trim();
    case 'client-certificate':
      return 'client certificate';
    case 'tokenFile':
      return `token file ${u.tokenFile ?? ''}`.trim();
    case 'none':
      return 'no credentials';
    default:
      return u.authKind;
  }
}

function unauthorized(ctx: ApiContext, r: HttpResult, evidence: Record<string, unknown>, reproduce: string[]) {
  evidence.status = statusText(r);
  evidence.body = quoteBody(r.response?.body, 400);
  return {
    summary: `the server rejects the credentials (401 Unauthorized)`,
    findings: [
      {
        code: 'api.auth.unauthorized',
        message: `The server rejects the ${describeAuth(ctx)} of user ${ctx.config.userName ?? '(unnamed)'} with 401 Unauthorized; kubectl says "${KUBECTL_401}".`,
      },
    ],
    evidence,
    reproduce,
  };
}
