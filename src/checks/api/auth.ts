// api.auth: who the server takes us for (SelfSubjectReview) and what we may do (SelfSubjectAccessReview).
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import { ExecPluginError } from '../../kube/credentials.ts';
import type { HttpResult } from '../../net/http.ts';
import type { ApiContext } from './context.ts';
import { parseJson, quoteBody, statusText } from './http-answer.ts';

export const KUBECTL_401 =
  'error: You must be logged in to the server (the server has asked for the client to provide credentials)';

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
