// Read-only access to the cluster for the cert/ingress diagnosis: one GET through ApiContext's
// request path (the same proxy, TLS and credentials kubectl uses), JSON decoded, errors
// classified (403 with the permission it lacks, 404, unreachable). Credentials are only sent
// once the API server's certificate verified (or the kubeconfig says insecure-skip-tls-verify).
import { Memo } from '../../engine/memo.ts';
import { ApiContext, type ApiOptions } from '../api/context.ts';

export type GetResult<T> =
  | { ok: true; status: number; body: T }
  | { ok: false; status?: number; reason: 'forbidden' | 'not-found' | 'unreachable' | 'error'; message: string };

export interface KubeList<T> {
  items: T[];
  metadata?: { continue?: string };
}

export class Cluster {
  readonly api: ApiContext;
  private readonly memo = new Memo();

  constructor(options: ApiOptions) {
    this.api = new ApiContext(options);
  }

  /** Whether a kubeconfig resolved to a cluster (not kubectl's silent localhost:8080 fallback). */
  get configured(): boolean {
    return !!this.api.kube && !this.api.kube.localhostFallback;
  }

  get contextName(): string | undefined {
    return this.api.kube?.contextName;
  }

  /** Verify the API server's certificate once before any credential is sent. */
  reachable(): Promise<{ ok: boolean; why?: string }> {
    return this.once('reachable', async () => {
      if (!this.configured) return { ok: false, why: 'no kubeconfig' };
      const t = await this.api.tls();
      if (!t.tls.ok) return { ok: false, why: t.tls.error?.message ?? `cannot reach ${this.api.hostPort}` };
      if (this.api.config.cluster.insecureSkipTlsVerify) return { ok: true };
      if (!t.verify?.trusted) return { ok: false, why: `the API server certificate does not verify (${t.verify?.goError ?? 'unknown'}): run \`kubectl netdiag api\`` };
      return { ok: true };
    });
  }

  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.memo.once(key, fn);
  }

  /** GET a path (memoised per path); JSON body. */
  get<T>(path: string): Promise<GetResult<T>> {
    return this.once(`get:${path}`, async (): Promise<GetResult<T>> => {
      const r = await this.reachable();
      if (!r.ok) return { ok: false, reason: 'unreachable', message: r.why ?? 'the API server is not reachable' };
      const res = await this.api.request('GET', path, { auth: true });
      if (!res.ok || !res.response) return { ok: false, reason: 'unreachable', message: res.error?.message ?? 'request failed' };
      const { statusCode, body } = res.response;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      if (statusCode >= 200 && statusCode < 300) {
        if (parsed === undefined) return { ok: false, status: statusCode, reason: 'error', message: `GET ${path}: the answer is not JSON` };
        return { ok: true, status: statusCode, body: parsed as T };
      }
      const message = (parsed as { message?: string } | undefined)?.message ?? `${statusCode} ${res.response.statusMessage}`;
      if (statusCode === 403) return { ok: false, status: 403, reason: 'forbidden', message };
      if (statusCode === 404) return { ok: false, status: 404, reason: 'not-found', message };
      return { ok: false, status: statusCode, reason: 'error', message };
    });
  }

  /** GET a text answer (the service proxy): status and body, whatever the status. */
  async getText(path: string): Promise<{ ok: boolean; status?: number; body?: string; message?: string; durationMs: number }> {
    const t0 = performance.now();
    const r = await this.reachable();
    if (!r.ok) return { ok: false, message: r.why, durationMs: 0 };
    const res = await this.api.request('GET', path, { auth: true });
    const durationMs = Math.round(performance.now() - t0);
    if (!res.ok || !res.response) return { ok: false, message: res.error?.message ?? 'request failed', durationMs };
    return { ok: true, status: res.response.statusCode, body: res.response.body, durationMs };
  }

  /** List every page of a collection. */
  async list<T>(path: string): Promise<GetResult<T[]>> {
    const items: T[] = [];
    let cont: string | undefined;
    for (let page = 0; page < 20; page++) {
      const sep = path.includes('?') ? '&' : '?';
      const r = await this.get<KubeList<T>>(`${path}${sep}limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
      if (!r.ok) return r;
      items.push(...(r.body.items ?? []));
      cont = r.body.metadata?.continue;
      if (!cont) break;
    }
    return { ok: true, status: 200, body: items };
  }

  kubectl(args: string): string {
    const ctx = this.api.contextArgs;
    return `kubectl ${ctx ? `${ctx} ` : ''}${args}`;
  }
}

/** The RBAC permission a GET of this path needs: "list certificates.cert-manager.io" and its scope. */
export function permissionFor(path: string, verb = 'list'): { text: string; canI: string } {
  const clean = path.split('?')[0]!;
  const g = /^\/apis\/([^/]+)\/[^/]+\/(?:namespaces\/([^/]+)\/)?([^/]+)/.exec(clean);
  const c = /^\/api\/[^/]+\/(?:namespaces\/([^/]+)\/)?([^/]+)/.exec(clean);
  const resource = g ? `${g[3]}.${g[1]}` : c ? c[2]! : clean;
  const ns = g ? g[2] : c ? c[1] : undefined;
  return {
    text: `${verb} ${resource} ${ns ? `in namespace ${ns}` : 'in all namespaces'}`,
    canI: `kubectl auth can-i ${verb} ${resource} ${ns ? `-n ${ns}` : '-A'}`,
  };
}
