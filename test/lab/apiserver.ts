/**
 * A fake kube-apiserver over real TLS.
 *
 * Answers are based on the responses of a real v1.24 API server captured in
 * `fixtures/kube-apiserver-1.24/` (a copy of /work/shared/fixtures/kube-apiserver-1.24):
 * same status codes, `Status` objects, content types and headers (Audit-Id,
 * X-Kubernetes-Pf-*, Cache-Control, Date, X-Content-Type-Options).
 *
 * The server speaks HTTP/2 (ALPN h2, like the real one) and HTTP/1.1
 * (`http2.createSecureServer({ allowHTTP1: true })`).
 *
 * Authentication, like kube-apiserver:
 *  - `Authorization: Bearer T`: T must be in `tokens`, otherwise 401 on every path
 *    (even /version: invalid credentials are rejected, not treated as anonymous);
 *  - otherwise a client certificate verified against `clientCa`: user = CN, groups = O;
 *    a client certificate that does not verify → 401;
 *  - otherwise system:anonymous, who may only read /version, /healthz, /livez, /readyz.
 * Authorization: `rbac: 'admin'` (and the group system:masters) may do everything;
 * `rbac: 'none'` gets what every authenticated user gets (discovery, /version, health,
 * SelfSubjectReview, SelfSubjectAccessReview) and 403 for everything else.
 *
 * Raw behaviours (`behaviour`) replace the whole server with a TCP listener:
 *  - 'hang-after-accept': accepts TCP and never sends a byte;
 *  - 'garbage': sends random non-TLS bytes, then closes;
 *  - 'trickle': completes the TLS handshake, then answers any request (a /version
 *    200 response) one byte every 500 ms.
 */
import { ObjectStore, parseResourcePath, type ObjectStoreOptions } from './objects.ts';
import http2 from 'node:http2';
import type { IncomingHttpHeaders } from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import { randomBytes, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURE_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'kube-apiserver-1.24');

export function fixtureBody(name: string): string {
  return readFileSync(join(FIXTURE_DIR, `${name}.body`), 'utf8');
}

export function fixtureJson<T = any>(name: string): T {
  return JSON.parse(fixtureBody(name)) as T;
}

export interface TokenUser {
  user: string;
  groups: string[];
  rbac: 'admin' | 'none';
}

export type ApiBehaviour = 'normal' | 'hang-after-accept' | 'garbage' | 'trickle';

export interface ApiServerOptions {
  /** listen address; default 127.0.0.1 */
  host?: string;
  /** 0 = any free port; default 0 */
  port?: number;
  /** serving certificate and key (PEM); `cert` may hold a chain */
  tls: { cert: string; key: string };
  /** PEM CA bundle for client certificates; when set, client certificates are requested */
  clientCa?: string;
  tokens?: Record<string, TokenUser>;
  /** '1.31' (default) serves SelfSubjectReview v1/v1beta1; '1.24' answers 404 to it */
  version?: '1.24' | '1.31';
  /** readyz checks that fail, e.g. ['etcd'] */
  readyzFailing?: string[];
  /** livez / healthz checks that fail */
  livezFailing?: string[];
  /**
   * the `default/kubernetes` EndpointSlice / Endpoints; default: the listen address and port.
   * No addresses = what a real server advertising a loopback address shows: endpoints/kubernetes
   * 404, the EndpointSlice list `items: []`.
   */
  endpointSlice?: { addresses: string[]; port: number };
  behaviour?: ApiBehaviour;
  /** any other objects to serve (lists, gets, selectors, pagination, pod logs); see objects.ts */
  store?: ObjectStoreOptions;
  /** the server's clock runs this many seconds ahead of the machine's (the Date header) */
  clockOffsetSeconds?: number;
  /**
   * Answers a scenario adds before the built-in routes (e.g. the service proxy
   * /api/v1/namespaces/NS/services/NAME:PORT/proxy/...); undefined = not handled. Not for anonymous users.
   */
  extraRoute?: (req: { method: string; url: URL; user: string; admin: boolean; body?: Buffer }) => Promise<{ status: number; body: string; contentType?: string } | undefined>;
  /** called with one line per request answered, e.g. `GET /version 200 lab-admin HTTP/2.0` */
  log?: (line: string) => void;
  /** HTTP/1.1 Upgrade requests (pods/exec over WebSocket, see exec-ws.ts) */
  onUpgrade?: (req: import('node:http').IncomingMessage, socket: import('node:stream').Duplex, head: Buffer) => void;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  user: string;
  status: number;
  httpVersion: string;
}

export interface ApiServer {
  url: string;
  host: string;
  port: number;
  /** every request answered (normal behaviour only) */
  requests: RequestLogEntry[];
  close(): Promise<void>;
}

const VERSION_1_31 = {
  major: '1',
  minor: '31',
  gitVersion: 'v1.31.0',
  gitCommit: '9edcffcde5595e8a5b1a35f88c421764e575afce',
  gitTreeState: 'clean',
  buildDate: '2024-08-13T07:28:49Z',
  goVersion: 'go1.22.5',
  compiler: 'gc',
  platform: 'linux/amd64',
};

/** Check names as the real server lists them (from the fixtures). */
function checkNames(fixture: 'readyz-verbose' | 'livez-verbose'): string[] {
  return fixtureBody(fixture)
    .split('\n')
    .map((l) => /^\[\+\](\S+) ok$/.exec(l)?.[1])
    .filter((x): x is string => !!x);
}

interface Identity {
  user: string;
  groups: string[];
  admin: boolean;
  anonymous: boolean;
}

interface Reply {
  status: number;
  body: string;
  contentType: string;
  /** false for answers produced before priority & fairness (authentication failures) */
  pf: boolean;
  nosniff: boolean;
}

const PUBLIC_PATHS = /^\/(version|healthz|livez|readyz)(\/.*)?$/;

function goHeaderCase(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const host = opts.host ?? '127.0.0.1';
  const behaviour = opts.behaviour ?? 'normal';
  if (behaviour !== 'normal') return startRawServer(opts, host, behaviour);

  const version = opts.version ?? '1.31';
  const tokens = opts.tokens ?? {};
  const readyzFailing = new Set(opts.readyzFailing ?? []);
  const store = opts.store ? new ObjectStore(opts.store) : undefined;
  const livezFailing = new Set(opts.livezFailing ?? []);
  const flowschemaUid = randomUUID();
  const prioritylevelUid = randomUUID();
  const requests: RequestLogEntry[] = [];
  let listenPort = 0;

  const server = http2.createSecureServer({
    cert: opts.tls.cert,
    key: opts.tls.key,
    allowHTTP1: true,
    ...(opts.clientCa ? { ca: opts.clientCa, requestCert: true, rejectUnauthorized: false } : {}),
  });
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const sessions = new Set<http2.ServerHttp2Session>();
  server.on('session', (s) => {
    sessions.add(s);
    s.on('close', () => sessions.delete(s));
  });
  // TLS failures (client rejects our certificate, garbage) are normal in the lab
  server.on('tlsClientError', () => {});
  if (opts.onUpgrade) server.on('upgrade', opts.onUpgrade);

  function authenticate(headers: IncomingHttpHeaders, socket: tls.TLSSocket): Identity | 'unauthorized' {
    const auth = headers['authorization'];
    if (typeof auth === 'string' && auth.trim() !== '') {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth.trim());
      const t = m ? tokens[m[1]] : undefined;
      if (!t) return 'unauthorized';
      return {
        user: t.user,
        groups: [...t.groups.filter((g) => g !== 'system:authenticated'), 'system:authenticated'],
        admin: t.rbac === 'admin',
        anonymous: false,
      };
    }
    if (opts.clientCa && typeof socket.getPeerCertificate === 'function') {
      const peer = socket.getPeerCertificate();
      if (peer && Object.keys(peer).length > 0) {
        if (!socket.authorized) return 'unauthorized';
        const cn = firstValue(peer.subject?.CN);
        const o = peer.subject?.O;
        const groups = (Array.isArray(o) ? o : o ? [o] : []).filter((g) => g !== 'system:authenticated');
        if (!cn) return 'unauthorized';
        return {
          user: cn,
          groups: [...groups, 'system:authenticated'],
          admin: groups.includes('system:masters'),
          anonymous: false,
        };
      }
    }
    return { user: 'system:anonymous', groups: ['system:unauthenticated'], admin: false, anonymous: true };
  }

  function statusObj(code: number, reason: string, message: string, details?: Record<string, unknown>) {
    const o: Record<string, unknown> = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason };
    if (details) o.details = details;
    o.code = code;
    return o;
  }

  function json(status: number, obj: unknown, pretty: boolean, extra?: Partial<Reply>): Reply {
    const body = pretty ? JSON.stringify(obj, null, 2) : JSON.stringify(obj) + '\n';
    return { status, body, contentType: 'application/json', pf: true, nosniff: false, ...extra };
  }

  function forbidden(id: Identity, verb: string, resource: string, group: string, ns: string | null, pretty: boolean, name?: string): Reply {
    const gr = group ? `${resource}.${group}` : resource;
    const scope = ns === null ? 'at the cluster scope' : `in the namespace "${ns}"`;
    const subject = name ? `${gr} "${name}"` : gr;
    const message = `${subject} is forbidden: User "${id.user}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`;
    const details: Record<string, unknown> = {};
    if (name) details.name = name;
    if (group) details.group = group;
    details.kind = resource;
    return json(403, statusObj(403, 'Forbidden', message, details), pretty, { nosniff: true });
  }

  function forbiddenPath(id: Identity, path: string, pretty: boolean, verb = 'get'): Reply {
    const message = `forbidden: User "${id.user}" cannot ${verb} path "${path}"`;
    return json(403, statusObj(403, 'Forbidden', message, {}), pretty, { nosniff: true });
  }

  function notFound(pretty: boolean): Reply {
    return json(404, statusObj(404, 'NotFound', 'the server could not find the requested resource', {}), pretty);
  }

  function health(kind: 'readyz' | 'livez' | 'healthz', sub: string, query: URLSearchParams): Reply {
    const names = checkNames(kind === 'readyz' ? 'readyz-verbose' : 'livez-verbose');
    const failing = kind === 'readyz' ? readyzFailing : livezFailing;
    const text = (status: number, body: string): Reply => ({
      status,
      body,
      contentType: 'text/plain; charset=utf-8',
      pf: true,
      nosniff: true,
    });
    if (sub) {
      const check = sub.replace(/^\//, '');
      if (!names.includes(check)) return text(404, '404 page not found\n');
      if (failing.has(check)) return text(500, `internal server error: ${check} check failed\n`);
      return text(200, 'ok');
    }
    const excluded = new Set(query.getAll('exclude'));
    let out = '';
    let failed = false;
    for (const n of names) {
      if (excluded.has(n)) {
        out += `[+]${n} excluded: ok\n`;
      } else if (failing.has(n)) {
        out += `[-]${n} failed: reason withheld\n`;
        failed = true;
      } else {
        out += `[+]${n} ok\n`;
      }
    }
    // net/http's http.Error: text/plain, nosniff, message + "\n"
    if (failed) return text(500, `${out}${kind} check failed\n`);
    if (!query.has('verbose')) return text(200, 'ok');
    return text(200, `${out}${kind} check passed\n`);
  }

  function endpointAddrs(): { addresses: string[]; port: number } {
    return opts.endpointSlice ?? { addresses: [host], port: listenPort };
  }

  function endpointSliceList(): unknown {
    const list = fixtureJson('endpointslices-default');
    const ep = endpointAddrs();
    const item = list.items[0];
    item.endpoints = ep.addresses.map((a: string) => ({ addresses: [a], conditions: { ready: true } }));
    item.ports = [{ name: 'https', protocol: 'TCP', port: ep.port }];
    return list;
  }

  function endpoints(): unknown {
    const e = fixtureJson('endpoints-kubernetes');
    const ep = endpointAddrs();
    e.subsets = [{ addresses: ep.addresses.map((ip) => ({ ip })), ports: [{ name: 'https', port: ep.port, protocol: 'TCP' }] }];
    return e;
  }

  function managedFieldsFor(ua: string, apiVersion: string, fieldsV1: unknown) {
    return [
      {
        manager: (ua.split('/')[0] || 'unknown').trim(),
        operation: 'Update',
        apiVersion,
        time: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
        fieldsType: 'FieldsV1',
        fieldsV1,
      },
    ];
  }

  function route(method: string, url: URL, id: Identity, headers: IncomingHttpHeaders, rawBody: Buffer): Reply {
    const body = rawBody.toString('utf8');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    const q = url.searchParams;
    const ua = String(headers['user-agent'] ?? '');
    const prettyQ = q.get('pretty');
    const pretty = prettyQ !== null ? prettyQ === 'true' || prettyQ === '1' : /^(curl|wget)/i.test(ua);

    // anonymous: only the public-info-viewer paths
    if (id.anonymous && !PUBLIC_PATHS.test(url.pathname)) {
      const m = /^\/api\/v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(path);
      if (m) return forbidden(id, verbFor(method, !!m[3]), m[2], '', m[1], pretty, m[3]);
      const g = /^\/apis\/([^/]+)\/([^/]+)\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(path);
      if (g) return forbidden(id, verbFor(method, !!g[5]), g[4], g[1], g[3], pretty, g[5]);
      const c = /^\/api\/v1\/([^/]+)(?:\/([^/]+))?$/.exec(path);
      if (c) return forbidden(id, verbFor(method, !!c[2]), c[1], '', null, pretty, c[2]);
      const cg = /^\/apis\/([^/]+)\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(path);
      if (cg) return forbidden(id, verbFor(method, !!cg[4]), cg[3], cg[1], null, pretty, cg[4]);
      return forbiddenPath(id, url.pathname, pretty, method === 'POST' ? 'post' : 'get');
    }

    if (method === 'GET' || method === 'HEAD') {
      if (path === '/version') return json(200, version === '1.24' ? fixtureJson('version') : VERSION_1_31, pretty);
      const h = /^\/(readyz|livez|healthz)(\/.+)?$/.exec(path);
      if (h) return health(h[1] as 'readyz' | 'livez' | 'healthz', h[2] ?? '', q);
      if (path === '/api') {
        const api = fixtureJson('api');
        const ep = endpointAddrs();
        api.serverAddressByClientCIDRs = [{ clientCIDR: '0.0.0.0/0', serverAddress: `${ep.addresses[0] ?? host}:${ep.port}` }];
        return json(200, api, pretty);
      }
      if (path === '/apis') return json(200, fixtureJson('apis'), pretty);
      if (path === '/api/v1') return json(200, coreResourceList(), pretty);
      const gv = /^\/apis\/([^/]+)\/([^/]+)$/.exec(path);
      if (gv) {
        const list = groupResourceList(gv[1], gv[2], version);
        return list ? json(200, list, pretty) : notFound(pretty);
      }

      // objects a scenario supplies: answered like the real server, before the built-in routes
      const rp = store ? parseResourcePath(path) : undefined;
      if (store && rp && store.serves(rp)) {
        const verb = rp.sub === 'log' ? 'get' : rp.name ? 'get' : 'list';
        const resource = rp.sub === 'log' ? 'pods/log' : rp.plural;
        if (!id.admin || store.isForbidden(rp)) return forbidden(id, verb, resource, rp.group, rp.namespace, pretty, rp.name);
        const r = store.get(rp, q);
        if (typeof r.body === 'string') return { status: r.status, body: r.body, contentType: 'text/plain', pf: true, nosniff: false };
        return json(r.status, r.body, pretty);
      }

      const slice = /^\/apis\/discovery\.k8s\.io\/v1\/namespaces\/([^/]+)\/endpointslices$/.exec(path);
      if (slice) {
        if (!id.admin) return forbidden(id, 'list', 'endpointslices', 'discovery.k8s.io', slice[1], pretty);
        const sel = q.get('labelSelector');
        if (slice[1] !== 'default' || (sel && sel !== 'kubernetes.io/service-name=kubernetes') || endpointAddrs().addresses.length === 0) {
          return json(200, { kind: 'EndpointSliceList', apiVersion: 'discovery.k8s.io/v1', metadata: { resourceVersion: '292' }, items: [] }, pretty);
        }
        return json(200, endpointSliceList(), pretty);
      }
      const eps = /^\/api\/v1\/namespaces\/([^/]+)\/endpoints\/([^/]+)$/.exec(path);
      if (eps) {
        if (!id.admin) return forbidden(id, 'get', 'endpoints', '', eps[1], pretty, eps[2]);
        // a real server whose advertise address it may not write (loopback) has NO default/kubernetes
        if (eps[1] === 'default' && eps[2] === 'kubernetes' && endpointAddrs().addresses.length > 0) return json(200, endpoints(), pretty);
        return json(404, statusObj(404, 'NotFound', `endpoints "${eps[2]}" not found`, { name: eps[2], kind: 'endpoints' }), pretty);
      }
      const pods = /^\/api\/v1\/namespaces\/([^/]+)\/pods$/.exec(path);
      if (pods) {
        if (!id.admin) return forbidden(id, 'list', 'pods', '', pods[1], pretty);
        const list = fixtureJson('pods-demo');
        for (const p of list.items) p.metadata.namespace = pods[1];
        return json(200, list, pretty);
      }
      if (path === '/api/v1/namespaces') {
        if (!id.admin) return forbidden(id, 'list', 'namespaces', '', null, pretty);
        return json(200, fixtureJson('namespaces-anonymous'), pretty);
      }
      if (path === '/apis/apiregistration.k8s.io/v1/apiservices') {
        if (!id.admin) return forbidden(id, 'list', 'apiservices', 'apiregistration.k8s.io', null, pretty);
        return json(200, fixtureJson('apiservices'), pretty);
      }
      // a group the server does not serve at all: like the real one, its NotFoundHandler answers
      // text/plain "404 page not found" (a served group's unknown resource is the JSON Status)
      const g = /^\/apis\/([^/]+)\//.exec(path);
      if (g && !servedGroups().has(g[1]!) && !store?.servesGroup(g[1]!)) {
        return { status: 404, body: '404 page not found\n', contentType: 'text/plain; charset=utf-8', pf: false, nosniff: true };
      }
      return notFound(pretty);
    }

    if (method === 'POST') {
      const ssr = /^\/apis\/authentication\.k8s\.io\/(v1|v1beta1)\/selfsubjectreviews$/.exec(path);
      if (ssr) {
        // 1.24 has no SelfSubjectReview, but authorization runs before routing: 404 only for a
        // user allowed to create it, 403 for everyone else (seen on the real v1.24.0 server)
        if (version === '1.24') return id.admin ? notFound(pretty) : forbidden(id, 'create', 'selfsubjectreviews', 'authentication.k8s.io', null, pretty);
        return json(
          201,
          {
            kind: 'SelfSubjectReview',
            apiVersion: `authentication.k8s.io/${ssr[1]}`,
            metadata: { creationTimestamp: new Date().toISOString().replace(/\.\d+Z$/, 'Z') },
            status: { userInfo: { username: id.user, groups: id.groups } },
          },
          pretty,
        );
      }
      if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
        let spec: any;
        try {
          const ct = String(headers['content-type'] ?? '');
          spec = ct.includes('protobuf') ? decodeSsarProtobuf(rawBody) : JSON.parse(body).spec;
        } catch {
          return json(400, statusObj(400, 'BadRequest', 'the object provided is unrecognized (must be of type SelfSubjectAccessReview)'), pretty, { pf: true });
        }
        if (!spec || typeof spec !== 'object') {
          return json(422, statusObj(422, 'Invalid', 'SelfSubjectAccessReview.authorization.k8s.io "" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of nonResourceAttributes or resourceAttributes must be specified', { group: 'authorization.k8s.io', kind: 'SelfSubjectAccessReview' }), pretty);
        }
        const fields: Record<string, unknown> = {};
        for (const k of Object.keys(spec.resourceAttributes ?? {}).sort()) fields[`f:${k}`] = {};
        const status: Record<string, unknown> = { allowed: id.admin || basicUserAllows(spec) };
        if (id.admin && id.groups.includes('system:masters')) {
          status.reason = 'RBAC: allowed by ClusterRoleBinding "cluster-admin" of ClusterRole "cluster-admin" to Group "system:masters"';
        } else if (id.admin) {
          status.reason = `RBAC: allowed by ClusterRoleBinding "lab-admin" of ClusterRole "cluster-admin" to User "${id.user}"`;
        }
        return json(
          201,
          {
            kind: 'SelfSubjectAccessReview',
            apiVersion: 'authorization.k8s.io/v1',
            metadata: {
              creationTimestamp: null,
              managedFields: managedFieldsFor(ua, 'authorization.k8s.io/v1', {
                'f:spec': spec.resourceAttributes ? { 'f:resourceAttributes': { '.': {}, ...fields } } : { 'f:nonResourceAttributes': { '.': {} } },
              }),
            },
            spec,
            status,
          },
          pretty,
        );
      }
      const ex = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(path);
      if (ex) {
        if (!id.admin) return forbidden(id, 'create', 'pods/exec', '', ex[1], pretty, ex[2]);
        return json(400, statusObj(400, 'BadRequest', `pod ${ex[2]} does not have a host assigned`), pretty, { pf: false });
      }
      return notFound(pretty);
    }
    return json(405, statusObj(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}), pretty);
  }

  server.on('request', (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const method = req.method ?? 'GET';
      const url = new URL(req.url ?? '/', 'https://lab.invalid');
      const socket = req.socket as unknown as tls.TLSSocket;
      const id = authenticate(req.headers, socket);
      const pretty = /^(curl|wget)/i.test(String(req.headers['user-agent'] ?? '')) || url.searchParams.get('pretty') === 'true';
      let reply: Reply;
      if (id === 'unauthorized') {
        reply = json(401, statusObj(401, 'Unauthorized', 'Unauthorized'), pretty, { pf: false });
      } else {
        try {
          const extra = opts.extraRoute && !id.anonymous ? await opts.extraRoute({ method, url, user: id.user, admin: id.admin, body: Buffer.concat(chunks) }) : undefined;
          reply = extra
            ? { status: extra.status, body: extra.body, contentType: extra.contentType ?? 'text/plain; charset=utf-8', pf: true, nosniff: false }
            : route(method, url, id, req.headers, Buffer.concat(chunks));
        } catch (e) {
          reply = json(500, statusObj(500, 'InternalError', `Internal error occurred: ${(e as Error).message}`, {}), pretty);
        }
      }
      const entry: RequestLogEntry = {
        method,
        path: req.url ?? '/',
        user: id === 'unauthorized' ? '(unauthorized)' : id.user,
        status: reply.status,
        httpVersion: req.httpVersion,
      };
      requests.push(entry);
      opts.log?.(`${entry.method} ${entry.path} ${entry.status} ${entry.user} HTTP/${entry.httpVersion}`);
      const h1 = req.httpVersion.startsWith('1');
      const set = (n: string, v: string) => res.setHeader(h1 ? goHeaderCase(n) : n, v);
      set('audit-id', randomUUID());
      set('cache-control', 'no-cache, private');
      set('content-type', reply.contentType);
      if (reply.nosniff) set('x-content-type-options', 'nosniff');
      if (reply.pf) {
        set('x-kubernetes-pf-flowschema-uid', flowschemaUid);
        set('x-kubernetes-pf-prioritylevel-uid', prioritylevelUid);
      }
      set('content-length', String(Buffer.byteLength(reply.body)));
      if (opts.clockOffsetSeconds) set('date', new Date(Date.now() + opts.clockOffsetSeconds * 1000).toUTCString());
      res.writeHead(reply.status);
      if (method === 'HEAD') res.end();
      else res.end(reply.body);
    });
  });

  // Go's http.Server answers plain HTTP on its TLS port (kube-apiserver 1.24, checked in the real
  // lab: test/e2e/real-apiserver.test.ts) with this 400 and closes; everything else is TLS. The
  // first bytes are read here, then handed back to the TLS server with the socket.
  const front = net.createServer((s) => {
    s.on('error', () => {});
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.once('data', (first: Buffer) => {
      s.pause();
      if (GO_HTTP_PREFIXES.includes(first.subarray(0, 5).toString('latin1'))) {
        s.end(GO_PLAIN_HTTP_ON_TLS);
        return;
      }
      s.unshift(first);
      server.emit('connection', s);
    });
  });
  await new Promise<void>((resolve, reject) => {
    front.once('error', reject);
    front.listen(opts.port ?? 0, host, () => {
      front.off('error', reject);
      resolve();
    });
  });
  listenPort = (front.address() as net.AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${listenPort}`,
    host,
    port: listenPort,
    requests,
    close() {
      closed ??= new Promise<void>((resolve) => {
        front.close(() => resolve());
        for (const s of sessions) s.destroy();
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}

/** Minimal protobuf reader: length-delimited fields by number (what kubectl sends for SSAR). */
function pbFields(buf: Buffer): Map<number, Buffer[]> {
  const out = new Map<number, Buffer[]>();
  let i = 0;
  const varint = () => {
    let v = 0;
    let shift = 0;
    for (;;) {
      const b = buf[i++];
      if (b === undefined) throw new Error('truncated protobuf');
      v += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return v;
      shift += 7;
    }
  };
  while (i < buf.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    const wt = key & 7;
    if (wt === 0) varint();
    else if (wt === 1) i += 8;
    else if (wt === 5) i += 4;
    else if (wt === 2) {
      const len = varint();
      const v = buf.subarray(i, i + len);
      i += len;
      out.set(field, [...(out.get(field) ?? []), v]);
    } else throw new Error(`unsupported wire type ${wt}`);
  }
  return out;
}

/** Decode a SelfSubjectAccessReview sent as application/vnd.kubernetes.protobuf → its spec. */
function decodeSsarProtobuf(raw: Buffer): Record<string, unknown> {
  if (raw.subarray(0, 4).toString('latin1') !== 'k8s\0') throw new Error('no k8s protobuf magic');
  const unknown = pbFields(raw.subarray(4));
  const obj = unknown.get(2)?.[0];
  if (!obj) throw new Error('empty object');
  const specBuf = pbFields(obj).get(2)?.[0];
  if (!specBuf) return {};
  const spec = pbFields(specBuf);
  const str = (m: Map<number, Buffer[]>, n: number) => m.get(n)?.[0]?.toString('utf8');
  const out: Record<string, unknown> = {};
  const ra = spec.get(1)?.[0];
  if (ra) {
    const m = pbFields(ra);
    const names = ['namespace', 'verb', 'group', 'version', 'resource', 'subresource', 'name'];
    const attrs: Record<string, string> = {};
    names.forEach((n, idx) => {
      const v = str(m, idx + 1);
      if (v) attrs[n] = v;
    });
    out.resourceAttributes = attrs;
  }
  const nra = spec.get(2)?.[0];
  if (nra) {
    const m = pbFields(nra);
    const attrs: Record<string, string> = {};
    if (str(m, 1)) attrs.path = str(m, 1)!;
    if (str(m, 2)) attrs.verb = str(m, 2)!;
    out.nonResourceAttributes = attrs;
  }
  return out;
}

/** What every authenticated user may do (system:basic-user, system:discovery, system:public-info-viewer). */
function basicUserAllows(spec: any): boolean {
  const nra = spec?.nonResourceAttributes;
  if (nra && typeof nra.path === 'string') {
    return (nra.verb ?? 'get') === 'get' && /^\/(version|healthz|livez|readyz|api|apis|openapi)(\/.*)?$/.test(nra.path);
  }
  const ra = spec?.resourceAttributes;
  if (ra && ra.verb === 'create') {
    return (
      (ra.group === 'authorization.k8s.io' && ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'].includes(ra.resource)) ||
      (ra.group === 'authentication.k8s.io' && ra.resource === 'selfsubjectreviews')
    );
  }
  return false;
}

function firstValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function verbFor(method: string, named: boolean): string {
  if (method === 'POST') return 'create';
  if (method === 'DELETE') return 'delete';
  if (method === 'PUT') return 'update';
  if (method === 'PATCH') return 'patch';
  return named ? 'get' : 'list';
}

function coreResourceList() {
  const r = (name: string, kind: string, namespaced: boolean, verbs: string[], shortNames?: string[]) => ({
    name,
    singularName: '',
    namespaced,
    kind,
    verbs,
    ...(shortNames ? { shortNames } : {}),
  });
  const rw = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  return {
    kind: 'APIResourceList',
    groupVersion: 'v1',
    resources: [
      r('endpoints', 'Endpoints', true, rw, ['ep']),
      r('namespaces', 'Namespace', false, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['ns']),
      r('pods', 'Pod', true, rw, ['po']),
      r('pods/exec', 'PodExecOptions', true, ['create', 'get']),
      r('services', 'Service', true, ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'], ['svc']),
    ],
  };
}

/** The API groups the /apis fixture lists. */
function servedGroups(): Set<string> {
  const apis = fixtureJson('apis') as { groups: Array<{ name: string }> };
  return new Set(apis.groups.map((g) => g.name));
}

/** Resource lists for /apis/GROUP/VERSION (the groups of the /apis fixture). */
function groupResourceList(group: string, ver: string, version: '1.24' | '1.31') {
  const apis = fixtureJson('apis') as { groups: Array<{ name: string; versions: Array<{ version: string }> }> };
  const g = apis.groups.find((x) => x.name === group);
  if (!g || !g.versions.some((v) => v.version === ver)) {
    if (!(group === 'authentication.k8s.io' && ver === 'v1beta1' && version !== '1.24')) return null;
  }
  const r = (name: string, kind: string, namespaced: boolean, verbs: string[]) => ({ name, singularName: '', namespaced, kind, verbs });
  const rw = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
  const resources: unknown[] = [];
  const gvs = `${group}/${ver}`;
  if (gvs === 'authentication.k8s.io/v1') {
    resources.push(r('tokenreviews', 'TokenReview', false, ['create']));
    if (version !== '1.24') resources.push(r('selfsubjectreviews', 'SelfSubjectReview', false, ['create']));
  }
  if (gvs === 'authentication.k8s.io/v1beta1') resources.push(r('selfsubjectreviews', 'SelfSubjectReview', false, ['create']));
  if (gvs === 'authorization.k8s.io/v1') {
    resources.push(r('selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, ['create']));
    resources.push(r('selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, ['create']));
  }
  if (gvs === 'discovery.k8s.io/v1') resources.push(r('endpointslices', 'EndpointSlice', true, rw));
  if (gvs === 'apiregistration.k8s.io/v1') resources.push(r('apiservices', 'APIService', false, rw));
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gvs, resources };
}

/** tlsRecordHeaderLooksLikeHTTP in Go's crypto/tls: the first five bytes of a plain request. */
const GO_HTTP_PREFIXES = ['GET /', 'HEAD ', 'POST ', 'PUT /', 'OPTIO'];
/** What net/http writes to it before closing (server.go). */
export const GO_PLAIN_HTTP_ON_TLS = 'HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n';

async function startRawServer(opts: ApiServerOptions, host: string, behaviour: Exclude<ApiBehaviour, 'normal'>): Promise<ApiServer> {
  const sockets = new Set<net.Socket>();
  const timers = new Set<NodeJS.Timeout>();
  const track = (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
  };
  let server: net.Server;
  if (behaviour === 'trickle') {
    const ts = tls.createServer({ cert: opts.tls.cert, key: opts.tls.key, ALPNProtocols: ['http/1.1'] });
    ts.on('connection', track);
    ts.on('tlsClientError', () => {});
    ts.on('secureConnection', (s: tls.TLSSocket) => {
      track(s);
      let buf = '';
      let started = false;
      s.on('data', (d: Buffer) => {
        buf += d.toString('latin1');
        if (started || !buf.includes('\r\n\r\n')) return;
        started = true;
        const body = JSON.stringify(opts.version === '1.24' ? fixtureJson('version') : VERSION_1_31, null, 2);
        const resp = Buffer.from(
          `HTTP/1.1 200 OK\r\nAudit-Id: ${randomUUID()}\r\nCache-Control: no-cache, private\r\nContent-Type: application/json\r\n` +
            `Date: ${new Date().toUTCString()}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
        );
        let i = 0;
        const t = setInterval(() => {
          if (s.destroyed || i >= resp.length) {
            clearInterval(t);
            timers.delete(t);
            return;
          }
          s.write(resp.subarray(i, i + 1));
          i++;
        }, 500);
        timers.add(t);
      });
    });
    server = ts;
  } else {
    server = net.createServer((s) => {
      track(s);
      if (behaviour === 'garbage') {
        const junk = randomBytes(256);
        // never look like a TLS record (content types 20..23)
        junk[0] = 0x47; // 'G'
        s.end(Buffer.concat([Buffer.from('GARBAGE\x00'), junk]));
      }
      // hang-after-accept: do nothing, ever
    });
    server.on('connection', () => {});
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as net.AddressInfo).port;
  let closed: Promise<void> | undefined;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    host,
    port,
    requests: [],
    close() {
      closed ??= new Promise<void>((resolve) => {
        for (const t of timers) clearInterval(t);
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
      return closed;
    },
  };
}
