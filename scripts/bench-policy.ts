// The policy engine benchmark (issues 4 and 14): a generated cluster of PODS pods in NS namespaces
// with NP NetworkPolicies (egress and ingress), CIL Cilium policies (CNPs with ingress rules, some
// CCNPs) and ANP AdminNetworkPolicies plus a baseline. Two measures:
// - `oneMs`: what one `kubectl netdiag egress` does: build the index and decide one in-cluster flow
//   on both sides (source egress, destination ingress, through the ANP/NP/BANP tiers);
// - `fqdnMs`: every pod → one FQDN (the source's egress) on issue 4's objects (no admin policies);
// - `ms`: every pod → one FQDN and → one in-cluster pod (both sides).
// Run alone: `node scripts/bench-policy.ts [scale]` prints one JSON line; scale 1 = 10,000 pods /
// 200 ns / 2,000 NP / 1,000 Cilium / 200 ANP.
import { PolicyIndex, type AdminNetworkPolicy, type CiliumPolicy, type NamespaceInfo, type NetworkPolicy, type PodInfo } from '../src/policy/index.ts';

export interface PolicyBenchResult {
  scale: number;
  pods: number;
  namespaces: number;
  networkPolicies: number;
  ciliumPolicies: number;
  adminPolicies: number;
  /** index + one both-sides verdict */
  oneMs: number;
  /** index + every pod → one FQDN (egress only), without the admin policies: issue 4's measure */
  fqdnMs: number;
  fqdnAllowed: number;
  ms: number;
  rssMB: number;
  allowed: number;
}

export function generateCluster(scale: number) {
  const nsCount = Math.max(1, Math.round(200 * scale));
  const podCount = Math.round(10_000 * scale);
  const npCount = Math.round(2_000 * scale);
  const cilCount = Math.round(1_000 * scale);
  const anpCount = Math.round(200 * scale);
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
              : { podSelector: { matchLabels: { tier: i % 2 ? 'a' : 'b' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ namespaceSelector: { matchLabels: { team: `team-${i % teams}` } } }, { podSelector: { matchLabels: { app } } }], ports: [{ port: 8080 }] }] },
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
          ingress: [{ fromEndpoints: [{ matchLabels: { 'io.cilium.k8s.policy.serviceaccount': `sa-${i % 7}` } }, { matchLabels: { 'k8s:io.cilium.k8s.namespace.labels.team': `team-${i % teams}` } }], toPorts: [{ ports: [{ port: '8080', protocol: 'TCP' }] }] }],
        },
      });
    }
  }
  const adminPolicies: AdminNetworkPolicy[] = [];
  for (let i = 0; i < anpCount; i++) {
    const team = `team-${i % teams}`;
    adminPolicies.push({
      kind: 'AdminNetworkPolicy',
      metadata: { name: `anp-${i}` },
      spec: {
        priority: i % 1000,
        subject: { namespaces: { matchLabels: { team } } },
        egress: [{ action: i % 3 === 0 ? 'Deny' : 'Pass', to: [{ networks: [`192.0.${i % 256}.0/24`] }] }],
        ingress: [{ action: i % 2 ? 'Allow' : 'Pass', from: [{ pods: { namespaceSelector: { matchLabels: { env: 'dev' } }, podSelector: { matchLabels: { app: apps[i % apps.length]! } } } }], ports: [{ portNumber: { protocol: 'TCP', port: 9090 } }] }],
      },
    });
  }
  adminPolicies.push({ kind: 'BaselineAdminNetworkPolicy', metadata: { name: 'default' }, spec: { subject: { namespaces: {} }, ingress: [{ action: 'Deny', from: [{ namespaces: { matchLabels: { env: 'dev' } } }] }] } });
  return { namespaces, pods, networkPolicies, ciliumPolicies, adminPolicies };
}

/** Build the index and decide flows; time and memory of this process. */
export function runPolicyBench(scale: number): PolicyBenchResult {
  const c = generateCluster(scale);
  const input = { namespaces: c.namespaces, networkPolicies: c.networkPolicies, ciliumPolicies: c.ciliumPolicies, adminPolicies: c.adminPolicies };
  const target = (i: number) => c.pods[(i * 7919 + 13) % c.pods.length]!;
  const podDest = (i: number) => {
    const p = target(i);
    return { ip: p.ips![0]!, port: 8080, pod: p, kind: 'pod' as const };
  };
  // one CLI run: the index and one verdict on both sides
  const t1 = performance.now();
  const first = new PolicyIndex(input).evaluatePath({ pod: c.pods[0]!, dest: podDest(0) });
  const oneMs = performance.now() - t1;
  // issue 4's measure on issue 4's objects (NetworkPolicies and Cilium policies, no admin
  // policies): every pod → one FQDN (the source's egress), with its own index
  const tf = performance.now();
  const fqdnIndex = new PolicyIndex({ ...input, adminPolicies: [] });
  let fqdnAllowed = 0;
  for (const pod of c.pods) if (fqdnIndex.evaluate({ pod, dest: { ip: '198.51.100.61', port: 443, host: 'acct.blob.core.windows.net', kind: 'world' } }).allowed) fqdnAllowed++;
  const fqdnMs = performance.now() - tf;
  // every pod, both flows
  const t0 = performance.now();
  const index = new PolicyIndex(input);
  let allowed = first.allowed ? 1 : 0;
  c.pods.forEach((pod, i) => {
    if (index.evaluate({ pod, dest: { ip: '198.51.100.61', port: 443, host: 'acct.blob.core.windows.net', kind: 'world' } }).allowed) allowed++;
    if (index.evaluatePath({ pod, dest: podDest(i) }).allowed) allowed++;
  });
  const ms = performance.now() - t0;
  return {
    scale,
    pods: c.pods.length,
    namespaces: c.namespaces.length,
    networkPolicies: c.networkPolicies.length,
    ciliumPolicies: c.ciliumPolicies.length,
    adminPolicies: c.adminPolicies.length,
    oneMs,
    fqdnMs,
    fqdnAllowed,
    ms,
    // peak resident memory of the whole process (Node itself included)
    rssMB: process.resourceUsage().maxRSS / 1024,
    allowed,
  };
}

if (process.argv[1] && /bench-policy\.ts$/.test(process.argv[1])) {
  console.log(JSON.stringify(runPolicyBench(Number(process.argv[2] ?? 1))));
}
