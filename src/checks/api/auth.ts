// api.auth: who the server takes us for (SelfSubjectReview) and what we may do (SelfSubjectAccessReview).
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import { ExecPluginError, execCommandLine, type Credentials } from '../../kube/credentials.ts';
import type { HttpResult } from '../../net/http.ts';
import type { ApiContext } from './context.ts';
import { parseJson, quoteBody, statusText } from './http-answer.ts';
import { bearerToken, certificateIdentity, jwtIdentity, type LocalIdentity } from './identity.ts';
import {
  KUBECTL_401_COLD,
  KUBECTL_NO_CREDENTIALS_EOF,
  KUBECTL_NO_CREDENTIALS_PROMPT,
  KUBECTL_WHOAMI_403,
  KUBECTL_WHOAMI_404,
  kubectl401,
  kubectlForbidden,
  userInForbidden,
} from './kubectl-wording.ts';

export const authCheck: CheckDefinition<ApiContext> = {
  id: 'api.auth',
  title: 'Authentication',
  requires: ['api.tls'],
  codes: ['api.auth.unauthorized', 'api.auth.forbidden', 'api.auth.exec-plugin-failed', 'api.auth.anonymous'],
  timeoutMs: (ctx) => (ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs) * 4 + 1000,
  // kubectl gets the credentials before it dials: an exec plugin that fails, or a user without
  // credentials (a username prompt), is what it says first, whatever the network then does
  async beforeRequires(ctx) {
    // (a plain http:// server: kubectl neither prompts nor runs a plugin, it sends no credentials)
    if (!ctx.kube || ctx.kubeError || ctx.plainHttp) return undefined;
    const k = ctx.config;
    if (k.user.authKind === 'none') {
      return { summary: 'the context\'s user has no credentials: kubectl asks for a username before it connects', findings: [anonymousFinding()], evidence: { authKind: k.user.authKind, beforeConnect: true } };
    }
    if (!k.user.exec) return undefined;
    const creds = await ctx.credentials();
    return creds instanceof ExecPluginError ? { ...execPluginFailed(ctx, creds), evidence: { authKind: k.user.authKind, execCommand: k.user.exec.command, beforeConnect: true } } : undefined;
  },
  async run(ctx) {
    const k = ctx.config;
    const ns = k.namespace;
    const reproduce = authReproduce(ctx);
    const creds = await ctx.credentials();
    const evidence: Record<string, unknown> = { authKind: k.user.authKind };
    if (creds instanceof ExecPluginError) {
      evidence.execCommand = k.user.exec?.command;
      return { ...execPluginFailed(ctx, creds), evidence };
    }
    const findings: FindingInput[] = [];
    const plain = ctx.plainHttp;
    const anonymous = k.user.authKind === 'none' && !plain;
    // kubectl never sends a request for such a user: client-go prompts for basic auth first
    if (anonymous) findings.push(anonymousFinding());
    // who am I (SelfSubjectReview: GA in 1.28, else v1beta1) and what may I do
    // (SelfSubjectAccessReview, the fallback identity check before 1.28), asked concurrently
    // (asked once per identity: contexts of a fleet with the same server and user share the answers)
    const review = (version: string) =>
      ctx.requestOnce(`selfsubjectreview-${version}`, 'POST', `/apis/authentication.k8s.io/${version}/selfsubjectreviews`, {
        auth: true,
        body: { apiVersion: `authentication.k8s.io/${version}`, kind: 'SelfSubjectReview' },
      });
    const ssarPromise = ctx.requestOnce(`ssar-list-pods:${ns}`, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      auth: true,
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        spec: { resourceAttributes: { namespace: ns, verb: 'list', resource: 'pods' } },
      },
    });
    let identity: { username?: string; groups?: string[] } | undefined;
    let r = await review('v1');
    if (r.response?.statusCode === 404) r = await review('v1beta1');
    if (!r.response) {
      await ssarPromise;
      return { summary: `SelfSubjectReview failed: ${r.error?.message}`, findings: [{ code: 'api.auth.unauthorized', severity: 'warn' as const, message: `POST SelfSubjectReview got no answer: ${r.error?.message}.` }], evidence, reproduce };
    }
    if (r.response.statusCode === 401) {
      await ssarPromise;
      return unauthorized(ctx, r, evidence, reproduce);
    }
    // any other failure (400 from a TLS port spoken to in plain HTTP, a 5xx): nothing is known of the identity
    if (r.response.statusCode >= 400 && ![403, 404].includes(r.response.statusCode)) {
      await ssarPromise;
      evidence.selfSubjectReview = statusText(r);
      return { skip: true, summary: `who the server takes us for cannot be told: SelfSubjectReview answered ${statusText(r)}`, evidence, reproduce };
    }
    // before 1.28 the server cannot be asked: 404 (not served), or 403 (authorization runs before routing)
    let whoami: string | undefined;
    let serverNamed: string | undefined;
    if (r.response.statusCode === 404) whoami = KUBECTL_WHOAMI_404;
    else if (r.response.statusCode === 403) {
      whoami = KUBECTL_WHOAMI_403;
      const m = parseJson(r.response.body)?.message;
      if (typeof m === 'string') serverNamed = userInForbidden(m);
    } else {
      const body = parseJson(r.response.body);
      const info = (body?.status as { userInfo?: { username?: string; groups?: string[] } } | undefined)?.userInfo;
      if (info) identity = { username: info.username, groups: info.groups };
    }
    if (whoami) evidence.selfSubjectReview = `${statusText(r)}: kubectl auth whoami says "error: ${whoami}"`;
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

    // what can be known without the server: the certificate's subject, a JWT's claims, the name in a 403
    let whoSource = '';
    if (!identity && !anonymous && !plain) {
      const local = localIdentity(ctx, creds);
      if (local) {
        identity = { username: local.username ?? serverNamed, groups: local.groups };
        evidence.localIdentity = local;
        whoSource =
          local.source === 'client-certificate'
            ? "the client certificate's subject CN and O, read locally"
            : `the token's JWT claims, read locally${local.claims?.iss ? `: iss ${local.claims.iss}` : ''}${local.claims?.exp ? `, exp ${local.claims.exp}` : ''}`;
      } else if (serverNamed) {
        identity = { username: serverNamed };
        whoSource = 'the name the server gives in its 403';
      } else if (whoami) {
        whoSource = 'the token is not a JWT: only the server knows its user';
      }
    }
    const who = identity?.username ? `${identity.username}${identity.groups?.length ? ` (groups ${identity.groups.join(', ')})` : ''}` : 'an identity the server accepts';
    const cannotAsk =
      whoami === KUBECTL_WHOAMI_404
        ? `SelfSubjectReview not served: before 1.28, the server cannot be asked; kubectl auth whoami says "${whoami}"`
        : `the server cannot be asked: kubectl auth whoami says "${whoami}"`;
    const whoNote = whoami ? ` (${whoSource ? `${whoSource}; ` : ''}${cannotAsk})` : '';

    if (anonymous) {
      // the anonymous answers are netdiag's, not kubectl's: evidence, not findings
      if (ssar.response?.statusCode === 403) evidence.anonymousRequests = statusMessage(ssar);
      const summary =
        `no credentials: kubectl asks "${KUBECTL_NO_CREDENTIALS_PROMPT}" instead of sending a request` +
        (ssar.response?.statusCode === 403 ? '; anonymous requests (system:anonymous) are forbidden here' : allowed !== undefined ? `; anonymous requests (system:anonymous) ${allowed ? 'can' : 'cannot'} list pods in ${ns}` : '');
      return { summary, findings, evidence, reproduce };
    }
    if (ssar.response?.statusCode === 403) {
      const reason = statusMessage(ssar);
      findings.push({
        code: 'api.auth.forbidden',
        severity: 'fail',
        message: `The server accepts the credentials but RBAC forbids even SelfSubjectAccessReview: kubectl says "${kubectlForbidden(reason)}".`,
      });
    } else if (allowed === false) {
      // quote the server's own Status message: it names the user as the server knows it
      const pods = await ctx.requestOnce(`list-pods:${ns}`, 'GET', `/api/v1/namespaces/${encodeURIComponent(ns)}/pods?limit=1`, { auth: true });
      const m = pods.response?.statusCode === 403 ? parseJson(pods.response.body)?.message : undefined;
      const user = typeof m === 'string' ? userInForbidden(m) : undefined;
      if (user && !identity?.username) identity = { ...identity, username: user };
      const quote =
        typeof m === 'string'
          ? `kubectl get pods -n ${ns} says "${kubectlForbidden(m)}"`
          : identity?.username
            ? `kubectl says "${kubectlForbidden(`pods is forbidden: User "${identity.username}" cannot list resource "pods" in API group "" in the namespace "${ns}"`)}"`
            : `SelfSubjectAccessReview says allowed: false`;
      const whoNow = identity?.username ? `${identity.username}${identity.groups?.length ? ` (groups ${identity.groups.join(', ')})` : ''}` : who;
      findings.push({
        code: 'api.auth.forbidden',
        message: `Authenticated as ${whoNow}, but RBAC forbids listing pods in ${ns}: ${quote}.`,
      });
    }
    const can = allowed === undefined ? '' : allowed ? `; can list pods in ${ns}` : `; cannot list pods in ${ns}`;
    const summary = plain
      ? `answers requests without credentials (${PLAIN_NO_CREDENTIALS})${identity?.username ? `, as ${who}` : ''}${whoNote}${can}`
      : `authenticated as ${who} via ${describeAuth(ctx)}${whoNote}${can}`;
    return { summary, findings, evidence, reproduce };
  },
};

function localIdentity(ctx: ApiContext, creds: Credentials): LocalIdentity | undefined {
  if (ctx.config.user.authKind === 'client-certificate') return certificateIdentity(creds.clientCertPem ?? ctx.config.user.clientCertPem);
  return jwtIdentity(bearerToken(creds.headers)) ?? certificateIdentity(creds.clientCertPem);
}

function statusMessage(r: HttpResult): string {
  const status = parseJson(r.response?.body);
  return typeof status?.message === 'string' ? status.message : quoteBody(r.response?.body, 200);
}

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
  const m = parseJson(r.response?.body)?.message;
  const message = typeof m === 'string' && m ? m : 'Unauthorized';
  return {
    summary: `the server rejects the credentials (401 ${message})`,
    findings: [
      {
        code: 'api.auth.unauthorized',
        message: ctx.plainHttp
          ? `The server answers 401 (Status message "${message}") to requests without credentials, and ${PLAIN_NO_CREDENTIALS}: the ${describeAuth(ctx)} of the kubeconfig user ${ctx.config.userName ?? '(unnamed)'} is never sent. ` +
            `kubectl says "${kubectl401(message)}" when its discovery cache is warm, and "${KUBECTL_401_COLD}" after its discovery errors when the cache is cold.`
          : `The server rejects the ${describeAuth(ctx)} of the kubeconfig user ${ctx.config.userName ?? '(unnamed)'} with 401 (Status message "${message}"): ` +
          `kubectl says "${kubectl401(message)}" when its discovery cache is warm, and "${KUBECTL_401_COLD}" after its discovery errors when the cache is cold.`,
      },
    ],
    evidence,
    reproduce,
  };
}

/** The exec plugin's failure, as kubectl meets it before any request. */
function execPluginFailed(ctx: ApiContext, creds: ExecPluginError) {
  return {
    summary: `the exec credential plugin failed: ${creds.message}`,
    findings: [{ code: 'api.auth.exec-plugin-failed', message: creds.sentence }],
    reproduce: [execCommandLine(ctx.config.user.exec), ...authReproduce(ctx)],
  };
}

/** client-go sends no credentials to an http:// server: no token, no certificate, no plugin run, no prompt. */
const PLAIN_NO_CREDENTIALS = 'kubectl sends none to a plain http:// server';

/** What a user runs to see what kubectl makes of these credentials. */
function authReproduce(ctx: ApiContext): string[] {
  return [`kubectl auth whoami ${ctx.contextArgs}`.trim(), `kubectl auth can-i list pods -n ${ctx.config.namespace} ${ctx.contextArgs}`.trim()];
}

/** A user without credentials: kubectl prompts instead of sending a request. */
function anonymousFinding(): FindingInput {
  return {
    code: 'api.auth.anonymous',
    message:
      `The context's user has no credentials: kubectl 1.32 asks "${KUBECTL_NO_CREDENTIALS_PROMPT}" interactively instead of sending a request, ` +
      `and without a terminal fails with "${KUBECTL_NO_CREDENTIALS_EOF}" (servers since 1.19 accept no username and password anyway).`,
  };
}
