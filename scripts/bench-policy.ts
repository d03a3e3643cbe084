// The policy engine benchmark (issue 4): a generated cluster of PODS pods in NS namespaces with
// NP NetworkPolicies and CIL Cilium policies (CNPs and some CCNPs); the verdict for every pod to
// one FQDN. Run alone: `node scripts/bench-policy.ts [scale]` prints one JSON line
// {scale, pods, ms, rssMB, allowed}; scale 1 = 10,000 pods / 200 ns / 2,000 NP / 1,000 Cilium.
import { PolicyIndex, type CiliumPolicy, type NamespaceInfo, type NetworkPolicy, type PodInfo } from '../src/policy/index.ts';

export interface PolicyBenchResult {
  scale: number;
  pods: number;
  namespaces: number;
  networkPolicies: number;
  ciliumPolicies: number;
  ms: number;
  rssMB: number;
  allowed: number;
}

export function generateCluster(scale: number) {
  const nsCount = Math.max(1, Math.round(200 * scale));
  const podCount = Math.round(10_000 * scale);
  const npCount = Math.round(2_000 * scale);
  const cilCount = Math.round(1_000 * scale);
  const apps = ['api', 'web', 'worker', 'training', 'batch', 'cache', 'db', 'ingest', 'export', 'report'];
  // teams grow with the namespaces (about 12 namespaces each), so that 10x the objects means 10x
  // the same cluster shape, not 10x as many policies selecting each pod
  const teams = Math.max(1, Math.round(nsCount / 12));
  const namespaces: NamespaceInfo[] = [];
  for (let i = 0; i < nsCount; i++) namespaces.push({ name: `ns-${i}`, labels: { team: `team-${i % teams}`, env: i % 3 ? 'prod' : 'dev' } });
  const pods: PodInfo[] = [];
  for (let i = 0; i < podCount; i++) {
    const ns = `ns-${i % nsCount}`;
    pods.push({ namespace: ns, name: `pod-${i}`, labels: { app: apps[i % apps.length]!, tier: i % 2 ? 'a' : 'b', 'pod-template-hash': String(i % 97) }, ips: [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`] });
  }
  const networkPolicies: NetworkPolicy[] = [];
  for (let i = 0; i < npCount; i++) {
    const ns = `ns-${i % nsCount}`;
    const app = apps[i % apps.length]!;
    const kind = i % 4;
    networkPolicies.push({
      metadata: { name: `np-${i}`, namespace: ns },
      spec:
        kind === 0
          ? { podSelector: {}, policyTypes: ['Egress'] }
          : kind === 1
            ? { podSelector: { matchLabels: { app } }, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] }] }
            : kind === 2
              ? { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: [app, 'web'] }] }, egress: [{ to: [{ ipBlock: { cidr: `198.51.${i % 256}.0/24`, except: [`198.51.${i % 256}.128/25`] } }], ports: [{ port: 443 }, { port: 8000, endPort: 8100 }] }] }
              : { podSelector: { matchLabels: { tier: i % 2 ? 'a' : 'b' } }, policyTypes: ['Ingress'], ingress: [{}] },
    });
  }
  const ciliumPolicies: CiliumPolicy[] = [];
  for (let i = 0; i < cilCount; i++) {
    const app = apps[i % apps.length]!;
    if (i % 10 === 0) {
      ciliumPolicies.push({
        kind: 'CiliumClusterwideNetworkPolicy',
        metadata: { name: `ccnp-${i}` },
        spec: {
          endpointSelector: { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': `team-${i % teams}`, app } },
          egressDeny: [{ toCIDRSet: [{ cidr: `203.0.${i % 256}.0/24` }] }],
          egress: [{ toEntities: ['cluster'] }],
        },
      });
    } else {
      ciliumPolicies.push({
        kind: 'CiliumNetworkPolicy',
        metadata: { name: `cnp-${i}`, namespace: `ns-${i % nsCount}` },
        spec: {
          endpointSelector: { matchLabels: { app } },
          egress: [
            { toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s-app': 'kube-dns' } }], toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }] },
            { toFQDNs: [{ matchName: `svc-${i}.example.net` }, { matchPattern: `*.team-${i % teams}.example.net` }, { matchPattern: '*.blob.core.windows.net' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] },
          ],
        },
      });
    }
  }
  return { namespaces, pods, networkPolicies, ciliumPolicies };
}

/** Build the index and evaluate every pod → one FQDN; time and memory of this process. */
export function runPolicyBench(scale: number): PolicyBenchResult {
  const c = generateCluster(scale);
  const t0 = performance.now();
  const index = new PolicyIndex({ namespaces: c.namespaces, networkPolicies: c.networkPolicies, ciliumPolicies: c.ciliumPolicies });
  let allowed = 0;
  for (const pod of c.pods) {
    const v = index.evaluate({ pod, dest: { ip: '198.51.100.61', port: 443, host: 'acct.blob.core.windows.net', kind: 'world' } });
    if (v.allowed) allowed++;
  }
  const ms = performance.now() - t0;
  return {
    scale,
    pods: c.pods.length,
    namespaces: c.namespaces.length,
    networkPolicies: c.networkPolicies.length,
    ciliumPolicies: c.ciliumPolicies.length,
    ms,
    // peak resident memory of the whole process (Node itself included)
    rssMB: process.resourceUsage().maxRSS / 1024,
    allowed,
  };
}

if (process.argv[1] && /bench-policy\.ts$/.test(process.argv[1])) {
  console.log(JSON.stringify(runPolicyBench(Number(process.argv[2] ?? 1))));
}
