// TCP connect probes with classified errors. Never throws for network failures and always
// ends by the deadline (the socket is destroyed and every timer cleared).

import * as net from 'node:net';
import { elapsed, startDeadline, type NetOpts } from './deadline.ts';
import { joinHostPort } from './ip.ts';

export type TcpErrorKind = 'unreachable' | 'refused' | 'timeout' | 'reset' | 'other';

export interface NetError {
  /** TcpErrorKind, or a layer-specific kind: 'aborted', 'dns', 'alert', 'not-tls', 'protocol', ... */
  kind: TcpErrorKind | string;
  code?: string;
  message: string;
}

export interface TcpResult {
  host: string;
  port: number;
  ok: boolean;
  durationMs: number;
  /** "ip:port" of our end when connected */
  localAddress?: string;
  /** "ip:port" of the peer when connected */
  remoteAddress?: string;
  error?: NetError;
}

const CODE_TEXT: Record<string, { kind: string; text: string }> = {
  ENETUNREACH: { kind: 'unreachable', text: 'network is unreachable (no route)' },
  EHOSTUNREACH: { kind: 'unreachable', text: 'no route to host' },
  EHOSTDOWN: { kind: 'unreachable', text: 'host is down' },
  ENONET: { kind: 'unreachable', text: 'machine is not on the network' },
  ECONNREFUSED: { kind: 'refused', text: 'connection refused' },
  ETIMEDOUT: { kind: 'timeout', text: 'connection timed out' },
  ECONNRESET: { kind: 'reset', text: 'connection reset by peer' },
  EPIPE: { kind: 'reset', text: 'broken pipe (the peer closed the connection)' },
  ECONNABORTED: { kind: 'reset', text: 'connection aborted' },
  EADDRNOTAVAIL: { kind: 'other', text: 'cannot assign requested address (no local address for this destination)' },
  EACCES: { kind: 'other', text: 'permission denied (a local firewall rule?)' },
  EPERM: { kind: 'other', text: 'operation not permitted (a local firewall rule?)' },
  ENOTFOUND: { kind: 'dns', text: 'no such host' },
  EAI_AGAIN: { kind: 'dns', text: 'temporary failure in name resolution' },
  EAI_FAIL: { kind: 'dns', text: 'name resolution failed' },
  EAI_NODATA: { kind: 'dns', text: 'no address for this name' },
};

/** Plain-words classification of a socket error: kind, code and a message like Go's dial errors. */
export function classifySocketError(err: NodeJS.ErrnoException, what?: string): NetError {
  // net.connect with autoSelectFamily reports an AggregateError with one error per address
  const agg = err as NodeJS.ErrnoException & { errors?: NodeJS.ErrnoException[] };
  if (!err.code && Array.isArray(agg.errors) && agg.errors.length) {
    const first = agg.errors.find((e) => e.code) ?? agg.errors[0];
    return classifySocketError(first, what);
  }
  const code = err.code;
  const e = err as NodeJS.ErrnoException & { address?: string; port?: number };
  const where = what ?? (e.address ? `connect ${joinHostPort(e.address, e.port ?? '')}` : undefined);
  const known = code ? CODE_TEXT[code] : undefined;
  const text = known?.text ?? err.message ?? String(err);
  return {
    kind: known?.kind ?? 'other',
    ...(code ? { code } : {}),
    message: where ? `${where}: ${text}` : text,
  };
}

export function timeoutError(what: string, timeoutMs: number, detail = 'no answer: the port is filtered or the packets are black-holed'): NetError {
  return { kind: 'timeout', code: 'ETIMEDOUT', message: `${what}: timed out after ${timeoutMs} ms (${detail})` };
}

export function abortedError(what: string): NetError {
  return { kind: 'aborted', code: 'ABORT_ERR', message: `${what}: cancelled` };
}

/** Prevent an unhandled 'error' from crashing the process while the caller owns the socket. */
export function guardSocket(socket: net.Socket): void {
  if (!(socket as net.Socket & { __netdiagGuard?: boolean }).__netdiagGuard) {
    (socket as net.Socket & { __netdiagGuard?: boolean }).__netdiagGuard = true;
    socket.on('error', () => {});
  }
}

/** Connect; on success the caller owns the socket (and must destroy it). */
export async function openTcp(host: string, port: number, opts: NetOpts): Promise<TcpResult & { socket?: net.Socket }> {
  const h = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  const what = `connect ${joinHostPort(h, port)}`;
  return new Promise((resolve) => {
    let settled = false;
    let socket: net.Socket | undefined;
    const finish = (r: Omit<TcpResult, 'host' | 'port' | 'durationMs'> & { socket?: net.Socket }) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      if (socket) {
        socket.removeListener('connect', onConnect);
        socket.removeListener('error', onError);
        if (!r.ok) socket.destroy();
      }
      resolve({ host: h, port, durationMs: elapsed(deadline.startedAt), ...r });
    };
    const deadline = startDeadline(opts, (why) =>
      finish({ ok: false, error: why === 'timeout' ? timeoutError(what, opts.timeoutMs) : abortedError(what) }),
    );
    const onConnect = () => {
      const s = socket!;
      guardSocket(s);
      finish({
        ok: true,
        socket: s,
        localAddress: s.localAddress ? joinHostPort(s.localAddress, s.localPort ?? '') : undefined,
        remoteAddress: s.remoteAddress ? joinHostPort(s.remoteAddress, s.remotePort ?? '') : undefined,
      });
    };
    const onError = (err: NodeJS.ErrnoException) => finish({ ok: false, error: classifySocketError(err, what) });
    if (settled) return; // already aborted
    try {
      socket = net.connect({ host: h, port });
    } catch (err) {
      finish({ ok: false, error: classifySocketError(err as NodeJS.ErrnoException, what) });
      return;
    }
    socket.once('connect', onConnect);
    socket.on('error', onError);
  });
}

/** Connect, then close. */
export async function tcpProbe(host: string, port: number, opts: NetOpts): Promise<TcpResult> {
  const r = await openTcp(host, port, opts);
  const { socket, ...rest } = r;
  socket?.destroy();
  return rest;
}
