// Run the egress checks and the diagnosis on recorded evidence, without a network: the API answers
// come from the lab's object store (test/lab/objects.ts, the same store the e2e fake API server
// serves) classified by the client's own classifyStatus; the live probe's outcome (what exec
// returned from the pod) and local name resolution are seeded into the context's memo.
import { egressDiagnosis, EGRESS_CHECKS } from '../../../src/checks/egress/index.ts';
import type { EgressContext, EgressOptions, PodProbe } from '../../../src/checks/egress/context.ts';
import type { ProbeOutcome } from '../../../src/checks/egress/probe.ts';
import { runChecks } from '../../../src/engine/runner.ts';
import { classifyStatus, type ApiResult } from '../../../src/kube/client.ts';
import type { ToolsResult } from '../../../src/kube/pod-tools.ts';
import type { PodInfo } from '../../../src/policy/index.ts';
import { Redactor } from '../../../src/report/redact.ts';
import type { CheckResult, Diagnosis } from '../../../src/report/types.ts';
import { ObjectStore, parseResourcePath, type KubeObject } from '../../lab/objects.ts';

export const NS = 'ml';
export const POD = 'training-7f9c';
export const POD_IP = '10.244.0.10';
export const API_HOST = 'api.example.net';
export const API_IP = '198.51.100.60';
export const BLOB_HOST = 'mlstore.blob.core.windows.net';
export const BLOB_IP = '198.51.100.61';
export const CONTROL = 'kubernetes.default.svc';
export const CONTROL_IP = '10.96.0.1';

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name, ...labels } } };
}

export function pod(name = POD, ip = POD_IP, phase = 'Running', ns = NS, labels: Record<string, string> = { app: 'training' }): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, labels },
    spec: { nodeName: 'worker-2', serviceAccountName: 'default', containers: [{ name: 'trainer', image: 'registry.example/ml/trainer:2.4.1' }] },
    status: { phase, podIP: ip, podIPs: [{ ip }] },
  };
}

export const KUBE_DNS: KubeObject = {
  ...pod('coredns-5d78c', '10.244.0.2', 'Running', 'kube-system', { 'k8s-app': 'kube-dns' }),
};

/** A base cluster: the namespaces, the pod, kube-dns. */
export function cluster(...more: KubeObject[]): KubeObject[] {
  return [namespace(NS, { team: 'ml' }), namespace('kube-system'), pod(), KUBE_DNS, ...more];
}

export const FLUX = { labels: { 'kustomize.toolkit.fluxcd.io/name': 'ml-apps', 'kustomize.toolkit.fluxcd.io/namespace': 'flux-system' } };
export const BY_HAND = { managedFields: [{ manager: 'kubectl-client-side-apply', operation: 'Update' }] };

/** Cilium's DNS proxy rule to kube-dns (what toFQDNs needs). */
export const CILIUM_DNS_RULE = {
  toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'kube-system', 'k8s:k8s-app': 'kube-dns' } }],
  toPorts: [{ ports: [{ port: '53', protocol: 'ANY' }], rules: { dns: [{ matchPattern: '*' }] } }],
};

export function cnp(name: string, egress: unknown[], meta: Record<string, unknown> = FLUX, extra: Record<string, unknown> = {}): KubeObject {
  return { apiVersion: 'cilium.io/v2', kind: 'CiliumNetworkPolicy', metadata: { name, namespace: NS, ...meta }, spec: { endpointSelector: { matchLabels: { app: 'training' } }, egress, ...extra } };
}

export function netpol(name: string, egress: unknown[], meta: Record<string, unknown> = FLUX): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name, namespace: NS, ...meta }, spec: { podSelector: {}, policyTypes: ['Egress'], egress } };
}

/** An allow-list for api.example.net only, with the DNS proxy rule (the incident's policy). */
export const ALLOW_API = cnp('training-egress', [CILIUM_DNS_RULE, { toFQDNs: [{ matchName: API_HOST }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] }, { toEntities: ['kube-apiserver'] }]);

export interface Recorded {
  objects: KubeObject[];
  /** 'plural' or 'plural.group' that answer 403 */
  forbidden?: string[];
  /** CRDs served with no object */
  installed?: string[];
  /** container logs by 'ns/pod' */
  logs?: Record<string, string>;
  /** the logs subresource answers 403 */
  logsForbidden?: boolean;
  /** what the exec probe saw, per host:port; a host missing here was not probed */
  probe?: ProbeOutcome[];
  /** the tools step as recorded (default: python3, and the probe above ran) */
  tools?: Partial<PodProbe>;
  /** names this machine resolves (for the static verdict when no probe ran) */
  resolve?: Record<string, string[]>;
  /** CNAME chains this machine's resolver answers (default: none) */
  cnames?: Record<string, string[]>;
  options?: Partial<EgressOptions>;
  /** leave the exec steps (tools, probes) to the context itself (the test mocks what they call) */
  liveExec?: boolean;
}

function forbiddenStatus(verb: string, plural: string, group: string, ns: string | null) {
  const res = group ? `${plural}.${group}` : plural;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    status: 'Failure',
    reason: 'Forbidden',
    code: 403,
    message: `${res} is forbidden: User "dev" cannot ${verb} resource "${plural}" in API group "${group}" ${ns ? `in the namespace "${ns}"` : 'at the cluster scope'}`,
    details: { kind: plural, group },
  };
}

/** The API's answer to one GET, as the store and the client's classification give it. */
function answer(rec: Recorded, store: ObjectStore, path: string): ApiResult<unknown> {
  const [p, query = ''] = path.split('?');
  const parsed = parseResourcePath(p!);
  if (!parsed) return classifyStatus(404, '404 page not found\n', 'GET', path, 'Not Found');
  if (parsed.sub === 'log' && rec.logsForbidden) return classifyStatus(403, forbiddenStatus('get', 'pods/log', '', parsed.namespace), 'GET', path);
  if (store.isForbidden(parsed)) return classifyStatus(403, forbiddenStatus(parsed.name ? 'get' : 'list', parsed.plural, parsed.group, parsed.namespace), 'GET', path);
  if (!store.serves(parsed)) return classifyStatus(404, { kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource', details: {} }, 'GET', path);
  const r = store.get(parsed, new URLSearchParams(query));
  if (r.status >= 200 && r.status < 300) return { ok: true, status: r.status, body: r.body };
  return classifyStatus(r.status, r.body, 'GET', path);
}

export function podInfoOf(name = POD, ip = POD_IP): PodInfo {
  return { namespace: NS, name, labels: { app: 'training' }, serviceAccount: 'default', ips: [ip], ports: [] };
}

const PYTHON: ToolsResult = { exec: { ok: true, stdout: 'python3\nsh\n', stderr: '', exitCode: 0, protocol: 'v5.channel.k8s.io' }, tools: ['python3', 'sh'] };

export function ok(host: string, port: number, addresses: string[], connects: Record<string, true | 'timeout' | 'refused' | 'unreachable' | 'reset' | 'other'>, canonical?: string): ProbeOutcome {
  return {
    host,
    port,
    dns: { ok: true, addresses, ...(canonical ? { canonical } : {}) },
    connects: addresses.map((a) => (connects[a] === true ? { address: a, ok: true, ms: 3 } : { address: a, ok: false, error: connects[a] as 'timeout', message: String(connects[a]), ms: 2000 })),
  };
}

export const CONTROL_OK = ok(CONTROL, 443, [CONTROL_IP], { [CONTROL_IP]: true });

/** Build the context on a kubeconfig pointing nowhere and answer everything from the recording. */
export function recordedContext(rec: Recorded): EgressContext {
  const ctx = egressDiagnosis.createContext({
    kubeconfig: { kubeconfig: '/nonexistent/kubeconfig', env: {}, homeDir: '/nonexistent' },
    timeoutMs: 2000,
    requestTimeoutMs: 2000,
    env: {},
    redactor: new Redactor(),
    cwd: '/',
    namespace: NS,
    pod: POD,
    target: `${API_HOST}:443`,
    control: `${CONTROL}:443`,
    fromLogs: false,
    ...rec.options,
  });
  const store = new ObjectStore({ objects: rec.objects, forbidden: rec.forbidden, logs: rec.logs, installed: rec.installed });
  const client = ctx.client as unknown as Record<string, unknown>;
  client.get = async (path: string) => {
    ctx.client.requests.push(`GET ${path}`);
    return answer(rec, store, path);
  };
  client.getText = async (path: string) => {
    ctx.client.requests.push(`GET ${path}`);
    const r = answer(rec, store, path);
    return { ...r, durationMs: 1 };
  };
  client.request = async () => {
    throw new Error('no request may leave a recorded test');
  };
  // the exec steps, as recorded
  const seeded = async (): Promise<PodProbe[]> => {
    const pods = await ctx.pods();
    if (!pods.ok) return [];
    return pods.body.map((p) => {
      const pi = { ...podInfoOf(p.metadata!.name!, p.status?.podIP), labels: p.metadata?.labels ?? {} };
      if (p.status?.phase !== 'Running') return { pod: pi, container: 'trainer', skipped: 'not-running' as const, message: `the pod is ${p.status?.phase}` };
      const base: PodProbe = { pod: pi, container: 'trainer', tools: PYTHON, ...rec.tools };
      if (base.skipped || !rec.probe) return base;
      return { ...base, probe: { tool: 'python3', results: rec.probe } };
    });
  };
  if (!rec.liveExec) {
    void ctx.once('tools', seeded);
    void ctx.once('probes', seeded);
  }
  ctx.cnameChain = async (name: string) => rec.cnames?.[name] ?? [];
  for (const [host, addrs] of Object.entries({ [CONTROL]: [CONTROL_IP], ...rec.resolve })) {
    void ctx.once(`resolve:${host}`, async () => ({ host, addresses: addrs.map((address) => ({ address, family: address.includes(':') ? 6 : 4, source: 'dns' })), servers: [], durationMs: 1 }));
  }
  return ctx;
}

export interface Run {
  ctx: EgressContext;
  results: CheckResult[];
  diagnosis: Diagnosis;
  check(id: string): CheckResult;
  codes: string[];
  /** the findings of one code */
  of(code: string): { message: string; severity: string }[];
}

export async function runRecorded(rec: Recorded): Promise<Run> {
  const ctx = recordedContext(rec);
  const results = await runChecks(EGRESS_CHECKS, ctx, { defaultTimeoutMs: 10_000 });
  const diagnosis = egressDiagnosis.diagnose(results, ctx);
  const check = (id: string) => {
    const c = results.find((r) => r.id === id);
    if (!c) throw new Error(`no check ${id}`);
    return c;
  };
  const all = results.flatMap((r) => r.findings);
  return { ctx, results, diagnosis, check, codes: all.map((f) => f.code), of: (code) => all.filter((f) => f.code === code) };
}
