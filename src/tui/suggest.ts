// What the TUI form's pickers offer (DiagnosisInput.kind): the namespaces of the cluster, the pods
// of a namespace (with their phase), the hosts of its Ingresses and Certificates (listHosts). Every
// list goes through the diagnoses' own authenticated path (Cluster → ApiContext.request: the same
// proxy, TLS verification and credentials kubectl uses), paginated, under one deadline. The cluster
// code is loaded on the first call only (`await import()`): the TUI's first paint never pays for it.
// Failures are one line, redacted; the form then falls back to its text field.
import type { KubeconfigOptions } from '../kube/kubeconfig.ts';
import type { Redactor } from '../report/redact.ts';

export type SuggestKind = 'namespace' | 'pod' | 'host';

export interface Suggestion {
  value: string;
  /** shown dimmed after the value: a pod's phase, where a host was found */
  note?: string;
}

export interface SuggestResult {
  items: Suggestion[];
  /** why the list is missing or incomplete (one line) */
  error?: string;
  /** the namespace the pods were listed in */
  namespace?: string;
}

export interface SuggestQuery {
  /** kubeconfig context chosen in the app (else the flags' / current-context) */
  context?: string;
  /** for 'pod': the namespace (else the kubeconfig's) */
  namespace?: string;
}

export type Suggest = (kind: SuggestKind, q: SuggestQuery) => Promise<SuggestResult>;

export interface SuggestOptions {
  kubeconfig: KubeconfigOptions;
  timeoutMs: number;
  requestTimeoutMs: number;
  env: Record<string, string | undefined>;
  redactor: Redactor;
}

export function isSuggestKind(k: string | undefined): k is SuggestKind {
  return k === 'namespace' || k === 'pod' || k === 'host';
}

/** The whole list's deadline: the TLS probe plus a few pages (each request has its own deadline too). */
export function deadlineMs(o: Pick<SuggestOptions, 'timeoutMs' | 'requestTimeoutMs'>): number {
  return o.timeoutMs + 2 * o.requestTimeoutMs;
}

export function createSuggest(o: SuggestOptions): Suggest {
  return async (kind, q) => {
    const ms = deadlineMs(o);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<SuggestResult>((resolve) => {
      timer = setTimeout(() => resolve({ items: [], error: `no answer within ${(ms / 1000).toFixed(1).replace(/\.0$/, '')}s` }), ms);
      timer.unref?.();
    });
    try {
      const r = await Promise.race([list(o, kind, q), deadline]);
      return r.error ? { ...r, error: oneLine(o.redactor.redact(r.error)) } : r;
    } catch (e) {
      return { items: [], error: oneLine(o.redactor.redact((e as Error).message ?? String(e))) };
    } finally {
      clearTimeout(timer);
    }
  };
}

function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

async function list(o: SuggestOptions, kind: SuggestKind, q: SuggestQuery): Promise<SuggestResult> {
  const kubeconfig = { ...o.kubeconfig, context: q.context ?? o.kubeconfig.context };
  if (kind === 'host') {
    const { listHosts } = await import('../checks/served-host/hosts.ts');
    const r = await listHosts({ kubeconfig, timeoutMs: o.timeoutMs, requestTimeoutMs: o.requestTimeoutMs, env: o.env, redactor: o.redactor });
    return {
      items: r.hosts.map((h) => ({ value: h.host, note: h.from.length > 1 ? `${h.from[0]} +${h.from.length - 1}` : h.from[0] })),
      error: r.errors.length ? r.errors.join('; ') : undefined,
    };
  }
  const { KubeClient } = await import('../kube/client.ts');
  const cluster = new KubeClient({ kubeconfig, timeoutMs: o.timeoutMs, requestTimeoutMs: o.requestTimeoutMs, env: o.env, redactor: o.redactor });
  if (!cluster.configured) return { items: [], error: cluster.kubeError?.message ?? 'no kubeconfig' };
  if (kind === 'namespace') {
    const r = await cluster.list<{ metadata: { name: string }; status?: { phase?: string } }>('/api/v1/namespaces');
    if (!r.ok) return { items: [], error: r.message };
    return {
      items: r.body
        .map((n) => ({ value: n.metadata.name, note: n.status?.phase && n.status.phase !== 'Active' ? n.status.phase : undefined }))
        .sort((a, b) => a.value.localeCompare(b.value)),
    };
  }
  const ns = q.namespace?.trim() || cluster.kube?.namespace || 'default';
  const r = await cluster.list<{ metadata: { name: string; deletionTimestamp?: string }; status?: { phase?: string } }>(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`);
  if (!r.ok) return { items: [], error: r.message, namespace: ns };
  return {
    namespace: ns,
    items: r.body
      .map((p) => ({ value: p.metadata.name, note: p.metadata.deletionTimestamp ? 'Terminating' : (p.status?.phase ?? 'Unknown') }))
      .sort((a, b) => a.value.localeCompare(b.value)),
  };
}
