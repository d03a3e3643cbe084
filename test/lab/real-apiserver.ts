/**
 * The REAL Kubernetes v1.24.0 API server in the lab (issue 11), with Debian's etcd.
 *
 * The binary is ../shared/kube-apiserver/kube-apiserver-v1.24.0-linux-amd64.gz (relative to
 * the repo root; NETDIAG_KUBE_APISERVER_GZ overrides), gunzipped once into
 * $TMPDIR/kubectl-netdiag-kube-apiserver/ (../shared is read-only in CI).
 *
 * Scenario `real-apiserver` (runs INSIDE the lab namespace like every scenario) starts ONE etcd
 * (127.0.0.1:2379) and FOUR API servers on it (own --etcd-prefix each), all in parallel,
 * as lab peers (sh watchdog: they die with the lab process, even on SIGKILL):
 *
 *  - main      bind 198.51.100.10:6443, advertise .10; serving cert covers .10, 127.0.0.1,
 *              10.96.0.1, api.lab.test, kubernetes.default.svc…: the healthy cluster;
 *  - dead-adv  bind 198.51.100.12:6443, advertise 198.51.100.13 (an address of the namespace
 *              where nothing listens: connection refused); the server itself writes .13
 *              into default/kubernetes, so every in-cluster client fails;
 *  - cert-gap  bind 0.0.0.0:6444 (so .14 and .15 both answer), advertise .15; the serving
 *              certificate covers .14 (and the names) but NOT .15, the only endpoint;
 *  - loopback  bind and advertise 127.0.0.1:6445: the server never writes default/kubernetes
 *              (its endpoint reconciler logs `... may not be in the loopback range` every 10 s).
 *
 * The cluster CA is `CN=kubernetes` (self-signed, like kubeadm's); `otherCa` is ANOTHER
 * `CN=kubernetes` CA (a regenerated cluster CA). Users (token file + client certificate):
 *  - lab-admin (token, group system:masters), netdiag-cert-admin (client cert, O=system:masters),
 *  - netdiag-viewer (token, no RBAC at all).
 * One kubeconfig per case in the lab's tmpdir, listed in `files` as `kc-<case>` (see CASES).
 *
 * Scenario `real-apiserver-aggregated` is the same plus an APIService v1beta1.metrics.k8s.io
 * on `main`, pointing at kube-system/metrics-server, a Service without endpoints.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { dump } from 'js-yaml';
import { execFileSync } from 'node:child_process';
import { LAB, REPO_ROOT } from './netns.ts';
import { mintCert, type Pem } from './pki.ts';

export const REAL = {
  main: { bind: LAB.api, advertise: LAB.api, port: 6443, prefix: '/main' },
  deadAdv: { bind: '198.51.100.12', advertise: '198.51.100.13', port: 6443, prefix: '/dead-adv' },
  certGap: { bind: '0.0.0.0', dial: '198.51.100.14', advertise: '198.51.100.15', port: 6444, prefix: '/cert-gap' },
  loopback: { bind: '127.0.0.1', advertise: '127.0.0.1', port: 6445, prefix: '/loopback' },
  clusterIp: '10.96.0.1',
  serviceCidr: '10.96.0.0/12',
  etcd: 'http://127.0.0.1:2379',
} as const;

/**
 * Issue 12: a path-MTU black hole to a REAL server. The cert-gap server listens on 0.0.0.0, so it
 * also answers at this extra address; on that path every packet over 1000 bytes it sends is dropped
 * (REAL_MTU_RULE, `iptables -m length`): small answers (Go's 400 to a plain-text request) pass, the
 * certificate flight never arrives. Other paths to the same server are untouched, so the rule can be
 * added to a running lab without disturbing what else it serves.
 */
export const REAL_MTU = { dial: '198.51.100.16', port: REAL.certGap.port } as const;

/** iptables arguments after -A / -D: every packet over 1000 bytes the real server sends on the black-hole path */
export const REAL_MTU_RULE = ['OUTPUT', '-s', REAL_MTU.dial, '-p', 'tcp', '--sport', String(REAL_MTU.port), '-m', 'length', '--length', '1001:65535', '-j', 'DROP'];

/** the addresses this file adds to lab0 */
export const REAL_EXTRA_ADDRESSES = [REAL.deadAdv.bind, REAL.deadAdv.advertise, REAL.certGap.dial, REAL.certGap.advertise, REAL_MTU.dial];

export const CLUSTER_DNS = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'api.lab.test', 'localhost'];

export const REAL_USERS = {
  admin: 'lab-admin',
  certAdmin: 'netdiag-cert-admin',
  viewer: 'netdiag-viewer',
} as const;

const GZ = join('shared', 'kube-apiserver', 'kube-apiserver-v1.24.0-linux-amd64.gz');

/**
 * The gz: NETDIAG_KUBE_APISERVER_GZ, else ../shared beside the repository, else ../shared beside the
 * repository this one was cloned from (a fresh clone in a temporary folder, as CI makes one, has no
 * ../shared of its own; without this the real-server tests were skipped there, not run).
 */
export function kubeApiserverGz(): string {
  if (process.env.NETDIAG_KUBE_APISERVER_GZ) return process.env.NETDIAG_KUBE_APISERVER_GZ;
  const beside = resolve(REPO_ROOT, '..', GZ);
  if (existsSync(beside)) return beside;
  try {
    const origin = execFileSync('git', ['-C', REPO_ROOT, 'config', '--get', 'remote.origin.url'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const local = origin.startsWith('file://') ? origin.slice('file://'.length) : origin;
    if (local.startsWith('/')) {
      const besideOrigin = resolve(local, '..', GZ);
      if (existsSync(besideOrigin)) return besideOrigin;
    }
  } catch {
    // not a clone, or no git
  }
  return beside;
}

/** Why the real API server cannot run here, or undefined when it can (binary, etcd, root). */
export function realApiserverUnavailable(): string | undefined {
  if (!existsSync(kubeApiserverGz())) return `${kubeApiserverGz()} is missing`;
  try {
    execFileSync('etcd', ['--version'], { stdio: 'ignore' });
  } catch {
    return 'etcd is not installed (apt-get install -y etcd-server)';
  }
  if (process.getuid?.() !== 0) return 'needs root (network namespaces)';
  return undefined;
}

/** Gunzip the binary once into a cache dir (atomic rename: concurrent callers are fine). */
export async function kubeApiserverBinary(): Promise<string> {
  const gz = kubeApiserverGz();
  const dir = join(tmpdir(), 'kubectl-netdiag-kube-apiserver');
  const bin = join(dir, `kube-apiserver-v1.24.0-${statSync(gz).size}`);
  if (existsSync(bin)) return bin;
  mkdirSync(dir, { recursive: true });
  const part = `${bin}.${process.pid}.${randomBytes(4).toString('hex')}`;
  await pipeline(createReadStream(gz), createGunzip(), createWriteStream(part, { mode: 0o755 }));
  renameSync(part, bin);
  return bin;
}

export interface RealPki {
  /** CN=kubernetes, self-signed: the cluster CA (signs serving and client certificates) */
  ca: Pem;
  /** ANOTHER CN=kubernetes CA: a regenerated cluster CA */
  otherCa: Pem;
  main: Pem;
  deadAdv: Pem;
  certGap: Pem;
  loopback: Pem;
  /** CN=netdiag-cert-admin, O=system:masters */
  certAdmin: Pem;
}

const DAY = 86_400_000;
function monthStart(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

export function realPki(): RealPki {
  const ca = mintCert({ cn: 'kubernetes', isCA: true });
  // same subject, other key: minted with other dates so that the cache keeps them apart
  const otherCa = mintCert({ cn: 'kubernetes', isCA: true, notBefore: new Date(monthStart() - 2 * DAY) });
  const serving = (ips: string[]) => mintCert({ cn: 'kube-apiserver', dns: CLUSTER_DNS, ips: [REAL.clusterIp, ...ips], issuer: ca });
  return {
    ca,
    otherCa,
    main: serving([REAL.main.bind, '127.0.0.1']),
    deadAdv: serving([REAL.deadAdv.bind, REAL.deadAdv.advertise]),
    certGap: serving([REAL.certGap.dial]),
    loopback: serving(['127.0.0.1']),
    certAdmin: mintCert({ cn: REAL_USERS.certAdmin, o: 'system:masters', clientAuth: true, issuer: ca }),
  };
}

export interface KubeconfigCase {
  server: string;
  ca?: string;
  token?: string;
  clientCert?: Pem;
  tlsServerName?: string;
  /** the kubeconfig's user entry (not the server-side user name) */
  userEntry: string;
}

export function realKubeconfig(name: string, k: KubeconfigCase): string {
  const cluster: Record<string, unknown> = { server: k.server };
  if (k.ca) cluster['certificate-authority-data'] = Buffer.from(k.ca).toString('base64');
  if (k.tlsServerName) cluster['tls-server-name'] = k.tlsServerName;
  const user: Record<string, unknown> = {};
  if (k.token) user.token = k.token;
  if (k.clientCert) {
    user['client-certificate-data'] = Buffer.from(k.clientCert.cert).toString('base64');
    user['client-key-data'] = Buffer.from(k.clientCert.key).toString('base64');
  }
  const ctxName = `${k.userEntry}@${name}`;
  return dump(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster }],
      users: [{ name: k.userEntry, user }],
      contexts: [{ name: ctxName, context: { cluster: name, user: k.userEntry, namespace: 'default' } }],
      'current-context': ctxName,
      preferences: {},
    },
    { lineWidth: -1 },
  );
}

/** The kubeconfig cases: `files['kc-<case>']` in the ready line. */
export const CASES = [
  'token', // main, admin token
  'cert', // main, client certificate (CN=netdiag-cert-admin, O=system:masters)
  'viewer', // main, netdiag-viewer: authenticated, no RBAC
  'bad-token', // main, a token the server does not know
  'no-creds', // main, no credentials at all
  'other-ca', // main, the kubeconfig CA is another CN=kubernetes CA
  'bad-server-name', // main, tls-server-name: wrong.lab.test (not in the certificate)
  'dead-advertise', // dead-adv, admin token
  'cert-gap', // cert-gap, admin token
  'loopback', // loopback, admin token
  'dns-name', // main as https://api.lab.test:6443 (resolved by the lab DNS; see files.resolvNoRoute)
] as const;
export type RealCase = (typeof CASES)[number];

export const MAIN_URL = `https://${REAL.main.bind}:${REAL.main.port}`;
export const REAL_URLS = {
  main: MAIN_URL,
  deadAdv: `https://${REAL.deadAdv.bind}:${REAL.deadAdv.port}`,
  certGap: `https://${REAL.certGap.dial}:${REAL.certGap.port}`,
  loopback: `https://127.0.0.1:${REAL.loopback.port}`,
  /** the path-MTU black hole (REAL_MTU): the kubeconfig files.kc-mtu */
  mtu: `https://${REAL_MTU.dial}:${REAL_MTU.port}`,
};

/** A request to a real server from inside the lab namespace (the lab process). */
export function realRequest(
  url: string,
  o: { ca: string; token?: string; method?: string; body?: unknown },
): Promise<{ status: number; body: string; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((res, rej) => {
    const data = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = https.request(
      url,
      {
        method: o.method ?? 'GET',
        ca: o.ca,
        headers: {
          ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
          ...(data ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) } : {}),
        },
        timeout: 5000,
      },
      (r) => {
        let b = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => (b += d));
        r.on('end', () => res({ status: r.statusCode ?? 0, body: b, headers: r.headers }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
    req.end(data);
  });
}

export async function waitReady(url: string, ca: string, token: string, timeoutMs: number, alive: () => string | undefined): Promise<number> {
  const t0 = Date.now();
  let last = 'no answer';
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(dead);
    try {
      const r = await realRequest(`${url}/readyz?verbose`, { ca, token });
      if (r.status === 200) return Date.now() - t0;
      last = `${r.status}: ${r.body.split('\n').filter((l) => l.startsWith('[-]')).join(', ') || r.body.slice(0, 300)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() - t0 > timeoutMs) throw new Error(`${url}/readyz not 200 after ${timeoutMs} ms (last: ${last}); the machine may be overloaded`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The broken aggregated API: an APIService for metrics.k8s.io/v1beta1 → a Service with no endpoints. */
export const BROKEN_APISERVICE_OBJECTS = [
  {
    path: '/api/v1/namespaces/kube-system/services',
    body: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'metrics-server', namespace: 'kube-system', labels: { 'k8s-app': 'metrics-server' } },
      spec: { selector: { 'k8s-app': 'metrics-server' }, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: 4443 }] },
    },
  },
  {
    path: '/apis/apiregistration.k8s.io/v1/apiservices',
    body: {
      apiVersion: 'apiregistration.k8s.io/v1',
      kind: 'APIService',
      metadata: { name: 'v1beta1.metrics.k8s.io', labels: { 'k8s-app': 'metrics-server' } },
      spec: { service: { name: 'metrics-server', namespace: 'kube-system', port: 443 }, group: 'metrics.k8s.io', version: 'v1beta1', insecureSkipTLSVerify: true, groupPriorityMinimum: 100, versionPriority: 100 },
    },
  },
];

/** Create the broken APIService on `main` and wait until the server reports it not Available. */
export async function createBrokenApiService(ca: string, token: string, url = MAIN_URL): Promise<string> {
  for (const o of BROKEN_APISERVICE_OBJECTS) {
    const r = await realRequest(url + o.path, { ca, token, method: 'POST', body: o.body });
    if (r.status !== 201 && r.status !== 409) throw new Error(`POST ${o.path}: ${r.status} ${r.body}`);
  }
  const deadline = Date.now() + 20_000;
  for (;;) {
    const r = await realRequest(`${url}/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.metrics.k8s.io`, { ca, token });
    const cond = (JSON.parse(r.body).status?.conditions ?? []).find((c: { type: string }) => c.type === 'Available');
    if (cond?.status === 'False') return `${cond.reason}: ${cond.message}`;
    if (Date.now() > deadline) throw new Error(`APIService never reported Available=False: ${r.body}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export function ipBatch(lines: string[]): void {
  execFileSync('ip', ['-batch', '-'], { input: lines.join('\n') + '\n', stdio: ['pipe', 'pipe', 'pipe'] });
}

export interface ServerSpec {
  name: 'main' | 'dead-adv' | 'cert-gap' | 'loopback';
  bind: string;
  advertise: string;
  port: number;
  prefix: string;
  tls: Pem;
}

/** The flags the API server runs with (also printed in the ready line: info.flags). */
export function apiserverFlags(s: ServerSpec, dir: string): string[] {
  return [
    `--etcd-servers=${REAL.etcd}`,
    `--etcd-prefix=${s.prefix}`,
    `--secure-port=${s.port}`,
    `--bind-address=${s.bind}`,
    `--advertise-address=${s.advertise}`,
    `--tls-cert-file=${join(dir, `${s.name}.crt`)}`,
    `--tls-private-key-file=${join(dir, `${s.name}.key`)}`,
    `--client-ca-file=${join(dir, 'ca.crt')}`,
    `--token-auth-file=${join(dir, 'tokens.csv')}`,
    '--authorization-mode=Node,RBAC',
    '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
    `--service-account-key-file=${join(dir, 'sa.pub')}`,
    `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
    `--service-cluster-ip-range=${REAL.serviceCidr}`,
    `--cert-dir=${join(dir, `${s.name}-certs`)}`,
    '--allow-privileged=true',
    '--profiling=false',
    '--v=1',
    // extra flags for experiments, e.g. NETDIAG_REAL_APISERVER_FLAGS='--watch-cache=false'
    ...(process.env.NETDIAG_REAL_APISERVER_FLAGS ?? '').split(/\s+/).filter(Boolean),
  ];
}
