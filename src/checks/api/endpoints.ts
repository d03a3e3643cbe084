// api.endpoints: every other address of the API server (the default/kubernetes EndpointSlice,
// every DNS answer, --endpoint extras), each probed with TCP + TLS in parallel.
import type { CheckDefinition } from '../../engine/definitions.ts';
import { kubernetesEndpoints } from '../../kube/apiserver-endpoints.ts';
import { probeAddress } from '../../kube/probe.ts';
import type { NetError } from '../../net/tcp.ts';
import { verifyChain } from '../../net/x509.ts';
import type { ApiContext } from './context.ts';
import { joinHostPort, stripBrackets } from '../../net/ip.ts';
import { shortError } from './connection-errors.ts';

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
  const started = performance.now();
  const hs = await probeAddress(ctx, c.host, c.port);
  const { address } = hs;
  const via = hs.proxy ? `proxy ${hs.proxy}` : address;
  const base = { address, sources: [...c.sources].sort() };
  const elapsed = () => Math.round(performance.now() - started);
  if (!hs.connected || !hs.tls) return { ...base, via, tcp: 'failed', ok: false, durationMs: elapsed(), error: hs.error };
  const tls = hs.tls;
  if (!tls.ok) return { ...base, via, tcp: 'ok', tls: 'failed', ok: false, durationMs: elapsed(), error: tls.error };
  const serverName = ctx.config.cluster.tlsServerName || c.host;
  const roots = ctx.roots().roots;
  const v = verifyChain(tls.certificates, { roots: roots ?? 'system', serverName, now: ctx.now() });
  const trusted = !v.problems.some((p) => p.kind === 'unknown-authority' || p.kind === 'expired' || p.kind === 'not-yet-valid');
  const coversAddress = !v.problems.some((p) => p.kind === 'name-mismatch' || p.kind === 'no-ip-san' || p.kind === 'legacy-cn-only');
  return {
    ...base,
    via,
    tcp: 'ok',
    tls: 'ok',
    ok: trusted || ctx.config.cluster.insecureSkipTlsVerify,
    durationMs: elapsed(),
    certificate: tls.chain[0]?.subject,
    trusted,
    coversAddress,
    error: trusted ? undefined : { kind: 'untrusted', message: v.goError ?? 'certificate not trusted' },
  };
}

export const endpointsCheck: CheckDefinition<ApiContext> = {
  id: 'api.endpoints',
  title: 'Other API addresses',
  // the EndpointSlice read needs only a trusted connection, not /version
  requires: ['api.tls'],
  codes: ['api.endpoints.partial'],
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
    const bad = probes.filter((p) => !p.ok);
    const ok = probes.filter((p) => p.ok);
    if (probes.length === 0) return { skip: true, summary: 'no other addresses known', evidence, reproduce };
    if (bad.length === 0) {
      return { summary: `${ok.length} of ${probes.length} addresses reachable with a trusted certificate: ${ok.map((p) => p.address).join(', ')}`, evidence, reproduce };
    }
    const list = bad.map((p) => `${p.address} (${p.sources.join(', ')}): ${p.tcp === 'failed' ? `TCP ${shortError(p.error)}` : p.tls === 'failed' ? `TLS ${p.error?.message ?? 'failed'}` : (p.error?.message ?? 'failed')}`);
    return {
      summary: `${ok.length} of ${probes.length} addresses work; failing: ${bad.map((p) => p.address).join(', ')}`,
      findings: [
        {
          code: 'api.endpoints.partial',
          message: `${bad.length} of ${probes.length} addresses of the API server do not work from here: ${list.join('; ')}. Clients that pick one of them (DNS round robin, a load balancer, kubectl with another kubeconfig) fail intermittently.`,
          remediation: [
            'Remove the dead addresses from DNS / the load balancer, or open the path to them (firewall, routes).',
            ...(bad.some((p) => p.tls === 'ok') ? ['Issue the serving certificate for every address clients dial (kubeadm --apiserver-cert-extra-sans, k3s --tls-san).'] : []),
          ],
        },
      ],
      evidence,
      reproduce,
    };
  },
};
