// The one Kubernetes API client: the kubeconfig resolved as kubectl resolves it, the path kubectl
// takes (proxy selection, CONNECT, TLS with the kubeconfig CA and client certificate, credentials),
// and read-only typed requests (get, list with limit/continue paging) with one classification of
// errors. Every diagnosis reaches the cluster through this class; none writes its own GET.
//
// Credentials are only sent once the API server's certificate verified against the kubeconfig CA
// (or the kubeconfig says insecure-skip-tls-verify): `get`/`list`/`getText` check `reachable()`.
//
// Connections: like kubectl's transport, API requests reuse TLS connections (HTTP keep-alive)
// instead of a new TCP+TLS session each: a request takes an idle connection of the same TLS
// identity (with or without the kubeconfig's client certificate; tokens travel in headers) or
// dials a new one, and gives it back when the server keeps it open. The handshake `tls()` makes
// for evidence is the first idle connection once the certificate is trusted. A request that
// fails on a reused connection before any answer (the server closed it while idle) is retried
// once on a new one when it is a GET. Idle connections do not keep the process alive.
import { hostPlatform, hostsFileOf, platformEnv, type Platform } from '../net/platform.ts';
import type { X509Certificate } from 'node:crypto';
import type { Socket } from 'node:net';
import { isIP } from 'node:net';
import { Memo } from '../engine/memo.ts';
import { KubeconfigError, loadKubeconfig, type KubeconfigOptions, type ResolvedKubeconfig } from './kubeconfig.ts';
import { ExecPluginError, getCredentials, type Credentials } from './credentials.ts';
import { resolveHost, type DnsResult } from '../net/dns.ts';
import { selectProxy, type ProxyDecision } from '../net/proxy.ts';
import { openTcp, tcpProbe, type NetError, type TcpResult } from '../net/tcp.ts';
import { httpConnect, openProxy, proxyAuthorization, type ConnectResult } from '../net/connect.ts';
import { tlsHandshake, type TlsResult } from '../net/tls.ts';
import { parsePemBundle, verifyChain, type VerifyResult } from '../net/x509.ts';
import { httpRequest, httpRequestKeepAlive, type HttpResult } from '../net/http.ts';
import { joinHostPort, urlHostname } from '../net/ip.ts';
import { redactUrl, type Redactor } from '../report/redact.ts';
import { caFingerprint, type ProbeCache } from './probe-cache.ts';
import { TOOL_VERSION } from '../report/version.ts';
import { monotonicMs } from '../net/clock.ts';

export interface ClientOptions {
  kubeconfig: KubeconfigOptions;
  /** Deadline of one network probe (--timeout). */
  timeoutMs: number;
  /** Deadline of one API request (--request-timeout, else --timeout). */
  requestTimeoutMs: number;
  env: Record<string, string | undefined>;
  hostsPath?: string;
  redactor: Redactor;
  now?: () => Date;
  /** how long a request waits for a busy keep-alive connection before it dials one more (default 100 ms) */
  poolWaitMs?: number;
  /** probes shared with other clients of the same server, proxy and CA (--all-contexts) */
  probeCache?: ProbeCache;
}

export interface Dialled {
  socket?: Socket;
  /** Where the bytes went: "198.51.100.10:6443" or "proxy http://p:3128 → host:port". */
  via: string;
  error?: NetError;
  connect?: ConnectResult;
  /**
   * A plain http:// server behind a proxy: the socket is the connection to the proxy itself, and
   * requests go to it in absolute form ("GET http://host:port/path"), as Go's Transport sends them.
   */
  forward?: { proxy: URL };
  /**
   * Direct dials: every address of the server name tried, in order, and its result (a name with
   * several addresses: dual-stack, several A records). `error` is the first failure, the one Go
   * (kubectl) reports; the others are here.
   */
  attempts?: DialAttempt[];
}

export interface DialAttempt {
  /** "198.51.100.10:6443", "[2001:db8::10]:6443" */
  address: string;
  ok: boolean;
  durationMs: number;
  error?: NetError;
  /** the probe (api.tcp's) already failed: not dialled again */
  fromProbe?: boolean;
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

/** The RBAC permission a request needs, as kubectl and `kubectl auth can-i` name it. */
export interface Permission {
  verb: string;
  /** "pods", "certificates.cert-manager.io" */
  resource: string;
  namespace?: string;
  /** "list pods in namespace demo" */
  text: string;
  /** "kubectl auth can-i list pods -n demo" */
  canI: string;
}

/**
 * Why a request did not return the object:
 * - `unauthorized`: 401, the credentials were rejected (the Status message is kubectl's wording);
 * - `forbidden`: 403, RBAC denies it (`needs` names the verb, resource and namespace);
 * - `not-found`: 404 of an object of a kind the server serves;
 * - `kind-not-served`: 404 of the kind itself (the group, version or resource is not served,
 *   e.g. a CRD that is not installed);
 * - `untrusted`: the API server's certificate did not verify, so no credential was sent;
 * - `timeout`, `unreachable`: the network; `error`: any other answer.
 */
export type FailureReason = 'unauthorized' | 'forbidden' | 'not-found' | 'kind-not-served' | 'untrusted' | 'timeout' | 'unreachable' | 'error';

export interface ApiFailure {
  ok: false;
  status?: number;
  reason: FailureReason;
  /** the Status message (kubectl's words), or the network error */
  message: string;
  /** the Status reason as the server sent it ("Forbidden", "NotFound", …) */
  statusReason?: string;
  /** for `forbidden`: the permission that is needed */
  needs?: Permission;
}

export type ApiResult<T> = { ok: true; status: number; body: T } | ApiFailure;
export type ListResult<T> = ({ ok: true; status: number; body: T[] } | ApiFailure) & { pages: number };

export interface ListOptions {
  /** query parameters (labelSelector, fieldSelector, …) */
  query?: Record<string, string>;
  /** page size; default 500 */
  limit?: number;
}

/** An open TLS connection to the API server that can carry HTTP requests. */
interface PooledConnection {
  socket: Socket;
  /** as Dialled.via */
  via: string;
  forward?: Dialled['forward'];
}

/** The request headers plus the proxy's credentials (a plain http:// request sent to a proxy). */
function withProxyAuthorization(headers: Record<string, string>, proxy: URL): Record<string, string> {
  const auth = proxyAuthorization(proxy);
  return auth ? { ...headers, 'Proxy-Authorization': auth } : headers;
}

/** The TLS identity of a connection: without a client certificate, or with the kubeconfig's. */
type TlsIdentity = 'anonymous' | 'client-certificate';

/** Connections open per TLS identity before a request waits for one to be released. */
const MAX_OPEN = 2;
/** How long a request waits for a busy connection before it opens one more. */
const WAIT_MS = 100;
/** Idle connections kept per TLS identity (Go's http.Transport keeps 2 per host). */
const MAX_IDLE = 2;

/**
 * The keep-alive connections of one TLS identity. A request takes an idle connection; else, with
 * fewer than MAX_OPEN open, it dials one; else it waits up to WAIT_MS for a busy one to be released
 * (a request to a nearby server takes a few ms, a new TCP+TLS connection costs a handshake on both
 * sides and, far away, two round trips more than waiting), then dials one more.
 */
class ConnectionPool {
  private readonly waitMs: number;

  constructor(waitMs = WAIT_MS) {
    this.waitMs = waitMs;
  }

  private readonly idle: PooledConnection[] = [];
  private readonly waiters: ((c: PooledConnection | undefined) => void)[] = [];
  /** connections open or being dialled */
  private open = 0;

  /** An idle (or just released) connection; undefined: the caller dials one, then track()s it. */
  async acquire(signal?: AbortSignal): Promise<PooledConnection | undefined> {
    const idle = this.takeIdle();
    if (idle) return idle;
    if (this.open < MAX_OPEN || signal?.aborted) {
      this.open++;
      return undefined;
    }
    const released = await new Promise<PooledConnection | undefined>((resolve) => {
      const done = (c: PooledConnection | undefined) => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        const i = this.waiters.indexOf(done);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(c);
      };
      const timer = setTimeout(() => done(undefined), this.waitMs);
      const onAbort = () => done(undefined);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(done);
    });
    if (released) return released;
    this.open++;
    return undefined;
  }

  /** The caller dials a connection whatever the count (a retry after a stale one). */
  reserve(): undefined {
    this.open++;
    return undefined;
  }

  /** A connection dialled after acquire() (or tls()'s): it counts as open until its socket closes. */
  track(c: PooledConnection): void {
    c.socket.once('close', () => {
      this.open--;
      const i = this.idle.indexOf(c);
      if (i >= 0) this.idle.splice(i, 1);
      // a place is free: the first waiter dials instead of waiting on
      this.waiters[0]?.(undefined);
    });
  }

  /** The dial that acquire() allowed failed. */
  dialFailed(): void {
    this.open--;
    this.waiters[0]?.(undefined);
  }

  /** A connection that can carry the next request: to a waiting request, else idle. */
  release(c: PooledConnection): void {
    if (c.socket.destroyed) return;
    const waiter = this.waiters[0];
    if (waiter) {
      waiter(c);
      return;
    }
    if (this.idle.length >= MAX_IDLE) {
      c.socket.destroy();
      return;
    }
    // idle: it must not keep the process alive
    c.socket.unref();
    this.idle.push(c);
  }

  private takeIdle(): PooledConnection | undefined {
    while (this.idle.length) {
      const c = this.idle.pop()!;
      if (c.socket.destroyed || !c.socket.writable || c.socket.readableEnded) {
        c.socket.destroy();
        continue;
      }
      c.socket.ref();
      return c;
    }
    return undefined;
  }

  /** Close the idle connections. */
  close(): void {
    for (const c of this.idle.splice(0)) c.socket.destroy();
  }
}

/** The CA bundles parsed so far, by their text (KubeClient.roots). */
const parsedRoots = new Map<string, { roots?: X509Certificate[]; error?: string }>();

export class KubeClient {
  readonly clientOptions: ClientOptions;
  readonly kube?: ResolvedKubeconfig;
  readonly kubeError?: KubeconfigError;
  private readonly memo = new Memo();
  /** every API request made, in order ("GET /api/v1/…"), for evidence */
  readonly requests: string[] = [];
  /** keep-alive connections per TLS identity */
  private readonly pools = new Map<TlsIdentity, ConnectionPool>();
  /** TCP+TLS connections opened for API requests (tls() and connect() not counted) */
  connectionsOpened = 0;

  /** The platform whose rules apply (environment-name case, KUBECONFIG, trust store); default: this host's. */
  readonly platform: Platform;

  constructor(options: ClientOptions) {
    this.platform = options.kubeconfig.platform ?? hostPlatform();
    this.clientOptions = { ...options, env: platformEnv(options.env, this.platform), hostsPath: options.hostsPath ?? hostsFileOf(this.platform, options.env) };
    try {
      this.kube = loadKubeconfig(options.kubeconfig);
      const r = options.redactor;
      r.add(this.kube.user.token);
      r.add(this.kube.user.password);
      r.add(this.kube.user.clientKeyPem);
      // the password as the redactor reads it (up to the LAST '@', with any '#', ':' or '%'),
      // raw and decoded: a value Go or WHATWG URL would cut short is still masked whole
      if (this.kube.cluster.proxyUrl) r.addUrlPassword(this.kube.cluster.proxyUrl);
    } catch (err) {
      if (err instanceof KubeconfigError) this.kubeError = err;
      else throw err;
    }
    for (const name of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy']) {
      const v = options.env[name];
      if (!v) continue;
      options.redactor.addUrlPassword(v);
    }
  }

  get timeoutMs(): number {
    return this.clientOptions.timeoutMs;
  }

  get requestTimeoutMs(): number {
    return this.clientOptions.requestTimeoutMs;
  }

  now(): Date {
    return this.clientOptions.now?.() ?? new Date();
  }

  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.memo.once(key, fn);
  }

  /** Whether a kubeconfig resolved to a cluster (not kubectl's silent localhost:8080 fallback). */
  get configured(): boolean {
    return !!this.kube && !this.kube.localhostFallback;
  }

  get contextName(): string | undefined {
    return this.kube?.contextName;
  }

  /** The resolved kubeconfig; callers that run after api.kubeconfig passed may rely on it. */
  get config(): ResolvedKubeconfig {
    if (!this.kube) throw new Error('kubeconfig was not resolved');
    return this.kube;
  }

  /** (a new URL each time: a caller may change its copy) */
  get serverUrl(): URL {
    return new URL(this.config.cluster.server);
  }

  private hostMemo?: string;
  private portMemo?: number;

  get host(): string {
    return (this.hostMemo ??= urlHostname(this.serverUrl));
  }

  get port(): number {
    if (this.portMemo === undefined) {
      const u = this.serverUrl;
      this.portMemo = u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443;
    }
    return this.portMemo;
  }

  get hostPort(): string {
    return joinHostPort(this.host, this.port);
  }

  /**
   * The server URL is plain http:// (client-go dials it without TLS and sends it no credentials:
   * `kubectl proxy` on localhost, or a kubeconfig that should say https://).
   */
  get plainHttp(): boolean {
    return this.serverUrl.protocol === 'http:';
  }

  get isIpServer(): boolean {
    return isIP(this.host) !== 0;
  }

  /** The name a client checks the certificate against. */
  get serverName(): string {
    return this.config.cluster.tlsServerName || this.host;
  }

  /** The SNI kubectl sends: tls-server-name, else the host unless it is an IP literal (like Go). */
  get sni(): string | undefined {
    return this.config.cluster.tlsServerName || (this.isIpServer ? undefined : this.host);
  }

  /** "--kubeconfig F --context C", for commands a user can paste. */
  get contextArgs(): string {
    const parts: string[] = [];
    if (this.clientOptions.kubeconfig.kubeconfig) parts.push(`--kubeconfig ${this.clientOptions.kubeconfig.kubeconfig}`);
    if (this.kube?.contextName) parts.push(`--context ${this.kube.contextName}`);
    return parts.join(' ');
  }

  /** A kubectl command line for the same context: `kubectl --context C get pods`. */
  kubectl(args: string): string {
    const ctx = this.contextArgs;
    return `kubectl ${ctx ? `${ctx} ` : ''}${args}`;
  }

  private proxyMemo?: ProxyDecision;

  /** (the same answer every time: the server URL, the environment and the kubeconfig do not change) */
  proxy(): ProxyDecision {
    return (this.proxyMemo ??= selectProxy(this.serverUrl, this.clientOptions.env, this.config.cluster.proxyUrl));
  }

  /** Through the shared ProbeCache when there is one, else this client's own memo. */
  private sharedProbe<T>(key: string, sharedKey: () => string, fn: () => Promise<T>): Promise<T> {
    const cache = this.clientOptions.probeCache;
    return this.once(key, cache ? () => cache.shared(sharedKey(), fn) : fn);
  }

  dns(): Promise<DnsResult> {
    return this.sharedProbe('dns', () => `dns:${this.host}|${this.timeoutMs}|${this.clientOptions.hostsPath ?? ''}`, () =>
      resolveHost(this.host, { timeoutMs: this.timeoutMs, hostsPath: this.clientOptions.hostsPath }),
    );
  }

  /** Direct TCP probes to every resolved address, in parallel. */
  tcp(): Promise<TcpResult[]> {
    return this.sharedProbe('tcp', () => `tcp:${this.hostPort}|${this.timeoutMs}|${this.clientOptions.hostsPath ?? ''}`, async () => {
      const dns = await this.dns();
      return Promise.all(dns.addresses.map((a) => tcpProbe(a.address, this.port, { timeoutMs: this.timeoutMs })));
    });
  }

  /** Open a connection to the API server the way kubectl would: through the proxy, or direct. */
  async dial(signal?: AbortSignal): Promise<Dialled> {
    const decision = this.proxy();
    if (decision.proxy && this.plainHttp) {
      const opened = await openProxy(decision.proxy, { timeoutMs: this.timeoutMs, signal });
      const via = `proxy ${redactUrl(decision.proxy)} → ${this.hostPort} (plain HTTP, no CONNECT)`;
      if (!opened.socket) return { via, error: opened.error };
      return { via, socket: opened.socket, forward: { proxy: decision.proxy } };
    }
    if (decision.proxy) {
      const connect = await httpConnect(decision.proxy, this.host, this.port, { timeoutMs: this.timeoutMs, signal });
      const via = `proxy ${connect.proxy} → ${this.hostPort}`;
      if (!connect.ok || !connect.socket) {
        return { via, connect, error: connect.error ?? { kind: 'proxy-status', message: connect.statusLine ?? 'CONNECT failed' } };
      }
      return { via, connect, socket: connect.socket };
    }
    const probes = await this.tcp();
    // every address, in the resolver's order: those the probe could not reach are reported as the
    // probe found them, the others are dialled in turn until one connects
    const attempts: DialAttempt[] = [];
    for (const p of probes) {
      if (p.ok) continue;
      attempts.push({ address: joinHostPort(p.host, p.port), ok: false, durationMs: p.durationMs, ...(p.error ? { error: p.error } : {}), fromProbe: true });
    }
    const candidates = probes.filter((p) => p.ok).map((p) => p.host);
    if (candidates.length === 0) {
      const first = probes[0];
      return { via: this.hostPort, error: first?.error ?? { kind: 'other', message: `${this.host} has no address` }, attempts };
    }
    let first: NetError | undefined;
    for (const address of candidates) {
      const r = await openTcp(address, this.port, { timeoutMs: this.timeoutMs, signal });
      attempts.push({ address: joinHostPort(address, this.port), ok: r.ok && !!r.socket, durationMs: r.durationMs, ...(r.error ? { error: r.error } : {}) });
      if (r.ok && r.socket) return { via: joinHostPort(address, this.port), socket: r.socket, attempts };
      first ??= r.error;
    }
    return { via: this.hostPort, error: first, attempts };
  }

  /** The kubeconfig CA as certificates (none: the system store applies, as in kubectl). */
  roots(): { roots?: X509Certificate[]; error?: string } {
    const pem = this.config.cluster.caPem;
    if (!pem) return {};
    // parsed once per CA text for every client (a fleet's contexts share their CA)
    let r = parsedRoots.get(pem);
    if (!r) {
      try {
        const roots = parsePemBundle(pem);
        r = roots.length === 0 ? { error: 'the CA data holds no certificate' } : { roots };
      } catch (err) {
        r = { error: err instanceof Error ? err.message : String(err) };
      }
      if (parsedRoots.size < 256) parsedRoots.set(pem, r);
    }
    return r;
  }

  /** What makes two clients' handshakes the same probe: address, proxy, names, CA, skip-verify. */
  private tlsKeyMemo?: string;
  private tlsKey(): string {
    const c = this.config.cluster;
    return (this.tlsKeyMemo ??= `tls:${this.hostPort}|${this.proxy().proxy ?? 'direct'}|${this.sni ?? ''}|${this.serverName}|${caFingerprint(c.caPem)}|${c.insecureSkipTlsVerify ? 1 : 0}|${this.timeoutMs}|${this.requestTimeoutMs}`);
  }

  /**
   * What makes two clients' API answers the same: the same server path (tlsKey) and the same user
   * entry (token, certificate, exec plugin…). Contexts that differ only in name or namespace share
   * their requests and credentials in a fleet run.
   */
  private identityKeyMemo?: string;
  private identityKey(): string {
    const u = this.config.user as unknown;
    return (this.identityKeyMemo ??= `${this.tlsKey()}|${caFingerprint(JSON.stringify(u))}`);
  }

  /** The handshake as kubectl makes it, once: the presented chain and its verification. */
  tls(): Promise<TlsOutcome & { dialled: Dialled }> {
    // a caller that dials a plain http:// server over TLS would report a handshake kubectl never makes
    if (this.plainHttp) return Promise.reject(new Error('tls() on a plain http:// server: check plainHttp first'));
    return this.sharedProbe('tls', () => this.tlsKey(), async () => {
      const dialled = await this.dial();
      const serverName = this.serverName;
      if (!dialled.socket) {
        return { dialled, serverName, tls: { ok: false, durationMs: 0, chain: [], certificates: [], error: dialled.error } };
      }
      const proxied = dialled.connect !== undefined;
      const tls = await tlsHandshake({
        socket: dialled.socket,
        host: this.host,
        port: this.port,
        servername: this.sni,
        timeoutMs: this.timeoutMs,
        keepOpen: true,
      });
      let tunnelProbe: HttpResult | undefined;
      if (proxied && tls.ok && tls.socket) {
        tunnelProbe = await httpRequest({
          socket: tls.socket,
          method: 'GET',
          host: this.serverUrl.host,
          path: '/version',
          headers: { Accept: 'application/json', 'User-Agent': USER_AGENT },
          timeoutMs: this.requestTimeoutMs,
        });
      }
      const { roots, error: caError } = this.roots();
      let verify: VerifyResult | undefined;
      if (tls.ok && tls.certificates.length > 0) {
        verify = verifyChain(tls.certificates, { roots: roots ?? 'system', serverName, now: this.now() });
      }
      // a direct connection to a server we trust carries the first request (it sent no client
      // certificate: good for anonymous and token requests); a tunnel carried the probe, and a
      // server we do not trust gets nothing more on it
      const trusted = verify?.trusted === true || this.kube?.cluster.insecureSkipTlsVerify === true;
      if (!proxied && tls.socket && trusted) this.parkIdle({ socket: tls.socket, via: dialled.via });
      else {
        tls.socket?.destroy();
        dialled.socket.destroy();
      }
      const { socket: _kept, ...tlsEvidence } = tls;
      return { dialled, tls: tlsEvidence, verify, serverName, caError, roots, tunnelProbe };
    });
  }

  /**
   * A plain http:// server that did not answer HTTP as asked: does its port complete a TLS
   * handshake (the kubeconfig should say https://)? Direct dials only (through a proxy the port is
   * not ours to probe); undefined when it cannot be told.
   */
  speaksTls(): Promise<{ tls: boolean; protocol?: string; durationMs: number } | undefined> {
    return this.once('speaks-tls', async () => {
      if (!this.plainHttp || this.proxy().proxy) return undefined;
      const dialled = await this.dial();
      if (!dialled.socket) return undefined;
      const t = await tlsHandshake({ socket: dialled.socket, host: this.host, port: this.port, servername: this.sni, timeoutMs: this.timeoutMs, chain: false });
      dialled.socket.destroy();
      return { tls: t.ok, ...(t.protocol ? { protocol: t.protocol } : {}), durationMs: t.durationMs };
    });
  }

  /** A connection opened without credentials, handed to the pool to carry the next request. */
  private parkIdle(conn: PooledConnection): void {
    const pool = this.pool('anonymous');
    pool.reserve();
    pool.track(conn);
    pool.release(conn);
  }

  /** Verify the API server's certificate once before any credential is sent. */
  reachable(): Promise<{ ok: boolean; why?: string; reason?: 'untrusted' | 'unreachable' | 'timeout' }> {
    return this.once('reachable', async () => {
      if (!this.configured) return { ok: false, why: 'no kubeconfig', reason: 'unreachable' as const };
      if (this.plainHttp) {
        // no certificate to verify: the connection is the whole question; it carries the first request
        const c = await this.openConnection({}, { chain: false });
        if (!c.ok) return { ok: false, why: c.error?.message ?? `cannot reach ${this.hostPort}`, reason: c.error?.kind === 'timeout' ? ('timeout' as const) : ('unreachable' as const) };
        this.parkIdle({ socket: c.socket, via: c.via, ...(c.forward ? { forward: c.forward } : {}) });
        return { ok: true };
      }
      const t = await this.tls();
      if (!t.tls.ok) {
        return { ok: false, why: t.tls.error?.message ?? `cannot reach ${this.hostPort}`, reason: t.tls.error?.kind === 'timeout' ? ('timeout' as const) : ('unreachable' as const) };
      }
      if (this.config.cluster.insecureSkipTlsVerify) return { ok: true };
      if (!t.verify?.trusted) {
        return { ok: false, why: `the API server certificate does not verify (${t.verify?.goError ?? 'unknown'}): run \`kubectl netdiag api\``, reason: 'untrusted' as const };
      }
      return { ok: true };
    });
  }

  credentials(): Promise<Credentials | ExecPluginError> {
    return this.sharedProbe('credentials', () => `credentials:${this.identityKey()}`, async () => {
      try {
        const c = await getCredentials(this.config, { timeoutMs: this.requestTimeoutMs, env: this.clientOptions.env });
        for (const v of Object.values(c.headers)) {
          this.clientOptions.redactor.add(v);
          this.clientOptions.redactor.add(v.replace(/^(Bearer|Basic)\s+/i, ''));
        }
        this.clientOptions.redactor.add(c.clientKeyPem);
        return c;
      } catch (err) {
        if (err instanceof ExecPluginError) return err;
        throw err;
      }
    });
  }

  /** The headers and TLS client certificate a connection or request carries. */
  private async identity(auth: boolean): Promise<{ tlsIdentity: TlsIdentity; headers: Record<string, string>; clientCertPem?: string; clientKeyPem?: string; execError?: ExecPluginError }> {
    const headers: Record<string, string> = { 'User-Agent': USER_AGENT };
    if (!auth) return { tlsIdentity: 'anonymous', headers };
    // an exec plugin that failed: the connection goes on without credentials, and the server's
    // answer (401) is what the caller sees; api.auth reports the plugin itself
    const creds = await this.credentials();
    if (creds instanceof ExecPluginError) return { tlsIdentity: 'anonymous', headers, execError: creds };
    Object.assign(headers, creds.headers);
    const withCert = !!(creds.clientCertPem && creds.clientKeyPem);
    return {
      tlsIdentity: withCert ? 'client-certificate' : 'anonymous',
      headers,
      ...(withCert ? { clientCertPem: creds.clientCertPem, clientKeyPem: creds.clientKeyPem } : {}),
    };
  }

  /**
   * Dial and complete TLS with the given client certificate (a plain http:// server: no TLS, as
   * client-go); the caller owns the socket.
   */
  private async openConnection(
    id: { clientCertPem?: string; clientKeyPem?: string },
    opts: { signal?: AbortSignal; alpn?: string[]; timeoutMs?: number; chain?: boolean },
  ): Promise<{ ok: true; socket: Socket; via: string; forward?: Dialled['forward'] } | { ok: false; via: string; error?: NetError }> {
    const dialled = await this.dial(opts.signal);
    if (!dialled.socket) return { ok: false, via: dialled.via, error: dialled.error };
    if (this.plainHttp) return { ok: true, socket: dialled.socket, via: dialled.via, ...(dialled.forward ? { forward: dialled.forward } : {}) };
    const tls = await tlsHandshake({
      socket: dialled.socket,
      host: this.host,
      port: this.port,
      servername: this.sni,
      clientCertPem: id.clientCertPem,
      clientKeyPem: id.clientKeyPem,
      ...(opts.alpn ? { alpn: opts.alpn } : {}),
      timeoutMs: opts.timeoutMs ?? this.timeoutMs,
      signal: opts.signal,
      keepOpen: true,
      ...(opts.chain === false ? { chain: false } : {}),
    });
    if (!tls.ok || !tls.socket) {
      dialled.socket.destroy();
      return { ok: false, via: dialled.via, error: tls.error };
    }
    return { ok: true, socket: tls.socket, via: dialled.via };
  }

  /**
   * Open an authenticated TLS connection to the API server (dial, TLS with the kubeconfig's client
   * certificate) and hand it over with the headers that carry the credentials: for requests that
   * are not plain HTTP (exec over WebSocket). Always a new connection, never one of the pool's.
   */
  async connect(opts: { auth: boolean; signal?: AbortSignal; alpn?: string[]; timeoutMs?: number }): Promise<{ ok: true; socket: Socket; headers: Record<string, string>; via: string; execError?: ExecPluginError } | { ok: false; via: string; error?: NetError }> {
    const id = await this.identity(opts.auth);
    const c = await this.openConnection(id, opts);
    if (!c.ok) return c;
    return { ok: true, socket: c.socket, headers: id.headers, via: c.via, ...(id.execError ? { execError: id.execError } : {}) };
  }

  private pool(id: TlsIdentity): ConnectionPool {
    let p = this.pools.get(id);
    if (!p) {
      // without a client certificate a connection carries any context's requests (tokens are headers)
      const cache = this.clientOptions.probeCache;
      p = cache && id === 'anonymous' ? cache.object(`pool:${this.tlsKey()}`, () => new ConnectionPool(this.clientOptions.poolWaitMs)) : new ConnectionPool(this.clientOptions.poolWaitMs);
      this.pools.set(id, p);
    }
    return p;
  }

  /** Close every idle connection (requests in flight finish on theirs). */
  close(): void {
    for (const p of this.pools.values()) p.close();
  }

  /**
   * One API request: HTTP over an idle keep-alive connection of the same TLS identity, else over a
   * new one (dial, TLS with the kubeconfig's client certificate). Credentials are sent only when
   * `auth` is true (callers that send them first check `reachable()`). The dial and the handshake
   * each have --timeout, the HTTP exchange --request-timeout, as with a new connection per request.
   */
  async request(method: string, path: string, opts: { auth: boolean; body?: unknown; signal?: AbortSignal }): Promise<HttpResult & { via: string }> {
    const started = monotonicMs();
    this.requests.push(`${method} ${path}`);
    const id = await this.identity(opts.auth);
    const headers: Record<string, string> = { Accept: 'application/json', ...id.headers };
    let body: string | undefined;
    if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['Content-Type'] = 'application/json';
    }
    let httpStarted: number | undefined;
    const pool = this.pool(id.tlsIdentity);
    for (let attempt = 0; ; attempt++) {
      // a retry goes on a new connection
      let conn = attempt === 0 ? await pool.acquire(opts.signal) : pool.reserve();
      const reused = conn !== undefined;
      if (!conn) {
        // tls() has the chain for evidence; a request's connection needs none
        const c = await this.openConnection(id, { signal: opts.signal, chain: false });
        if (!c.ok) {
          pool.dialFailed();
          return { ok: false, via: c.via, error: c.error, durationMs: Math.round(monotonicMs() - started) };
        }
        this.connectionsOpened++;
        conn = { socket: c.socket, via: c.via, ...(c.forward ? { forward: c.forward } : {}) };
        pool.track(conn);
      }
      httpStarted ??= monotonicMs();
      const { reusable, ...result } = await httpRequestKeepAlive({
        socket: conn.socket,
        method,
        host: this.serverUrl.host,
        path: conn.forward ? `${this.serverUrl.origin}${path}` : path,
        headers: conn.forward ? withProxyAuthorization(headers, conn.forward.proxy) : headers,
        body,
        // a retry has what is left of the first attempt's time
        timeoutMs: attempt === 0 ? this.requestTimeoutMs : Math.max(1, Math.round(this.requestTimeoutMs - (monotonicMs() - httpStarted))),
        signal: opts.signal,
      });
      if (reusable) pool.release(conn);
      // the server closed an idle connection as we sent on it (nothing came back): a GET is safe
      // to send again, on a new connection, as Go's transport does
      const stale = reused && !result.ok && !result.response && (result.error?.kind === 'reset' || result.error?.kind === 'protocol');
      if (stale && attempt === 0 && (method === 'GET' || method === 'HEAD')) continue;
      return { ...result, via: conn.via };
    }
  }

  /** Request once and share the answer (e.g. /version for api.http and api.auth). */
  requestOnce(key: string, method: string, path: string, opts: { auth: boolean; body?: unknown }) {
    return this.sharedProbe(`req:${key}`, () => `req:${this.identityKey()}|${key}|${method} ${path}|${opts.auth ? 1 : 0}|${opts.body === undefined ? '' : JSON.stringify(opts.body)}`, () => this.request(method, path, opts));
  }

  // ---- typed, read-only API access --------------------------------------------------------

  /** GET a JSON object (memoised per path), errors classified. */
  get<T>(path: string): Promise<ApiResult<T>> {
    return this.sharedProbe(`get:${path}`, () => `get:${this.identityKey()}|${path}`, async (): Promise<ApiResult<T>> => {
      const r = await this.reachable();
      if (!r.ok) return { ok: false, reason: r.reason ?? 'unreachable', message: r.why ?? 'the API server is not reachable' };
      const res = await this.request('GET', path, { auth: true });
      if (!res.ok || !res.response) {
        return { ok: false, reason: res.error?.kind === 'timeout' ? 'timeout' : 'unreachable', message: res.error?.message ?? 'request failed' };
      }
      const { statusCode, body } = res.response;
      let parsed: unknown;
      try {
        parsed = JSON.parse(body);
      } catch {
        parsed = undefined;
      }
      if (statusCode >= 200 && statusCode < 300) {
        if (parsed === undefined) return { ok: false, status: statusCode, reason: 'error', message: `GET ${path}: the answer is not JSON` };
        return { ok: true, status: statusCode, body: parsed as T };
      }
      return classifyStatus(statusCode, parsed ?? body, 'GET', path, res.response.statusMessage);
    });
  }

  /** GET a text answer (logs, the service proxy): the body whatever its type; errors classified. */
  getText(path: string): Promise<ApiResult<string> & { durationMs: number }> {
    return this.sharedProbe(`text:${path}`, () => `text:${this.identityKey()}|${path}`, async () => {
      const t0 = monotonicMs();
      const r = await this.reachable();
      if (!r.ok) return { ok: false as const, reason: r.reason ?? 'unreachable', message: r.why ?? 'the API server is not reachable', durationMs: 0 };
      const res = await this.request('GET', path, { auth: true });
      const durationMs = Math.round(monotonicMs() - t0);
      if (!res.ok || !res.response) {
        return { ok: false as const, reason: res.error?.kind === 'timeout' ? ('timeout' as const) : ('unreachable' as const), message: res.error?.message ?? 'request failed', durationMs };
      }
      const { statusCode, body } = res.response;
      if (statusCode >= 200 && statusCode < 300) return { ok: true as const, status: statusCode, body, durationMs };
      let parsed: unknown = body;
      try {
        parsed = JSON.parse(body);
      } catch {
        // plain text
      }
      return { ...classifyStatus(statusCode, parsed, 'GET', path, res.response.statusMessage), durationMs };
    });
  }

  /** List a collection, every page (limit/continue), with only the selectors asked for. */
  async list<T>(path: string, opts: ListOptions = {}): Promise<ListResult<T>> {
    const items: T[] = [];
    let cont: string | undefined;
    let pages = 0;
    do {
      const q = new URLSearchParams({ ...(opts.query ?? {}), limit: String(opts.limit ?? 500) });
      if (cont) q.set('continue', cont);
      const sep = path.includes('?') ? '&' : '?';
      const r = await this.get<{ items?: T[]; metadata?: { continue?: string } }>(`${path}${sep}${q.toString()}`);
      pages++;
      if (!r.ok) return { ...r, pages };
      items.push(...(r.body.items ?? []));
      cont = r.body.metadata?.continue || undefined;
    } while (cont && pages < 1000);
    return { ok: true, status: 200, body: items, pages };
  }
}

export const USER_AGENT = `kubectl-netdiag/${TOOL_VERSION}`;

/** One classification of an API error answer (see FailureReason). */
export function classifyStatus(statusCode: number, body: unknown, method: string, path: string, statusMessage = ''): ApiFailure {
  const st = (body && typeof body === 'object' ? body : {}) as { kind?: string; message?: string; reason?: string; details?: { name?: string; kind?: string } };
  const isStatus = st.kind === 'Status';
  const text = typeof body === 'string' ? body.trim().split('\n')[0] : undefined;
  const message = st.message ?? (text || `${statusCode} ${statusMessage}`.trim());
  const base = { ok: false as const, status: statusCode, message, ...(st.reason ? { statusReason: st.reason } : {}) };
  if (statusCode === 401) return { ...base, reason: 'unauthorized' };
  if (statusCode === 403) return { ...base, reason: 'forbidden', needs: permissionFor(path, verbOf(method, path), st.message) };
  if (statusCode === 404) {
    // an object of a served kind: a NotFound Status that names it; anything else (a plain
    // "404 page not found", or "the server could not find the requested resource") is the kind
    const object = isStatus && st.reason === 'NotFound' && !!st.details?.name;
    return { ...base, reason: object ? 'not-found' : 'kind-not-served' };
  }
  return { ...base, reason: 'error' };
}

function verbOf(method: string, path: string): string {
  const m = method.toUpperCase();
  if (m === 'POST') return 'create';
  if (m === 'PUT') return 'update';
  if (m === 'PATCH') return 'patch';
  if (m === 'DELETE') return 'delete';
  // /api/v1/namespaces/NS/pods/NAME is a get; /api/v1/namespaces/NS/pods a list; subresources get
  const segs = path.split('?')[0]!.split('/').filter(Boolean);
  const parts = segs.slice(segs[0] === 'apis' ? 3 : 2);
  const rest = parts[0] === 'namespaces' && parts.length > 2 ? parts.slice(2) : parts;
  return rest.length >= 2 ? 'get' : 'list';
}

/**
 * The RBAC permission a request needs: from the server's own message when it names it
 * (`User "u" cannot list resource "pods" in API group "" in the namespace "demo"`), else from the path.
 */
export function permissionFor(path: string, verb = 'list', serverMessage?: string): Permission {
  const m = serverMessage && /cannot (\S+) resource "([^"]+)" in API group "([^"]*)"(?: in the namespace "([^"]+)")?/.exec(serverMessage);
  let resource: string;
  let namespace: string | undefined;
  if (m) {
    verb = m[1]!;
    resource = m[3] ? `${m[2]}.${m[3]}` : m[2]!;
    namespace = m[4];
  } else {
    const clean = path.split('?')[0]!;
    const g = /^\/apis\/([^/]+)\/[^/]+\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/[^/]+\/([^/]+))?/.exec(clean);
    const c = /^\/api\/[^/]+\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/[^/]+\/([^/]+))?/.exec(clean);
    resource = g ? `${g[3]}${g[4] ? `/${g[4]}` : ''}.${g[1]}` : c ? `${c[2]}${c[3] ? `/${c[3]}` : ''}` : clean;
    namespace = g ? g[2] : c ? c[1] : undefined;
  }
  return {
    verb,
    resource,
    ...(namespace ? { namespace } : {}),
    text: `${verb} ${resource} ${namespace ? `in namespace ${namespace}` : 'in all namespaces'}`,
    canI: `kubectl auth can-i ${verb} ${resource} ${namespace ? `-n ${namespace}` : '-A'}`,
  };
}
