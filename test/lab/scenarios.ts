/**
 * Named lab scenarios: data + setup. Each runs INSIDE the lab's network namespace
 * (see netns.ts), starts what it needs, writes a kubeconfig and returns the env and
 * suggested CLI args. Every scenario also gets the lab DNS server on 198.51.100.53:53.
 */
import { API_PORT, startLabApi } from './lab-api.ts';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { join } from 'node:path';
import * as yaml from 'js-yaml';
import type { ApiServerOptions, TokenUser } from './apiserver.ts';
import { startDnsServer, type DnsRecords } from './dns.ts';
import { LAB } from './netns.ts';
import { labPki, type LabPki, type Pem } from './pki.ts';
import { ENVOY_REFUSED_BODY, startConnectProxy, startFailingProxy, startInterceptingProxy } from './proxies.ts';
import { SERVER_SCENARIOS } from './server-scenarios.ts';
import { INGRESS_SCENARIOS } from './ingress-scenarios.ts';
import { EGRESS_SCENARIOS } from './egress-scenarios.ts';
import { EGRESS_LOG_SCENARIOS } from './egress-log-scenarios.ts';
import { POLICY_SCENARIOS_2 } from './policy-scenarios-2.ts';
import { REAL_SCENARIOS } from './real-scenarios.ts';
import { DUAL_STACK_SCENARIOS } from './dual-stack-scenarios.ts';
import { FLEET_SCENARIOS } from './fleet-scenarios.ts';
import { TLS_SCENARIOS } from './tls-scenarios.ts';

export interface ScenarioContext {
  tmp: string;
  pki: LabPki;
  /** the admin bearer token: lab-admin-token-<random> */
  adminToken: string;
  /** the default token table (admin token → lab-admin, rbac admin) */
  tokens: Record<string, TokenUser>;
  onClose(fn: () => unknown): void;
  /** files the scenario exposes (paths), copied into the ready line */
  files: Record<string, string>;
  /** facts the scenario exposes, copied into the ready line */
  info: Record<string, unknown>;
}

export interface ScenarioSetup {
  kubeconfig: string;
  /** KUBECONFIG plus the scenario's proxy variables */
  env: Record<string, string>;
  /** extra CLI args the scenario suggests, on top of `--kubeconfig <kubeconfig>` (none today) */
  args: string[];
}

export interface Scenario {
  name: string;
  description: string;
  /** DNS records added to the defaults */
  dns?: DnsRecords;
  /** the real third-party programs it starts */
  external?: string[];
  /** serve the lab DNS with dnsmasq instead of dns.ts (no `silent` names then) */
  dnsmasq?: boolean;
  setup(ctx: ScenarioContext): Promise<ScenarioSetup>;
}

export { API_PORT };
export const DEFAULT_SERVER = `https://${LAB.api}:${API_PORT}`;

export const DEFAULT_DNS_RECORDS: DnsRecords = {
  'api.lab.test': { A: [LAB.api] },
  'api2.lab.test': { A: [LAB.api2] },
  'alias.lab.test': { CNAME: 'api.lab.test' },
  'dual.lab.test': { A: [LAB.api, LAB.blackhole2] },
  'blackhole.lab.test': { A: [LAB.blackhole] },
  'proxy.lab.test': { A: [LAB.connectProxy] },
  'egress-proxy.lab.test': { A: [LAB.interceptingProxy] },
  'tinyproxy.lab.test': { A: [LAB.tinyproxy] },
  'mitm.lab.test': { A: [LAB.mitmdump] },
  'ns.lab.test': { A: [LAB.dns] },
};
/** names the lab DNS server never answers */
export const DNS_SILENT = ['slow.lab.test'];

// ---------------------------------------------------------------------------------------
// helpers

function writeFile(ctx: ScenarioContext, name: string, content: string, mode = 0o644): string {
  const p = join(ctx.tmp, name);
  writeFileSync(p, content, { mode });
  return p;
}

export interface KubeconfigSpec {
  server: string;
  ca?: string;
  token?: string;
  clientCert?: Pem;
  proxyUrl?: string;
  tlsServerName?: string;
  insecure?: boolean;
}

export function kubeconfigYaml(k: KubeconfigSpec): string {
  const cluster: Record<string, unknown> = { server: k.server };
  if (k.ca) cluster['certificate-authority-data'] = Buffer.from(k.ca).toString('base64');
  if (k.insecure) cluster['insecure-skip-tls-verify'] = true;
  if (k.proxyUrl) cluster['proxy-url'] = k.proxyUrl;
  if (k.tlsServerName) cluster['tls-server-name'] = k.tlsServerName;
  const user: Record<string, unknown> = {};
  if (k.token) user.token = k.token;
  if (k.clientCert) {
    user['client-certificate-data'] = Buffer.from(k.clientCert.cert).toString('base64');
    user['client-key-data'] = Buffer.from(k.clientCert.key).toString('base64');
  }
  return yaml.dump(
    {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'lab', cluster }],
      users: [{ name: 'lab-admin', user }],
      contexts: [{ name: 'lab-admin@lab', context: { cluster: 'lab', user: 'lab-admin', namespace: 'default' } }],
      'current-context': 'lab-admin@lab',
      preferences: {},
    },
    { lineWidth: -1 },
  );
}

/** The lab kubeconfig (the lab CA, the admin token, context lab-admin@lab), written into the scenario's folder. */
export function kubeconfig(ctx: ScenarioContext, spec: Partial<KubeconfigSpec> = {}, env: Record<string, string> = {}): ScenarioSetup {
  const full: KubeconfigSpec = { server: DEFAULT_SERVER, ca: ctx.pki.ca.cert, token: ctx.adminToken, ...spec };
  const path = writeFile(ctx, 'kubeconfig', kubeconfigYaml(full), 0o600);
  ctx.info.server = full.server;
  if (full.token) ctx.info.token = full.token;
  return { kubeconfig: path, env: { KUBECONFIG: path, ...env }, args: [] };
}

function api(ctx: ScenarioContext, o: Partial<ApiServerOptions> = {}) {
  return startLabApi(ctx, o);
}

/** Resolve when something accepts TCP on host:port (inside the namespace). */
export async function waitForPort(host: string, port: number, timeoutMs: number, proc?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((r) => {
      const s = net.connect({ host, port });
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    if (proc && proc.exitCode !== null) throw new Error(`process exited (code ${proc.exitCode}) before listening on ${host}:${port}`);
    if (Date.now() > deadline) throw new Error(`nothing listening on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** pids of running third-party peers (run.ts kills them synchronously on a crash) */
export const PEER_PIDS = new Set<number>();

/**
 * A third-party program, started through a tiny sh watchdog whose stdin is a pipe from the
 * lab: when the lab process dies in any way (even SIGKILL), the pipe closes, `read`
 * returns and the watchdog kills the peer. (PR_SET_PDEATHSIG is not enough: dnsmasq and
 * tinyproxy drop capabilities or change user, which clears it.)
 */
const WATCHDOG = '"$@" </dev/null & p=$!; echo $p >&3; exec 3>&-; read _ || true; kill $p 2>/dev/null; wait $p';

/** Real tinyproxy on LAB.tinyproxy:8888, allowing CONNECT to 443 and these ports. */
export async function startTinyproxy(ctx: ScenarioContext, connectPorts: number[] = []): Promise<void> {
  const conf = writeFile(
    ctx,
    'tinyproxy.conf',
    [
      // no User/Group: runs as root inside the lab's own namespaces
      `Port 8888`,
      `Listen ${LAB.tinyproxy}`,
      'Timeout 600',
      'LogLevel Info',
      'MaxClients 50',
      'Allow 127.0.0.1',
      'Allow 198.51.100.0/24',
      ...[443, ...connectPorts].map((p) => `ConnectPort ${p}`),
      'DisableViaHeader Yes',
      '',
    ].join('\n'),
  );
  const p = spawnPeer(ctx, 'tinyproxy', 'tinyproxy', ['-d', '-c', conf]);
  await waitForPort(LAB.tinyproxy, 8888, 5000, p);
}

/** Real mitmdump (mitmproxy) intercepting on LAB.mitmdump:8080, --ssl-insecure upstream; returns its CA's path. */
export async function startMitmdump(ctx: ScenarioContext): Promise<string> {
  const confdir = join(ctx.tmp, 'mitmproxy');
  mkdirSync(confdir, { recursive: true });
  const p = spawnPeer(ctx, 'mitmdump', 'mitmdump', [
    '--mode',
    'regular',
    '--listen-host',
    LAB.mitmdump,
    '--listen-port',
    '8080',
    '--set',
    `confdir=${confdir}`,
    '--ssl-insecure',
    '--quiet',
  ]);
  await waitForPort(LAB.mitmdump, 8080, 20_000, p);
  const ca = join(confdir, 'mitmproxy-ca-cert.pem');
  for (let i = 0; i < 100 && !existsSync(ca); i++) await new Promise((r) => setTimeout(r, 50));
  return ca;
}

export function spawnPeer(ctx: ScenarioContext, name: string, cmd: string, args: string[]): ChildProcess {
  const logPath = join(ctx.tmp, `${name}.log`);
  const log = createWriteStream(logPath);
  const p = spawn('sh', ['-c', WATCHDOG, 'lab-watchdog', cmd, ...args], {
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: join(ctx.tmp, 'home') },
  });
  p.stdout!.pipe(log, { end: false });
  p.stderr!.pipe(log, { end: false });
  p.stdin!.on('error', () => {});
  let peerPid: number | undefined;
  (p.stdio[3] as NodeJS.ReadableStream).on('data', (d: Buffer) => {
    peerPid = Number(d.toString().trim()) || undefined;
    if (peerPid) PEER_PIDS.add(peerPid);
  });
  p.once('exit', () => peerPid && PEER_PIDS.delete(peerPid));
  ctx.files[`${name}Log`] = logPath;
  ctx.onClose(
    () =>
      new Promise<void>((resolve) => {
        if (p.exitCode !== null || p.signalCode !== null) return resolve();
        const t = setTimeout(() => {
          if (peerPid) {
            try {
              process.kill(peerPid, 'SIGKILL');
            } catch {
              /* gone */
            }
          }
          p.kill('SIGKILL');
        }, 2000);
        p.once('exit', () => {
          clearTimeout(t);
          resolve();
        });
        p.stdin!.end(); // the watchdog kills the peer (SIGTERM) and waits for it
      }),
  );
  return p;
}

/** dnsmasq as the lab resolver: authoritative for lab.test, no upstream, no /etc/hosts. */
async function startDnsmasq(ctx: ScenarioContext, records: DnsRecords): Promise<void> {
  const args = [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--no-resolv',
    '--no-hosts',
    '--no-poll',
    '--pid-file=',
    '--user=root',
    '--bind-interfaces',
    `--listen-address=${LAB.dns}`,
    '--port=53',
    '--local=/lab.test/',
    '--log-queries',
    '--log-facility=-',
  ];
  for (const [name, r] of Object.entries(records)) {
    const addrs = [...(r.A ?? []), ...(r.AAAA ?? [])];
    if (addrs.length) args.push(`--host-record=${name},${addrs.join(',')}`);
    if (r.CNAME) args.push(`--cname=${name},${r.CNAME}`);
  }
  const p = spawnPeer(ctx, 'dnsmasq', 'dnsmasq', args);
  await waitForPort(LAB.dns, 53, 5000, p);
}

function certScenario(name: string, description: string, pick: (p: LabPki) => Pem): Scenario {
  return {
    name,
    description,
    async setup(ctx) {
      await api(ctx, { tls: pick(ctx.pki) });
      return kubeconfig(ctx);
    },
  };
}

function behaviourScenario(name: 'hang' | 'garbage' | 'trickle', description: string): Scenario {
  return {
    name,
    description,
    async setup(ctx) {
      await api(ctx, { behaviour: name === 'hang' ? 'hang-after-accept' : name });
      return kubeconfig(ctx);
    },
  };
}

// ---------------------------------------------------------------------------------------
// the scenarios

const INCIDENT_1_SERVER = `https://${LAB.noRoute}:10443`;

export const SCENARIOS: Scenario[] = [
  {
    name: 'healthy',
    description: `API at ${DEFAULT_SERVER} (good cert), admin token, no proxy`,
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx);
    },
  },
  {
    name: 'incident-1',
    description: `SPEC §1 incident 1: server ${INCIDENT_1_SERVER} (no route), HTTPS_PROXY=http://${LAB.interceptingProxy}:3128 intercepts TLS (CN=egress-proxy, no SANs), upstream ${LAB.api}:1 refused → 503`,
    async setup(ctx) {
      await api(ctx); // the cluster itself is healthy
      const p = await startInterceptingProxy({
        host: LAB.interceptingProxy,
        port: 3128,
        cert: ctx.pki.egressProxy,
        upstream: { host: LAB.api, port: 1 },
        allowTargets: 'any',
      });
      ctx.onClose(() => p.close());
      ctx.info.proxy = p.url;
      return kubeconfig(ctx, { server: INCIDENT_1_SERVER }, { HTTPS_PROXY: p.url });
    },
  },
  {
    name: 'incident-1-connect-503',
    description: `like incident-1, but the proxy at ${LAB.failingProxy}:3128 refuses the CONNECT itself: 503 + upstream connect error body`,
    async setup(ctx) {
      await api(ctx);
      const p = await startFailingProxy({ host: LAB.failingProxy, port: 3128, status: 503, body: ENVOY_REFUSED_BODY });
      ctx.onClose(() => p.close());
      ctx.info.proxy = p.url;
      return kubeconfig(ctx, { server: INCIDENT_1_SERVER }, { HTTPS_PROXY: p.url });
    },
  },
  {
    name: 'no-route',
    description: `incident-1's kubeconfig (${INCIDENT_1_SERVER}) with the proxy variables cleared: ENETUNREACH`,
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx, { server: INCIDENT_1_SERVER });
    },
  },
  {
    name: 'blackhole',
    description: `server https://${LAB.blackhole}:6443: packets silently dropped, connect times out`,
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx, { server: `https://${LAB.blackhole}:6443` });
    },
  },
  {
    name: 'refused',
    description: `server https://${LAB.api}:6553: nothing listens, connection refused`,
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx, { server: `https://${LAB.api}:6553` });
    },
  },
  certScenario('expired-cert', 'the API serves an expired certificate (expired 30 to 61 days ago)', (p) => p.serverExpired),
  certScenario('other-ca', 'the API serves a certificate from another CA', (p) => p.serverOtherCa),
  certScenario('name-mismatch', `the API serves a certificate for ${LAB.wrongName} only`, (p) => p.serverWrongName),
  certScenario('no-ip-san', 'direct, the API certificate has DNS SANs only (no IP SANs)', (p) => p.serverNoIpSan),
  certScenario('ecdsa', 'the API serves an ECDSA P-256 certificate', (p) => p.serverEcdsa),
  certScenario('expiring-soon', 'the API certificate expires in 10 to 11 days', (p) => p.serverExpiringSoon),
  certScenario('not-yet-valid', 'the API certificate is valid only from 10 days on', (p) => p.serverNotYetValid),
  {
    name: 'clock-skew',
    description: "the API server's clock runs 10 minutes ahead (Date header)",
    async setup(ctx) {
      await api(ctx, { clockOffsetSeconds: 600 });
      return kubeconfig(ctx);
    },
  },
  {
    name: 'livez-failing',
    description: 'livez check ping fails (the API server is not live)',
    async setup(ctx) {
      await api(ctx, { livezFailing: ['ping'] });
      return kubeconfig(ctx);
    },
  },
  {
    name: 'anonymous',
    description: 'the kubeconfig user has no credentials at all',
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx, { token: undefined });
    },
  },
  {
    name: 'proxy-denied',
    description: `HTTPS_PROXY=http://${LAB.failingProxy}:3128 forbids the CONNECT (403 with a policy page)`,
    async setup(ctx) {
      await api(ctx);
      const p = await startFailingProxy({ host: LAB.failingProxy, port: 3128, status: 403, body: 'Access denied by corporate policy: category "uncategorized" (rule 42)' });
      ctx.onClose(() => p.close());
      ctx.info.proxy = p.url;
      return kubeconfig(ctx, {}, { HTTPS_PROXY: p.url });
    },
  },
  {
    name: 'bad-token',
    description: 'the kubeconfig token is unknown to the API: 401 everywhere',
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx, { token: `lab-admin-token-invalid-${randomBytes(8).toString('hex')}` });
    },
  },
  {
    name: 'forbidden',
    description: 'valid token for user lab-viewer without RBAC rights: 403 on pods, endpointslices',
    async setup(ctx) {
      const token = `lab-viewer-token-${randomBytes(8).toString('hex')}`;
      await api(ctx, { tokens: { ...ctx.tokens, [token]: { user: 'lab-viewer', groups: [], rbac: 'none' } } });
      ctx.info.user = 'lab-viewer';
      return kubeconfig(ctx, { token });
    },
  },
  {
    name: 'client-cert',
    description: 'kubeconfig with client-certificate-data/client-key-data (CN=lab-admin, O=system:masters), no token',
    async setup(ctx) {
      await api(ctx);
      ctx.files.clientCert = writeFile(ctx, 'client.crt', ctx.pki.client.cert);
      ctx.files.clientKey = writeFile(ctx, 'client.key', ctx.pki.client.key, 0o600);
      return kubeconfig(ctx, { token: undefined, clientCert: ctx.pki.client });
    },
  },
  {
    name: 'v1-24',
    description: 'API version 1.24: SelfSubjectReview answers 404, clients fall back to SelfSubjectAccessReview',
    async setup(ctx) {
      await api(ctx, { version: '1.24' });
      return kubeconfig(ctx);
    },
  },
  {
    name: 'readyz-etcd',
    description: 'readyz check etcd failing: /readyz?verbose lists [-]etcd failed, 500',
    async setup(ctx) {
      await api(ctx, { readyzFailing: ['etcd'] });
      return kubeconfig(ctx);
    },
  },
  {
    name: 'no-proxy',
    description: `HTTPS_PROXY=http://${LAB.failingProxy}:3128 (a failing proxy) but NO_PROXY=198.51.100.0/24: direct, passes`,
    async setup(ctx) {
      await api(ctx);
      const p = await startFailingProxy({ host: LAB.failingProxy, port: 3128, status: 503, body: ENVOY_REFUSED_BODY });
      ctx.onClose(() => p.close());
      ctx.info.proxy = p.url;
      return kubeconfig(ctx, {}, { HTTPS_PROXY: p.url, NO_PROXY: '198.51.100.0/24' });
    },
  },
  {
    name: 'connect-proxy',
    description: `HTTPS_PROXY=http://${LAB.connectProxy}:3128 (the lab's plain CONNECT proxy): works end to end`,
    async setup(ctx) {
      await api(ctx);
      const p = await startConnectProxy({ host: LAB.connectProxy, port: 3128, allowTargets: 'any' });
      ctx.onClose(() => p.close());
      ctx.info.proxy = p.url;
      return kubeconfig(ctx, {}, { HTTPS_PROXY: p.url });
    },
  },
  {
    name: 'proxy-auth',
    description: `HTTPS_PROXY=http://${LAB.connectProxy}:3128 requires Basic auth (lab:secret) that the env lacks: 407`,
    async setup(ctx) {
      await api(ctx);
      const p = await startConnectProxy({ host: LAB.connectProxy, port: 3128, allowTargets: 'any', auth: { user: 'lab', pass: 'secret' } });
      ctx.onClose(() => p.close());
      ctx.info.proxy = p.url;
      ctx.info.proxyAuth = 'lab:secret';
      return kubeconfig(ctx, {}, { HTTPS_PROXY: p.url });
    },
  },
  {
    name: 'tinyproxy',
    description: `real tinyproxy on ${LAB.tinyproxy}:8888 (CONNECT to 6443 allowed); HTTPS_PROXY points to it; works end to end`,
    external: ['tinyproxy'],
    async setup(ctx) {
      await api(ctx);
      await startTinyproxy(ctx, [6443]);
      ctx.info.proxy = `http://${LAB.tinyproxy}:8888`;
      return kubeconfig(ctx, {}, { HTTPS_PROXY: `http://${LAB.tinyproxy}:8888` });
    },
  },
  {
    name: 'mitmdump',
    description: `real mitmdump (mitmproxy) intercepting on ${LAB.mitmdump}:8080, --ssl-insecure upstream; HTTPS_PROXY points to it; its CA is not the kubeconfig CA`,
    external: ['mitmdump'],
    async setup(ctx) {
      await api(ctx);
      ctx.files.mitmproxyCa = await startMitmdump(ctx);
      ctx.info.proxy = `http://${LAB.mitmdump}:8080`;
      return kubeconfig(ctx, {}, { HTTPS_PROXY: `http://${LAB.mitmdump}:8080` });
    },
  },
  {
    name: 'dns-name',
    description: `server https://api.lab.test:6443, resolved by the lab DNS (${LAB.dns}) to ${LAB.api}`,
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx, { server: 'https://api.lab.test:6443' });
    },
  },
  {
    name: 'dnsmasq',
    description: `like dns-name, but the lab DNS on ${LAB.dns}:53 is a real dnsmasq (NXDOMAIN for other *.lab.test names)`,
    external: ['dnsmasq'],
    dnsmasq: true,
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx, { server: 'https://api.lab.test:6443' });
    },
  },
  {
    name: 'nxdomain',
    description: 'server https://missing.lab.test:6443: NXDOMAIN',
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx, { server: 'https://missing.lab.test:6443' });
    },
  },
  {
    name: 'dns-timeout',
    description: `server https://${DNS_SILENT[0]}:6443: the lab DNS never answers that name`,
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx, { server: `https://${DNS_SILENT[0]}:6443` });
    },
  },
  {
    name: 'hosts-override',
    description: `server https://api-hosts.lab.test:6443, resolved by the lab /etc/hosts to ${LAB.api} (unknown to DNS)`,
    async setup(ctx) {
      await api(ctx);
      return kubeconfig(ctx, { server: 'https://api-hosts.lab.test:6443' });
    },
  },
  {
    name: 'endpoints-partial',
    description: `healthy, but the kubernetes EndpointSlice lists ${LAB.api} and ${LAB.blackhole2} (black-holed)`,
    async setup(ctx) {
      await api(ctx, { endpointSlice: { addresses: [LAB.api, LAB.blackhole2], port: API_PORT } });
      return kubeconfig(ctx);
    },
  },
  behaviourScenario('hang', `the API at ${DEFAULT_SERVER} accepts TCP and never sends a byte`),
  behaviourScenario('garbage', `the API at ${DEFAULT_SERVER} sends random non-TLS bytes`),
  behaviourScenario('trickle', `the API at ${DEFAULT_SERVER} completes TLS, then answers one byte every 500 ms`),
  // --- a dual-stack name, every address tried (issue 12 §5): test/lab/dual-stack-scenarios.ts
  ...DUAL_STACK_SCENARIOS,
  // --- server (issue 6): test/lab/server-scenarios.ts
  ...SERVER_SCENARIOS,
  // --- cert / ingress (issue 5): test/lab/ingress-scenarios.ts
  ...INGRESS_SCENARIOS,
  // --- egress (issue 4): test/lab/egress-scenarios.ts
  ...EGRESS_SCENARIOS,
  ...EGRESS_LOG_SCENARIOS,
  ...POLICY_SCENARIOS_2,
  // --- the REAL kube-apiserver v1.24 + etcd (issue 11): test/lab/real-scenarios.ts
  ...REAL_SCENARIOS,
  ...FLEET_SCENARIOS,
  // --- TLS paths (issue 12 §1, §2): test/lab/tls-scenarios.ts
  ...TLS_SCENARIOS,
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}

export interface RunningScenario extends ScenarioSetup {
  files: Record<string, string>;
  info: Record<string, unknown>;
  close(): Promise<void>;
}

/** Start a scenario (inside the namespace, after setupNamespace). */
export async function runScenario(name: string, tmp: string): Promise<RunningScenario> {
  const sc = findScenario(name);
  if (!sc) throw new Error(`unknown scenario ${JSON.stringify(name)} (try --list)`);
  const closers: Array<() => unknown> = [];
  const pki = labPki();
  const adminToken = `lab-admin-token-${randomBytes(12).toString('hex')}`;
  mkdirSync(join(tmp, 'home'), { recursive: true });
  const ctx: ScenarioContext = {
    tmp,
    pki,
    adminToken,
    tokens: { [adminToken]: { user: 'lab-admin', groups: ['lab-admins'], rbac: 'admin' } },
    onClose: (fn) => closers.push(fn),
    files: {},
    info: { scenario: sc.name, addresses: LAB },
  };
  const close = async () => {
    for (const fn of closers.reverse()) {
      try {
        await fn();
      } catch {
        /* best effort */
      }
    }
    closers.length = 0;
  };
  try {
    ctx.files.ca = writeFile(ctx, 'ca.crt', pki.ca.cert);
    const records = { ...DEFAULT_DNS_RECORDS, ...sc.dns };
    if (sc.dnsmasq) await startDnsmasq(ctx, records);
    else {
      const dns = await startDnsServer({ host: LAB.dns, port: 53, records, nxdomain: 'all-unknown', silent: DNS_SILENT });
      ctx.onClose(() => dns.close());
    }
    const setup = await sc.setup(ctx);
    return { ...setup, files: ctx.files, info: ctx.info, close };
  } catch (e) {
    await close();
    throw e;
  }
}
