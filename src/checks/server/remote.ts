// server.connection, server.apiservices, server.health and server.version: what the API server
// says about itself, asked through the same path kubectl takes (ApiContext).
import { fetchHealth, parseJson, statusText, type HealthAnswer } from '../api/http.ts';
import { execFile } from 'node:child_process';
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import type { ServerContext } from './context.ts';

// parseJson is re-exported for the other server checks
export { parseJson };

/** The remote checks are not applicable with --local when no kubeconfig resolves. */
export function noCluster(ctx: ServerContext, short = true): CheckOutcome | undefined {
  if (ctx.api.kube && ctx.api.kube.source !== 'none') return undefined;
  if (short) return { skip: true, summary: 'not applicable: no kubeconfig (see server.connection)' };
  const why = ctx.api.kubeError?.message ?? 'none found: kubectl would fall back to http://localhost:8080';
  return { skip: true, summary: `not applicable: no kubeconfig (${why}); pass --kubeconfig (on kubeadm nodes: /etc/kubernetes/admin.conf) to check the API remotely too` };
}

export function args(ctx: ServerContext): string {
  return ctx.api.contextArgs ? ` ${ctx.api.contextArgs}` : '';
}

/** GET /version with the kubeconfig's credentials, once. */
export function serverVersion(ctx: ServerContext) {
  return ctx.api.requestOnce('version', 'GET', '/version', { auth: true });
}

export const connectionCheck: CheckDefinition<ServerContext> = {
  id: 'server.connection',
  title: 'Connection to the API server',
  codes: ['server.connection.kubeconfig', 'server.connection.failed', 'server.connection.untrusted'],
  timeoutMs: (ctx) => ctx.timeoutMs * 4 + ctx.options.requestTimeoutMs * 2 + 1000,
  async run(ctx) {
    if (!ctx.api.kube || ctx.api.kube.source === 'none') {
      if (ctx.local) return noCluster(ctx, false)!;
      const message = ctx.api.kubeError?.message ?? 'no kubeconfig found (--kubeconfig, KUBECONFIG, ~/.kube/config, in-cluster): kubectl would fall back to http://localhost:8080';
      return { summary: message, findings: [{ code: 'server.connection.kubeconfig', message: `${message}.` }] };
    }
    const server = ctx.api.config.cluster.server;
    const reproduce = [`kubectl netdiag api${args(ctx)}`, `kubectl get --raw /version${args(ctx)}`];
    // credentials are sent only once the certificate has verified (as in `api`)
    const t = await ctx.api.tls();
    const evidence: Record<string, unknown> = { server, via: t.dialled.via };
    if (!t.tls.ok) {
      const why = t.dialled.error?.message ?? t.tls.error?.message ?? 'no TLS connection';
      return {
        summary: `cannot reach ${server}: ${why}`,
        findings: [{ code: 'server.connection.failed', message: `This machine cannot reach the API server ${server} (${why}); \`kubectl netdiag api\` explains why.` }],
        evidence,
        reproduce,
      };
    }
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
    const v = await serverVersion(ctx);
    if (!v.response) {
      return {
        summary: `GET /version failed: ${v.error?.message ?? 'no answer'}`,
        findings: [{ code: 'server.connection.failed', message: `GET ${server}/version got no answer: ${v.error?.message ?? 'no answer'}.` }],
        evidence,
        reproduce,
      };
    }
    const body = parseJson(v.response.body);
    evidence.status = statusText(v);
    if (typeof body?.gitVersion === 'string') evidence.version = body.gitVersion;
    return { summary: `${server} answers${typeof body?.gitVersion === 'string' ? `: ${body.gitVersion}` : ` ${statusText(v)}`} (via ${t.dialled.via})`, evidence, reproduce };
  },
};

interface ApiServiceItem {
  metadata?: { name?: string };
  spec?: { service?: { namespace?: string; name?: string; port?: number } | null; group?: string; version?: string };
  status?: { conditions?: { type?: string; status?: string; reason?: string; message?: string; lastTransitionTime?: string }[] };
}

export const apiservicesCheck: CheckDefinition<ServerContext> = {
  id: 'server.apiservices',
  title: 'APIServices (aggregated APIs)',
  requires: ['server.connection'],
  codes: ['server.apiservices.unavailable', 'server.apiservices.forbidden', 'server.apiservices.error'],
  timeoutMs: (ctx) => ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs + 1000,
  async run(ctx) {
    const skip = noCluster(ctx);
    if (skip) return skip;
    const reproduce = [`kubectl get apiservices${args(ctx)}`, `kubectl get apiservices -o jsonpath='{range .items[?(@.status.conditions[0].status!="True")]}{.metadata.name}{"\\t"}{.status.conditions[0].reason}{"\\t"}{.status.conditions[0].message}{"\\n"}{end}'${args(ctx)}`];
    const r = await ctx.api.request('GET', '/apis/apiregistration.k8s.io/v1/apiservices', { auth: true });
    if (!r.response) {
      return { summary: `listing APIServices failed: ${r.error?.message}`, findings: [{ code: 'server.apiservices.error', message: `GET apiservices got no answer: ${r.error?.message}.` }], reproduce };
    }
    if (r.response.statusCode === 403) {
      const msg = (parseJson(r.response.body)?.message as string | undefined) ?? statusText(r);
      return { summary: `not readable by this identity: ${msg}`, findings: [{ code: 'server.apiservices.forbidden', message: `RBAC forbids listing APIServices: "${msg}".` }], reproduce };
    }
    const list = parseJson(r.response.body) as { items?: ApiServiceItem[] } | undefined;
    if (r.response.statusCode !== 200 || !list) {
      return { summary: `listing APIServices answered ${statusText(r)}`, findings: [{ code: 'server.apiservices.error', message: `GET apiservices answered ${statusText(r)}.` }], reproduce };
    }
    const items = list.items ?? [];
    const rows = items.map((i) => {
      const c = i.status?.conditions?.find((x) => x.type === 'Available');
      const svc = i.spec?.service ? `${i.spec.service.namespace}/${i.spec.service.name}` : 'Local';
      return { name: i.metadata?.name ?? '?', service: svc, available: c?.status ?? 'Unknown', reason: c?.reason, message: c?.message, since: c?.lastTransitionTime };
    });
    const bad = rows.filter((x) => x.available !== 'True');
    const evidence = { total: rows.length, unavailable: bad, aggregated: rows.filter((x) => x.service !== 'Local').map((x) => `${x.name} → ${x.service} (${x.available})`) };
    if (bad.length === 0) return { summary: `all ${rows.length} APIServices Available`, evidence, reproduce };
    const findings: FindingInput[] = bad.map((b) => {
      const gv = b.name.replace(/^([^.]+)\.(.*)$/, '$2/$1');
      return {
        code: 'server.apiservices.unavailable',
        message:
          `APIService ${b.name} (service ${b.service}) is not Available: ${b.reason ?? 'no reason'}${b.message ? `: "${b.message}"` : ''}. ` +
          `Discovery fails for every kubectl command while it is down: kubectl prints "couldn't get resource list for ${gv}: the server is currently unable to handle the request" ` +
          `(and \`kubectl api-resources\`, namespace deletion and garbage collection fail for ${gv.split('/')[0]}).`,
        remediation: [
          b.service === 'Local'
            ? `\`kubectl describe apiservice ${b.name}\`: a local APIService that is not Available means the API server itself is not ready (see server.health).`
            : `\`kubectl describe apiservice ${b.name}\`, then check the service behind it: \`kubectl get endpointslices -n ${b.service.split('/')[0]} -l kubernetes.io/service-name=${b.service.split('/')[1] ?? ''}\` and its pods' logs.`,
          `If the API is not needed any more, delete the registration: \`kubectl delete apiservice ${b.name}\`.`,
        ],
      };
    });
    return { summary: `${bad.length} of ${rows.length} APIServices not Available: ${bad.map((b) => `${b.name} (${b.reason ?? '?'})`).join(', ')}`, findings, evidence, reproduce };
  },
};


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
  codes: ['server.health.not-ready', 'server.health.not-live'],
  timeoutMs: (ctx) => (ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs) * 2 + 1000,
  async run(ctx) {
    const skip = noCluster(ctx);
    if (skip) return skip;
    const [readyz, livez] = await Promise.all([fetchHealth(ctx.api, '/readyz?verbose'), fetchHealth(ctx.api, '/livez?verbose')]);
    const reproduce = [`kubectl get --raw '/readyz?verbose'${args(ctx)}`, `kubectl get --raw '/livez?verbose'${args(ctx)}`];
    const evidence = { readyz, livez };
    const findings: FindingInput[] = [];
    for (const [h, code, name] of [
      [readyz, 'server.health.not-ready', 'readyz'],
      [livez, 'server.health.not-live', 'livez'],
    ] as const) {
      if (h.ok || h.status?.startsWith('401') || h.status?.startsWith('403')) continue;
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

export interface ClientVersion {
  present: boolean;
  gitVersion?: string;
  error?: string;
  path?: string;
}

/** `kubectl version --client -o json`, from PATH, bounded by the deadline. */
export function kubectlClientVersion(ctx: ServerContext): Promise<ClientVersion> {
  return ctx.once('kubectl-client', () => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.options.env)) if (v !== undefined) env[k] = v;
    return new Promise<ClientVersion>((resolve) => {
      execFile('kubectl', ['version', '--client', '-o', 'json'], { timeout: ctx.timeoutMs, env, maxBuffer: 1024 * 1024 }, (err, stdout) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ present: false });
        const j = parseJson(String(stdout));
        const cv = j?.clientVersion as { gitVersion?: string } | undefined;
        if (cv?.gitVersion) return resolve({ present: true, gitVersion: cv.gitVersion });
        const e = err as (Error & { killed?: boolean }) | null;
        resolve({ present: true, error: e?.killed ? `kubectl version --client did not answer within ${ctx.timeoutMs} ms` : (e?.message ?? 'no clientVersion in its output') });
      });
    });
  });
}

export function minorOf(v: string | undefined): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(v ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export const versionCheck: CheckDefinition<ServerContext> = {
  id: 'server.version',
  title: 'Version skew (server vs kubectl)',
  requires: ['server.connection'],
  codes: ['server.version.skew', 'server.version.no-kubectl', 'server.version.unknown'],
  timeoutMs: (ctx) => ctx.timeoutMs * 3 + ctx.options.requestTimeoutMs + 1000,
  async run(ctx) {
    const skip = noCluster(ctx);
    if (skip) return skip;
    const reproduce = [`kubectl version -o json${args(ctx)}`];
    const [v, client] = await Promise.all([serverVersion(ctx), kubectlClientVersion(ctx)]);
    const body = parseJson(v.response?.body);
    const server = typeof body?.gitVersion === 'string' ? body.gitVersion : undefined;
    const evidence = { server: server ?? null, kubectl: client };
    if (!server) {
      return { summary: 'the server version is not known', findings: [{ code: 'server.version.unknown', message: `GET /version did not return a version (${statusText(v)}).` }], evidence, reproduce };
    }
    if (!client.present) {
      return {
        summary: `server ${server}; kubectl is not on PATH, so there is no client to compare`,
        findings: [{ code: 'server.version.no-kubectl', message: `kubectl is not on PATH here: the server runs ${server}; install a kubectl within one minor version of it.` }],
        evidence,
        reproduce,
      };
    }
    if (!client.gitVersion) {
      return { summary: `server ${server}; kubectl's version is unknown: ${client.error}`, findings: [{ code: 'server.version.unknown', message: `\`kubectl version --client -o json\` failed: ${client.error}.` }], evidence, reproduce };
    }
    const s = minorOf(server);
    const c = minorOf(client.gitVersion);
    const findings: FindingInput[] = [];
    let skewText = '';
    if (s && c && s.major === c.major) {
      const d = c.minor - s.minor;
      skewText = d === 0 ? 'same minor version' : `kubectl is ${Math.abs(d)} minor version${Math.abs(d) > 1 ? 's' : ''} ${d > 0 ? 'newer' : 'older'}`;
      if (Math.abs(d) > 1) {
        findings.push({
          code: 'server.version.skew',
          message: `kubectl ${client.gitVersion} is ${Math.abs(d)} minor versions ${d > 0 ? 'newer' : 'older'} than the server ${server}; kubectl is supported within one minor version (older or newer) of kube-apiserver, and kubectl itself warns: "WARNING: version difference between client (${c.major}.${c.minor}) and server (${s.major}.${s.minor}) exceeds the supported minor version skew of +/-1".`,
          remediation: [`Install kubectl v${s.major}.${s.minor}.x (or v${s.major}.${s.minor + 1}.x / v${s.major}.${s.minor - 1}.x): https://dl.k8s.io/release/v${s.major}.${s.minor}.0/bin/linux/amd64/kubectl`],
        });
      }
    }
    return { summary: `server ${server}, kubectl ${client.gitVersion}${skewText ? `: ${skewText}` : ''}`, findings, evidence, reproduce };
  },
};
