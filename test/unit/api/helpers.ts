// Build an `api` (or `server`) context on a kubeconfig whose server is never dialled, and answer
// its network steps with recorded evidence: the memoised steps (dns, tcp, tls, credentials) are
// pre-filled, and `request` answers from a table of recorded responses (the real kube-apiserver
// 1.24 answers in test/lab/fixtures/kube-apiserver-1.24/).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiContext } from '../../../src/checks/api/context.ts';
import type { Credentials } from '../../../src/kube/credentials.ts';
import type { KubeClient, TlsOutcome, Dialled } from '../../../src/kube/client.ts';
import type { DnsResult } from '../../../src/net/dns.ts';
import type { HttpResult } from '../../../src/net/http.ts';
import type { TcpResult } from '../../../src/net/tcp.ts';
import type { CheckDefinition } from '../../../src/engine/definitions.ts';
import { runChecks } from '../../../src/engine/runner.ts';
import { Redactor } from '../../../src/report/redact.ts';
import type { CheckResult } from '../../../src/report/types.ts';
import { b64, pems, tempDir, write } from '../kube/helpers.ts';

const FIXTURES = join(import.meta.dirname, '../../lab/fixtures/kube-apiserver-1.24');

/** A recorded answer of the real kube-apiserver 1.24: status line from NAME.headers, body from NAME.body. */
export function recorded(name: string): HttpResult & { via: string } {
  const head = readFileSync(join(FIXTURES, `${name}.headers`), 'utf8').split('\n');
  const [, code] = /^HTTP\/[\d.]+ (\d{3})/.exec(head[0]!)!;
  const statusCode = Number(code);
  const headers: Record<string, string> = {};
  for (const l of head.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).toLowerCase()] = l.slice(i + 1).trim();
  }
  const body = readFileSync(join(FIXTURES, `${name}.body`), 'utf8');
  return answer(statusCode, body, headers);
}

const REASONS: Record<number, string> = { 200: 'OK', 201: 'Created', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export function answer(statusCode: number, body: string | object, headers: Record<string, string> = {}): HttpResult & { via: string } {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return { ok: true, via: '203.0.113.10:6443', durationMs: 3, response: { statusCode, statusMessage: REASONS[statusCode] ?? '', headers, body: text, durationMs: 3 } };
}

export function noAnswer(kind: string, message: string): HttpResult & { via: string } {
  return { ok: false, via: '203.0.113.10:6443', durationMs: 1000, error: { kind, message } };
}

export interface KubeconfigShape {
  server?: string;
  user?: Record<string, unknown>;
  cluster?: Record<string, unknown>;
}

/** A kubeconfig file (context `lab`, namespace `demo`) in a fresh temp dir. */
export function kubeconfigFile(o: KubeconfigShape = {}): { path: string; home: string } {
  const home = tempDir('netdiag-api-unit-');
  const cluster = { server: o.server ?? 'https://203.0.113.10:6443', 'certificate-authority-data': b64(pems().serverCert), ...o.cluster };
  const user = o.user ?? { token: 'recorded-token' };
  const yaml = [
    'apiVersion: v1',
    'kind: Config',
    'current-context: lab',
    'clusters:',
    `- name: lab`,
    `  cluster: ${JSON.stringify(cluster)}`,
    'users:',
    `- name: admin`,
    `  user: ${JSON.stringify(user)}`,
    'contexts:',
    '- name: lab',
    '  context: {cluster: lab, user: admin, namespace: demo}',
  ].join('\n');
  return { path: write(join(home, 'config'), `${yaml}\n`), home };
}

export function clientOptions(o: KubeconfigShape & { env?: Record<string, string>; noKubeconfig?: boolean } = {}) {
  const { path, home } = kubeconfigFile(o);
  return {
    kubeconfig: o.noKubeconfig ? { env: { KUBECONFIG: join(home, 'missing') }, homeDir: home, inClusterRoot: home } : { kubeconfig: path, env: {}, homeDir: home, inClusterRoot: home },
    timeoutMs: 1000,
    requestTimeoutMs: 1000,
    endpoints: [] as string[],
    env: o.env ?? {},
    redactor: new Redactor(),
    now: () => new Date('2026-11-22T07:10:38Z'),
  };
}

export function apiContext(o: KubeconfigShape & { env?: Record<string, string>; noKubeconfig?: boolean } = {}): ApiContext {
  return new ApiContext(clientOptions(o));
}

/** Pre-fill a memoised step of the client (or of a diagnosis context) with recorded evidence. */
export function seed<T>(client: { once<V>(key: string, fn: () => Promise<V>): Promise<V> }, key: string, value: T): void {
  void client.once(key, async () => value);
}

export function seedDns(client: KubeClient, dns: Partial<DnsResult>): void {
  seed(client, 'dns', { host: client.host, addresses: [], servers: ['192.0.2.53'], durationMs: 2, ...dns });
}

export function seedTcp(client: KubeClient, results: Partial<TcpResult>[]): void {
  seed(client, 'tcp', results.map((r) => ({ host: '203.0.113.10', port: 6443, ok: true, durationMs: 2, ...r })));
}

export function seedTls(client: KubeClient, t: Partial<TlsOutcome> & { dialled?: Dialled }): void {
  seed(client, 'tls', {
    dialled: { via: '203.0.113.10:6443', socket: {} as never },
    serverName: client.serverName,
    tls: { ok: true, durationMs: 5, chain: [], certificates: [] },
    ...t,
  });
}

/** The certificate verified and the server is reachable: credentials may be sent. */
export function seedReachable(client: KubeClient): void {
  seed(client, 'reachable', { ok: true });
}

export function seedCredentials(client: KubeClient, c: Credentials | Error): void {
  seed(client, 'credentials', c);
}

export type Route = (method: string, path: string, opts: { auth: boolean; body?: unknown }) => (HttpResult & { via: string }) | undefined;

/** Answer `request()` from a route table; an unrouted request fails the test. */
export function routeRequests(client: KubeClient, route: Route): string[] {
  const seen: string[] = [];
  client.request = async (method, path, opts) => {
    seen.push(`${method} ${path}${opts.auth ? '' : ' (anonymous)'}`);
    const r = route(method, path, opts);
    if (!r) throw new Error(`no recorded answer for ${method} ${path} (auth ${opts.auth})`);
    return r;
  };
  return seen;
}

/** Run one check (with the engine, so declared applicability and the catalog apply). */
export async function runOne<C>(check: CheckDefinition<C>, ctx: C): Promise<CheckResult> {
  const [r] = await runChecks([{ ...check, requires: [] }], ctx, { defaultTimeoutMs: 5000 });
  return r!;
}

export const codes = (r: CheckResult) => r.findings.map((f) => f.code);
