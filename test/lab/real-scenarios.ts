/**
 * The lab scenarios of the REAL kube-apiserver (see real-apiserver.ts for the servers, users and
 * kubeconfig cases). Separate from real-apiserver.ts because it needs spawnPeer/waitForPort from
 * scenarios.ts, which imports this file: tests import real-apiserver.ts, never this one.
 */
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  apiserverFlags,
  CASES,
  createBrokenApiService,
  ipBatch,
  kubeApiserverBinary,
  MAIN_URL,
  REAL,
  REAL_EXTRA_ADDRESSES,
  REAL_MTU_RULE,
  REAL_URLS,
  REAL_USERS,
  realKubeconfig,
  realPki,
  waitReady,
  type KubeconfigCase,
  type RealCase,
  type ServerSpec,
} from './real-apiserver.ts';
import { LAB } from './netns.ts';
import { PEER_PIDS, spawnPeer, waitForPort, type Scenario, type ScenarioContext, type ScenarioSetup } from './scenarios.ts';

/** ~14 s on an idle 2-core machine, 50-70 s while other suites run: generous on purpose */
export const READY_TIMEOUT_MS = Number(process.env.NETDIAG_REAL_READY_MS ?? 240_000);

async function setupReal(ctx: ScenarioContext, aggregated: boolean): Promise<ScenarioSetup> {
  const t0 = Date.now();
  const bin = await kubeApiserverBinary();
  ipBatch(REAL_EXTRA_ADDRESSES.map((a) => `addr add ${a}/32 dev lab0`));
  const pki = realPki();
  const dir = join(ctx.tmp, 'real');
  mkdirSync(join(dir, 'etcd'), { recursive: true, mode: 0o700 });
  const w = (name: string, content: string, mode = 0o600) => {
    const p = join(dir, name);
    writeFileSync(p, content, { mode });
    return p;
  };
  ctx.files.ca = w('ca.crt', pki.ca.cert, 0o644);
  ctx.files.otherCa = w('other-ca.crt', pki.otherCa.cert, 0o644);
  const sa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  w('sa.key', sa.privateKey.export({ type: 'pkcs1', format: 'pem' }).toString());
  w('sa.pub', sa.publicKey.export({ type: 'spki', format: 'pem' }).toString(), 0o644);
  const adminToken = `lab-admin-token-${randomBytes(12).toString('hex')}`;
  const viewerToken = `netdiag-viewer-token-${randomBytes(12).toString('hex')}`;
  const badToken = `unknown-token-${randomBytes(12).toString('hex')}`;
  w('tokens.csv', [`${adminToken},${REAL_USERS.admin},uid-admin,"system:masters"`, `${viewerToken},${REAL_USERS.viewer},uid-viewer`, ''].join('\n'));
  ctx.files.clientCert = w('client.crt', pki.certAdmin.cert, 0o644);
  ctx.files.clientKey = w('client.key', pki.certAdmin.key);

  const servers: ServerSpec[] = [
    { name: 'main', ...REAL.main, tls: pki.main },
    { name: 'dead-adv', ...REAL.deadAdv, tls: pki.deadAdv },
    { name: 'cert-gap', ...REAL.certGap, tls: pki.certGap },
    { name: 'loopback', ...REAL.loopback, tls: pki.loopback },
  ];
  for (const s of servers) {
    w(`${s.name}.crt`, s.tls.cert, 0o644);
    w(`${s.name}.key`, s.tls.key);
  }

  // etcd (Debian's etcd-server, 3.4), loopback of the lab namespace
  const before = new Set(PEER_PIDS);
  const etcd = spawnPeer(ctx, 'etcd', 'etcd', [
    '--name=lab',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${REAL.etcd}`,
    `--advertise-client-urls=${REAL.etcd}`,
    '--listen-peer-urls=http://127.0.0.1:2380',
    '--initial-advertise-peer-urls=http://127.0.0.1:2380',
    '--initial-cluster=lab=http://127.0.0.1:2380',
    '--log-level=warn',
  ]);
  await waitForPort('127.0.0.1', 2379, 15_000, etcd);
  const tEtcd = Date.now() - t0;

  const flags: Record<string, string[]> = {};
  const readyMs: Record<string, number> = {};
  const procs = servers.map((s) => {
    flags[s.name] = apiserverFlags(s, dir);
    return spawnPeer(ctx, `kube-apiserver-${s.name}`, bin, flags[s.name]);
  });
  // closers run in reverse order, so this one runs FIRST: SIGKILL etcd and the API servers (their
  // graceful SIGTERM shutdown takes seconds, and their state lives in the lab's tmpdir anyway)
  ctx.onClose(() => {
    for (const pid of PEER_PIDS) {
      if (before.has(pid)) continue;
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  });
  await Promise.all(
    servers.map(async (s, i) => {
      const p = procs[i];
      const dial = s.bind === '0.0.0.0' ? REAL.certGap.dial : s.bind;
      const alive = () => (p.exitCode !== null ? `kube-apiserver ${s.name} exited (code ${p.exitCode}); see ${ctx.files[`kube-apiserver-${s.name}Log`]}` : undefined);
      readyMs[s.name] = await waitReady(`https://${dial}:${s.port}`, pki.ca.cert, adminToken, READY_TIMEOUT_MS, alive);
    }),
  );

  if (aggregated) ctx.info.apiService = await createBrokenApiService(pki.ca.cert, adminToken);

  const kc: Record<RealCase, KubeconfigCase> = {
    token: { server: MAIN_URL, ca: pki.ca.cert, token: adminToken, userEntry: 'admin' },
    cert: { server: MAIN_URL, ca: pki.ca.cert, clientCert: pki.certAdmin, userEntry: 'cert-admin' },
    viewer: { server: MAIN_URL, ca: pki.ca.cert, token: viewerToken, userEntry: 'viewer' },
    'bad-token': { server: MAIN_URL, ca: pki.ca.cert, token: badToken, userEntry: 'stale' },
    'no-creds': { server: MAIN_URL, ca: pki.ca.cert, userEntry: 'nobody' },
    'other-ca': { server: MAIN_URL, ca: pki.otherCa.cert, token: adminToken, userEntry: 'admin' },
    'bad-server-name': { server: MAIN_URL, ca: pki.ca.cert, token: adminToken, tlsServerName: 'wrong.lab.test', userEntry: 'admin' },
    'dead-advertise': { server: REAL_URLS.deadAdv, ca: pki.ca.cert, token: adminToken, userEntry: 'admin' },
    'cert-gap': { server: REAL_URLS.certGap, ca: pki.ca.cert, token: adminToken, userEntry: 'admin' },
    loopback: { server: REAL_URLS.loopback, ca: pki.ca.cert, token: adminToken, userEntry: 'admin' },
    'dns-name': { server: 'https://api.lab.test:6443', ca: pki.ca.cert, token: adminToken, userEntry: 'admin' },
  };
  // a resolv.conf whose only server has no route (ENETUNREACH on the resolver's socket): bind-mount
  // it over /etc/resolv.conf in a child mount namespace (unshare -m) to use it
  ctx.files.resolvNoRoute = w('resolv-noroute.conf', `nameserver ${LAB.noRoute}\noptions timeout:2 attempts:1\n`, 0o644);
  for (const c of CASES) ctx.files[`kc-${c}`] = w(`kubeconfig-${c}`, realKubeconfig(`real-${c}`, kc[c]));
  // not a CASE (phase 1 runs every case): only meaningful with REAL_MTU_RULE in place
  ctx.files['kc-mtu'] = w('kubeconfig-mtu', realKubeconfig('real-mtu', { server: REAL_URLS.mtu, ca: pki.ca.cert, token: adminToken, userEntry: 'admin' }));

  Object.assign(ctx.info, {
    server: MAIN_URL,
    urls: REAL_URLS,
    token: adminToken,
    viewerToken,
    badToken,
    users: REAL_USERS,
    flags,
    startup: { etcdMs: tEtcd, readyMs, totalMs: Date.now() - t0 },
    /** etcd and the API servers (killed with the lab) */
    pids: [...PEER_PIDS].filter((pid) => !before.has(pid)),
  });
  const kubeconfig = ctx.files['kc-token'];
  return { kubeconfig, env: { KUBECONFIG: kubeconfig }, args: [] };
}

/** REAL_MTU_RULE in the lab namespace, removed with the lab. */
function addRealMtuBlackhole(ctx: ScenarioContext): void {
  execFileSync('iptables', ['-w', '-A', ...REAL_MTU_RULE], { stdio: 'ignore' });
  ctx.onClose(() => {
    try {
      execFileSync('iptables', ['-w', '-D', ...REAL_MTU_RULE], { stdio: 'ignore' });
    } catch {
      /* gone with the namespace */
    }
  });
}

export const REAL_SCENARIOS: Scenario[] = [
  {
    name: 'real-apiserver',
    description:
      `REAL kube-apiserver v1.24.0 + etcd: main ${MAIN_URL} (healthy), dead-adv ${REAL_URLS.deadAdv} (advertises ${REAL.deadAdv.advertise}, nothing listens), ` +
      `cert-gap ${REAL_URLS.certGap} (advertises ${REAL.certGap.advertise}, not in its certificate), loopback ${REAL_URLS.loopback} (no endpoints); kubeconfigs files.kc-<case>: ${CASES.join(', ')}`,
    external: ['etcd', 'kube-apiserver'],
    setup: (ctx) => setupReal(ctx, false),
  },
  {
    name: 'real-apiserver-mtu',
    description: `real-apiserver plus a path-MTU black hole: every packet over 1000 bytes from the real server at ${REAL_URLS.mtu} is dropped (iptables -m length); kubeconfig files.kc-mtu`,
    external: ['etcd', 'kube-apiserver', 'iptables'],
    async setup(ctx) {
      const s = await setupReal(ctx, false);
      addRealMtuBlackhole(ctx);
      return { ...s, kubeconfig: ctx.files['kc-mtu']!, env: { KUBECONFIG: ctx.files['kc-mtu']! } };
    },
  },
  {
    name: 'real-apiserver-aggregated',
    description: 'real-apiserver plus APIService v1beta1.metrics.k8s.io on main → kube-system/metrics-server, a Service without endpoints (not Available)',
    external: ['etcd', 'kube-apiserver'],
    setup: (ctx) => setupReal(ctx, true),
  },
];
