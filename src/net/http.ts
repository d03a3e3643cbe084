// One HTTP/1.1 request over a socket we already own (a TLS socket from tlsHandshake or a
// plain one). The whole exchange, body included, is bounded by the deadline. The socket is
// consumed: it is closed when the request ends.

import type * as Http from 'node:http';

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

export async function httpRequest(opts: HttpRequestOptions): Promise<HttpResult> {
  const startedAt = performance.now();
  const what = `${opts.method} ${opts.path}`;
  return new Promise<HttpResult>((resolve) => {
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

    const finish = (r: Omit<HttpResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      req?.removeAllListeners('response');
      res?.removeAllListeners('data');
      res?.removeAllListeners('end');
      // keep no-op error handlers: destroying may still emit errors
      req?.on('error', () => {});
      res?.on('error', () => {});
      req?.destroy();
      opts.socket.destroy();
      resolve({ ...r, durationMs: elapsed(startedAt) });
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
        // no agent at all: with `agent: false` Node creates a fresh Agent that ignores
        // createConnection and dials host:port itself
        createConnection: () => opts.socket,
        agent: undefined,
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
      r.on('end', () => finish({ ok: true, response: response() }));
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
