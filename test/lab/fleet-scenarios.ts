/**
 * Lab scenarios of `--all-contexts` (issue 15): appended to SCENARIOS in scenarios.ts.
 * Self-contained (only type imports from scenarios.ts, which imports this file).
 *
 *  - fleet-200: one kubeconfig with 200 contexts:
 *      110 healthy on 5 fake API servers (198.51.100.10:6443-6445, 198.51.100.11:6443-6444;
 *          22 each, prefix `ok-`),
 *       50 black-holed (192.0.2.10:6443, `bh-`),
 *       10 unroutable (203.0.113.10:6443, `nr-`),
 *       10 intercepted (proxy-url http://198.51.100.21:3128, a TLS-intercepting proxy, `mitm-`),
 *       10 with a token the server rejects (401, `bad-`),
 *        5 whose exec credential plugin waits for a browser login that never comes (`exec-hang-`),
 *        5 whose exec plugin has interactiveMode Always (wants a terminal, `exec-tty-`).
 *  - fleet-6: six of those for the TUI's fleet screen (test/e2e/fleet-tui.test.ts).
 *  - fleet-healthy-200: 200 healthy contexts on the same 5 servers (40 each), for the bench.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { startLabApi } from './lab-api.ts';
import { LAB } from './netns.ts';
import { startInterceptingProxy } from './proxies.ts';
import type { Scenario, ScenarioContext, ScenarioSetup } from './scenarios.ts';

export const FLEET_SERVERS = [
  { host: LAB.api, port: 6443 },
  { host: LAB.api, port: 6444 },
  { host: LAB.api, port: 6445 },
  { host: LAB.api2, port: 6443 },
  { host: LAB.api2, port: 6444 },
];

/** group name → how many contexts of fleet-200 */
export const FLEET_200 = { ok: 110, bh: 50, nr: 10, mitm: 10, bad: 10, 'exec-hang': 5, 'exec-tty': 5 } as const;

interface Ctx {
  name: string;
  server: string;
  proxyUrl?: string;
  user: Record<string, unknown>;
}

function writeKubeconfig(ctx: ScenarioContext, contexts: Ctx[]): ScenarioSetup {
  const ca = Buffer.from(ctx.pki.ca.cert).toString('base64');
  const cfg = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: contexts.map((c) => ({ name: c.name, cluster: { server: c.server, 'certificate-authority-data': ca, ...(c.proxyUrl ? { 'proxy-url': c.proxyUrl } : {}) } })),
    users: contexts.map((c) => ({ name: c.name, user: c.user })),
    contexts: contexts.map((c) => ({ name: c.name, context: { cluster: c.name, user: c.name, namespace: 'default' } })),
    'current-context': contexts[0]!.name,
    preferences: {},
  };
  const path = join(ctx.tmp, 'kubeconfig');
  writeFileSync(path, dump(cfg, { lineWidth: -1 }), { mode: 0o600 });
  ctx.info.contexts = contexts.length;
  return { kubeconfig: path, env: { KUBECONFIG: path }, args: [] };
}

async function startServers(ctx: ScenarioContext): Promise<string[]> {
  // no request log: 200 contexts make thousands of lines
  await Promise.all(FLEET_SERVERS.map((s) => startLabApi(ctx, { host: s.host, port: s.port, log: () => {} })));
  return FLEET_SERVERS.map((s) => `https://${s.host}:${s.port}`);
}

const pad = (i: number) => String(i).padStart(3, '0');

export const FLEET_SCENARIOS: Scenario[] = [
  {
    name: 'fleet-200',
    description: '200 contexts: 110 healthy on 5 servers, 50 black-holed, 10 unroutable, 10 TLS-intercepted, 10 rejected (401), 5 hanging and 5 interactive exec plugins',
    async setup(ctx) {
      const servers = await startServers(ctx);
      const p = await startInterceptingProxy({ host: LAB.interceptingProxy, port: 3128, cert: ctx.pki.egressProxy, upstream: 'as-requested', allowTargets: 'any' });
      ctx.onClose(() => p.close());
      const hang = join(ctx.tmp, 'browser-login.sh');
      writeFileSync(hang, '#!/bin/sh\necho "Opening https://login.example.test/device in your browser; waiting for the login to finish" >&2\nexec sleep 600\n', { mode: 0o755 });
      const token = { token: ctx.adminToken };
      const contexts: Ctx[] = [];
      for (let i = 0; i < FLEET_200.ok; i++) contexts.push({ name: `ok-${pad(i)}`, server: servers[i % servers.length]!, user: token });
      for (let i = 0; i < FLEET_200.bh; i++) contexts.push({ name: `bh-${pad(i)}`, server: `https://${LAB.blackhole}:6443`, user: token });
      for (let i = 0; i < FLEET_200.nr; i++) contexts.push({ name: `nr-${pad(i)}`, server: `https://${LAB.noRoute}:6443`, user: token });
      for (let i = 0; i < FLEET_200.mitm; i++) contexts.push({ name: `mitm-${pad(i)}`, server: servers[0]!, proxyUrl: p.url, user: token });
      for (let i = 0; i < FLEET_200.bad; i++) contexts.push({ name: `bad-${pad(i)}`, server: servers[1]!, user: { token: `revoked-token-${i}` } });
      for (let i = 0; i < FLEET_200['exec-hang']; i++) {
        contexts.push({ name: `exec-hang-${pad(i)}`, server: servers[2]!, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: hang, interactiveMode: 'IfAvailable', provideClusterInfo: false } } });
      }
      for (let i = 0; i < FLEET_200['exec-tty']; i++) {
        contexts.push({ name: `exec-tty-${pad(i)}`, server: servers[3]!, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: hang, interactiveMode: 'Always', provideClusterInfo: false } } });
      }
      ctx.info.proxy = p.url;
      return writeKubeconfig(ctx, contexts);
    },
  },
  {
    name: 'fleet-6',
    description: '6 contexts for the TUI fleet screen: 3 healthy on 3 servers, 1 black-holed, 1 rejected (401), 1 hanging exec plugin',
    async setup(ctx) {
      const servers = await startServers(ctx);
      const hang = join(ctx.tmp, 'browser-login.sh');
      writeFileSync(hang, '#!/bin/sh\necho "Opening https://login.example.test/device in your browser" >&2\nexec sleep 600\n', { mode: 0o755 });
      const token = { token: ctx.adminToken };
      return writeKubeconfig(ctx, [
        { name: 'ok-000', server: servers[0]!, user: token },
        { name: 'ok-001', server: servers[1]!, user: token },
        { name: 'ok-002', server: servers[3]!, user: token },
        { name: 'bh-000', server: `https://${LAB.blackhole}:6443`, user: token },
        { name: 'bad-000', server: servers[1]!, user: { token: 'revoked-token-0' } },
        { name: 'exec-hang-000', server: servers[2]!, user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: hang, interactiveMode: 'IfAvailable', provideClusterInfo: false } } },
      ]);
    },
  },
  {
    name: 'fleet-healthy-200',
    description: '200 healthy contexts on 5 fake API servers (40 each)',
    async setup(ctx) {
      const servers = await startServers(ctx);
      const contexts: Ctx[] = [];
      for (let i = 0; i < 200; i++) contexts.push({ name: `ok-${pad(i)}`, server: servers[i % servers.length]!, user: { token: ctx.adminToken } });
      return writeKubeconfig(ctx, contexts);
    },
  },
];
