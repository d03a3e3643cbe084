// served-host: the checks and context that the `cert` and `ingress` diagnoses share (not a diagnosis itself: each of those defines its own from these).
//
// This file: the served-certificate half of the context: the target, --ca-file and the one TLS
// handshake. Kept apart from the cluster half (./cluster-context.ts, which extends it) so that
// `kubectl netdiag cert HOST` without a kubeconfig loads no cluster code at all (start-up time).
import { Memo } from '../../engine/memo.ts';
import { readFileSync } from 'node:fs';
import type { X509Certificate } from 'node:crypto';
import { joinHostPort } from '../../net/ip.ts';
import { tlsHandshake, type TlsResult } from '../../net/tls.ts';
import { prefetchSystemStore } from '../../net/trust-store.ts';
import type { ConnectResult } from '../../net/connect.ts';
import { parsePemBundle } from '../../net/x509.ts';

/** What the served-certificate check needs of the options (HostClusterOptions adds the cluster part). */
export interface ServedHostOptions {
  host: string;
  /** HTTPS port of cert.tls (default 443) */
  port: number;
  sni?: string;
  caFile?: string;
  timeoutMs: number;
  env: Record<string, string | undefined>;
  now?: () => Date;
}

/** The cluster as the report sees it: none here; HostClusterContext's KubeClient otherwise. */
export interface ClusterView {
  readonly configured: boolean;
  readonly contextName: string | undefined;
}

const NO_CLUSTER: ClusterView = { configured: false, contextName: undefined };

/** The handshake, and how it reached HOST:PORT: directly, or through the proxy the environment names. */
export interface ServedTls extends TlsResult {
  /** "direct", or "proxy http://proxy:3128 (HTTPS_PROXY)" */
  via: string;
  /** the proxy used (password redacted) and the variable that named it */
  proxy?: { url: string; source: string; noProxy?: string };
  /** the CONNECT exchange with the proxy */
  connect?: ConnectResult;
}

/** Whether any variable that can name a proxy for an https:// URL is set (Go reads only these). */
function proxyEnvSet(env: Record<string, string | undefined>): boolean {
  return !!(env.HTTPS_PROXY || env.https_proxy);
}

export class ServedHostContext<O extends ServedHostOptions = ServedHostOptions> {
  readonly options: O;
  private readonly memo = new Memo();
  private caRead?: { roots?: X509Certificate[]; error?: string };

  constructor(options: O) {
    this.options = options;
  }

  /** none here; HostClusterContext returns its KubeClient */
  get cluster(): ClusterView {
    return NO_CLUSTER;
  }

  /** The cluster part of the report's target: none here. */
  /** The kubeconfig's CA when HOST:PORT is the kubeconfig's API server (cert.tls verifies against it, as api and kubectl do); none here. */
  kubeApiServerCa(): { roots: X509Certificate[]; server: string } | undefined {
    return undefined;
  }

  targetCluster(): { context?: string; cluster?: string; user?: string; server: string } | undefined {
    return undefined;
  }

  /** The kubeconfig files read, for the report's environment: null when none was looked at. */
  kubeconfigFiles(): string[] | null | undefined {
    return null;
  }

  get host(): string {
    return this.options.host;
  }

  get hostPort(): string {
    return joinHostPort(this.host, this.options.port);
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.memo.once(key, fn);
  }

  /** The roots of --ca-file, or the error reading them (read once). */
  caFile(): { roots?: X509Certificate[]; error?: string } | undefined {
    const f = this.options.caFile;
    if (!f) return undefined;
    if (!this.caRead) {
      try {
        this.caRead = { roots: parsePemBundle(readFileSync(f, 'utf8')) };
      } catch (e) {
        this.caRead = { error: (e as Error).message };
      }
    }
    return this.caRead;
  }

  /**
   * One handshake with HOST:PORT, SNI = --sni or the host, the way curl and kubectl get there:
   * through HTTPS_PROXY unless NO_PROXY excludes the host (Go's rules, ../../net/proxy.ts). The
   * proxy code loads only when a proxy variable is set.
   */
  tls(): Promise<ServedTls> {
    return this.once('tls', async (): Promise<ServedTls> => {
      // the system trust store (needed to judge any chain) is read while the server answers
      const onHelloSent = () => prefetchSystemStore(this.options.env);
      const hs = { host: this.host, port: this.options.port, servername: this.options.sni, timeoutMs: this.timeoutMs, onHelloSent };
      if (!proxyEnvSet(this.options.env)) return { ...(await tlsHandshake(hs)), via: 'direct' };
      const [{ selectProxy }, { httpConnect }, { redactUrl }] = await Promise.all([import('../../net/proxy.ts'), import('../../net/connect.ts'), import('../../report/redact.ts')]);
      const d = selectProxy(new URL(`https://${this.hostPort}`), this.options.env);
      if (!d.proxy) return { ...(await tlsHandshake(hs)), via: 'direct' };
      const proxy = { url: redactUrl(d.proxy), source: d.source, ...(d.noProxy ? { noProxy: d.noProxy } : {}) };
      const via = `proxy ${proxy.url} (${d.source})`;
      const connect = await httpConnect(d.proxy, this.host, this.options.port, { timeoutMs: this.timeoutMs });
      if (!connect.ok || !connect.socket) {
        const { socket: _s, ...shown } = connect;
        return {
          ok: false,
          durationMs: connect.durationMs,
          chain: [],
          certificates: [],
          error: connect.error ?? { kind: 'other', message: `the proxy answered ${connect.statusLine ?? 'without a status line'}` },
          via,
          proxy,
          connect: shown,
        };
      }
      const { socket, ...shown } = connect;
      return { ...(await tlsHandshake({ ...hs, socket })), via, proxy, connect: shown };
    });
  }
}
