// The shared state of one `egress` diagnosis: the API connection (the same dial / proxy / TLS
// path as `api`, through ApiContext), the objects it lists (paginated, only what it needs), the
// live probe inside the pod, and the policy engine's index. Every step is memoised so that
// checks share one list, one probe, one verdict.
import { Memo } from '../../engine/memo.ts';
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import { resolve as resolvePath } from 'node:path';
import { ApiContext } from '../api/context.ts';
import type { KubeconfigOptions } from '../../kube/kubeconfig.ts';
import { resolveHost } from '../../net/dns.ts';
import type { Redactor } from '../../report/redact.ts';
import {
  PolicyIndex,
  type CiliumPolicy,
  type Destination,
  type NamespaceInfo,
  type NetworkPolicy,
  type PodInfo,
  type Verdict,
} from '../../policy/index.ts';
import { detectTools, type ToolsResult } from '../../kube/pod-tools.ts';
import { probeInPod, type ProbeOutcome } from './probe.ts';
import { parseTarget, TargetError, type EgressTarget } from './target.ts';
import { presignedHosts, scanLogs, type LogHit } from './log-scan.ts';
import type { KubeObj } from './owner.ts';

/** exec sessions at once with --selector (each is one WebSocket to the API server) */
const EXEC_PARALLEL = 16;

export interface EgressOptions {
  kubeconfig: KubeconfigOptions;
  timeoutMs: number;
  requestTimeoutMs: number;
  env: Record<string, string | undefined>;
  redactor: Redactor;
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

export interface PodObj extends KubeObj {
  spec?: { nodeName?: string; serviceAccountName?: string; containers?: { name: string; image?: string; ports?: { name?: string; containerPort: number; protocol?: string }[] }[]; ephemeralContainers?: { name: string; image?: string }[] };
  status?: {
    phase?: string;
    podIP?: string;
    podIPs?: { ip: string }[];
    containerStatuses?: { name: string; ready?: boolean; state?: Record<string, unknown> }[];
    ephemeralContainerStatuses?: { name: string; state?: { running?: unknown; waiting?: { reason?: string; message?: string }; terminated?: unknown } }[];
  };
}

export interface ApiAnswer<T> {
  ok: boolean;
  status?: number;
  body?: T;
  /** the Status message of an error, or the network error */
  message?: string;
  reason?: string;
}

export interface ListResult<T> extends ApiAnswer<T[]> {
  pages: number;
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
  verdict: Verdict;
}

export class EgressContext {
  readonly options: EgressOptions;
  readonly api: ApiContext;
  readonly targetError?: string;
  private readonly argTarget?: EgressTarget;
  readonly control?: EgressTarget;
  private readonly memo = new Memo();
  /** every API path requested, for evidence (shows pagination and what was asked) */
  readonly requests: string[] = [];

  constructor(options: EgressOptions) {
    this.options = options;
    this.api = new ApiContext({
      kubeconfig: options.kubeconfig,
      timeoutMs: options.timeoutMs,
      requestTimeoutMs: options.requestTimeoutMs,
      endpoints: [],
      env: options.env,
      redactor: options.redactor,
    });
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
    return this.options.namespace ?? this.api.kube?.namespace ?? 'default';
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

  get kubectlArgs(): string {
    const parts: string[] = [];
    if (this.options.kubeconfig.kubeconfig) parts.push(`--kubeconfig ${this.options.kubeconfig.kubeconfig}`);
    if (this.api.kube?.contextName) parts.push(`--context ${this.api.kube.contextName}`);
    return parts.join(' ');
  }

  kubectl(rest: string): string {
    return `kubectl ${this.kubectlArgs ? `${this.kubectlArgs} ` : ''}${rest}`;
  }

  // ---- API ---------------------------------------------------------------------------------

  async get<T>(path: string): Promise<ApiAnswer<T>> {
    this.requests.push(`GET ${path}`);
    const r = await this.api.request('GET', path, { auth: true });
    if (!r.ok || !r.response) return { ok: false, message: r.error?.message ?? 'request failed' };
    const status = r.response.statusCode;
    let body: unknown;
    try {
      body = JSON.parse(r.response.body);
    } catch {
      body = r.response.body;
    }
    if (status >= 200 && status < 300) return { ok: true, status, body: body as T };
    const st = (body && typeof body === 'object' ? body : {}) as { message?: string; reason?: string };
    return { ok: false, status, message: st.message ?? `HTTP ${status}`, reason: st.reason };
  }

  async getText(path: string): Promise<ApiAnswer<string>> {
    this.requests.push(`GET ${path}`);
    const r = await this.api.request('GET', path, { auth: true });
    if (!r.ok || !r.response) return { ok: false, message: r.error?.message ?? 'request failed' };
    const status = r.response.statusCode;
    if (status >= 200 && status < 300) return { ok: true, status, body: r.response.body };
    let message = `HTTP ${status}`;
    try {
      message = (JSON.parse(r.response.body) as { message?: string }).message ?? message;
    } catch {
      // plain text
    }
    return { ok: false, status, message };
  }

  /** A list, page by page (limit/continue), with only the selectors asked for. */
  async list<T>(path: string, query: Record<string, string> = {}, limit = 250): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const q = new URLSearchParams({ ...query, limit: String(limit) });
      if (cont) q.set('continue', cont);
      const r = await this.get<{ items?: T[]; metadata?: { continue?: string } }>(`${path}?${q.toString()}`);
      pages++;
      if (!r.ok) return { ok: false, status: r.status, message: r.message, reason: r.reason, pages };
      items.push(...(r.body?.items ?? []));
      cont = r.body?.metadata?.continue || undefined;
    } while (cont && pages < 1000);
    return { ok: true, status: 200, body: items, pages };
  }

  // ---- objects -----------------------------------------------------------------------------

  /** The pod(s) the flow starts from. */
  pods(): Promise<ListResult<PodObj>> {
    return this.once('pods', async () => {
      const ns = encodeURIComponent(this.namespace);
      if (this.options.selector) return this.list<PodObj>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: this.options.selector });
      const r = await this.get<PodObj>(`/api/v1/namespaces/${ns}/pods/${encodeURIComponent(this.options.pod!)}`);
      return { ...r, body: r.body ? [r.body] : [], pages: 1 };
    });
  }

  namespaces(): Promise<ListResult<KubeObj>> {
    return this.once('namespaces', () => this.list<KubeObj>('/api/v1/namespaces'));
  }

  networkPolicies(): Promise<ListResult<NetworkPolicy & KubeObj>> {
    // a NetworkPolicy only ever selects pods of its own namespace
    return this.once('np', async () => {
      const r = await this.list<NetworkPolicy & KubeObj>(`/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(this.namespace)}/networkpolicies`);
      // a built-in resource: a 404 (a server that does not serve the group) means none
      return r.status === 404 ? { ok: true, status: 200, body: [], pages: r.pages } : r;
    });
  }

  /** CNPs of the pod's namespace and every CCNP; 404 = Cilium is not installed. */
  ciliumPolicies(): Promise<{ installed: boolean; cnp: ListResult<CiliumPolicy & KubeObj>; ccnp: ListResult<CiliumPolicy & KubeObj> }> {
    return this.once('cilium', async () => {
      const [cnp, ccnp] = await Promise.all([
        this.list<CiliumPolicy & KubeObj>(`/apis/cilium.io/v2/namespaces/${encodeURIComponent(this.namespace)}/ciliumnetworkpolicies`),
        this.list<CiliumPolicy & KubeObj>('/apis/cilium.io/v2/ciliumclusterwidenetworkpolicies'),
      ]);
      const installed = !(cnp.status === 404 && ccnp.status === 404);
      // one kind served and the other 404: the served one answers, the other has none
      const empty = (r: ListResult<CiliumPolicy & KubeObj>) => (installed && r.status === 404 ? { ok: true, status: 200, body: [], pages: r.pages } : r);
      return { installed, cnp: empty(cnp), ccnp: empty(ccnp) };
    });
  }

  kubeDnsPods(): Promise<PodInfo[]> {
    return this.once('kube-dns', async () => {
      const r = await this.list<PodObj>('/api/v1/namespaces/kube-system/pods', { labelSelector: 'k8s-app=kube-dns' }, 50);
      const pods = (r.body ?? []).map(podInfo);
      // no permission or no such pods: Kubernetes' well-known labels still say what a policy must allow
      return pods.length ? pods : [{ namespace: 'kube-system', name: 'kube-dns', labels: { 'k8s-app': 'kube-dns' }, ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'dns-tcp', containerPort: 53, protocol: 'TCP' }] }];
    });
  }

  /** The policy engine over everything listed. */
  index(): Promise<PolicyIndex> {
    return this.once('index', async () => {
      const [ns, np, cil] = await Promise.all([this.namespaces(), this.networkPolicies(), this.ciliumPolicies()]);
      const namespaces: NamespaceInfo[] = (ns.body ?? []).map((n) => ({ name: n.metadata.name, labels: n.metadata.labels ?? {} }));
      if (!namespaces.some((n) => n.name === this.namespace)) namespaces.push({ name: this.namespace, labels: { 'kubernetes.io/metadata.name': this.namespace } });
      return new PolicyIndex({
        namespaces,
        networkPolicies: np.body ?? [],
        ciliumPolicies: [...(cil.cnp.body ?? []), ...(cil.ccnp.body ?? [])],
        cilium: cil.installed && ((cil.cnp.body?.length ?? 0) > 0 || (cil.ccnp.body?.length ?? 0) > 0),
      });
    });
  }

  // ---- targets -----------------------------------------------------------------------------

  /** Recent logs of every container of the pod(s). */
  logs(): Promise<{ pod: string; container: string; ok: boolean; text: string; message?: string; status?: number }[]> {
    return this.once('logs', async () => {
      const pods = (await this.pods()).body ?? [];
      const jobs = pods.flatMap((p) =>
        (p.spec?.containers ?? []).map(async (c) => {
          const q = new URLSearchParams({ container: c.name, tailLines: String(this.options.tailLines ?? 500) });
          const r = await this.getText(`/api/v1/namespaces/${encodeURIComponent(p.metadata.namespace ?? this.namespace)}/pods/${encodeURIComponent(p.metadata.name)}/log?${q}`);
          return { pod: p.metadata.name, container: c.name, ok: r.ok, text: r.body ?? '', message: r.message, status: r.status };
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

  containerOf(p: PodObj): string | undefined {
    return this.options.container ?? p.spec?.containers?.[0]?.name;
  }

  /** Which tools each pod's container has (exec), in parallel. */
  tools(): Promise<PodProbe[]> {
    return this.once('tools', async () => {
      const pods = (await this.pods()).body ?? [];
      return mapLimit(
        pods,
        EXEC_PARALLEL,
        async (p): Promise<PodProbe> => {
          const pod = podInfo(p);
          const container = this.containerOf(p);
          if (p.status?.phase !== 'Running') return { pod, container, skipped: 'not-running', message: `the pod is ${p.status?.phase ?? 'in an unknown phase'}` };
          const tools = await detectTools(this.api, pod.namespace, pod.name, container, this.timeoutMs * 2);
          if (tools.forbidden) return { pod, container, tools, skipped: 'forbidden', message: tools.exec.message };
          if (!tools.tools.length) {
            const notFound = /not found|no such file/i.test(`${tools.exec.message ?? ''} ${tools.exec.stderr}`);
            if (notFound && this.options.debugImage) {
              // --debug-image, and only then: add an ephemeral container and probe from it
              const debug = await this.addDebugContainer(p, container);
              if (debug.name) {
                const dt = await detectTools(this.api, pod.namespace, pod.name, debug.name, this.timeoutMs * 2);
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
  private async addDebugContainer(p: PodObj, target: string | undefined): Promise<NonNullable<PodProbe['debug']>> {
    const image = this.options.debugImage!;
    const ns = encodeURIComponent(p.metadata.namespace ?? this.namespace);
    const podPath = `/api/v1/namespaces/${ns}/pods/${encodeURIComponent(p.metadata.name)}`;
    const fresh = await this.get<PodObj>(podPath);
    if (!fresh.ok || !fresh.body) return { image, target, error: `cannot read the pod: ${fresh.message}` };
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
    this.requests.push(`PUT ${podPath}/ephemeralcontainers`);
    const r = await this.api.request('PUT', `${podPath}/ephemeralcontainers`, { auth: true, body });
    const code = r.response?.statusCode ?? 0;
    if (code < 200 || code >= 300) {
      let message = r.error?.message ?? `HTTP ${code}`;
      try {
        message = (JSON.parse(r.response?.body ?? '') as { message?: string }).message ?? message;
      } catch {
        // not a Status
      }
      return { image, target, error: code === 403 ? `${message} (needs \`update\` on \`pods/ephemeralcontainers\`)` : message };
    }
    const deadline = Date.now() + Math.max(this.timeoutMs * 6, 10_000);
    while (Date.now() < deadline) {
      const g = await this.get<PodObj>(podPath);
      const st = g.body?.status?.ephemeralContainerStatuses?.find((c) => c.name === name);
      if (st?.state?.running) return { name, image, target };
      if (st?.state?.terminated) return { name, image, target, error: `the debug container ${name} exited` };
      await new Promise((res) => setTimeout(res, 500));
    }
    return { name, image, target, error: `the debug container ${name} did not start (image pull?)` };
  }

  /** The probe from every pod (resolution + connects to every target and the control), in parallel. */
  probes(): Promise<PodProbe[]> {
    return this.once('probes', async () => {
      const [withTools, targets] = await Promise.all([this.tools(), this.targets()]);
      const all = [...targets, ...(this.control ? [this.control] : [])]
        .filter((t) => !t.service || t.port)
        .map((t) => ({ host: t.host, port: t.port }));
      return mapLimit(withTools, EXEC_PARALLEL, async (pp): Promise<PodProbe> => {
        if (pp.skipped || !pp.tools) return pp;
        const probe = await probeInPod(this.api, pp.pod.namespace, pp.pod.name, pp.container, pp.tools.tools, all, this.timeoutMs);
        if (!probe) return { ...pp, skipped: 'no-tools', message: `none of the tools (${pp.tools.tools.join(', ')}) can resolve and connect` };
        return { ...pp, probe: { tool: probe.tool, results: probe.results } };
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

  /** Service targets: the backends a policy sees after the Service's address translation. */
  private serviceDests(t: EgressTarget): Promise<{ dests: Destination[]; message?: string }> {
    return this.once(`svc:${t.service!.namespace}/${t.service!.name}`, async () => {
      const { name, namespace } = t.service!;
      const svc = await this.get<{ metadata: { labels?: Record<string, string> }; spec?: { selector?: Record<string, string>; ports?: { port: number; targetPort?: number | string }[] } }>(
        `/api/v1/namespaces/${encodeURIComponent(namespace)}/services/${encodeURIComponent(name)}`,
      );
      if (!svc.ok || !svc.body) return { dests: [], message: `Service ${namespace}/${name}: ${svc.message}` };
      const service = { namespace, name, labels: svc.body.metadata.labels ?? {}, selector: svc.body.spec?.selector ?? null };
      const slices = await this.list<{ endpoints?: { addresses: string[]; targetRef?: { kind?: string; name?: string; namespace?: string } }[]; ports?: { port?: number }[] }>(
        `/apis/discovery.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/endpointslices`,
        { labelSelector: `kubernetes.io/service-name=${name}` },
      );
      const dests: Destination[] = [];
      for (const s of slices.body ?? []) {
        const port = t.port && !svc.body.spec?.ports?.some((p) => p.port === t.port) ? t.port : (s.ports?.[0]?.port ?? t.port);
        for (const e of s.endpoints ?? []) {
          let pod: PodInfo | undefined;
          if (e.targetRef?.kind === 'Pod' && e.targetRef.name) {
            const pr = await this.get<PodObj>(`/api/v1/namespaces/${encodeURIComponent(e.targetRef.namespace ?? namespace)}/pods/${encodeURIComponent(e.targetRef.name)}`);
            if (pr.ok && pr.body) pod = podInfo(pr.body);
          }
          for (const a of e.addresses) dests.push({ ip: a, port: port || 443, host: t.host, kind: pod ? 'pod' : 'world', pod, service });
        }
      }
      return { dests, message: dests.length ? undefined : `Service ${namespace}/${name} has no endpoints` };
    });
  }

  /** The API server's own addresses (kubernetes Endpoints), for the kube-apiserver entity. */
  private apiserverAddresses(): Promise<Set<string>> {
    return this.once('apiserver-addrs', async () => {
      const r = await this.get<{ subsets?: { addresses?: { ip: string }[] }[] }>('/api/v1/namespaces/default/endpoints/kubernetes');
      return new Set((r.body?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)));
    });
  }

  /** A destination pod for an in-cluster address, asked by field selector (status.podIP). */
  private podAt(ip: string): Promise<PodInfo | undefined> {
    return this.once(`pod-at:${ip}`, async () => {
      if (!/^(10\.|172\.(1[6-9]|2\d|3[01])\.|192\.168\.|100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\.|f[cd])/i.test(ip)) return undefined;
      const r = await this.list<PodObj>('/api/v1/pods', { fieldSelector: `status.podIP=${ip}` }, 5);
      const p = (r.body ?? []).find((x) => x.status?.podIP === ip || x.status?.podIPs?.some((i) => i.ip === ip));
      return p ? podInfo(p) : undefined;
    });
  }

  /** The destinations of one target as the policies see them. */
  async destinations(t: EgressTarget, probe?: PodProbe): Promise<{ dests: Destination[]; resolvedBy: string; message?: string }> {
    if (t.service) {
      const s = await this.serviceDests(t);
      return { dests: s.dests, resolvedBy: 'the Service endpoints', message: s.message };
    }
    const { addresses, cnames, resolvedBy } = await this.addressesOf(t, probe);
    const api = await this.apiserverAddresses();
    const isApi = t.from === 'control' && /^kubernetes\.default(\.svc(\.cluster\.local)?)?$/.test(t.host);
    const dests: Destination[] = [];
    for (const ip of addresses) {
      const pod = await this.podAt(ip);
      const host = isIP(t.host) ? undefined : t.host;
      dests.push({ ip, port: t.port, host, cnames, kind: isApi || api.has(ip) ? 'kube-apiserver' : pod ? 'pod' : 'world', pod });
    }
    if (!dests.length && !isIP(t.host)) {
      // unresolved: the name still decides toFQDNs; address-based rules cannot be evaluated
      return { dests: [{ ip: '0.0.0.0', port: t.port, host: t.host, kind: 'world' }], resolvedBy: 'nobody (the name did not resolve)', message: `${t.host} did not resolve` };
    }
    return { dests, resolvedBy };
  }

  /** Every pod × target × address verdict. */
  verdicts(): Promise<{ pod: PodInfo; flows: FlowVerdict[]; control: FlowVerdict[] }[]> {
    return this.once('verdicts', async () => {
      const [index, probes, targets] = await Promise.all([this.index(), this.probes(), this.targets()]);
      return Promise.all(
        probes.map(async (pp) => {
          const flows: FlowVerdict[] = [];
          for (const t of targets) {
            const d = await this.destinations(t, pp);
            for (const dest of d.dests) flows.push({ target: t, dest, verdict: index.evaluate({ pod: pp.pod, dest }) });
          }
          const control: FlowVerdict[] = [];
          if (this.control) {
            const d = await this.destinations(this.control, pp);
            for (const dest of d.dests) control.push({ target: this.control, dest, verdict: index.evaluate({ pod: pp.pod, dest }) });
          }
          return { pod: pp.pod, flows, control };
        }),
      );
    });
  }

  /** DNS to kube-dns from each pod: UDP and TCP 53. */
  dnsVerdicts(): Promise<{ pod: PodInfo; udp: Verdict; tcp: Verdict; dnsPod: PodInfo }[]> {
    return this.once('dns-verdicts', async () => {
      const [index, pods, dnsPods] = await Promise.all([this.index(), this.pods(), this.kubeDnsPods()]);
      const dnsPod = dnsPods[0]!;
      const ip = dnsPod.ips?.[0] ?? '10.96.0.10';
      return (pods.body ?? []).map((p) => {
        const pod = podInfo(p);
        const dest = (protocol: 'UDP' | 'TCP'): Destination => ({ ip, port: 53, protocol, kind: 'pod', pod: dnsPod });
        return { pod, udp: index.evaluate({ pod, dest: dest('UDP') }), tcp: index.evaluate({ pod, dest: dest('TCP') }), dnsPod };
      });
    });
  }
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

export function podInfo(p: PodObj): PodInfo {
  const ips = p.status?.podIPs?.map((i) => i.ip) ?? (p.status?.podIP ? [p.status.podIP] : []);
  return {
    namespace: p.metadata.namespace ?? 'default',
    name: p.metadata.name,
    labels: p.metadata.labels ?? {},
    serviceAccount: p.spec?.serviceAccountName ?? 'default',
    ips,
    ports: (p.spec?.containers ?? []).flatMap((c) => c.ports ?? []),
  };
}
