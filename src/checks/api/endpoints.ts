// api.endpoints: every other address of the API server (the default/kubernetes EndpointSlice,
// every DNS answer, --endpoint extras), each probed with TCP + TLS in parallel.
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import type { ApiFailure } from '../../kube/client.ts';
import { kubernetesEndpoints } from '../../kube/apiserver-endpoints.ts';
import { judgeCertificate, probeAddress, verifiedName } from '../../kube/probe.ts';
import type { NetError } from '../../net/tcp.ts';
import { httpsServer } from './requirements.ts';
import type { ApiContext } from './context.ts';
import { joinHostPort, stripBrackets } from '../../net/ip.ts';
import { shortError } from './connection-errors.ts';
import { monotonicMs } from '../../net/clock.ts';

export interface EndpointProbe {
  address: string;
  sources: string[];
  via: string;
  tcp: 'ok' | 'failed';
  tls?: 'ok' | 'failed';
  ok: boolean;
  durationMs: number;
  certificate?: string;
  trusted?: boolean;
  coversAddress?: boolean;
  error?: NetError;
}

interface Candidate {
  host: string;
  port: number;
  sources: Set<string>;
}

function parseEndpoint(raw: string, defaultPort: number): { host: string; port: number } | undefined {
  try {
    const u = new URL(raw.includes('://') ? raw : `https://${raw}`);
    return { host: stripBrackets(u.hostname), port: u.port ? Number(u.port) : defaultPort };
  } catch {
    return undefined;
  }
}

async function probe(ctx: ApiContext, c: Candidate): Promise<EndpointProbe> {
  const started = monotonicMs();
  const hs = await probeAddress(ctx, c.host, c.port);
  const { address } = hs;
  const via = hs.proxy ? `proxy ${hs.proxy}` : address;
  const base = { address, sources: [...c.sources].sort() };
  const elapsed = () => Math.round(monotonicMs() - started);
  if (!hs.connected || !hs.tls) return { ...base, via, tcp: 'failed', ok: false, durationMs: elapsed(), error: hs.error };
  const tls = hs.tls;
  if (!tls.ok) return { ...base, via, tcp: 'ok', tls: 'failed', ok: false, durationMs: elapsed(), error: tls.error };
  const v = judgeCertificate(ctx, tls.certificates, verifiedName(ctx, c.host, c.sources.has('kubeconfig server')));
  const { trusted, covers: coversAddress } = v;
  const ok = (trusted && coversAddress) || ctx.config.cluster.insecureSkipTlsVerify;
  return {
    ...base,
    via,
    tcp: 'ok',
    tls: 'ok',
    ok,
    durationMs: elapsed(),
    certificate: tls.chain[0]?.subject,
    trusted,
    coversAddress,
    error: ok ? undefined : { kind: trusted ? 'name-mismatch' : 'untrusted', message: v.goError ?? 'certificate not trusted' },
  };
}

/** Why default/kubernetes could not be read, in a few words: "403 Forbidden: <the server's message>". */
function failureWords(f: ApiFailure): string {
  return f.status ? `${f.status} ${f.statusReason ?? (f.reason === 'forbidden' ? 'Forbidden' : f.reason === 'unauthorized' ? 'Unauthorized' : '')}: ${f.message}`.replace(/ +:/, ':') : f.message;
}

function problemText(p: EndpointProbe): string {
  return `${p.address} (${p.sources.join(', ')}): ${p.tcp === 'failed' ? `TCP ${shortError(p.error)}` : p.tls === 'failed' ? `TLS ${p.error?.message ?? 'failed'}` : (p.error?.message ?? 'failed')}`;
}

/**
 * The verdict on the probed addresses (pure: tested on recorded evidence). The endpoints of
 * default/kubernetes are what in-cluster clients reach (kubernetes.default.svc → ClusterIP → these):
 * when none works, every in-cluster client fails, whatever this machine's address does.
 */
export function judgeEndpoints(probes: EndpointProbe[], k: { endpointSource: string; endpointCount: number; failure?: ApiFailure; noCredentials?: boolean }, kubeconfigAddress: string): { summary: string; findings: FindingInput[] } {
  const findings: FindingInput[] = [];
  const heads: string[] = [];
  if (k.failure && k.noCredentials) {
    // no credentials: api.auth says so (kubectl would prompt for a username, never send this read);
    // the same cause is not reported twice
    heads.push(`default/kubernetes not read: the context's user has no credentials (see api.auth); only ${probes.length === 1 ? 'the kubeconfig address is' : 'the addresses known without it are'} checked`);
  } else if (k.failure) {
    heads.push(`default/kubernetes not readable (${failureWords(k.failure)}); only ${probes.length === 1 ? 'the kubeconfig address is' : 'the addresses known without it are'} checked`);
    findings.push({
      code: 'api.endpoints.unreadable',
      message: `The endpoints of default/kubernetes could not be read: ${failureWords(k.failure)}. Only ${kubeconfigAddress} (this kubeconfig's address) is checked; the addresses in-cluster clients reach are unknown.`,
      remediation: k.failure.needs ? [`This identity needs ${k.failure.needs.text ?? `${k.failure.needs.verb} ${k.failure.needs.resource}`}: \`${k.failure.needs.canI}\`; or rerun with a context allowed to read it.`] : [],
    });
  } else if (k.endpointCount === 0) {
    heads.push('default/kubernetes has no endpoints');
    findings.push({
      code: 'api.endpoints.not-written',
      message:
        `default/kubernetes has no endpoints (the EndpointSlice list is empty). The API server writes its --advertise-address there itself, except an address in the loopback range (127.0.0.0/8), which it refuses to write: its log repeats \`Endpoints "kubernetes" is invalid: ... may not be in the loopback range\` every 10 s. ` +
        `In-cluster clients (kubernetes.default.svc) then reach nothing; clients outside the cluster are not affected.`,
      remediation: ['Set --advertise-address on the API server to a non-loopback address of the node that it listens on (`kubectl netdiag server --local` on the control-plane node shows both).'],
    });
  }
  const bad = probes.filter((p) => !p.ok);
  const ok = probes.filter((p) => p.ok);
  const advertised = probes.filter((p) => p.sources.includes(k.endpointSource));
  // dead = no TCP+TLS at all; a certificate that does not cover the endpoint's own address fails
  // only clients that dial that address (in-cluster clients verify the ClusterIP / Service name)
  const dead = (p: EndpointProbe) => p.tcp === 'failed' || p.tls === 'failed';
  const advertisedDead = advertised.length > 0 && advertised.every(dead);
  const others = advertisedDead ? bad.filter((p) => !p.sources.includes(k.endpointSource)) : bad;
  if (advertisedDead) {
    findings.push({
      code: 'api.endpoints.advertised-dead',
      message:
        `No address the API server advertises works: ${advertised.map(problemText).join('; ')}. ` +
        `In-cluster clients reach the API server only through ${advertised.length === 1 ? 'this endpoint' : 'these endpoints'} (kubernetes.default.svc → the ClusterIP → default/kubernetes), so every in-cluster client fails` +
        `${ok.length ? `, although this kubeconfig's address ${ok.map((p) => p.address).join(', ')} works` : ''}. ` +
        'The API server writes its own --advertise-address into default/kubernetes (and rewrites it: nobody can remove it), but does not listen there: its --bind-address is another address.',
      remediation: [
        'Fix it on the API server: make --advertise-address an address it listens on (or set --bind-address to 0.0.0.0 or to that address) and restart it; `kubectl netdiag server --local` on the control-plane node names both flags and where they are set.',
      ],
    });
  }
  if (others.length) {
    findings.push({
      code: 'api.endpoints.partial',
      message:
        `${others.length} of ${probes.length} addresses of the API server do not work from here: ${others.map(problemText).join('; ')}. ` +
        (others.every((p) => p.tls === 'ok')
          ? `A client that dials ${others.length === 1 ? 'it' : 'one of them'} directly fails with that error (in-cluster clients verify the ClusterIP or the Service name instead).`
          : 'Clients that pick one of them (DNS round robin, a load balancer, kubectl with another kubeconfig) fail.'),
      remediation: [
        ...(others.some((p) => p.tcp === 'failed') ? ['Remove the dead addresses from DNS / the load balancer, or open the path to them (firewall, routes).'] : []),
        ...(others.some((p) => p.tls === 'ok') ? ['Issue the serving certificate for every address clients dial (kubeadm --apiserver-cert-extra-sans, k3s --tls-san).'] : []),
      ],
    });
  }
  const tail = bad.length === 0 ? `${ok.length} of ${probes.length} addresses reachable with a trusted certificate: ${ok.map((p) => p.address).join(', ')}` : `${ok.length} of ${probes.length} addresses work; failing: ${bad.map((p) => p.address).join(', ')}`;
  return { summary: [...heads, tail].join('; '), findings };
}

export const endpointsCheck: CheckDefinition<ApiContext> = {
  id: 'api.endpoints',
  title: 'Other API addresses',
  // the EndpointSlice read needs only a trusted connection, not /version
  requires: ['api.tls'],
  appliesWhen: [httpsServer],
  codes: ['api.endpoints.partial', 'api.endpoints.unreadable', 'api.endpoints.not-written', 'api.endpoints.advertised-dead'],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs + ctx.timeoutMs * 4 + 1000,
  async run(ctx) {
    const candidates = new Map<string, Candidate>();
    const add = (host: string, port: number, source: string) => {
      const key = joinHostPort(host, port);
      const c = candidates.get(key) ?? { host, port, sources: new Set<string>() };
      c.sources.add(source);
      candidates.set(key, c);
    };
    const evidence: Record<string, unknown> = {};
    const k = await kubernetesEndpoints(ctx);
    for (const e of k.endpoints) add(e.address, e.port, k.endpointSource);
    if (k.failure) evidence.endpointSliceError = k.failure.status ? `${k.failure.status} ${k.failure.statusReason ?? ''}`.trim() : k.failure.message;
    if (!ctx.isIpServer) {
      const dns = await ctx.dns();
      for (const a of dns.addresses) add(a.address, ctx.port, `DNS ${ctx.host}`);
    } else {
      add(ctx.host, ctx.port, 'kubeconfig server');
    }
    for (const raw of ctx.options.endpoints) {
      const p = parseEndpoint(raw, ctx.port);
      if (p) add(p.host, p.port, '--endpoint');
    }
    const probes = await Promise.all([...candidates.values()].map((c) => probe(ctx, c)));
    evidence.addresses = probes;
    const reproduce = [
      `kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes -o wide ${ctx.contextArgs}`.trim(),
      ...probes.map((p) => `openssl s_client -connect ${p.address} -showcerts </dev/null`),
    ];
    if (probes.length === 0) return { skip: true, summary: 'no other addresses known', evidence, reproduce };
    const { summary, findings } = judgeEndpoints(probes, { endpointSource: k.endpointSource, endpointCount: k.endpoints.length, failure: k.failure, noCredentials: ctx.config.user.authKind === 'none' }, ctx.hostPort);
    return { summary, findings, evidence, reproduce };
  },
};
