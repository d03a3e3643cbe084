// The shared state of one `cert` or `ingress` diagnosis: the target host, the served
// certificate (one handshake; ../cert/context.ts), and what the cluster says about the host
// (Ingresses, Services, MetalLB, cert-manager), each fetched once and shared by every check.
import type { KubeconfigOptions } from '../../kube/kubeconfig.ts';
import { resolveHost, type DnsResult } from '../../net/dns.ts';
import type { Redactor } from '../../report/redact.ts';
import type { CheckOutcome } from '../../engine/definitions.ts';
import { CertContext, type CertOptions } from './context.ts';
import { Cluster, permissionFor, type GetResult } from '../ingress/cluster.ts';
import type { Certificate, EndpointSlice, Ingress, IngressClass, KObj } from './types.ts';

export interface IngressOptions extends CertOptions {
  kubeconfig: KubeconfigOptions;
  requestTimeoutMs: number;
  redactor: Redactor;
  hostsPath?: string;
}

export interface Discovery {
  ingresses: Ingress[];
  certificates: Certificate[];
  /** why the cluster part does not apply (cert mode), or why it cannot run */
  gate?: CheckOutcome;
  ingressError?: GetResult<unknown>;
  /** RBAC forbids listing Ingresses in all namespaces: only this namespace was searched */
  scoped?: string;
  certificateError?: GetResult<unknown>;
}

/** cert-manager's solver Ingress, one per HTTP-01 Challenge. */
export function isSolverIngress(i: Ingress): boolean {
  return i.metadata.labels?.['acme.cert-manager.io/http01-solver'] === 'true' || i.metadata.name.startsWith('cm-acme-http-solver-');
}

/** The Ingresses that serve the host: those discovered, cert-manager's solver Ingresses left out. */
export function hostIngresses(d: Discovery): Ingress[] {
  return d.ingresses.filter((i) => !isSolverIngress(i));
}

export class IngressContext extends CertContext<IngressOptions> {
  private readonly kube: Cluster;

  constructor(options: IngressOptions) {
    super(options);
    this.kube = new Cluster({
      kubeconfig: options.kubeconfig,
      timeoutMs: options.timeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      endpoints: [],
      env: options.env,
      redactor: options.redactor,
      hostsPath: options.hostsPath,
      now: options.now,
    });
  }

  override get cluster(): Cluster {
    return this.kube;
  }

  dns(): Promise<DnsResult> {
    return this.once('dns', () => resolveHost(this.host, { timeoutMs: this.timeoutMs, hostsPath: this.options.hostsPath }));
  }

  // ------------------------------------------------------------------ the cluster

  /** Ingresses whose rules or TLS name the host, and Certificates for it. */
  discover(): Promise<Discovery> {
    return this.once('discover', async () => {
      const cert = this.options.command === 'cert';
      if (!this.cluster.configured) {
        return {
          ingresses: [],
          certificates: [],
          gate: cert
            ? { skip: true, summary: 'not applicable: no kubeconfig resolves, so only the served certificate is checked' }
            : { skip: true, summary: 'not applicable: no kubeconfig' },
        };
      }
      const reach = await this.cluster.reachable();
      if (!reach.ok) {
        return {
          ingresses: [],
          certificates: [],
          gate: { skip: true, summary: `not applicable: the cluster API cannot be used (${reach.why})` },
        };
      }
      const [ing, certs] = await Promise.all([
        this.listScoped<Ingress>('/apis/networking.k8s.io/v1', 'ingresses'),
        this.listScoped<Certificate>('/apis/cert-manager.io/v1', 'certificates'),
      ]);
      const ingresses = ing.ok ? ing.body.filter((i) => ingressMatches(i, this.host)) : [];
      let certificates = certs.ok ? certs.body.filter((c) => (c.spec?.dnsNames ?? []).some((d) => hostMatches(d, this.host)) || c.spec?.commonName === this.host) : [];
      // ingress-shim names the Certificate after the TLS secret of the Ingress
      if (certs.ok) {
        for (const i of ingresses) {
          for (const t of i.spec?.tls ?? []) {
            const c = certs.body.find((x) => x.metadata.namespace === i.metadata.namespace && (x.spec?.secretName === t.secretName || x.metadata.name === t.secretName));
            if (c && !certificates.includes(c)) certificates.push(c);
          }
        }
      }
      certificates = [...new Set(certificates)];
      const d: Discovery = { ingresses, certificates };
      if ('scoped' in ing && ing.scoped) d.scoped = ing.scoped;
      if (!ing.ok) d.ingressError = ing;
      if (!certs.ok) d.certificateError = certs;
      if (cert && ingresses.length === 0 && certificates.length === 0) {
        d.gate = { skip: true, summary: `not applicable: the cluster (context ${this.cluster.contextName ?? '?'}) has no Ingress or Certificate for ${this.host}` };
      }
      return d;
    });
  }

  /** The namespace a namespace-scoped user is confined to: -n, else the context's. */
  get namespace(): string {
    return this.cluster.api.kube?.namespace ?? 'default';
  }

  /**
   * List a resource in all namespaces; when RBAC forbids that (a namespace-scoped user), in the
   * namespace of -n / the context instead. `scoped` names that namespace when the fallback was used.
   */
  async listScoped<T extends KObj>(base: string, plural: string): Promise<GetResult<T[]> & { scoped?: string; forbiddenAll?: string }> {
    const all = await this.cluster.list<T>(`${base}/${plural}`);
    if (all.ok || all.reason !== 'forbidden') return all;
    const ns = this.namespace;
    const one = await this.cluster.list<T>(`${base}/namespaces/${ns}/${plural}`);
    return one.ok ? { ...one, scoped: ns, forbiddenAll: all.message } : all;
  }

  /** The outcome every cluster check returns when the cluster part does not apply. */
  async gate(): Promise<CheckOutcome | undefined> {
    const d = await this.discover();
    return d.gate;
  }

  /** The EndpointSlices of a Service (memoised per path, like every list). */
  endpointSlices(namespace: string, service: string): Promise<GetResult<EndpointSlice[]>> {
    return this.list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices?labelSelector=${encodeURIComponent(`kubernetes.io/service-name=${service}`)}`);
  }

  ingressClasses(): Promise<GetResult<IngressClass[]>> {
    return this.cluster.list<IngressClass>('/apis/networking.k8s.io/v1/ingressclasses');
  }

  list<T extends KObj>(path: string): Promise<GetResult<T[]>> {
    return this.cluster.list<T>(path);
  }

  get<T>(path: string): Promise<GetResult<T>> {
    return this.cluster.get<T>(path);
  }

  kubectl(args: string): string {
    return this.cluster.kubectl(args);
  }
}

/** A skip outcome for a forbidden or failed read: names the permission that is needed. */
export function readFailure(r: Exclude<GetResult<unknown>, { ok: true }>, path: string, what: string): CheckOutcome {
  if (r.reason === 'forbidden') {
    const perm = permissionFor(path);
    return {
      skip: true,
      summary: `skipped: forbidden: needs the RBAC permission to ${perm.text}`,
      evidence: { forbidden: { path, message: r.message, needs: perm.text } },
      reproduce: [perm.canI],
    };
  }
  if (r.reason === 'not-found') return { skip: true, summary: `not applicable: ${what} is not installed in the cluster (${r.message})` };
  return { skip: true, summary: `skipped: reading ${what} failed: ${r.message}`, evidence: { path, error: r.message } };
}

export function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase().replace(/\.$/, '');
  const h = host.toLowerCase().replace(/\.$/, '');
  if (p === h) return true;
  if (p.startsWith('*.')) {
    const rest = h.split('.').slice(1).join('.');
    return rest === p.slice(2);
  }
  return false;
}

export function ingressMatches(i: Ingress, host: string): boolean {
  return (i.spec?.rules ?? []).some((r) => r.host && hostMatches(r.host, host)) || (i.spec?.tls ?? []).some((t) => (t.hosts ?? []).some((h) => hostMatches(h, host)));
}

export function nameOf(o: KObj): string {
  return o.metadata.namespace ? `${o.metadata.namespace}/${o.metadata.name}` : o.metadata.name;
}

export function condition(o: { status?: { conditions?: { type: string; status: string; reason?: string; message?: string }[] } }, type: string) {
  return o.status?.conditions?.find((c) => c.type === type);
}
