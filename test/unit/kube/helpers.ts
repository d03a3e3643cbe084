// Shared fixtures for the kubeconfig tests: temp dirs, PEMs, kubectl as the
// oracle, and an https server that records what kubectl really sends.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync, chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { AddressInfo } from 'node:net';

export const KUBECTL = '/usr/bin/kubectl';
export const BASE_PATH = '/usr/local/bin:/usr/bin:/bin';

const cleanups: string[] = [];

export function tempDir(prefix = 'netdiag-kube-'): string {
  const d = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(d);
  return d;
}

export function cleanupTempDirs(): void {
  for (const d of cleanups.splice(0)) rmSync(d, { recursive: true, force: true });
}

export function write(path: string, content: string, mode?: number): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
  if (mode !== undefined) chmodSync(path, mode);
  return path;
}

/** A kubeconfig whose one context `lab` reaches `server` with a token user, trusting `caPem`; in a temp dir of its own. */
export function oneContextKubeconfig(server: string, caPem: string, prefix = 'netdiag-kc-'): { file: string; dir: string } {
  const dir = tempDir(prefix);
  const file = write(
    join(dir, 'config'),
    `apiVersion: v1
kind: Config
clusters: [{name: lab, cluster: {server: "${server}", certificate-authority-data: ${Buffer.from(caPem).toString('base64')}}}]
users: [{name: u, user: {token: abcdefgh12345678}}]
contexts: [{name: lab, context: {cluster: lab, user: u}}]
current-context: lab
`,
  );
  return { file, dir };
}

export function b64(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64');
}

export interface Pems {
  /** Self-signed server certificate for 127.0.0.1 / localhost / api.internal; also its own CA. */
  serverCert: string;
  serverKey: string;
  /** Another unrelated CA. */
  otherCa: string;
  clientCert: string;
  clientKey: string;
  clientFingerprint: string;
}

let pemCache: Pems | undefined;

export function pems(): Pems {
  if (pemCache) return pemCache;
  const d = tempDir('netdiag-pem-');
  const gen = (name: string, subj: string, extra: string[] = []) => {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', subj, '-days', '1',
      '-keyout', join(d, `${name}.key`), '-out', join(d, `${name}.crt`), ...extra,
    ], { stdio: 'ignore' });
    return { cert: readText(join(d, `${name}.crt`)), key: readText(join(d, `${name}.key`)) };
  };
  const server = gen('server', '/CN=test-apiserver', ['-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:api.internal']);
  const other = gen('other', '/CN=other-ca');
  const client = gen('client', '/CN=tester/O=testers');
  pemCache = {
    serverCert: server.cert,
    serverKey: server.key,
    otherCa: other.cert,
    clientCert: client.cert,
    clientKey: client.key,
    clientFingerprint: new X509Certificate(client.cert).fingerprint256,
  };
  return pemCache;
}

function readText(p: string): string {
  return execFileSync('cat', [p], { encoding: 'utf8' });
}

export interface KubectlEnv { HOME: string; KUBECONFIG?: string }

function kubectlEnv(env: KubectlEnv): Record<string, string> {
  const e: Record<string, string> = { PATH: BASE_PATH, HOME: env.HOME };
  if (env.KUBECONFIG !== undefined) e.KUBECONFIG = env.KUBECONFIG;
  return e;
}

export interface KubectlResult { status: number; stdout: string; stderr: string }

export function kubectlSync(env: KubectlEnv, args: string[], cwd?: string): KubectlResult {
  try {
    const stdout = execFileSync(KUBECTL, args, { env: kubectlEnv(env), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], cwd, timeout: 20_000 });
    return { status: 0, stdout, stderr: '' };
  } catch (err) {
    const e = err as { status?: number; stdout?: string; stderr?: string };
    return { status: e.status ?? -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export function kubectlAsync(env: KubectlEnv, args: string[], cwd?: string): Promise<KubectlResult> {
  return new Promise((resolve) => {
    execFile(KUBECTL, args, { env: kubectlEnv(env), encoding: 'utf8', cwd, timeout: 20_000 }, (err, stdout, stderr) => {
      const status = err ? ((err as { code?: unknown }).code as number | undefined) ?? -1 : 0;
      resolve({ status: typeof status === 'number' ? status : -1, stdout, stderr });
    });
  });
}

export interface MinifiedView {
  'current-context'?: string;
  clusters?: { name: string; cluster: Record<string, unknown> }[];
  users?: { name: string; user: Record<string, unknown> }[] | null;
  contexts?: { name: string; context: Record<string, string> }[];
}

/**
 * `kubectl config view --minify --flatten --raw -o json`, or throws with kubectl's stderr.
 * Async: the gcloud kubectl dispatcher probes the server's /version first, and
 * the oracle server runs in this process.
 */
export async function kubectlView(env: KubectlEnv, flags: string[] = []): Promise<MinifiedView> {
  const r = await kubectlAsync(env, ['config', 'view', '--minify', '--flatten', '--raw', '-o', 'json', ...flags]);
  if (r.status !== 0) throw new Error(`kubectl config view failed: ${r.stderr.trim()}`);
  return JSON.parse(r.stdout) as MinifiedView;
}

/**
 * A command that builds kubectl's full client config (validation included)
 * without talking to a server: `kubectl create configmap --dry-run=client`.
 */
export function kubectlClientConfig(env: KubectlEnv, flags: string[] = []): KubectlResult {
  return kubectlSync(env, ['create', 'configmap', 'netdiag-probe', '--dry-run=client', '-o', 'name', ...flags]);
}

export interface RecordedRequest { path: string; authorization?: string; clientCertFingerprint?: string }

export interface OracleServer { port: number; url: string; requests: RecordedRequest[]; close(): Promise<void> }

/** An https "API server" on 127.0.0.1 that records the credentials each request carried. */
export async function startOracleServer(): Promise<OracleServer> {
  const p = pems();
  const requests: RecordedRequest[] = [];
  const server: Server = createServer({ key: p.serverKey, cert: p.serverCert, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const sock = req.socket as TLSSocket;
    const peer = sock.getPeerCertificate();
    const rec: RecordedRequest = { path: req.url ?? '' };
    if (req.headers.authorization) rec.authorization = req.headers.authorization;
    if (peer && peer.fingerprint256) rec.clientCertFingerprint = peer.fingerprint256;
    requests.push(rec);
    const body = JSON.stringify({ major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `https://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

/** Runs `kubectl get --raw /version` and returns the credentials of the last request the oracle server saw. */
export async function kubectlRequest(srv: OracleServer, env: KubectlEnv, flags: string[] = [], cwd?: string): Promise<{ result: KubectlResult; request?: RecordedRequest }> {
  const before = srv.requests.length;
  const result = await kubectlAsync(env, ['get', '--raw', '/version', '--request-timeout=10s', ...flags], cwd);
  const seen = srv.requests.slice(before);
  return { result, request: seen[seen.length - 1] };
}

export const decode64 = (s: unknown): string => Buffer.from(String(s), 'base64').toString('utf8');
