// A cert/ingress context on recorded evidence, without a network: the lab's cluster objects
// (test/lab/ingress-scenarios.ts clusterObjects, the same the end-to-end labs serve) answered by the
// lab's object store with the real API server's status codes and messages, through the one client's
// own error classification (KubeClient.get is replaced, list pages through it as usual); DNS, the
// HTTP-01 probes and the TLS handshake are seeded as recorded results.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { classifyStatus, type ApiResult } from '../../../src/kube/client.ts';
import { HostClusterContext } from '../../../src/checks/served-host/cluster-context.ts';
import type { ServedTls } from '../../../src/checks/served-host/context.ts';
import type { Http01State } from '../../../src/checks/served-host/http01.ts';
import type { DnsResult } from '../../../src/net/dns.ts';
import { Redactor } from '../../../src/report/redact.ts';
import { runChecks } from '../../../src/engine/runner.ts';
import type { CheckDefinition } from '../../../src/engine/definitions.ts';
import type { CheckResult } from '../../../src/report/types.ts';
import { ObjectStore, parseResourcePath, type KubeObject } from '../../lab/objects.ts';
import { INGRESS_LAB } from '../../lab/ingress-scenarios.ts';

export const HOST = INGRESS_LAB.host;

/** Kinds every API server serves (their lists are empty, never 404). */
const BUILTIN_GROUPS = new Set(['', 'networking.k8s.io', 'discovery.k8s.io']);

export interface Evidence {
  objects?: KubeObject[];
  /** CRDs installed without objects, 'plural.group' */
  installed?: string[];
  /** forbidden to the user, 'plural' or 'plural.group'; with '@all': only listing in all namespaces */
  forbidden?: string[];
  /** the API server cannot be used: reachable() answers this */
  unreachable?: string;
  /** no kubeconfig file: kubectl's localhost fallback */
  noKubeconfig?: boolean;
  dns?: Partial<DnsResult>;
  http01?: Http01State;
  tls?: ServedTls;
  host?: string;
}

function kubeconfigFile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netdiag-fake-cluster-'));
  const file = join(dir, 'config');
  writeFileSync(
    file,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: lab, cluster: {server: "https://192.0.2.10:6443"}}]',
      'users: [{name: dev, user: {token: recorded-token}}]',
      'contexts: [{name: dev@lab, context: {cluster: lab, user: dev, namespace: web}}]',
      'current-context: dev@lab',
      '',
    ].join('\n'),
  );
  return file;
}

function answer(store: ObjectStore, e: Evidence, path: string): ApiResult<unknown> {
  const [p, q = ''] = path.split('?');
  const parsed = parseResourcePath(p!);
  if (!parsed) return classifyStatus(404, '404 page not found\n', 'GET', path);
  const key = parsed.group ? `${parsed.plural}.${parsed.group}` : parsed.plural;
  const forbidden = e.forbidden ?? [];
  if (forbidden.includes(key) || (forbidden.includes(`${key}@all`) && parsed.namespace === null && !parsed.name)) {
    const verb = parsed.name ? 'get' : 'list';
    const scope = parsed.namespace ? `in the namespace "${parsed.namespace}"` : 'at the cluster scope';
    const message = `${parsed.name ? `${key} "${parsed.name}"` : key} is forbidden: User "dev" cannot ${verb} resource "${parsed.plural}" in API group "${parsed.group}" ${scope}`;
    return classifyStatus(403, { kind: 'Status', status: 'Failure', message, reason: 'Forbidden', details: { kind: parsed.plural }, code: 403 }, 'GET', path);
  }
  if (!BUILTIN_GROUPS.has(parsed.group) && !store.serves(parsed)) {
    return classifyStatus(404, { kind: 'Status', status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 }, 'GET', path);
  }
  const r = store.get(parsed, new URLSearchParams(q));
  if (r.status >= 200 && r.status < 300) return { ok: true, status: r.status, body: r.body };
  return classifyStatus(r.status, r.body, 'GET', path);
}

/** A HostClusterContext whose cluster, DNS, HTTP-01 probes and handshake are the recorded ones. */
export function fakeContext(e: Evidence = {}): HostClusterContext {
  const kubeconfig = e.noKubeconfig ? { env: {}, homeDir: '/nonexistent' } : { kubeconfig: kubeconfigFile(), env: {}, homeDir: '/nonexistent' };
  const ctx = new HostClusterContext({
    host: e.host ?? HOST,
    port: 443,
    timeoutMs: 1000,
    requestTimeoutMs: 1000,
    env: {},
    kubeconfig,
    redactor: new Redactor(),
    now: () => new Date('2026-12-06T00:00:00Z'),
  });
  const store = new ObjectStore({ objects: e.objects ?? [], installed: e.installed });
  const client = ctx.client as unknown as Record<string, unknown>;
  client.reachable = async () => (e.unreachable ? { ok: false, why: e.unreachable, reason: 'unreachable' } : { ok: true });
  client.get = async (path: string) => answer(store, e, path);
  client.request = async () => {
    throw new Error('no network in unit tests: seed the evidence instead');
  };
  const dns: DnsResult = { host: ctx.host, addresses: [{ address: INGRESS_LAB.lb, family: 4 }], servers: ['recorded'], durationMs: 1, ...e.dns } as DnsResult;
  void ctx.once('dns', async () => dns);
  // no probe leaves this process: without recorded probes, none were made
  const h: Http01State = e.http01 ?? { token: 'netdiag-probe-recorded', outside: [], insideSkipped: 'not recorded' };
  void ctx.once('http01', async () => h);
  const tls = e.tls ?? ({ ok: false, durationMs: 0, chain: [], certificates: [], via: 'direct', error: { kind: 'refused', message: 'not recorded' } } as ServedTls);
  void ctx.once('tls', async () => tls);
  return ctx;
}

/** Run checks on the context as the engine does (requirements, prerequisites) and index the results. */
export async function run(checks: readonly CheckDefinition<HostClusterContext>[], ctx: HostClusterContext) {
  const results = await runChecks(checks, ctx, { defaultTimeoutMs: 5000 });
  const byId = (id: string): CheckResult => {
    const r = results.find((x) => x.id === id);
    if (!r) throw new Error(`no result for ${id}`);
    return r;
  };
  const codes = (id?: string) => results.filter((r) => !id || r.id === id).flatMap((r) => r.findings.map((f) => f.code));
  return { results, check: byId, codes };
}
