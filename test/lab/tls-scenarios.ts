/**
 * Issue 12 §1 and §2: TLS paths the fake API server alone cannot show. Registered in
 * scenarios.ts, which imports this file (value imports from it are used only at setup time).
 *  - tls-mtu-blackhole: the fake API server behind a path that drops every packet over 1000
 *    bytes from the server (iptables -m length), so small answers pass and the certificate
 *    flight never arrives;
 *  - tls-slow-handshake: a real TLS server whose handshake starts 1.2 s after the connection;
 *  - tls-transparent-mitm: real mitmdump in reverse mode on the dialled address, no proxy
 *    variable, the genuine API server behind it; its CA in the namespace's trust store
 *    (SSL_CERT_FILE) as a company's device management would install it.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { dump } from 'js-yaml';
import { startLabApi, API_PORT } from './lab-api.ts';
import { LAB } from './netns.ts';
import { kubeconfig, spawnPeer, waitForPort, type Scenario, type ScenarioContext, type ScenarioSetup } from './scenarios.ts';

export const TLS_SLOW_DELAY_MS = 1200;


function iptables(args: string[]): void {
  execFileSync('iptables', ['-w', ...args], { stdio: 'ignore' });
}

export const TLS_SCENARIOS: Scenario[] = [
  {
    name: 'tls-mtu-blackhole',
    description: `the API at ${LAB.api}:${API_PORT}; every packet over 1000 bytes from it is dropped (iptables -m length): a path-MTU black hole`,
    external: ['iptables'],
    async setup(ctx) {
      await startLabApi(ctx, {});
      const rule = ['OUTPUT', '-s', LAB.api, '-p', 'tcp', '--sport', String(API_PORT), '-m', 'length', '--length', '1000:65535', '-j', 'DROP'];
      iptables(['-A', ...rule]);
      ctx.onClose(() => {
        try {
          iptables(['-D', ...rule]);
        } catch {
          /* gone with the namespace */
        }
      });
      return kubeconfig(ctx, { server: `https://${LAB.api}:${API_PORT}` });
    },
  },
  {
    name: 'tls-slow-handshake',
    description: `a TLS server at ${LAB.api}:${API_PORT} whose handshake starts ${TLS_SLOW_DELAY_MS} ms after the connection`,
    async setup(ctx) {
      const t = tls.createServer({ cert: ctx.pki.server.cert, key: ctx.pki.server.key });
      t.on('tlsClientError', () => {});
      t.on('secureConnection', (s) => s.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n'));
      const held = new Set<net.Socket>();
      const s = net.createServer((c) => {
        held.add(c);
        c.on('error', () => {});
        c.on('close', () => held.delete(c));
        setTimeout(() => t.emit('connection', c), TLS_SLOW_DELAY_MS);
      });
      await new Promise<void>((r) => s.listen(API_PORT, LAB.api, () => r()));
      ctx.onClose(() => {
        for (const c of held) c.destroy();
        s.close();
      });
      return kubeconfig(ctx, { server: `https://${LAB.api}:${API_PORT}` });
    },
  },
  {
    name: 'tls-transparent-mitm',
    description: `real mitmdump (reverse mode) on ${LAB.api}:${API_PORT} in front of the API at ${LAB.api2}:${API_PORT}; no proxy variable; its CA in the namespace's trust store (SSL_CERT_FILE)`,
    external: ['mitmdump'],
    async setup(ctx) {
      await startLabApi(ctx, { host: LAB.api2 });
      const confdir = join(ctx.tmp, 'mitmproxy');
      mkdirSync(confdir, { recursive: true });
      const p = spawnPeer(ctx, 'mitmdump', 'mitmdump', [
        '--mode',
        `reverse:https://${LAB.api2}:${API_PORT}`,
        '--listen-host',
        LAB.api,
        '--listen-port',
        String(API_PORT),
        '--set',
        `confdir=${confdir}`,
        '--ssl-insecure',
        '--quiet',
      ]);
      await waitForPort(LAB.api, API_PORT, 20_000, p);
      const ca = join(confdir, 'mitmproxy-ca-cert.pem');
      for (let i = 0; i < 100 && !existsSync(ca); i++) await new Promise((r) => setTimeout(r, 50));
      // the namespace's trust store: the lab CA's unrelated root plus the interceptor's CA
      const store = join(ctx.tmp, 'ca-certificates.crt');
      writeFileSync(store, readFileSync(ca, 'utf8'));
      ctx.files.mitmCa = ca;
      ctx.files.trustStore = store;
      return kubeconfig(ctx, { server: `https://${LAB.api}:${API_PORT}` }, { SSL_CERT_FILE: store, SSL_CERT_DIR: join(ctx.tmp, 'no-cert-dir') });
    },
  },
];
