// The hosts a cluster serves: every host in an Ingress rule or TLS entry and every DNS name of a
// cert-manager Certificate, for a picker (the TUI's `host` input). Read-only; errors are returned.
import type { KubeconfigOptions } from '../../kube/kubeconfig.ts';
import type { Redactor } from '../../report/redact.ts';
import { KubeClient } from '../../kube/client.ts';
import type { Certificate, Ingress } from './types.ts';

export interface HostList {
  hosts: { host: string; from: string[] }[];
  /** why some or all of the list is missing (no kubeconfig, unreachable, forbidden) */
  errors: string[];
}

export async function listHosts(o: { kubeconfig: KubeconfigOptions; timeoutMs: number; requestTimeoutMs?: number; env: Record<string, string | undefined>; redactor: Redactor }): Promise<HostList> {
  const cluster = new KubeClient({ kubeconfig: o.kubeconfig, timeoutMs: o.timeoutMs, requestTimeoutMs: o.requestTimeoutMs ?? o.timeoutMs, env: o.env, redactor: o.redactor });
  if (!cluster.configured) return { hosts: [], errors: [cluster.kubeError?.message ?? 'no kubeconfig'] };
  const [ing, certs] = await Promise.all([
    cluster.list<Ingress>('/apis/networking.k8s.io/v1/ingresses'),
    cluster.list<Certificate>('/apis/cert-manager.io/v1/certificates'),
  ]);
  const found = new Map<string, Set<string>>();
  const add = (h: string | undefined, from: string) => {
    if (!h) return;
    const key = h.toLowerCase().replace(/\.$/, '');
    if (!found.has(key)) found.set(key, new Set());
    found.get(key)!.add(from);
  };
  const errors: string[] = [];
  if (ing.ok) {
    for (const i of ing.body) {
      if (i.metadata.labels?.['acme.cert-manager.io/http01-solver'] === 'true') continue;
      const from = `Ingress ${i.metadata.namespace}/${i.metadata.name}`;
      for (const r of i.spec?.rules ?? []) add(r.host, from);
      for (const t of i.spec?.tls ?? []) for (const h of t.hosts ?? []) add(h, from);
    }
  } else errors.push(`Ingresses: ${ing.message}`);
  if (certs.ok) {
    for (const c of certs.body) for (const d of c.spec?.dnsNames ?? []) add(d, `Certificate ${c.metadata.namespace}/${c.metadata.name}`);
  } else if (certs.reason !== 'kind-not-served' && certs.reason !== 'not-found') errors.push(`Certificates: ${certs.message}`);
  const hosts = [...found].map(([host, from]) => ({ host, from: [...from].sort() })).sort((a, b) => a.host.localeCompare(b.host));
  return { hosts, errors };
}
