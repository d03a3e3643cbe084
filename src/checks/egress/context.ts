// The shared state of one `egress` diagnosis: the API client (src/kube/client.ts: the same dial /
// proxy / TLS path as `api`, one classification of errors), the objects it lists (paginated, only
// what it needs), the live probe inside the pod, and the policy engine's index. Every step is
// memoised so that checks share one list, one probe, one verdict.
import { Memo } from '../../engine/memo.ts';
import { randomBytes } from 'node:crypto';
import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import type { V1ConfigMap, V1Endpoints, V1EndpointSlice, V1Namespace, V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { classifyStatus, KubeClient, type ApiFailure, type ClientOptions, type ListResult } from '../../kube/client.ts';
import { resolveHost } from '../../net/dns.ts';
import {
  PolicyIndex,
  type AdminNetworkPolicy,
  type CiliumPolicy,
  type DestinationKind,
  type PathVerdict,
  type Destination,
  type NamespaceInfo,
  type NetworkPolicy,
  type PodInfo,
  type ServiceInfo,
  type Verdict,
} from '../../policy/index.ts';
import { detectTools, type ToolsResult } from '../../kube/pod-tools.ts';
import { noPingMessage, pingInPod, probeInPod, type ProbeOutcome } from './probe.ts';
import { parseTarget, TargetError, type EgressTarget } from './target.ts';
import { presignedHosts, scanLogs, type LogHit } from './log-scan.ts';
import type { KubeObj } from './owner.ts';

/** exec sessions at once with --selector (each is one WebSocket to the API server) */
const EXEC_PARALLEL = 16;
/** page size of egress's lists (the evidence shows the pages) */
const PAGE = 250;

export interface EgressOptions extends ClientOptions {
  cwd: string;
  namespace?: string;
  pod?: string;
  target?: string;
  selector?: string;
  container?: string;
  control: string;
  fromLogs: boolean;
  source?: string;
  debugImage?: string;
  /** lines of log to read per container */
  tailLines?: number;
}

/** The items of a list that answered, else none (the failure is reported where it matters). */
export function itemsOf<T>(r: ListResult<T>): T[] {
  return r.ok ? r.body : [];
}

/** A list that answered with nothing, e.g. for a kind the server does not serve. */
function emptyList<T>(pages: number): ListResult<T> {
  return { ok: true, status: 200, body: [], pages };
}

export interface CiliumLists {
  /** false when the server serves neither CiliumNetworkPolicies nor the clusterwide ones */
  installed: boolean;
  cnp: ListResult<CiliumPolicy & KubeObj>;
  ccnp: ListResult<CiliumPolicy & KubeObj>;
}

/** Cilium is installed unless neither kind is served; one kind served and the other not: the other has none. */
export function ciliumLists(cnp: ListResult<CiliumPolicy & KubeObj>, ccnp: ListResult<CiliumPolicy & KubeObj>): CiliumLists {
  const notServed = (r: ListResult<unknown>) => !r.ok && r.reason === 'kind-not-served';
  const installed = !(notServed(cnp) && notServed(ccnp));
  const served = (r: ListResult<CiliumPolicy & KubeObj>) => (installed && notServed(r) ? emptyList<CiliumPolicy & KubeObj>(r.pages) : r);
  return { installed, cnp: served(cnp), ccnp: served(ccnp) };
}

/** The recent log of one container, or why it could not be read. */
export interface ContainerLog {
  pod: string;
  container: string;
  ok: boolean;
  text: string;
  message?: string;
  reason?: ApiFailure['reason'];
}

/** Every policy object listed, each with its kind (a list's items may omit it). */
export function livePolicies(np: ListResult<NetworkPolicy & KubeObj> | undefined, cil: CiliumLists | undefined): KubeObj[] {
  const withKind = (items: KubeObj[], kind: string) => items.map((o) => ({ ...o, kind: o.kind ?? kind }));
  return [
    ...withKind(np ? itemsOf(np) : [], 'NetworkPolicy'),
    ...withKind(cil ? itemsOf(cil.cnp) : [], 'CiliumNetworkPolicy'),
    ...withKind(cil ? itemsOf(cil.ccnp) : [], 'CiliumClusterwideNetworkPolicy'),
  ];
}

export interface PodProbe {
  pod: PodInfo;
  container?: string;
  tools?: ToolsResult;
  probe?: { tool: string; results: ProbeOutcome[] };
  /** why no probe ran: forbidden, no tools, not running, exec failed */
  skipped?: 'forbidden' | 'no-tools' | 'exec-failed' | 'not-running';
  message?: string;
  /** --debug-image: the ephemeral container added to probe from (or why adding it failed) */
  debug?: { name?: string; image: string; error?: string; target?: string };
}

export interface FlowVerdict {
  target: EgressTarget;
  dest: Destination;
  /** the source pod's egress verdict */
  verdict: Verdict;
  /** both sides: the source's egress and, for a pod destination, the destination's ingress */
  path: PathVerdict;
}

/** A list the verdict reads besides the policies, and what it means when it cannot be read. */
export interface SideList<T> {
  /** what was listed, in words ("AdminNetworkPolicies") */
  what: string;
  result: ListResult<T>;
  /** the kind is not served: not installed, none exist */
  notInstalled?: boolean;
}

/** Cilium's cluster name and where it came from. */
export interface ClusterNameInfo {
  name: string;
  /** "kube-system/cilium-config", or why the default applies */
  source: string;
  /** reading the ConfigMap failed (other than not found) */
  error?: ApiFailure;
}

/** The lists behind the policies of the destination pods' namespaces. */
export interface DestinationPolicies {
  namespace: string;
  np: ListResult<NetworkPolicy & KubeObj>;
  cnp?: ListResult<CiliumPolicy & KubeObj>;
  /** listed only for DNS (kube-dns's namespace, no target there): an unreadable list is said by egress.dns */
  dnsOnly?: boolean;
}

export class EgressContext {
  readonly options: EgressOptions;
  /** the one API client; `client.requests` is the evidence of every path asked */
  readonly client: KubeClient;
  readonly targetError?: string;
  private readonly argTarget?: EgressTarget;
  readonly control?: EgressTarget;
  private readonly memo = new Memo();

  constructor(options: EgressOptions) {
    this.options = options;
    this.client = new KubeClient(options);
    const ns = this.namespace;
    try {
      if (options.target) this.argTarget = parseTarget(options.target, ns);
      this.control = parseTarget(options.control, ns, 'control');
    } catch (e) {
      if (e instanceof TargetError) this.targetError = e.message;
      else throw e;
    }
    if (!this.targetError) {
      if (!options.pod && !options.selector) this.targetError = 'a pod is required: kubectl netdiag egress -n NS POD TARGET[:PORT] (or --selector KEY=VALUE TARGET)';
      else if (!this.argTarget && !options.fromLogs) this.targetError = 'a target is required: HOST[:PORT], an IP, a URL or svc/NAME.NS (or --from-logs)';
    }
    if (options.source) this.options.source = resolvePath(options.cwd, options.source);
  }

  get namespace(): string {
    return this.options.namespace ?? this.client.kube?.namespace ?? 'default';
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.memo.once(key, () => {
      const p = fn();
      p.then(
        (v) => this.settled.set(key, v),
        () => {},
      );
      return p;
    });
  }

  /** A memoised value that has already settled (the diagnosis reads them synchronously). */
  peek<T>(key: string): T | undefined {
    return this.settled.get(key) as T | undefined;
  }

  private readonly settled = new Map<string, unknown>();

  kubectl(rest: string): string {
    return this.client.kubectl(rest);
  }

  // ---- objects -----------------------------------------------------------------------------

  /** The pod(s) the flow starts from. */
  pods(): Promise<ListResult<V1Pod>> {
    return this.once('pods', async () => {
      const ns = encodeURIComponent(this.namespace);
      if (this.options.selector) return this.client.list<V1Pod>(`/api/v1/namespaces/${ns}/pods`, { query: { labelSelector: this.options.selector }, limit: PAGE });
      const r = await this.client.get<V1Pod>(`/api/v1/namespaces/${ns}/pods/${encodeURIComponent(this.options.pod!)}`);
      return r.ok ? { ...r, body: [r.body], pages: 1 } : { ...r, pages: 1 };
    });
  }

  namespaces(): Promise<ListResult<V1Namespace>> {
    return this.once('namespaces', () => this.client.list<V1Namespace>('/api/v1/namespaces', { limit: PAGE }));
  }

  networkPolicies(): Promise<ListResult<NetworkPolicy & KubeObj>> {
    // a NetworkPolicy only ever selects pods of its own namespace
    return this.once('np', async () => {
      const r = await this.client.list<NetworkPolicy & KubeObj>(`/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(this.namespace)}/networkpolicies`, { limit: PAGE });
      // a built-in resource: a server that does not serve the group has none
      return !r.ok && r.reason === 'kind-not-served' ? emptyList(r.pages) : r;
    });
  }

  /** CNPs of the pod's namespace and every CCNP; neither kind served = Cilium is not installed. */
  ciliumPolicies(): Promise<CiliumLists> {
    return this.once('cilium', async () => {
      const [cnp, ccnp] = await Promise.all([
        this.client.list<CiliumPolicy & KubeObj>(`/apis/cilium.io/v2/namespaces/${encodeURIComponent(this.namespace)}/ciliumnetworkpolicies`, { limit: PAGE }),
        this.client.list<CiliumPolicy & KubeObj>('/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies', { limit: PAGE }),
      ]);
      return ciliumLists(cnp, ccnp);
    });
  }

  kubeDnsPods(): Promise<PodInfo[]> {
    return this.once('kube-dns', async () => {
      const r = await this.client.list<V1Pod>('/api/v1/namespaces/kube-system/pods', { query: { labelSelector: 'k8s-app=kube-dns' }, limit: 50 });
      const pods = itemsOf(r).map(podInfo);
      // no permission or no such pods: Kubernetes' well-known labels still say what a policy must allow
      return pods.length ? pods : [{ namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] }];
    });
  }

  /** AdminNetworkPolicies and BaselineAdminNetworkPolicies (not served: none). */
  adminPolicies(): Promise<{ anp: SideList<AdminNetworkPolicy & KubeObj>; banp: SideList<AdminNetworkPolicy & KubeObj> }> {
    return this.once('admin', async () => {
      const side = async (plural: string, kind: string, what: string): Promise<SideList<AdminNetworkPolicy & KubeObj>> => {
        const r = await this.client.list<AdminNetworkPolicy & KubeObj>(`/apis/policy.networking.k8s.io/v1alpha1/${plural}`, { limit: PAGE });
        if (!r.ok && r.reason === 'kind-not-served') return { what, result: emptyList(r.pages), notInstalled: true };
        return { what, result: r.ok ? { ...r, body: r.body.map((o) => ({ ...o, kind: o.kind ?? kind })) } : r };
      };
      const [anp, banp] = await Promise.all([
        side('adminnetworkpolicies', 'AdminNetworkPolicy', 'AdminNetworkPolicies'),
        side('baselineadminnetworkpolicies', 'BaselineAdminNetworkPolicy', 'BaselineAdminNetworkPolicies'),
      ]);
      return { anp, banp };
    });
  }

  /** CiliumCIDRGroups (cilium.io/v2alpha1), for toCIDRSet cidrGroupRef; only when Cilium is installed. */
  cidrGroups(): Promise<SideList<{ metadata?: { name?: string }; spec?: { externalCIDRs?: string[] } }> | undefined> {
    return this.once('cidr-groups', async () => {
      if (!(await this.ciliumPolicies()).installed) return undefined;
      const r = await this.client.list<{ metadata?: { name?: string }; spec?: { externalCIDRs?: string[] } }>('/apis/cilium.io/v2alpha1/ciliumcidrgroups', { limit: PAGE });
      if (!r.ok && r.reason === 'kind-not-served') return { what: 'CiliumCIDRGroups', result: emptyList(r.pages), notInstalled: true };
      return { what: 'CiliumCIDRGroups', result: r };
    });
  }

  /** The nodes (host and remote-node identities, toNodes). */
  nodes(): Promise<SideList<V1Node>> {
    return this.once('nodes', async () => {
      const r = await this.client.list<V1Node>('/api/v1/nodes', { limit: PAGE });
      return { what: 'nodes', result: !r.ok && r.reason === 'kind-not-served' ? emptyList<V1Node>(r.pages) : r };
    });
  }

  /**
   * Cilium's cluster name: `cluster-name` of the cilium-config ConfigMap in kube-system, else in the
   * namespace where the Cilium agents run; "default" when absent.
   */
  clusterName(): Promise<ClusterNameInfo | undefined> {
    return this.once('cluster-name', async () => {
      if (!(await this.ciliumPolicies()).installed) return undefined;
      const read = (ns: string) => this.client.get<V1ConfigMap>(`/api/v1/namespaces/${encodeURIComponent(ns)}/configmaps/cilium-config`);
      let ns = 'kube-system';
      let r = await read(ns);
      const absent = (x: typeof r) => !x.ok && (x.reason === 'not-found' || x.reason === 'kind-not-served');
      if (absent(r)) {
        // the namespace of the Cilium agents' DaemonSet (no cluster-wide pod list)
        const agents = await this.client.list<KubeObj>('/apis/apps/v1/daemonsets', { query: { fieldSelector: 'metadata.name=cilium' }, limit: 1 });
        const other = itemsOf(agents)[0]?.metadata?.namespace;
        if (other && other !== ns) {
          ns = other;
          r = await read(ns);
        }
      }
      if (r.ok) {
        const name = r.body.data?.['cluster-name'];
        return name ? { name, source: `${ns}/cilium-config` } : { name: 'default', source: `${ns}/cilium-config has no cluster-name (Cilium's default)` };
      }
      if (absent(r)) return { name: 'default', source: 'no cilium-config ConfigMap found (Cilium\'s default)' };
      return { name: 'default', source: `cilium-config could not be read (${r.message}); assumed "default"`, error: r };
    });
  }

  /** Namespaces listed only for kube-dns's ingress (no target pod there). */
  private readonly dnsOnlyNamespaces = new Set<string>();

  /** The namespaces of the destination pods (other than the source's), and kube-dns's. */
  destinationNamespaces(): Promise<string[]> {
    return this.once('dest-ns', async () => {
      const [probes, targets] = await Promise.all([this.probes(), this.targets()]);
      const all = [...targets, ...(this.control ? [this.control] : [])];
      const out = new Set<string>();
      for (const pp of probes) {
        for (const t of all) {
          const d = await this.destinations(t, pp);
          for (const dest of d.dests) if (dest.pod && dest.pod.namespace !== this.namespace) out.add(dest.pod.namespace);
        }
      }
      // kube-dns's ingress decides DNS too (egress.dns): its namespace, when no target is there
      for (const p of await this.kubeDnsPods()) if (p.namespace !== this.namespace && !out.has(p.namespace)) this.dnsOnlyNamespaces.add(p.namespace);
      return [...out, ...this.dnsOnlyNamespaces].sort();
    });
  }

  /** NetworkPolicies and CNPs of the destination pods' namespaces (their ingress decides too). */
  destinationPolicies(): Promise<DestinationPolicies[]> {
    return this.once('dest-policies', async () => {
      const [nss, cil] = await Promise.all([this.destinationNamespaces(), this.ciliumPolicies()]);
      return Promise.all(
        nss.map(async (ns): Promise<DestinationPolicies> => {
          const [np, cnp] = await Promise.all([
            this.client.list<NetworkPolicy & KubeObj>(`/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(ns)}/networkpolicies`, { limit: PAGE }),
            cil.installed ? this.client.list<CiliumPolicy & KubeObj>(`/apis/cilium.io/v2/namespaces/${encodeURIComponent(ns)}/ciliumnetworkpolicies`, { limit: PAGE }) : undefined,
          ]);
          const served = <T,>(r: ListResult<T>) => (!r.ok && r.reason === 'kind-not-served' ? emptyList<T>(r.pages) : r);
          return { namespace: ns, np: served(np), ...(cnp ? { cnp: served(cnp) } : {}), ...(this.dnsOnlyNamespaces.has(ns) ? { dnsOnly: true } : {}) };
        }),
      );
    });
  }

  /** The policy engine over everything listed. */
  index(): Promise<PolicyIndex> {
    return this.once('index', async () => {
      const [ns, np, cil, admin, groups, cluster, dest, svcs] = await Promise.all([
        this.namespaces(),
        this.networkPolicies(),
        this.ciliumPolicies(),
        this.adminPolicies(),
        this.cidrGroups(),
        this.clusterName(),
        this.destinationPolicies(),
        this.serviceInfos(),
      ]);
      const namespaces: NamespaceInfo[] = itemsOf(ns).map((n) => ({ name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} }));
      for (const name of [this.namespace, ...dest.map((d) => d.namespace)]) {
        if (!namespaces.some((n) => n.name === name)) namespaces.push({ name, labels: { 'kubernetes.io/metadata.name': name } });
      }
      const cnp = [...itemsOf(cil.cnp), ...dest.flatMap((d) => (d.cnp ? itemsOf(d.cnp) : []))];
      const ccnp = itemsOf(cil.ccnp);
      return new PolicyIndex({
        namespaces,
        networkPolicies: [...itemsOf(np), ...dest.flatMap((d) => itemsOf(d.np))],
        ciliumPolicies: [...cnp, ...ccnp],
        cilium: cil.installed && (cnp.length > 0 || ccnp.length > 0),
        clusterName: cluster?.name,
        cidrGroups: groups ? itemsOf(groups.result).map((g) => ({ name: g.metadata?.name ?? '', cidrs: g.spec?.externalCIDRs ?? [] })) : [],
        adminPolicies: [...itemsOf(admin.anp.result), ...itemsOf(admin.banp.result)],
        services: svcs?.services,
      });
    });
  }

  /** The lists the verdict needs that could not be read, each with what the verdict then cannot see. */
  async blindSpots(): Promise<string[]> {
    const [admin, groups, nodes, cluster, dest] = await Promise.all([this.adminPolicies(), this.cidrGroups(), this.nodes(), this.clusterName(), this.destinationPolicies()]);
    const out: string[] = [];
    const why = (r: ApiFailure) => (r.reason === 'forbidden' && r.needs ? `needs \`${r.needs.verb}\` on \`${r.needs.resource}\`${r.needs.namespace ? ` in ${r.needs.namespace}` : ''}` : r.message);
    for (const l of [admin.anp, admin.banp]) {
      if (!l.result.ok) out.push(`${l.what} could not be listed (${why(l.result)}): an admin policy that allows or denies the flow before (or after) the NetworkPolicies is not seen.`);
    }
    if (groups && !groups.result.ok) out.push(`CiliumCIDRGroups could not be listed (${why(groups.result)}): toCIDRSet cidrGroupRef rules match no address.`);
    if (!nodes.result.ok) out.push(`Nodes could not be listed (${why(nodes.result)}): node addresses are seen as world, not host or remote-node.`);
    if (cluster?.error) out.push(`The cilium-config ConfigMap could not be read (${why(cluster.error)}): selectors on io.cilium.k8s.policy.cluster assume the cluster name "default".`);
    for (const d of dest.filter((x) => !x.dnsOnly)) {
      if (!d.np.ok) out.push(`NetworkPolicies of ${d.namespace} could not be listed (${why(d.np)}): the destination's ingress verdict does not count them.`);
      if (d.cnp && !d.cnp.ok) out.push(`CiliumNetworkPolicies of ${d.namespace} could not be listed (${why(d.cnp)}): the destination's ingress verdict does not count them.`);
    }
    return out;
  }

  // ---- targets -----------------------------------------------------------------------------

  /** Recent logs of every container of the pod(s). */
  logs(): Promise<ContainerLog[]> {
    return this.once('logs', async () => {
      const pods = itemsOf(await this.pods());
      const jobs = pods.flatMap((p) =>
        (p.spec?.containers ?? []).map(async (c): Promise<ContainerLog> => {
          const name = p.metadata?.name ?? '';
          const q = new URLSearchParams({ container: c.name, tailLines: String(this.options.tailLines ?? 500) });
          const r = await this.client.getText(`/api/v1/namespaces/${encodeURIComponent(p.metadata?.namespace ?? this.namespace)}/pods/${encodeURIComponent(name)}/log?${q}`);
          return r.ok ? { pod: name, container: c.name, ok: true, text: r.body } : { pod: name, container: c.name, ok: false, text: '', message: r.message, reason: r.reason };
        }),
      );
      return Promise.all(jobs);
    });
  }

  logHits(): Promise<LogHit[]> {
    return this.once('log-hits', async () => {
      const logs = await this.logs();
      const hits: LogHit[] = [];
      for (const l of logs) hits.push(...scanLogs(l.text));
      // presigned URLs seen anywhere count too: the SDK reaches those hosts directly
      for (const l of logs) {
        for (const p of presignedHosts(l.text)) {
          const known = hits.filter((h) => h.host === p.host);
          for (const h of known) h.presigned ??= p.kind;
          if (!known.length) hits.push({ host: p.host, port: p.port, runtime: 'URL', error: 'presigned URL in the logs', line: '', presigned: p.kind });
        }
      }
      return hits;
    });
  }

  /** The targets of the diagnosis: the argument, or with --from-logs the hosts in the logs. */
  targets(): Promise<EgressTarget[]> {
    return this.once('targets', async () => {
      if (!this.options.fromLogs) return this.argTarget ? [this.argTarget] : [];
      const hits = await this.logHits();
      const out: EgressTarget[] = this.argTarget ? [this.argTarget] : [];
      for (const h of hits) {
        const port = h.port ?? 443;
        if (out.some((t) => t.host === h.host && t.port === port)) continue;
        out.push({ input: `${h.host}:${port}`, host: h.host, port, from: 'logs', presigned: h.presigned });
      }
      return out;
    });
  }

  // ---- the live probe ----------------------------------------------------------------------

  containerOf(p: V1Pod): string | undefined {
    return this.options.container ?? p.spec?.containers?.[0]?.name;
  }

  /** Which tools each pod's container has (exec), in parallel. */
  tools(): Promise<PodProbe[]> {
    return this.once('tools', async () => {
      const pods = itemsOf(await this.pods());
      return mapLimit(
        pods,
        EXEC_PARALLEL,
        async (p): Promise<PodProbe> => {
          const pod = podInfo(p);
          const container = this.containerOf(p);
          if (p.status?.phase !== 'Running') return { pod, container, skipped: 'not-running', message: `the pod is ${p.status?.phase ?? 'in an unknown phase'}` };
          const tools = await detectTools(this.client, pod.namespace, pod.name, container, this.timeoutMs * 2);
          if (tools.forbidden) return { pod, container, tools, skipped: 'forbidden', message: tools.exec.message };
          if (!tools.tools.length) {
            const notFound = /not found|no such file/i.test(`${tools.exec.message ?? ''} ${tools.exec.stderr}`);
            if (notFound && this.options.debugImage) {
              // --debug-image, and only then: add an ephemeral container and probe from it
              const debug = await this.addDebugContainer(p, container);
              if (debug.name) {
                const dt = await detectTools(this.client, pod.namespace, pod.name, debug.name, this.timeoutMs * 2);
                if (dt.tools.length) return { pod, container: debug.name, tools: dt, debug };
                return { pod, container: debug.name, tools: dt, debug, skipped: 'no-tools', message: `the debug image ${debug.image} has no probe tool either` };
              }
              return { pod, container, tools, debug, skipped: 'no-tools', message: tools.exec.message };
            }
            return { pod, container, tools, skipped: notFound ? 'no-tools' : 'exec-failed', message: tools.exec.message ?? tools.exec.error };
          }
          return { pod, container, tools };
        },
      );
    });
  }

  /**
   * Add an ephemeral debug container (what `kubectl debug --image IMAGE --target C` does) and wait
   * until it runs. The only write the tool ever makes, and only with --debug-image.
   */
  private async addDebugContainer(p: V1Pod, target: string | undefined): Promise<NonNullable<PodProbe['debug']>> {
    const image = this.options.debugImage!;
    const ns = encodeURIComponent(p.metadata?.namespace ?? this.namespace);
    const podPath = `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(p.metadata?.name ?? '')}`;
    const fresh = await this.client.get<V1Pod>(podPath);
    if (!fresh.ok) return { image, target, error: `cannot read the pod: ${fresh.message}` };
    const name = `netdiag-debug-${randomBytes(3).toString('hex')}`;
    const body = {
      ...fresh.body,
      spec: {
        ...fresh.body.spec,
        ephemeralContainers: [
          ...(fresh.body.spec?.ephemeralContainers ?? []),
          { name, image, command: ['sleep', '3600'], targetContainerName: target, stdin: false, tty: false, imagePullPolicy: 'IfNotPresent', terminationMessagePolicy: 'File' },
        ],
      },
    };
    const put = await this.unmemoised<V1Pod>('PUT', `${podPath}/ephemeralcontainers`, body);
    if (!put.ok) {
      return { image, target, error: put.reason === 'forbidden' && put.needs ? `${put.message} (needs \`${put.needs.verb}\` on \`${put.needs.resource}\`)` : put.message };
    }
    const deadline = Date.now() + Math.max(this.timeoutMs * 6, 10_000);
    while (Date.now() < deadline) {
      // a fresh read each time (client.get is memoised per path)
      const g = await this.unmemoised<V1Pod>('GET', podPath);
      const st = g.ok ? g.body.status?.ephemeralContainerStatuses?.find((c) => c.name === name) : undefined;
      if (st?.state?.running) return { name, image, target };
      if (st?.state?.terminated) return { name, image, target, error: `the debug container ${name} exited` };
      await new Promise((res) => setTimeout(res, 500));
    }
    return { name, image, target, error: `the debug container ${name} did not start (image pull?)` };
  }

  /**
   * The two requests --debug-image makes that must not be memoised: the write, and the reads
   * that wait for the container to run. Errors in the client's one classification.
   */
  private async unmemoised<T>(method: 'GET' | 'PUT', path: string, body?: unknown): Promise<{ ok: true; body: T } | ApiFailure> {
    const r = await this.client.request(method, path, { auth: true, ...(body === undefined ? {} : { body }) });
    if (!r.ok || !r.response) return { ok: false, reason: r.error?.kind === 'timeout' ? 'timeout' : 'unreachable', message: r.error?.message ?? 'request failed' };
    const { statusCode, statusMessage } = r.response;
    let parsed: unknown;
    try {
      parsed = JSON.parse(r.response.body);
    } catch {
      parsed = r.response.body;
    }
    if (statusCode >= 200 && statusCode < 300) return { ok: true, body: parsed as T };
    return classifyStatus(statusCode, parsed, method, path, statusMessage);
  }

  /** The probe from every pod (resolution + connects to every target and the control; ping for icmp://), in parallel. */
  probes(): Promise<PodProbe[]> {
    return this.once('probes', async () => {
      const [withTools, targets] = await Promise.all([this.tools(), this.targets()]);
      const all = [...targets, ...(this.control ? [this.control] : [])];
      const tcp = all.filter((t) => !t.icmp && (!t.service || t.port)).map((t) => ({ host: t.host, port: t.port }));
      const icmp = all.filter((t) => t.icmp).map((t) => t.host);
      return mapLimit(withTools, EXEC_PARALLEL, async (pp): Promise<PodProbe> => {
        if (pp.skipped || !pp.tools) return pp;
        const probe = tcp.length ? await probeInPod(this.client, pp.pod.namespace, pp.pod.name, pp.container, pp.tools.tools, tcp, this.timeoutMs) : { tool: 'ping', results: [] };
        if (!probe) return { ...pp, skipped: 'no-tools', message: `none of the tools (${pp.tools.tools.join(', ')}) can resolve and connect` };
        let results = probe.results;
        let noPing: string | undefined;
        if (icmp.length) {
          if (pp.tools.tools.includes('ping')) results = [...results, ...(await pingInPod(this.client, pp.pod.namespace, pp.pod.name, pp.container, icmp, this.timeoutMs))];
          else noPing = noPingMessage(pp.tools.tools);
        }
        return { ...pp, probe: { tool: icmp.length && !tcp.length ? 'ping' : probe.tool, results }, ...(noPing ? { message: noPing } : {}) };
      });
    });
  }

  // ---- flows and verdicts ------------------------------------------------------------------

  /** Addresses of a target: the pod's own resolution when the probe ran, else this machine's. */
  private async addressesOf(t: EgressTarget, probe?: PodProbe): Promise<{ addresses: string[]; cnames?: string[]; resolvedBy: string }> {
    if (isIP(t.host)) return { addresses: [t.host], resolvedBy: 'an IP address' };
    const r = probe?.probe?.results.find((x) => x.host === t.host && x.port === t.port);
    if (r && r.dns.ok) {
      const canon = r.dns.canonical && r.dns.canonical.toLowerCase() !== t.host.toLowerCase() ? [r.dns.canonical] : undefined;
      return { addresses: r.dns.addresses, cnames: canon, resolvedBy: `the pod (${probe!.probe!.tool})` };
    }
    const local = await this.once(`resolve:${t.host}`, () => resolveHost(t.host, { timeoutMs: this.timeoutMs }));
    return { addresses: local.addresses.map((a) => a.address), resolvedBy: 'this machine' };
  }

  /** Service targets: the ready backends a policy sees after the Service's address translation (EndpointSlices). */
  private serviceDests(t: EgressTarget): Promise<{ dests: Destination[]; message?: string; clusterIPs?: string[] }> {
    return this.once(`svc:${t.service!.namespace}/${t.service!.name}:${t.port ?? ''}`, async () => {
      const { name, namespace } = t.service!;
      const svc = await this.client.get<V1Service>(`/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`);
      if (!svc.ok) return { dests: [], message: `Service ${namespace}/${name}: ${svc.message}` };
      const service = { namespace, name, labels: svc.body.metadata?.labels ?? {}, selector: svc.body.spec?.selector ?? null };
      const svcPorts = svc.body.spec?.ports ?? [];
      // the Service port dialled (by number), else the first
      const sp = (t.port ? svcPorts.find((p) => p.port === t.port) : undefined) ?? (t.port ? undefined : svcPorts[0]);
      const slices = await this.client.list<V1EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`, {
        query: { labelSelector: `kubernetes.io/service-name=${name}` },
        limit: PAGE,
      });
      const dests: Destination[] = [];
      const protocol = (sp?.protocol ?? 'TCP') as 'TCP' | 'UDP' | 'SCTP';
      for (const s of itemsOf(slices)) {
        // the slice's port of that Service port (by name): the targetPort already resolved for its endpoints
        const slicePort = sp ? s.ports?.find((p) => (p.name ?? '') === (sp.name ?? '')) : s.ports?.[0];
        for (const e of s.endpoints ?? []) {
          if (e.conditions?.ready === false) continue;
          let pod: PodInfo | undefined;
          if (e.targetRef?.kind === 'Pod' && e.targetRef.name) {
            const pr = await this.client.get<V1Pod>(`/api/v1/namespaces/${encodeURIComponent(e.targetRef.namespace ?? namespace)}/pods/${encodeURIComponent(e.targetRef.name)}`);
            if (pr.ok) pod = podInfo(pr.body);
          }
          let port = slicePort?.port ?? undefined;
          if (port === undefined && sp) {
            const tp = sp.targetPort;
            // a named targetPort resolves per pod, from its container ports
            if (typeof tp === 'string') port = pod?.ports?.find((p) => p.name === tp)?.containerPort;
            else port = tp ?? sp.port;
          }
          port ??= t.port && !sp ? t.port : undefined;
          for (const a of e.addresses) dests.push({ ip: a, port: port || t.port || 443, protocol, host: t.host, kind: pod ? 'pod' : 'world', pod, service });
        }
      }
      const noPort = t.port && !sp && svcPorts.length ? ` (it has no port ${t.port}: ${svcPorts.map((p) => p.port).join(', ')})` : '';
      const clusterIPs = (svc.body.spec?.clusterIPs ?? (svc.body.spec?.clusterIP ? [svc.body.spec.clusterIP] : [])).filter((a) => a && a !== 'None');
      return { dests, clusterIPs, message: dests.length ? (noPort ? `Service ${namespace}/${name}${noPort}` : undefined) : `Service ${namespace}/${name} has no ready endpoints${noPort}` };
    });
  }

  /**
   * The CNAME chain of a name as this machine's resolver answers it ([target1, target2, ...];
   * empty when the name is no alias or does not resolve): toFQDNs names on an allow-list may be
   * aliases of the name the application dials (egress.policy.cname).
   */
  cnameChain(name: string): Promise<string[]> {
    return this.once(`cname:${name.toLowerCase()}`, async () => {
      const resolver = new dns.Resolver({ timeout: Math.max(200, this.timeoutMs), tries: 1 });
      const chain: string[] = [];
      let cur = name.replace(/\.$/, '');
      for (let hop = 0; hop < 8; hop++) {
        let next: string[];
        try {
          next = await resolver.resolveCname(cur);
        } catch {
          break; // no CNAME (NODATA), NXDOMAIN, timeout: the chain ends here
        }
        const t = next[0]?.replace(/\.$/, '');
        if (!t || chain.includes(t.toLowerCase())) break;
        chain.push(t.toLowerCase());
        cur = t;
      }
      return chain;
    });
  }

  /** The node addresses by address (InternalIP, ExternalIP), for host and remote-node identities. */
  private nodeAddresses(): Promise<Map<string, { name: string; labels: Record<string, string> }>> {
    return this.once('node-addrs', async () => {
      const m = new Map<string, { name: string; labels: Record<string, string> }>();
      for (const n of itemsOf((await this.nodes()).result)) {
        const node = { name: n.metadata?.name ?? '', labels: n.metadata?.labels ?? {} };
        for (const a of n.status?.addresses ?? []) if (a.type === 'InternalIP' || a.type === 'ExternalIP') m.set(a.address, node);
      }
      return m;
    });
  }

  /** The node a source pod runs on. */
  private async nodeOf(pod: PodInfo): Promise<string | undefined> {
    const p = itemsOf(await this.pods()).find((x) => x.metadata?.name === pod.name && (x.metadata?.namespace ?? this.namespace) === pod.namespace);
    return p?.spec?.nodeName;
  }

  /** The API server's own addresses (kubernetes Endpoints), for the kube-apiserver entity. */
  private apiserverAddresses(): Promise<Set<string>> {
    return this.once('apiserver-addrs', async () => {
      const r = await this.client.get<V1Endpoints>('/api/v1/namespaces/default/endpoints/kubernetes');
      return new Set((r.ok ? (r.body.subsets ?? []) : []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)));
    });
  }

  /** Every Service of the cluster (toServices, ClusterIP targets), listed once when needed. */
  allServices(): Promise<ListResult<V1Service>> {
    return this.once('services', () => this.client.list<V1Service>('/api/v1/services', { limit: PAGE }));
  }

  /** The Service whose ClusterIP a typed address is (not a pod's address). */
  private serviceAt(ip: string): Promise<{ name: string; namespace: string } | undefined> {
    return this.once(`svc-at:${ip}`, async () => {
      if (!/^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|f[cd])/i.test(ip) || (await this.podAt(ip, true))) return undefined;
      const s = itemsOf(await this.allServices()).find((x) => x.spec?.clusterIP === ip || x.spec?.clusterIPs?.includes(ip));
      return s?.metadata?.name ? { name: s.metadata.name, namespace: s.metadata.namespace ?? 'default' } : undefined;
    });
  }

  /**
   * The Services toServices rules may select, for the engine: listed only when a Cilium policy
   * has toServices; a Service without a selector with its ready endpoint addresses.
   */
  serviceInfos(): Promise<{ services: ServiceInfo[]; error?: ApiFailure } | undefined> {
    return this.once('service-infos', async () => {
      const cil = await this.ciliumPolicies();
      const rules = [...itemsOf(cil.cnp), ...itemsOf(cil.ccnp)].flatMap((p) => [p.spec, ...(p.specs ?? [])]);
      if (!rules.some((r) => [...(r?.egress ?? []), ...(r?.egressDeny ?? [])].some((e) => e.toServices?.length))) return undefined;
      const list = await this.allServices();
      if (!list.ok) return { services: [], error: list };
      const services = await Promise.all(
        list.body.map(async (v): Promise<ServiceInfo> => {
          const namespace = v.metadata?.namespace ?? 'default';
          const name = v.metadata?.name ?? '';
          const selector = v.spec?.selector && Object.keys(v.spec.selector).length ? v.spec.selector : null;
          if (selector) return { namespace, name, labels: v.metadata?.labels ?? {}, selector };
          const slices = await this.client.list<V1EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`, { query: { labelSelector: `kubernetes.io/service-name=${name}` }, limit: PAGE });
          const addresses = itemsOf(slices).flatMap((sl) => (sl.endpoints ?? []).filter((e) => e.conditions?.ready !== false).flatMap((e) => e.addresses));
          return { namespace, name, labels: v.metadata?.labels ?? {}, selector: null, addresses };
        }),
      );
      return { services };
    });
  }

  /** A destination pod for an in-cluster address (or an address the user typed), asked by field selector (status.podIP). */
  private podAt(ip: string, typed = false): Promise<PodInfo | undefined> {
    return this.once(`pod-at:${ip}:${typed}`, async () => {
      // names resolving to public addresses are not pods; an address the user typed may be one
      if (!typed && !/^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|f[cd])/i.test(ip)) return undefined;
      const r = await this.client.list<V1Pod>('/api/v1/pods', { query: { fieldSelector: `status.podIP=${ip}` }, limit: 5 });
      const p = itemsOf(r).find((x) => x.status?.podIP === ip || x.status?.podIPs?.some((i) => i.ip === ip));
      return p ? podInfo(p) : undefined;
    });
  }

  /** The destinations of one target as the policies see them. */
  async destinations(t: EgressTarget, probe?: PodProbe): Promise<{ dests: Destination[]; resolvedBy: string; message?: string }> {
    if (t.service) {
      const s = await this.serviceDests(t);
      // the pod dials the Service's name, i.e. its ClusterIP: the live probe's address for these backends
      const via = s.clusterIPs?.length === 1 ? s.clusterIPs[0] : undefined;
      return { dests: via ? s.dests.map((d) => ({ ...d, via })) : s.dests, resolvedBy: 'the Service endpoints', message: s.message };
    }
    const { addresses, cnames, resolvedBy } = await this.addressesOf(t, probe);
    // a Service's DNS name (NAME.NS.svc[.cluster.local]) or a ClusterIP: the policies see the
    // Service's ready endpoints after the address translation, and toServices the Service itself
    const svcName = serviceOfName(t.host);
    const typedSvc = !svcName && isIP(t.host) && t.from !== 'control' ? await this.serviceAt(t.host) : undefined;
    const svcRef = svcName ?? typedSvc;
    if (svcRef && !t.icmp) {
      const s = await this.serviceDests({ ...t, service: svcRef });
      const out: Destination[] = [];
      for (const ip of addresses) {
        if (s.clusterIPs?.includes(ip)) out.push(...s.dests.map((d) => ({ ...d, via: ip, host: isIP(t.host) ? undefined : t.host, cnames })));
        else {
          const backend = s.dests.find((d) => d.ip === ip);
          if (backend) out.push({ ...backend, port: t.port || backend.port, host: isIP(t.host) ? undefined : t.host, cnames });
        }
      }
      if (out.length) return { dests: out, resolvedBy: `${resolvedBy}, then Service ${svcRef.namespace}/${svcRef.name}'s endpoints`, ...(s.message ? { message: s.message } : {}) };
    }
    const [api, nodes, ownNode] = await Promise.all([this.apiserverAddresses(), this.nodeAddresses(), probe ? this.nodeOf(probe.pod) : undefined]);
    const isApi = t.from === 'control' && /^kubernetes\.default(\.svc(\.cluster\.local)?)?$/.test(t.host);
    // the API server behind the kubernetes Service runs on a node: its address is a node's too
    const apiNode = [...api].map((a) => nodes.get(a)).find(Boolean);
    const dests: Destination[] = [];
    for (const ip of addresses) {
      const pod = await this.podAt(ip, isIP(t.host) !== 0 && t.from !== 'control');
      const host = isIP(t.host) ? undefined : t.host;
      const node = nodes.get(ip) ?? (isApi || api.has(ip) ? apiNode : undefined);
      const kinds: DestinationKind[] = [];
      if (isApi || api.has(ip)) kinds.push('kube-apiserver');
      if (node && !pod) kinds.push(ownNode && node.name === ownNode ? 'host' : 'remote-node');
      if (pod) kinds.push('pod');
      const kind: Destination['kind'] = kinds.length > 1 ? kinds : (kinds[0] ?? 'world');
      dests.push({ ip, port: t.port, ...(t.icmp ? { protocol: ip.includes(':') ? 'ICMPv6' : 'ICMP' } : {}), host, cnames, kind, pod, ...(node && !pod ? { node } : {}) });
    }
    if (!dests.length && !isIP(t.host)) {
      // unresolved: the name still decides toFQDNs; address-based rules cannot be evaluated
      return { dests: [{ ip: '0.0.0.0', port: t.port, host: t.host, kind: 'world' }], resolvedBy: 'nobody (the name did not resolve)', message: `${t.host} did not resolve` };
    }
    return { dests, resolvedBy };
  }

  /** Every pod × target × address verdict: the source's egress and the destination's ingress. */
  verdicts(): Promise<{ pod: PodInfo; flows: FlowVerdict[]; control: FlowVerdict[] }[]> {
    return this.once('verdicts', async () => {
      const [index, probes, targets] = await Promise.all([this.index(), this.probes(), this.targets()]);
      const flow = (pod: PodInfo, target: EgressTarget, dest: Destination): FlowVerdict => {
        const path = index.evaluatePath({ pod, dest });
        return { target, dest, verdict: path.egress, path };
      };
      return Promise.all(
        probes.map(async (pp) => {
          const flows: FlowVerdict[] = [];
          for (const t of targets) {
            const d = await this.destinations(t, pp);
            for (const dest of d.dests) flows.push(flow(pp.pod, t, dest));
          }
          const control: FlowVerdict[] = [];
          if (this.control) {
            const d = await this.destinations(this.control, pp);
            for (const dest of d.dests) control.push(flow(pp.pod, this.control, dest));
          }
          return { pod: pp.pod, flows, control };
        }),
      );
    });
  }

  /**
   * DNS to kube-dns from each pod, UDP and TCP 53: the source's egress (`udp`, `tcp`) and both
   * sides (`udpPath`, `tcpPath`: kube-dns's own ingress policies may drop the lookups too).
   */
  dnsVerdicts(): Promise<DnsVerdict[]> {
    return this.once('dns-verdicts', async () => {
      const [index, pods, dnsPods] = await Promise.all([this.index(), this.pods(), this.kubeDnsPods()]);
      const dnsPod = dnsPods[0]!;
      const ip = dnsPod.ips?.[0] ?? '10.96.0.10';
      return itemsOf(pods).map((p) => {
        const pod = podInfo(p);
        const dest = (protocol: 'UDP' | 'TCP'): Destination => ({ ip, port: 53, protocol, kind: 'pod', pod: dnsPod });
        const udpPath = index.evaluatePath({ pod, dest: dest('UDP') });
        const tcpPath = index.evaluatePath({ pod, dest: dest('TCP') });
        return { pod, udp: udpPath.egress, tcp: tcpPath.egress, udpPath, tcpPath, dnsPod };
      });
    });
  }
}

/** DNS from one pod to kube-dns: the source's egress verdicts and both sides of each flow. */
export interface DnsVerdict {
  pod: PodInfo;
  udp: Verdict;
  tcp: Verdict;
  udpPath: PathVerdict;
  tcpPath: PathVerdict;
  dnsPod: PodInfo;
}

/** The Service a cluster DNS name names (NAME.NS.svc[.cluster.local]); not the API server's own. */
export function serviceOfName(host: string): { name: string; namespace: string } | undefined {
  const m = /^([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]*[a-z0-9])?)\.svc(?:\.cluster\.local)?\.?$/i.exec(host);
  if (!m || (m[1] === 'kubernetes' && m[2] === 'default')) return undefined;
  return { name: m[1]!.toLowerCase(), namespace: m[2]!.toLowerCase() };
}

/** Promise.all with at most `n` running at once (many pods: bounded exec sessions). */
async function mapLimit<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, worker));
  return out;
}

export function podInfo(p: V1Pod): PodInfo {
  const ips = p.status?.podIPs?.map((i) => i.ip) ?? (p.status?.podIP ? [p.status.podIP] : []);
  return {
    namespace: p.metadata?.namespace ?? 'default',
    name: p.metadata?.name ?? '',
    labels: p.metadata?.labels ?? {},
    serviceAccount: p.spec?.serviceAccountName ?? 'default',
    ips,
    ports: (p.spec?.containers ?? []).flatMap((c) => c.ports ?? []),
  };
}
