/**
 * Lab scenarios of the `server` diagnosis (SPEC §1 incident 4): appended to SCENARIOS in
 * scenarios.ts. Self-contained (only type imports from scenarios.ts, which imports this file).
 *
 *  - server-incident: two API server endpoints (198.51.100.10 and .11, both in the
 *    default/kubernetes EndpointSlice) serve a certificate whose SANs cover .10 (and the
 *    ClusterIP 10.96.0.1) but NOT .11, and that expires in 20 days; the APIService
 *    v1beta1.metrics.k8s.io is not Available (FailedDiscoveryCheck) and
 *    v1beta1.custom.metrics.k8s.io has MissingEndpoints; readyz reports etcd failing.
 *  - server-ha: the healthy counterpart: each endpoint serves a certificate for its own address.
 */
import { startLabApi } from './lab-api.ts';
import { join } from 'node:path';
import { fixtureJson, type ApiServerOptions } from './apiserver.ts';
import { LAB } from './netns.ts';
import type { KubeObject } from './objects.ts';
import { mintCert } from './pki.ts';
import { kubeconfig, type Scenario, type ScenarioContext, type ScenarioSetup } from './scenarios.ts';

const PORT = 6443;
const DAY = 86_400_000;
export const SERVER_CLUSTER_IP = '10.96.0.1';

function dayStart(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

/** The serving certificate of server-incident: covers 198.51.100.10 and the ClusterIP, not .11; 20 days left. */
export function partialSanCert(ctx: ScenarioContext) {
  return mintCert({
    cn: 'kube-apiserver',
    dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'api.lab.test'],
    ips: [SERVER_CLUSTER_IP, LAB.api],
    issuer: ctx.pki.ca,
    notBefore: new Date(dayStart() - 345 * DAY),
    notAfter: new Date(dayStart() + 20 * DAY),
  });
}

/** The real APIService list of a 1.24 cluster, plus two broken aggregated APIs. */
export function apiServices(): KubeObject[] {
  const items: KubeObject[] = (fixtureJson('apiservices').items as KubeObject[]).map((o) => ({ ...o, apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService' }));
  const t = '2026-11-22T07:40:00Z';
  items.push(
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels: { 'k8s-app': 'metrics-server' } },
      spec: { service: { namespace: 'kube-system', name: 'metrics-server', port: 443 }, group: 'metrics.k8s.io', version: 'v1beta1', insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
      status: {
        conditions: [
          {
            type: 'Available',
            status: 'False',
            lastTransitionTime: t,
            reason: 'FailedDiscoveryCheck',
            message: 'failing or missing response from https://10.96.12.7:443/apis/metrics.k8s.io/v1beta1: Get "https://10.96.12.7:443/apis/metrics.k8s.io/v1beta1": dial tcp 10.96.12.7:443: connect: connection refused',
          },
        ],
      },
    },
    {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.custom.metrics.k8s.io' },
      spec: { service: { namespace: 'monitoring', name: 'prometheus-adapter', port: 443 }, group: 'custom.metrics.k8s.io', version: 'v1beta1', insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
      status: {
        conditions: [
          { type: 'Available', status: 'False', lastTransitionTime: t, reason: 'MissingEndpoints', message: 'endpoints for service/prometheus-adapter in "monitoring" have no addresses with port name "https"' },
        ],
      },
    },
  );
  return items;
}

export function kubernetesService(): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { clusterIP: SERVER_CLUSTER_IP, clusterIPs: [SERVER_CLUSTER_IP], ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: PORT }], type: 'ClusterIP', sessionAffinity: 'None' },
    status: { loadBalancer: {} },
  };
}

function api(ctx: ScenarioContext, o: Partial<ApiServerOptions> & { host: string }) {
  return startLabApi(ctx, { port: PORT, ...o });
}


export const SERVER_SCENARIOS: Scenario[] = [
  {
    name: 'server-incident',
    description: `SPEC §1 incident 4: endpoints ${LAB.api} and ${LAB.api2} serve a certificate without ${LAB.api2} (expires in 20 days); metrics.k8s.io and custom.metrics.k8s.io APIServices not Available; readyz: etcd failing`,
    async setup(ctx) {
      const tls = partialSanCert(ctx);
      const common = {
        tls,
        endpointSlice: { addresses: [LAB.api, LAB.api2], port: PORT },
        readyzFailing: ['etcd'],
        store: { objects: [...apiServices(), kubernetesService()] },
      };
      await api(ctx, { host: LAB.api, ...common });
      await api(ctx, { host: LAB.api2, ...common });
      return kubeconfig(ctx, { server: `https://${LAB.api}:${PORT}` });
    },
  },
  {
    name: 'server-ha',
    description: `healthy HA control plane: endpoints ${LAB.api} and ${LAB.api2}, each serving its own certificate (its own IP, the ClusterIP, kubernetes.default.svc); the kubeconfig dials ${LAB.api} directly`,
    async setup(ctx) {
      const own = (ip: string) =>
        mintCert({ cn: 'kube-apiserver', dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'], ips: [SERVER_CLUSTER_IP, ip], issuer: ctx.pki.ca });
      const common = { endpointSlice: { addresses: [LAB.api, LAB.api2], port: PORT }, store: { objects: [kubernetesService()] } };
      await api(ctx, { host: LAB.api, tls: own(LAB.api), ...common });
      await api(ctx, { host: LAB.api2, tls: own(LAB.api2), ...common });
      return kubeconfig(ctx, { server: `https://${LAB.api}:${PORT}` });
    },
  },
];
