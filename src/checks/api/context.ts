// The shared state of one `api` diagnosis: the resolved kubeconfig and memoised network steps,
// so that one DNS lookup, one TCP probe and one handshake feed every check that needs them.
import { Memo } from '../memo.ts';
import type { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { KubeconfigError, loadKubeconfig, type KubeconfigOptions, type ResolvedKubeconfig } from '../../kube/kubeconfig.ts';
import { ExecPluginError, getCredentials, type Credentials } from '../../kube/credentials.ts';
import { resolveHost, type DnsResult } from '../../net/dns.ts';
import { selectProxy, type ProxyDecision } from '../../net/proxy.ts';
import { openTcp, tcpProbe, type NetError, type TcpResult } from '../../net/tcp.ts';
import { httpConnect, type ConnectResult } from '../../net/connect.ts';
import { tlsHandshake, type TlsResult } from '../../net/tls.ts';
import { parsePemBundle, verifyChain, type VerifyResult } from '../../net/x509.ts';
import { httpRequest, type HttpResult } from '../../net/http.ts';
import type { Redactor } from '../../report/redact.ts';

export interface ApiOptions {
  kubeconfig: KubeconfigOptions;
  /** Deadline of one network probe (--timeout). */
  timeoutMs: number;
  /** Deadline of one API request (--request-timeout, else --timeout). */
  requestTimeoutMs: number;
  /** Extra addresses of the API server to probe (--endpoint). */
  endpoints: string[];
  env: Record<string, string | undefined>;
  hostsPath?: string;
  redactor: Redactor;
  now?: () => Date;
}

export interface Dialled {
  socket?: Socket;
  /** Where the bytes went: "198.51.100.10:6443" or "proxy http://p:3128 → host:port". */
  via: string;
  error?: NetError;
  connect?: ConnectResult;
}

export interface TlsOutcome {
  tls: TlsResult;
  verify?: VerifyResult;
  /** The name the certificate is checked against: tls-server-name, else the URL host. */
  serverName: string;
  caError?: string;
  roots?: X509Certificate[];
  /**
   * Through a proxy only: an anonymous GET /version sent inside the tunnel right after the
   * handshake (never with credentials), to learn what answers behind the proxy: the API server,
   * or an intercepting proxy that cannot reach it (503 upstream connect error).
   */
  tunnelProbe?: HttpResult;
}

export class ApiContext {
  readonly options: ApiOptions;
  readonly kube?: ResolvedKubeconfig;
  readonly kubeError?: KubeconfigError;
  private readonly memo = new Memo();

  constructor(options: ApiOptions) {
    this.options = options;
    try {
      this.kube = loadKubeconfig(options.kubeconfig);
      const r = options.redactor;
      r.add(this.kube.user.token);
      r.add(this.kube.user.password);
      r.add(this.kube.user.clientKeyPem);
      if (this.kube.cluster.proxyUrl) {
        try {
          r.add(decodeURIComponent(new URL(this.kube.cluster.proxyUrl).password));
        } catch {
          // unparsable proxy-url: reported by api.proxy
        }
      }
    } catch (err) {
      if (err instanceof KubeconfigError) this.kubeError = err;
      else throw err;
    }
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
      const v = options.env[name];
      if (!v) continue;
      try {
        const u = new URL(v.includes('://') ? v : `http://${v}`);
        if (u.password) options.redactor.add(decodeURIComponent(u.password));
      } catch {
        // reported by api.proxy
      }
    }
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

  /** The resolved kubeconfig; checks that run after api.kubeconfig passed may rely on it. */
  get config(): ResolvedKubeconfig {
    if (!this.kube) throw new Error('kubeconfig was not resolved');
    return this.kube;
  }

  get serverUrl(): URL {
    return new URL(this.config.cluster.server);
  }

  get host(): string {
    return stripBrackets(this.serverUrl.hostname);
  }

  get port(): number {
    const u = this.serverUrl;
    return u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443;
  }

  get hostPort(): string {
    return joinHostPort(this.host, this.port);
  }

  get isIpServer(): boolean {
    return isIP(this.host) !== 0;
  }

  /** The name a client checks the certificate against. */
  get serverName(): string {
    return this.config.cluster.tlsServerName || this.host;
  }

  get contextArgs(): string {
    const parts: string[] = [];
    if (this.options.kubeconfig.kubeconfig) parts.push(`--kubeconfig ${this.options.kubeconfig.kubeconfig}`);
    if (this.kube?.contextName) parts.push(`--context ${this.kube.contextName}`);
    return parts.join(' ');
  }

  proxy(): ProxyDecision {
    return selectProxy(this.serverUrl, this.options.env, this.config.cluster.proxyUrl);
  }

  dns(): Promise<DnsResult> {
    return this.once('dns', () =>
      resolveHost(this.host, { timeoutMs: this.timeoutMs, hostsPath: this.options.hostsPath }),
    );
  }

  /** Direct TCP probes to every resolved address, in parallel. */
  tcp(): Promise<TcpResult[]> {
    return this.once('tcp', async () => {
      const dns = await this.dns();
      return Promise.all(dns.addresses.map((a) => tcpProbe(a.address, this.port, { timeoutMs: this.timeoutMs })));
    });
  }

  /** Open a connection to the API server the way kubectl would: through the proxy, or direct. */
  async dial(signal?: AbortSignal): Promise<Dialled> {
    const decision = this.proxy();
    if (decision.proxy) {
      const connect = await httpConnect(decision.proxy, this.host, this.port, { timeoutMs: this.timeoutMs, signal });
      const via = `proxy ${connect.proxy} → ${this.hostPort}`;
      if (!connect.ok || !connect.socket) {
        return { via, connect, error: connect.error ?? { kind: 'proxy-status', message: connect.statusLine ?? 'CONNECT failed' } };
      }
      return { via, connect, socket: connect.socket };
    }
    const probes = await this.tcp();
    const candidates = probes.filter((p) => p.ok).map((p) => p.host);
    if (candidates.length === 0) {
      const first = probes[0];
      return { via: this.hostPort, error: first?.error ?? { kind: 'other', message: `${this.host} has no address` } };
    }
    let last: NetError | undefined;
    for (const address of candidates) {
      const r = await openTcp(address, this.port, { timeoutMs: this.timeoutMs, signal });
      if (r.ok && r.socket) return { via: joinHostPort(address, this.port), socket: r.socket };
      last = r.error;
    }
    return { via: this.hostPort, error: last };
  }

  roots(): { roots?: X509Certificate[]; error?: string } {
    const pem = this.config.cluster.caPem;
    if (!pem) return {};
    try {
      const roots = parsePemBundle(pem);
      if (roots.length === 0) return { error: 'the CA data holds no certificate' };
      return { roots };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  /** The handshake api.tls reports on, through the same path kubectl takes. */
  tls(): Promise<TlsOutcome & { dialled: Dialled }> {
    return this.once('tls', async () => {
      const dialled = await this.dial();
      const serverName = this.serverName;
      const sni = this.config.cluster.tlsServerName || (this.isIpServer ? undefined : this.host);
      if (!dialled.socket) {
        return {
          dialled,
          serverName,
          tls: { ok: false, durationMs: 0, chain: [], certificates: [], error: dialled.error },
        };
      }
      const proxied = dialled.connect !== undefined;
      const tls = await tlsHandshake({
        socket: dialled.socket,
        host: this.host,
        port: this.port,
        servername: sni,
        timeoutMs: this.timeoutMs,
        keepOpen: proxied,
      });
      let tunnelProbe: HttpResult | undefined;
      if (proxied && tls.ok && tls.socket) {
        tunnelProbe = await httpRequest({
          socket: tls.socket,
          method: 'GET',
          host: this.serverUrl.host,
          path: '/version',
          headers: { Accept: 'application/json', 'User-Agent': 'kubectl-netdiag/0.1.0' },
          timeoutMs: this.options.requestTimeoutMs,
        });
      }
      tls.socket?.destroy();
      dialled.socket.destroy();
      const { roots, error: caError } = this.roots();
      let verify: VerifyResult | undefined;
      if (tls.ok && tls.certificates.length > 0) {
        verify = verifyChain(tls.certificates, { roots: roots ?? 'system', serverName, now: this.now() });
      }
      return { dialled, tls, verify, serverName, caError, roots, tunnelProbe };
    });
  }

  credentials(): Promise<Credentials | ExecPluginError> {
    return this.once('credentials', async () => {
      try {
        const c = await getCredentials(this.config, { timeoutMs: this.options.requestTimeoutMs, env: this.options.env });
        for (const v of Object.values(c.headers)) {
          this.options.redactor.add(v);
          this.options.redactor.add(v.replace(/^(Bearer|Basic)\s+/i, ''));
        }
        this.options.redactor.add(c.clientKeyPem);
        return c;
      } catch (err) {
        if (err instanceof ExecPluginError) return err;
        throw err;
      }
    });
  }

  /**
   * One API request over a fresh connection: dial, TLS with the kubeconfig's client certificate,
   * HTTP. Credentials are sent only when `auth` is true and only after api.tls trusted the server.
   */
  async request(
    method: string,
    path: string,
    opts: { auth: boolean; body?: unknown; signal?: AbortSignal },
  ): Promise<HttpResult & { via: string }> {
    const started = performance.now();
    const dialled = await this.dial(opts.signal);
    if (!dialled.socket) {
      return { ok: false, via: dialled.via, error: dialled.error, durationMs: Math.round(performance.now() - started) };
    }
    const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'kubectl-netdiag/0.1.0' };
    let clientCertPem: string | undefined;
    let clientKeyPem: string | undefined;
    if (opts.auth) {
      const creds = await this.credentials();
      if (!(creds instanceof ExecPluginError)) {
        Object.assign(headers, creds.headers);
        clientCertPem = creds.clientCertPem;
        clientKeyPem = creds.clientKeyPem;
      }
    }
    const sni = this.config.cluster.tlsServerName || (this.isIpServer ? undefined : this.host);
    const tls = await tlsHandshake({
      socket: dialled.socket,
      host: this.host,
      port: this.port,
      servername: sni,
      clientCertPem,
      clientKeyPem,
      timeoutMs: this.timeoutMs,
      signal: opts.signal,
      keepOpen: true,
    });
    if (!tls.ok || !tls.socket) {
      dialled.socket.destroy();
      return { ok: false, via: dialled.via, error: tls.error, durationMs: Math.round(performance.now() - started) };
    }
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
    const result = await httpRequest({
      socket: tls.socket,
      method,
      host: this.serverUrl.host,
      path,
      headers,
      body,
      timeoutMs: this.options.requestTimeoutMs,
      signal: opts.signal,
    });
    tls.socket.destroy();
    return { ...result, via: dialled.via };
  }

  /** Request once and share the answer between checks (e.g. /version for api.http and api.auth). */
  requestOnce(key: string, method: string, path: string, opts: { auth: boolean; body?: unknown }) {
    return this.once(`req:${key}`, () => this.request(method, path, opts));
  }
}

export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

export function joinHostPort(host: string, port: number): string {
  return isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
}
