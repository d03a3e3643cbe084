// api.http: GET /version once TLS works: the server's version and the clock skew.
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import type { ApiContext } from './context.ts';
import { parseJson, quoteBody } from './http-answer.ts';
import { GO_HTTP_ON_TLS_PORT, tlsBehindHttp } from '../../kube/tls-port.ts';
import { KUBECTL_400_UNKNOWN } from './kubectl-wording.ts';

const CLOCK_SKEW_WARN_S = 60;

export const httpCheck: CheckDefinition<ApiContext> = {
  id: 'api.http',
  title: 'HTTP /version',
  requires: ['api.tls'],
  codes: ['api.http.error', 'api.http.tls-port', 'api.http.clock-skew'],
  timeoutMs: (ctx) => ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs * 2 + 1000,
  async run(ctx) {
    const reproduce = [`kubectl version ${ctx.contextArgs}`.trim(), `kubectl get --raw /version ${ctx.contextArgs}`.trim()];
    const r = await ctx.requestOnce('version', 'GET', '/version', { auth: true });
    const evidence: Record<string, unknown> = { via: r.via, durationMs: r.durationMs };
    if (ctx.plainHttp) {
      const wrongScheme = await tlsPort(ctx, r.response ? { status: r.response.statusCode, text: r.response.body } : undefined);
      if (wrongScheme) {
        evidence.error = r.error;
        if (r.response) evidence.status = `${r.response.statusCode} ${r.response.statusMessage}`;
        evidence.tlsProbe = wrongScheme.probe;
        return { summary: wrongScheme.summary, findings: [wrongScheme.finding], evidence, reproduce: [...reproduce, `curl -sv -k https://${ctx.hostPort}/version`] };
      }
    }
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

/** http:// in the kubeconfig, TLS on the port (src/kube/tls-port.ts): kubectl's words and the fix. */
async function tlsPort(ctx: ApiContext, answer: { status: number; text: string } | undefined): Promise<{ summary: string; finding: FindingInput; probe: unknown } | undefined> {
  const t = await tlsBehindHttp(ctx, answer);
  if (!t) return undefined;
  const server = ctx.config.cluster.server;
  const said = t.goSays
    ? `it answered 400 "${GO_HTTP_ON_TLS_PORT}" (Go's answer to plain HTTP on a TLS port), and kubectl says "${KUBECTL_400_UNKNOWN}"`
    : answer
      ? `it answered a plain GET /version with 400 "${quoteBody(answer.text, 120)}" and completes a TLS handshake (${t.protocol ?? 'TLS'}) on the same port`
      : `it does not answer a plain GET /version with HTTP, and completes a TLS handshake (${t.protocol ?? 'TLS'}) on the same port`;
  return {
    summary: `${ctx.hostPort} speaks TLS, but the server URL is ${server}`,
    probe: t.probe,
    finding: {
      code: 'api.http.tls-port',
      message: `The kubeconfig names the API server as ${server}, so kubectl sends plain HTTP (and no credentials), but ${ctx.hostPort} speaks TLS: ${said}.`,
      remediation: [`Write https:// in the server URL: \`kubectl config set-cluster ${ctx.config.clusterName ?? 'CLUSTER'} --server=https://${ctx.hostPort}\`; the kubeconfig then also needs the cluster CA (certificate-authority-data).`],
    },
  };
}
