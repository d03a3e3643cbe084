// Plain words and finding codes for a socket error, shared by the checks that open connections
// (api.tcp, api.proxy.connect, api.endpoints).
import type { NetError } from '../../net/tcp.ts';

export function tcpCode(e: NetError | undefined): string {
  switch (e?.kind) {
    case 'unreachable':
      return 'api.tcp.unreachable';
    case 'refused':
      return 'api.tcp.refused';
    case 'timeout':
      return 'api.tcp.timeout';
    case 'reset':
      return 'api.tcp.reset';
    default:
      return 'api.tcp.error';
  }
}

/** Plain words for a socket error, e.g. "network is unreachable (no route)". */
export function describeNetError(e: NetError | undefined): string {
  if (!e) return 'failed';
  return e.message;
}

export function shortError(e: NetError | undefined): string {
  switch (e?.kind) {
    case 'unreachable':
      return 'network is unreachable (no route)';
    case 'refused':
      return 'connection refused';
    case 'timeout':
      return 'timed out (packets dropped)';
    case 'reset':
      return 'connection reset';
    default:
      return e?.message ?? 'failed';
  }
}
