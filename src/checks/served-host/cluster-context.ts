// The cluster half of the `cert` / `ingress` context: what the cluster says about the host
// (Ingresses, Services, MetalLB, cert-manager), read through the one API client (KubeClient), each
// read once and shared by every check. Extends the served-certificate half (./context.ts).
import { KubeClient, permissionFor, type ApiFailure, type ApiResult, type ClientOptions, type ListResult } from '../../kube/client.ts';
import { resolveHost, type DnsResult } from '../../net/dns.ts';
import type { CheckOutcome } from '../../engine/definitions.ts';
import { ServedHostContext, type ServedHostOptions } from './context.ts';
import type { Certificate, EndpointSlice, Ingress, IngressClass, KObj } from './types.ts';

export interface HostClusterOptions extends ServedHostOptions, Omit<ClientOptions, 'now' | 'env' | 'timeoutMs'> {}

export interface Discovery {
  ingresses: Ingress[];
  certificates: Certificate[];
  ingressError?: ApiFailure;
  /** RBAC forbids listing Ingresses in all namespaces: only this namespace was searched */
  scoped?: string;
  certificateError?: ApiFailure;
}

/** cert-manager's solver Ingress, one per HTTP-01 Challenge. */
export function isSolverIngress(i: Ingress): boolean {
  return i.metadata.labels?.['acme.cert-manager.io/http01-solver'] === 'true' || i.metadata.name.startsWith('cm-acme-http-solver-');
}

/** The Ingresses that serve the host: those discovered, cert-manager's solver Ingresses left out. */
export function hostIngresses(d: Discovery): Ingress[] {
  return d.ingresses.filter((i) => !isSolverIngress(i));
}

export class HostClusterContext extends ServedHostContext<HostClusterOptions> {
  /** the one API client */
  readonly client: KubeClient;

  constructor(options: HostClusterOptions) {
    super(options);
    this.client = new KubeClient(options);
  }

  override get cluster(): KubeClient {
    return this.client;
  }

  override kubeApiServerCa() {
    const c = this.client;
    try {
      if (!c.configured || !c.kube) return undefined;
      const bare = (h: string) => h.replace(/^\[(.*)\]$/, '$1').toLowerCase();
      if (bare(c.host) !== bare(this.options.host) || c.port !== this.options.port) return undefined;
      const { roots } = c.roots();
      return roots?.length ? { roots, server: c.kube.cluster.server } : undefined;
    } catch {
      return undefined;
    }
  }

  override targetCluster() {
    const k = this.client.configured ? this.client.kube : undefined;
    return k ? { context: k.contextName, cluster: k.clusterName, user: k.userName, server: k.cluster.server } : undefined;
  }

  override kubeconfigFiles() {
    return this.client.configured ? this.client.kube?.files.map((f) => f.path) : null;
  }

  dns(): Promise<DnsResult> {
    return this.once('dns', () => resolveHost(this.host, { timeoutMs: this.timeoutMs, hostsPath: this.options.hostsPath }));
  }

  // ------------------------------------------------------------------ the cluster

  /**
   * Why the cluster cannot be read, or undefined when it can: no kubeconfig resolves, or the API
   * server is not reachable (or its certificate does not verify, so no credential is sent).
   */
  async clusterUnusable(): Promise<{ noKubeconfig: boolean; why: string } | undefined> {
    if (!this.client.configured) return { noKubeconfig: true, why: 'no kubeconfig' };
    const reach = await this.client.reachable();
    return reach.ok ? undefined : { noKubeconfig: false, why: `the cluster API cannot be used (${reach.why})` };
  }

  /** Ingresses whose rules or TLS name the host, and Certificates for it (none when the cluster cannot be read). */
  discover(): Promise<Discovery> {
    return this.once('discover', async () => {
      if (await this.clusterUnusable()) return { ingresses: [], certificates: [] };
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
      if (ing.scoped) d.scoped = ing.scoped;
      if (!ing.ok) d.ingressError = ing;
      if (!certs.ok) d.certificateError = certs;
      return d;
    });
  }

  /** The namespace a namespace-scoped user is confined to: -n, else the context's. */
  get namespace(): string {
    return this.client.kube?.namespace ?? 'default';
  }

  /**
   * List a resource in all namespaces; when RBAC forbids that (a namespace-scoped user), in the
   * namespace of -n / the context instead. `scoped` names that namespace when the fallback was used.
   */
  async listScoped<T extends KObj>(base: string, plural: string): Promise<ListResult<T> & { scoped?: string; forbiddenAll?: string }> {
    const all = await this.client.list<T>(`${base}/${plural}`);
    if (all.ok || all.reason !== 'forbidden') return all;
    const ns = this.namespace;
    const one = await this.client.list<T>(`${base}/namespaces/${ns}/${plural}`);
    return one.ok ? { ...one, scoped: ns, forbiddenAll: all.message } : all;
  }

  /** The EndpointSlices of a Service (memoised per path, like every read). */
  endpointSlices(namespace: string, service: string): Promise<ListResult<EndpointSlice>> {
    return this.client.list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${namespace}/endpointslices`, { query: { labelSelector: `kubernetes.io/service-name=${service}` } });
  }

  ingressClasses(): Promise<ListResult<IngressClass>> {
    return this.client.list<IngressClass>('/apis/networking.k8s.io/v1/ingressclasses');
  }

  list<T extends KObj>(path: string, query?: Record<string, string>): Promise<ListResult<T>> {
    return this.client.list<T>(path, query ? { query } : {});
  }

  get<T>(path: string): Promise<ApiResult<T>> {
    return this.client.get<T>(path);
  }

  kubectl(args: string): string {
    return this.client.kubectl(args);
  }
}

/**
 * A skip outcome for a forbidden or failed read: names the permission that is needed (as the
 * server's 403 names it), or says the kind is not installed.
 */
export function readFailure(r: ApiFailure, path: string, what: string): CheckOutcome {
  if (r.reason === 'forbidden') {
    const perm = r.needs ?? permissionFor(path);
    return {
      skip: true,
      summary: `skipped: forbidden: needs the RBAC permission to ${perm.text}`,
      evidence: { forbidden: { path, message: r.message, needs: perm.text } },
      reproduce: [perm.canI],
    };
  }
  if (r.reason === 'kind-not-served' || r.reason === 'not-found') return { skip: true, summary: `not applicable: ${what} is not installed in the cluster (${r.message})` };
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
