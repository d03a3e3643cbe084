// server.connection: can this machine talk to the API server at all, on the path kubectl takes
// (the one client: proxy, TLS verified against the kubeconfig CA, then GET /version).
import type { CheckDefinition, CheckOutcome } from '../../engine/definitions.ts';
import { ExecPluginError, execCommandLine } from '../../kube/credentials.ts';
import { tlsBehindHttp } from '../../kube/tls-port.ts';
import { localhostFallbackWhy } from '../../kube/kubeconfig.ts';
import { judgeStalledHandshake, stallEvidence, watchClientHandshake, type StallCodes } from '../../kube/handshake-stall.ts';
import { answerText } from './api-answer.ts';
import type { ServerContext } from './context.ts';
import { clusterUnlessLocal } from './requirements.ts';
import { monotonicMs } from '../../net/clock.ts';

export const connectionCheck: CheckDefinition<ServerContext> = {
  id: 'server.connection',
  title: 'Connection to the API server',
  appliesWhen: [clusterUnlessLocal],
  codes: ['server.connection.kubeconfig', 'server.connection.credentials', 'server.connection.failed', 'server.connection.mtu-blackhole', 'server.connection.no-answer', 'server.connection.slow-handshake', 'server.connection.untrusted'],
  timeoutMs: (ctx) => ctx.timeoutMs * 4 + ctx.options.requestTimeoutMs * 2 + 1000,
  async run(ctx) {
    if (!ctx.hasCluster) {
      const e = ctx.api.kubeError;
      const why = e ? { summary: e.message, message: `${e.message}.` } : localhostFallbackWhy(ctx.api.config);
      return { summary: why.summary, findings: [{ code: 'server.connection.kubeconfig', message: why.message }] };
    }
    // kubectl runs the exec plugin before it dials: a plugin that fails is what it says first,
    // whatever the network does (the plugin runs while the connection is tried)
    const pluginFailed = ctx.api.config.user.exec && !ctx.api.plainHttp ? ctx.api.credentials().then((c) => (c instanceof ExecPluginError ? c : undefined)) : undefined;
    const [execError, outcome] = await Promise.all([pluginFailed, connectionOutcome(ctx)]);
    if (!execError) return outcome;
    const server = ctx.api.config.cluster.server;
    const connectionFailed = (outcome.findings?.length ?? 0) > 0;
    return {
      ...outcome,
      summary: `the exec credential plugin failed: ${execError.message}${connectionFailed ? `; ${outcome.summary}` : ''}`,
      findings: [{ code: 'server.connection.credentials', message: `kubectl gets no credentials for ${server}: ${execError.sentence}` }, ...(outcome.findings ?? [])],
      reproduce: [execCommandLine(ctx.api.config.user.exec), ...(outcome.reproduce ?? [])],
    };
  },
};

/** The connection as kubectl makes it: TLS verified (https://) or plain (http://), then GET /version. */
async function connectionOutcome(ctx: ServerContext): Promise<CheckOutcome> {
  const server = ctx.api.config.cluster.server;
  const reproduce = [`kubectl netdiag api${ctx.contextArgs}`, `kubectl get --raw /version${ctx.contextArgs}`];
  const evidence: Record<string, unknown> = { server };
  if (ctx.api.plainHttp) {
    // plain http:// (kubectl proxy, an insecure port): no certificate, the connection is the question
    const r = await ctx.api.reachable();
    if (!r.ok) return cannotReach(server, r.why ?? 'no connection', evidence, reproduce);
  } else {
    const verdict = await tlsVerdict(ctx, server, evidence, reproduce);
    if (verdict) return verdict;
  }
  const v = await ctx.serverVersion();
  // http:// for a TLS port: Go's 400, or no HTTP answer and a handshake on the same address
  const tlsPort = v.ok ? undefined : await tlsBehindHttp(ctx.api, v.status === undefined ? undefined : { status: v.status, text: v.message });
  if (tlsPort && !v.ok) {
    evidence.tlsProbe = tlsPort.probe;
    const got = v.status === undefined ? `got no HTTP answer: ${v.message}` : `answered ${answerText(v)}`;
    const message = `The kubeconfig names the API server as ${server}, so kubectl speaks plain HTTP to it, but ${ctx.api.hostPort} speaks TLS (GET /version ${got}); \`kubectl netdiag api\` explains the fix.`;
    return { summary: `${ctx.api.hostPort} speaks TLS, but the server URL is ${server}`, findings: [{ code: 'server.connection.failed', message }], evidence, reproduce };
  }
  if (!v.ok && (v.reason === 'timeout' || v.reason === 'unreachable')) {
    return {
      summary: `GET /version failed: ${v.message}`,
      findings: [{ code: 'server.connection.failed', message: `GET ${server}/version got no answer: ${v.message}.` }],
      evidence,
      reproduce,
    };
  }
  const version = v.ok && typeof v.body.gitVersion === 'string' ? v.body.gitVersion : undefined;
  evidence.status = answerText(v);
  if (version) evidence.version = version;
  return { summary: `${server} answers${version ? `: ${version}` : ` ${answerText(v)}`}${evidence.via ? ` (via ${String(evidence.via)})` : ''}`, evidence, reproduce };
}

export const SERVER_STALL_CODES: StallCodes = {
  slow: 'server.connection.slow-handshake',
  mtuBlackhole: 'server.connection.mtu-blackhole',
  noAnswer: 'server.connection.no-answer',
  failed: 'server.connection.failed',
};

/** The handshake kubectl makes (https:// servers): a finding when it fails or does not verify. */
async function tlsVerdict(ctx: ServerContext, server: string, evidence: Record<string, unknown>, reproduce: string[]): Promise<CheckOutcome | undefined> {
  // credentials are sent only once the certificate has verified (as in `api`)
  const startedAt = monotonicMs();
  const pending = ctx.api.tls();
  // "net/http: TLS handshake timeout" told apart as `api` does (src/kube/handshake-stall.ts)
  const stall = watchClientHandshake(ctx.api, pending, startedAt);
  const t = await pending;
  evidence.via = t.dialled.via;
  if (!t.tls.ok && t.tls.error?.kind === 'timeout' && !t.dialled.connect) {
    const probes = await stall;
    if (probes) {
      const v = judgeStalledHandshake(SERVER_STALL_CODES, ctx.api.hostPort, ctx.api.host, ctx.timeoutMs, probes);
      evidence.error = t.tls.error;
      evidence.stall = stallEvidence(probes, v.cause);
      return {
        summary: `cannot reach ${server}: ${v.summary}`,
        findings: [{ code: v.code, message: v.code === SERVER_STALL_CODES.failed ? unreachableMessage(server, v.message.replace(/\.$/, '')) : v.message }],
        evidence,
        reproduce: [...v.reproduce, ...reproduce],
      };
    }
  }
  if (!t.tls.ok) return cannotReach(server, t.dialled.error?.message ?? t.tls.error?.message ?? 'no TLS connection', evidence, reproduce);
  evidence.certificate = t.tls.chain[0]?.subject;
  if (t.verify && !t.verify.trusted && !ctx.api.config.cluster.insecureSkipTlsVerify) {
    return {
      summary: `the certificate presented for ${server} is not trusted: ${t.verify.goError ?? 'unknown reason'}`,
      findings: [
        {
          code: 'server.connection.untrusted',
          message: `The certificate presented for ${server} (${t.tls.chain[0]?.subject ?? '?'} issued by ${t.tls.chain[0]?.issuer ?? '?'}) does not verify against the kubeconfig CA: ${t.verify.goError ?? 'untrusted'}. Credentials are not sent; \`kubectl netdiag api\` explains the path.`,
        },
      ],
      evidence,
      reproduce,
    };
  }
  return undefined;
}

function unreachableMessage(server: string, why: string): string {
  return `This machine cannot reach the API server ${server} (${why}); \`kubectl netdiag api\` explains why.`;
}

function cannotReach(server: string, why: string, evidence: Record<string, unknown>, reproduce: string[]): CheckOutcome {
  return { summary: `cannot reach ${server}: ${why}`, findings: [{ code: 'server.connection.failed', message: unreachableMessage(server, why) }], evidence, reproduce };
}
