/**
 * Lab scenarios of the `egress` diagnosis (SPEC §1 incident 2, issue 4): appended to SCENARIOS in
 * scenarios.ts. Each one serves the cluster's objects (pods, namespaces, NetworkPolicies, Cilium
 * policies, logs) from the object store, serves pods/exec over WebSocket (exec-ws.ts), and runs
 * the probe for real in a network namespace standing for the pod (pods.ts), whose drops mirror
 * what the policies enforce. The lab DNS (198.51.100.53) stands for kube-dns and answers the
 * scenario's names, CNAMEs included. External hosts are lab addresses 198.51.100.60-.62 with a
 * TCP listener on 443.
 */
import { startLabApi } from './lab-api.ts';
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { ephemeralContainersRoute, execUpgradeHandler } from './exec-ws.ts';
import { LAB } from './netns.ts';
import type { KubeObject } from './objects.ts';
import { addLabHosts, createPodNet, type PodNet } from './pods.ts';
import type { Scenario, ScenarioContext, ScenarioSetup } from './scenarios.ts';
import type { DnsRecords } from './dns.ts';

export const EGRESS_LAB = {
  ns: 'ml',
  pod: 'training-7f9c',
  podIp: '10.244.0.10',
  pod2: 'training-7f9c-b2',
  pod2Ip: '10.244.0.11',
  apiHost: 'api.example.net',
  apiIp: '198.51.100.60',
  blobHost: 'mlstore.blob.core.windows.net',
  blobIp: '198.51.100.61',
  aliasHost: 'storage.example.net',
  otherIp: '198.51.100.62',
} as const;

const DNS: DnsRecords = {
  [EGRESS_LAB.apiHost]: { A: [EGRESS_LAB.apiIp] },
  [EGRESS_LAB.blobHost]: { A: [EGRESS_LAB.blobIp] },
  [EGRESS_LAB.aliasHost]: { CNAME: EGRESS_LAB.blobHost },
  'kubernetes.default.svc': { A: [LAB.api] },
  // the Service's name resolves to its backend here (the lab has no ClusterIP translation)
  'model-api.ml.svc.cluster.local': { A: ['198.51.100.62'] },
};

/** Service ml/model-api → pod ml/model-api-0 (198.51.100.62), for svc/ targets */
const SERVICE_OBJECTS: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Service', metadata: { name: 'model-api', namespace: 'ml', labels: { app: 'model-api' } }, spec: { selector: { app: 'model-api' }, ports: [{ name: 'https', port: 443, targetPort: 443, protocol: 'TCP' }], clusterIP: '10.96.44.12' } },
  {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'model-api-x7k2p', namespace: 'ml', labels: { 'kubernetes.io/service-name': 'model-api' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['198.51.100.62'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'model-api-0', namespace: 'ml' } }],
    ports: [{ name: 'https', port: 443, protocol: 'TCP' }],
  },
];

const T = '2026-11-20T09:14:03Z';

export function ns(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

export function pod(namespace: string, name: string, labels: Record<string, string>, ip: string, node = 'worker-2', serviceAccount = 'default'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec: { nodeName: node, serviceAccountName: serviceAccount, containers: [{ name: name.startsWith('coredns') ? 'coredns' : 'trainer', image: 'registry.example/ml/trainer:2.4.1', ports: name.startsWith('coredns') ? [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] : [] }] },
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], containerStatuses: [{ name: 'trainer', ready: true, state: { running: { startedAt: T } } }] },
  };
}

export const FLUX = (name: string) => ({
  labels: { 'kustomize.toolkit.fluxcd.io/name': name, 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' },
  managedFields: [{ manager: 'kustomize-controller', operation: 'Apply', apiVersion: 'cilium.io/v2', time: T, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }],
});
const BY_HAND = { managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update', apiVersion: 'networking.k8s.io/v1', time: T, fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': {} } }] };

export const DNS_RULE = {
  toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
};

/** incident 2's policy: the API host is on the toFQDNs list, the storage host is not */
export function trainingEgress(fqdns: Record<string, string>[] = [{ matchName: EGRESS_LAB.apiHost }]): KubeObject {
  const { labels, managedFields } = FLUX('ml-apps');
  return {
    apiVersion: 'cilium.io/v2',
    kind: 'CiliumNetworkPolicy',
    metadata: { name: 'training-egress', namespace: EGRESS_LAB.ns, labels, managedFields },
    spec: {
      endpointSelector: { matchLabels: { app: 'training' } },
      egress: [DNS_RULE, { toFQDNs: fqdns, toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }, { toEntities: ['kube-apiserver'] }],
    },
  };
}

const INCIDENT_LOGS = [
  `2026-11-22T07:58:01Z INFO  trainer: resuming run 42, fetching checkpoint URL from https://${EGRESS_LAB.apiHost}/v1/runs/42/checkpoint`,
  `2026-11-22T07:58:01Z INFO  trainer: got presigned URL https://${EGRESS_LAB.blobHost}/checkpoints/run-42/ckpt-0042.pt?sv=2023-11-03&se=2026-11-22T09%3A00%3A00Z&sr=b&sp=r&sig=QmFzZTY0U2lnbmF0dXJlRXhhbXBsZQ%3D%3D`,
  `2026-11-22T07:58:11Z WARNING urllib3.connectionpool: Retrying (Retry(total=2, connect=None, read=None, redirect=None, status=None)) after connection broken by 'ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f3a2c1b5d90>, 'Connection to ${EGRESS_LAB.blobHost} timed out. (connect timeout=10)')': /checkpoints/run-42/ckpt-0042.pt`,
  `2026-11-22T07:58:41Z ERROR trainer: download failed: HTTPSConnectionPool(host='${EGRESS_LAB.blobHost}', port=443): Max retries exceeded with url: /checkpoints/run-42/ckpt-0042.pt?sv=2023-11-03&se=2026-11-22T09%3A00%3A00Z&sr=b&sp=r&sig=QmFzZTY0U2lnbmF0dXJlRXhhbXBsZQ%3D%3D (Caused by ConnectTimeoutError(<urllib3.connection.HTTPSConnection object at 0x7f3a2c1b5d90>, 'Connection to ${EGRESS_LAB.blobHost} timed out. (connect timeout=10)'))`,
  '',
].join('\n');

export interface EgressSpec {
  name: string;
  description: string;
  policies: KubeObject[];
  /** drops in the pod's namespace (what the CNI enforces) */
  drop: { ip: string; port?: number; proto?: 'tcp' | 'udp' | 'icmp' }[];
  tools?: string[];
  logs?: string;
  forbidExec?: boolean;
  /** resources the user may not read (the store answers 403), e.g. 'namespaces' */
  forbidden?: string[];
  /** a second pod of the same Deployment (for --selector) */
  replicas?: 1 | 2;
  /** files of the GitOps source directory (relative path → objects) */
  source?: Record<string, KubeObject[]>;
  /** exec subprotocols the lab API server speaks (default v5 then v4), e.g. ['v4.channel.k8s.io'] */
  execProtocols?: string[];
  /** the pod at 198.51.100.62 instead of ml/model-api-0 (a destination pod with its own namespace, labels, service account) */
  backend?: { namespace: string; name: string; labels: Record<string, string>; serviceAccount?: string };
  /** more objects (namespaces, admin policies) */
  objects?: KubeObject[];
  /** more lab DNS records */
  dns?: DnsRecords;
  /** serve the lab DNS with a real dnsmasq (CNAMEs with --cname) */
  dnsmasq?: boolean;
}

function listenAll(ctx: ScenarioContext, addrs: string[]) {
  return Promise.all(
    addrs.map(
      (host) =>
        new Promise<void>((resolve, reject) => {
          const s = net.createServer((c) => c.end());
          s.once('error', reject);
          s.listen(443, host, () => resolve());
          ctx.onClose(() => new Promise<void>((r) => s.close(() => r())));
        }),
    ),
  );
}

export function egressScenario(spec: EgressSpec): Scenario {
  return {
    name: spec.name,
    description: spec.description,
    dns: { ...DNS, ...spec.dns },
    ...(spec.dnsmasq ? { dnsmasq: true, external: ['dnsmasq'] } : {}),
    async setup(ctx): Promise<ScenarioSetup> {
      addLabHosts([EGRESS_LAB.apiIp, EGRESS_LAB.blobIp, EGRESS_LAB.otherIp]);
      await listenAll(ctx, [EGRESS_LAB.apiIp, EGRESS_LAB.blobIp, EGRESS_LAB.otherIp, LAB.api]);
      const pods = new Map<string, PodNet>();
      const replicas = [{ name: EGRESS_LAB.pod, ip: EGRESS_LAB.podIp }, { name: EGRESS_LAB.pod2, ip: EGRESS_LAB.pod2Ip }].slice(0, spec.replicas ?? 1);
      for (const r of replicas) {
        const p = createPodNet({ key: `${EGRESS_LAB.ns}/${r.name}`, ip: r.ip, tools: spec.tools ?? ['python3', 'sh', 'getent'], drop: spec.drop }, ctx.tmp);
        ctx.onClose(() => p.close());
        pods.set(p.spec.key, p);
      }
      const objects: KubeObject[] = [
        ns('default'),
        ns('kube-system'),
        ns(EGRESS_LAB.ns, { team: 'ml' }),
        ...replicas.map((r) => pod(EGRESS_LAB.ns, r.name, { app: 'training', 'pod-template-hash': '7f9c' }, r.ip)),
        pod('kube-system', 'coredns-5d78c9869d-abcde', { 'k8s-app': 'kube-dns' }, LAB.dns, 'worker-1'),
        spec.backend
          ? pod(spec.backend.namespace, spec.backend.name, spec.backend.labels, EGRESS_LAB.otherIp, 'worker-3', spec.backend.serviceAccount)
          : pod('ml', 'model-api-0', { app: 'model-api', 'controller-revision-hash': 'model-api-6c9f' }, '198.51.100.62', 'worker-3'),
        ...(spec.objects ?? []),
        ...SERVICE_OBJECTS,
        ...spec.policies,
      ];
      await startLabApi(ctx, {
        store: { objects, forbidden: spec.forbidden, logs: { [`${EGRESS_LAB.ns}/${EGRESS_LAB.pod}`]: spec.logs ?? '2026-11-22T07:58:01Z INFO trainer: started\n' } },
        onUpgrade: execUpgradeHandler({
          tokens: Object.fromEntries(Object.entries(ctx.tokens).map(([k, v]) => [k, { user: v.user }])),
          pods,
          forbiddenUsers: spec.forbidExec ? ['lab-admin'] : [],
          protocols: spec.execProtocols,
          log: (l) => process.stderr.write(`[exec] ${l}\n`),
        }),
        extraRoute: ephemeralContainersRoute(objects, pods, (l) => process.stderr.write(`[exec] ${l}\n`)),
      });
      if (spec.source) {
        const dir = join(ctx.tmp, 'gitops');
        for (const [file, objs] of Object.entries(spec.source)) {
          const path = join(dir, file);
          mkdirSync(join(path, '..'), { recursive: true });
          writeFileSync(path, objs.map((o) => dump(o, { lineWidth: -1 })).join('---\n'));
        }
        ctx.files.source = dir;
      }
      ctx.info.egress = { ...EGRESS_LAB };
      const { kubeconfigYaml } = await import('./scenarios.ts');
      const path = join(ctx.tmp, 'kubeconfig');
      writeFileSync(path, kubeconfigYaml({ server: `https://${LAB.api}:6443`, ca: ctx.pki.ca.cert, token: ctx.adminToken }), { mode: 0o600 });
      ctx.info.server = `https://${LAB.api}:6443`;
      ctx.info.token = ctx.adminToken;
      return { kubeconfig: path, env: { KUBECONFIG: path }, args: [] };
    },
  };
}

/** the source directory as Flux would apply it: the CNP as committed (without live metadata) */
function asCommitted(o: KubeObject): KubeObject {
  const { managedFields: _m, ...metadata } = o.metadata as Record<string, unknown>;
  return { ...o, metadata: metadata as KubeObject['metadata'] };
}

const DEFAULT_DENY: KubeObject = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name: 'default-deny-egress', namespace: EGRESS_LAB.ns, ...FLUX('ml-base') },
  spec: { podSelector: {}, policyTypes: ['Egress'] },
};

export const EGRESS_SCENARIOS: Scenario[] = [
  egressScenario({
    name: 'egress-incident-2',
    description: `SPEC §1 incident 2: CNP ml/training-egress (Flux) allows toFQDNs ${EGRESS_LAB.apiHost} only; the SDK now downloads from a presigned Azure URL on ${EGRESS_LAB.blobHost} (dropped); logs show urllib3 Max retries exceeded`,
    policies: [trainingEgress()],
    drop: [{ ip: EGRESS_LAB.blobIp }, { ip: EGRESS_LAB.otherIp }],
    logs: INCIDENT_LOGS,
    source: { 'apps/ml/training-egress.yaml': [asCommitted(trainingEgress())] },
    replicas: 2,
  }),
  egressScenario({
    name: 'egress-firewall',
    description: `the CNP allows *.blob.core.windows.net, but ${EGRESS_LAB.blobHost} is dropped anyway (a firewall outside the cluster): live and static disagree`,
    policies: [trainingEgress([{ matchName: EGRESS_LAB.apiHost }, { matchPattern: '*.blob.core.windows.net' }])],
    drop: [{ ip: EGRESS_LAB.blobIp }],
  }),
  egressScenario({
    name: 'egress-cname',
    description: `CNAME gotcha: the app dials ${EGRESS_LAB.aliasHost} (CNAME → ${EGRESS_LAB.blobHost}); the CNP lists the CNAME target only`,
    policies: [trainingEgress([{ matchName: EGRESS_LAB.apiHost }, { matchName: EGRESS_LAB.blobHost }])],
    drop: [{ ip: EGRESS_LAB.blobIp }],
  }),
  egressScenario({
    name: 'egress-dns-blocked',
    description: 'NetworkPolicy default deny + an HTTPS allow without DNS: DNS to kube-dns is dropped, every name fails',
    policies: [
      DEFAULT_DENY,
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-https', namespace: EGRESS_LAB.ns, ...FLUX('ml-base') },
        spec: { podSelector: { matchLabels: { app: 'training' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '198.51.100.0/24' } }], ports: [{ protocol: 'TCP', port: 443 }] }] },
      },
    ],
    drop: [{ ip: LAB.dns, port: 53 }],
  }),
  egressScenario({
    name: 'egress-ipblock',
    description: `NetworkPolicy default deny with an ipBlock exception: 198.51.100.0/24 except ${EGRESS_LAB.blobIp}/32 on 443, DNS allowed`,
    policies: [
      DEFAULT_DENY,
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-egress', namespace: EGRESS_LAB.ns, ...BY_HAND },
        spec: {
          podSelector: { matchLabels: { app: 'training' } },
          policyTypes: ['Egress'],
          egress: [
            { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] },
            { to: [{ ipBlock: { cidr: '198.51.100.0/24', except: [`${EGRESS_LAB.blobIp}/32`] } }], ports: [{ protocol: 'TCP', port: 443 }] },
          ],
        },
      },
    ],
    drop: [{ ip: EGRESS_LAB.blobIp }],
  }),
  egressScenario({
    name: 'egress-deny',
    description: `CNP allows the world, CCNP block-exfil egressDeny ${EGRESS_LAB.apiIp}/32 on 443 wins`,
    policies: [
      { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name: 'allow-world', namespace: EGRESS_LAB.ns, ...FLUX('ml-apps') }, spec: { endpointSelector: {}, egress: [DNS_RULE, { toEntities: ['world', 'kube-apiserver'] }] } },
      { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'block-exfil', ...FLUX('platform') }, spec: { endpointSelector: { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': 'ml' } }, egressDeny: [{ toCIDRSet: [{ cidr: `${EGRESS_LAB.apiIp}/32` }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }] } },
    ],
    drop: [{ ip: EGRESS_LAB.apiIp, port: 443, proto: 'tcp' }],
  }),
  egressScenario({
    name: 'egress-drift',
    description: 'incident 2 with drift: a NetworkPolicy applied by hand that is not in --source, and the committed CNP differs from the live one',
    policies: [
      trainingEgress(),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-metrics', namespace: EGRESS_LAB.ns, ...BY_HAND },
        spec: { podSelector: { matchLabels: { app: 'training' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: `${EGRESS_LAB.otherIp}/32` } }], ports: [{ protocol: 'TCP', port: 443 }] }] },
      },
    ],
    drop: [{ ip: EGRESS_LAB.blobIp }],
    logs: INCIDENT_LOGS,
    source: {
      'apps/ml/training-egress.yaml': [asCommitted(trainingEgress([{ matchName: EGRESS_LAB.apiHost }, { matchPattern: '*.queue.core.windows.net' }]))],
      'apps/ml/kustomization-notes.yaml': [{ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-telemetry', namespace: EGRESS_LAB.ns }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ port: 4317 }] }] } }],
    },
  }),
  egressScenario({
    name: 'egress-rbac-namespaced',
    description: 'incident 2 for a namespace-scoped user: CiliumClusterwideNetworkPolicies and namespaces cannot be listed (403)',
    policies: [
      trainingEgress(),
      { apiVersion: 'cilium.io/v2', kind: 'CiliumClusterwideNetworkPolicy', metadata: { name: 'platform-baseline' }, spec: { endpointSelector: {}, egress: [{ toEntities: ['cluster'] }] } },
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'allow-dns', namespace: EGRESS_LAB.ns },
        spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } } }], ports: [{ protocol: 'UDP', port: 53 }] }] },
      },
    ],
    drop: [{ ip: EGRESS_LAB.blobIp }],
    forbidden: ['ciliumclusterwidenetworkpolicies.cilium.io', 'namespaces'],
  }),
  egressScenario({
    name: 'egress-sh-only',
    description: 'incident 2 policies; the container has no python3, only sh, getent, bash and sleep: the probe falls back to sh',
    policies: [trainingEgress()],
    drop: [{ ip: EGRESS_LAB.blobIp }],
    tools: ['sh', 'getent', 'bash', 'sleep'],
  }),
  egressScenario({
    name: 'egress-no-tools',
    description: 'incident 2 policies, but the container is distroless: no sh, no python3, nothing to probe with',
    policies: [trainingEgress()],
    drop: [{ ip: EGRESS_LAB.blobIp }],
    tools: [],
  }),
  egressScenario({
    name: 'egress-curl-only',
    description: 'incident 2 policies; the container has only sh, getent and curl: the sh probe connects with curl telnet://',
    policies: [trainingEgress()],
    drop: [{ ip: EGRESS_LAB.blobIp }],
    tools: ['sh', 'getent', 'curl'],
  }),
  egressScenario({
    name: 'egress-nc-only',
    description: 'incident 2 policies; the container has only sh, getent and nc: the sh probe connects with nc -z -v -w (a lab stand-in for OpenBSD nc where the machine has none)',
    policies: [trainingEgress()],
    drop: [{ ip: EGRESS_LAB.blobIp }],
    tools: ['sh', 'getent', 'nc'],
  }),
  egressScenario({
    name: 'egress-wget-only',
    description: 'incident 2 policies; the container has only sh, getent and wget: the sh probe connects with wget, classified from its stderr',
    policies: [trainingEgress()],
    drop: [{ ip: EGRESS_LAB.blobIp }],
    tools: ['sh', 'getent', 'wget'],
  }),
  egressScenario({
    name: 'egress-exec-v4',
    description: 'incident 2 policies; the API server speaks only v4.channel.k8s.io for pods/exec (an older kubelet/apiserver): the client falls back to v4',
    policies: [trainingEgress()],
    drop: [{ ip: EGRESS_LAB.blobIp }],
    execProtocols: ['v4.channel.k8s.io'],
  }),
  egressScenario({
    name: 'egress-exec-forbidden',
    description: 'incident 2 policies, but the user may not create pods/exec (403)',
    policies: [trainingEgress()],
    drop: [{ ip: EGRESS_LAB.blobIp }],
    forbidExec: true,
  }),
  // issue 14: both sides of an in-cluster flow, admin policies, Cilium's implicit labels
  egressScenario({
    name: 'egress-ingress-denied',
    description: `pod → pod: ml/training-7f9c → shop/backend-0 (${EGRESS_LAB.otherIp}:443); nothing limits the source's egress, but NetworkPolicy shop/backend-ingress accepts only app=frontend: the destination drops it`,
    policies: [
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: { name: 'backend-ingress', namespace: 'shop' },
        spec: { podSelector: { matchLabels: { app: 'backend' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'frontend' } } }], ports: [{ protocol: 'TCP', port: 443 }] }] },
      },
    ],
    backend: { namespace: 'shop', name: 'backend-0', labels: { app: 'backend' } },
    objects: [ns('shop', { team: 'shop' })],
    drop: [{ ip: EGRESS_LAB.otherIp, port: 443, proto: 'tcp' }],
  }),
  egressScenario({
    name: 'egress-anp-deny',
    description: `AdminNetworkPolicy deny-exfil (priority 10, every namespace labelled team=ml) denies ${EGRESS_LAB.apiIp}/32 on 443, although a NetworkPolicy allows all egress`,
    policies: [
      { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow-all-egress', namespace: EGRESS_LAB.ns, ...FLUX('ml-base') }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [{}] } },
    ],
    objects: [
      {
        apiVersion: 'policy.networking.k8s.io/v1alpha1',
        kind: 'AdminNetworkPolicy',
        metadata: { name: 'deny-exfil' },
        spec: { priority: 10, subject: { namespaces: { matchLabels: { team: 'ml' } } }, egress: [{ name: 'no-partner-api', action: 'Deny', to: [{ networks: [`${EGRESS_LAB.apiIp}/32`] }], ports: [{ portNumber: { protocol: 'TCP', port: 443 } }] }] },
      },
    ],
    drop: [{ ip: EGRESS_LAB.apiIp, port: 443, proto: 'tcp' }],
  }),
  egressScenario({
    name: 'egress-sa-selector',
    description: `CNP ml/to-backend-sa allows toEndpoints io.cilium.k8s.policy.serviceaccount=backend-sa on 443; ml/backend-0 (${EGRESS_LAB.otherIp}) runs as backend-sa: Cilium allows it`,
    policies: [
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'to-backend-sa', namespace: EGRESS_LAB.ns, ...FLUX('ml-apps') },
        spec: {
          endpointSelector: { matchLabels: { app: 'training' } },
          egress: [DNS_RULE, { toEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': 'backend-sa' } }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }, { toEntities: ['kube-apiserver'] }],
        },
      },
    ],
    backend: { namespace: EGRESS_LAB.ns, name: 'backend-0', labels: { app: 'backend' }, serviceAccount: 'backend-sa' },
    drop: [{ ip: EGRESS_LAB.blobIp }, { ip: EGRESS_LAB.apiIp }],
  }),
  egressScenario({
    name: 'egress-icmp',
    description: `icmp:// targets pinged from the pod: CNP ml/ping-partner allows ICMP echo (icmps type 8) to ${EGRESS_LAB.apiIp} only; ICMP to ${EGRESS_LAB.blobIp} is dropped`,
    policies: [
      {
        apiVersion: 'cilium.io/v2',
        kind: 'CiliumNetworkPolicy',
        metadata: { name: 'ping-partner', namespace: EGRESS_LAB.ns, ...FLUX('ml-apps') },
        spec: { endpointSelector: { matchLabels: { app: 'training' } }, egress: [DNS_RULE, { toCIDR: [`${EGRESS_LAB.apiIp}/32`], icmps: [{ fields: [{ type: 8, family: 'IPv4' }] }] }, { toEntities: ['kube-apiserver'] }] },
      },
    ],
    drop: [{ ip: EGRESS_LAB.blobIp, proto: 'icmp' }, { ip: EGRESS_LAB.apiIp, proto: 'tcp' }],
    tools: ['python3', 'sh', 'getent', 'ping'],
  }),
];
