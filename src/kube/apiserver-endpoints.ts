// Where the API server advertises itself: the endpoints of the `default/kubernetes` Service (its
// EndpointSlice; before discovery.k8s.io/v1, or when that may not be read, the Endpoints object)
// and the Service's ClusterIP, read through the one client (api.endpoints, server.endpoints).
import type { V1EndpointSlice, V1Endpoints, V1Service } from '@kubernetes/client-node';
import type { ApiFailure, KubeClient } from './client.ts';

export interface KubernetesEndpoints {
  endpoints: { address: string; port: number }[];
  endpointSource: string;
  /** why the EndpointSlice could not be read, when the Endpoints object could not either */
  failure?: ApiFailure;
}

export async function kubernetesEndpoints(api: KubeClient): Promise<KubernetesEndpoints> {
  const endpoints: { address: string; port: number }[] = [];
  const slices = await api.list<V1EndpointSlice>('/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', { query: { labelSelector: 'kubernetes.io/service-name=kubernetes' } });
  if (slices.ok) {
    for (const item of slices.body) {
      const port = item.ports?.find((p) => p.name === 'https')?.port ?? item.ports?.[0]?.port ?? api.port;
      for (const ep of item.endpoints ?? []) for (const a of ep.addresses ?? []) endpoints.push({ address: a, port });
    }
    return { endpoints, endpointSource: 'EndpointSlice default/kubernetes' };
  }
  const e = await api.get<V1Endpoints>('/api/v1/namespaces/default/endpoints/kubernetes');
  if (!e.ok) {
    const { pages: _pages, ...failure } = slices;
    return { endpoints, endpointSource: 'Endpoints default/kubernetes', failure };
  }
  for (const s of e.body.subsets ?? []) {
    const port = s.ports?.find((p) => p.name === 'https')?.port ?? s.ports?.[0]?.port ?? api.port;
    for (const a of s.addresses ?? []) endpoints.push({ address: a.ip, port });
  }
  return { endpoints, endpointSource: 'Endpoints default/kubernetes' };
}

/** The ClusterIP of the `default/kubernetes` Service (what in-cluster clients dial), if it can be read. */
export async function kubernetesClusterIP(api: KubeClient): Promise<string | undefined> {
  const svc = await api.get<V1Service>('/api/v1/namespaces/default/services/kubernetes');
  return svc.ok && svc.body.spec?.clusterIP && svc.body.spec.clusterIP !== 'None' ? svc.body.spec.clusterIP : undefined;
}
