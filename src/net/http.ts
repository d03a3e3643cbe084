// One HTTP/1.1 request over a socket we already own (a TLS socket from tlsHandshake or a
// plain one). The whole exchange, body included, is bounded by the deadline. With httpRequest
// the socket is consumed: it is closed when the request ends. With httpRequestKeepAlive it is
// kept open when the server lets it carry another request (HTTP keep-alive), for the caller's pool.

import type * as Http from 'node:http';
import { monotonicMs } from './clock.ts';

// process.getBuiltinModule, not an ESM import: the ESM facade of node:http evaluates its lazy
// getters and loads undici, which costs ~10 ms of start-up on every run.
const http = process.getBuiltinModule('node:http') as typeof Http;
import type * as net from 'node:net';
import { elapsed, startDeadline } from './deadline.ts';
import { abortedError, classifySocketError, timeoutError, type NetError } from './tcp.ts';

export interface HttpResponse {
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string | string[] | undefined>;
  /** max 1 MiB, text */
  body: string;
  /** the body was longer than 1 MiB and was cut */
  truncated?: boolean;
  durationMs: number;
}

export interface HttpResult {
  ok: boolean;
  response?: HttpResponse;
  error?: NetError;
  durationMs: number;
}

export interface HttpRequestOptions {
  /** TLS socket or plain */
  socket: net.Socket;
  method: string;
  /** Host header */
  host: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
}

const MAX_BODY = 1024 * 1024;

/** One request; the socket is closed when it ends ("Connection: close"). */
export function httpRequest(opts: HttpRequestOptions): Promise<HttpResult> {
  return exchange(opts, false);
}

/**
 * One request that asks to keep the connection ("Connection: keep-alive"). `reusable`: the whole
 * answer was read and the server did not close or refuse keep-alive, so the socket is open, idle
 * and ready for the next request; the caller owns it. Otherwise the socket is closed, as with
 * httpRequest.
 */
export async function httpRequestKeepAlive(opts: HttpRequestOptions): Promise<HttpResult & { reusable: boolean }> {
  return exchange(opts, true);
}

/**
 * Node's ClientRequest sends "Connection: keep-alive" and, when the answer is complete and the
 * server agrees, hands the socket back ('free') instead of closing it only when it has an agent
 * that keeps connections alive. This one-socket agent gives the request the socket we own.
 */
function oneSocketAgent(socket: net.Socket) {
  return {
    keepAlive: true,
    maxSockets: 1,
    addRequest(req: Http.ClientRequest) {
      req.onSocket(socket);
    },
  };
}

function exchange(opts: HttpRequestOptions, keepAlive: false): Promise<HttpResult>;
function exchange(opts: HttpRequestOptions, keepAlive: true): Promise<HttpResult & { reusable: boolean }>;
async function exchange(opts: HttpRequestOptions, keepAlive: boolean): Promise<HttpResult & { reusable?: boolean }> {
  const startedAt = monotonicMs();
  const what = `${opts.method} ${opts.path}`;
  return new Promise<HttpResult & { reusable?: boolean }>((resolve) => {
    let settled = false;
    let req: Http.ClientRequest | undefined;
    let res: Http.IncomingMessage | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    let truncated = false;

    const response = (): HttpResponse | undefined =>
      res
        ? {
            statusCode: res.statusCode ?? 0,
            statusMessage: res.statusMessage ?? '',
            headers: { ...res.headers },
            body: Buffer.concat(chunks).toString('utf8'),
            ...(truncated ? { truncated } : {}),
            durationMs: elapsed(startedAt),
          }
        : undefined;

    const finish = (r: Omit<HttpResult, 'durationMs'>, reusable = false) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      if (reusable) {
        // Node already detached the request from the socket ('free'): leave both alone
        resolve({ ...r, durationMs: elapsed(startedAt), reusable: true });
        return;
      }
      req?.removeAllListeners('response');
      res?.removeAllListeners('data');
      res?.removeAllListeners('end');
      // keep no-op error handlers: destroying may still emit errors
      req?.on('error', () => {});
      res?.on('error', () => {});
      req?.destroy();
      opts.socket.destroy();
      resolve({ ...r, durationMs: elapsed(startedAt), ...(keepAlive ? { reusable: false } : {}) });
    };

    const deadline = startDeadline(opts, (why) => {
      const partial = response();
      const err =
        why === 'timeout'
          ? timeoutError(what, opts.timeoutMs, partial ? `the server sent the headers (status ${partial.statusCode}) but not the whole body` : 'no response from the server')
          : abortedError(what);
      finish({ ok: false, error: err, ...(partial ? { response: partial } : {}) });
    });
    if (settled) return;

    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const hasHeader = (n: string) => Object.keys(headers).some((k) => k.toLowerCase() === n);
    if (!hasHeader('host')) headers.Host = opts.host;
    if (opts.body !== undefined && !hasHeader('content-length')) headers['Content-Length'] = String(Buffer.byteLength(opts.body));

    try {
      req = http.request({
        // keep-alive: the one-socket agent; else no agent at all (with `agent: false` Node creates
        // a fresh Agent that ignores createConnection and dials host:port itself)
        ...(keepAlive ? { agent: oneSocketAgent(opts.socket) as unknown as Http.Agent } : { createConnection: () => opts.socket, agent: undefined }),
        method: opts.method,
        path: opts.path,
        headers,
        setHost: false,
      });
    } catch (err) {
      finish({ ok: false, error: { kind: 'other', message: `${what}: ${(err as Error).message}` } });
      return;
    }
    req.on('response', (r) => {
      res = r;
      r.on('data', (d: Buffer) => {
        if (truncated) return;
        if (size + d.length > MAX_BODY) {
          chunks.push(d.subarray(0, MAX_BODY - size));
          size = MAX_BODY;
          truncated = true;
          finish({ ok: true, response: response() });
          return;
        }
        chunks.push(d);
        size += d.length;
      });
      r.on('end', () => {
        const request = req!;
        if (!keepAlive || truncated || !request.shouldKeepAlive) {
          finish({ ok: true, response: response() });
          return;
        }
        // the answer is complete and the server keeps the connection: Node frees the socket on
        // the next tick; it is reusable once that happened, unless it closed first
        const sock = opts.socket;
        const onFree = () => {
          sock.removeListener('close', onClose);
          finish({ ok: true, response: response() }, true);
        };
        const onClose = () => {
          sock.removeListener('free', onFree);
          finish({ ok: true, response: response() });
        };
        sock.once('free', onFree);
        sock.once('close', onClose);
      });
      r.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: classifyHttpError(err, what), response: response() }));
    });
    req.on('error', (err: NodeJS.ErrnoException) => finish({ ok: false, error: classifyHttpError(err, what), ...(res ? { response: response() } : {}) }));
    req.end(opts.body);
  });
}

function classifyHttpError(err: NodeJS.ErrnoException, what: string): NetError {
  const code = err.code ?? '';
  if (code.startsWith('HPE_')) {
    return { kind: 'protocol', code, message: `${what}: the server's answer is not valid HTTP (${err.message})` };
  }
  if (/socket hang up|aborted/i.test(err.message) || code === 'ECONNRESET') {
    return { kind: 'reset', code: code || 'ECONNRESET', message: `${what}: the server closed the connection before answering completely` };
  }
  if (/alert/i.test(err.message)) {
    const alert = /alert ([a-z ]+?)(?::|$| \()/i.exec(err.message)?.[1]?.toLowerCase() ?? /ALERT_(.+)$/.exec(code)?.[1]?.replace(/_/g, ' ').toLowerCase();
    return { kind: 'alert', ...(code ? { code } : {}), message: `${what}: TLS alert "${alert ?? 'unknown'}"${alert === 'certificate required' ? ': the server wants a client certificate' : ''}` };
  }
  return classifySocketError(err, what);
}
