// "net/http: TLS handshake timeout" told apart, for every diagnosis that makes a handshake with
// an API server address (api.tls, server.connection, server.endpoints): the probes that run while
// the handshake is still pending (src/net/tls.ts plainTextProbe, a longer second handshake), the
// pure judgement (judgeHandshakeStall), and the words of each cause. Each diagnosis passes its
// own finding codes; the judgement and the words are the same everywhere.
import type { KubeClient } from './client.ts';
import { stripBrackets } from '../net/ip.ts';
import { judgeHandshakeStall, plainTextProbe, tlsHandshake, type PlainProbe, type StallCause, type TlsResult } from '../net/tls.ts';
import { monotonicMs } from '../net/clock.ts';

export interface StallEvidence {
  plain?: PlainProbe;
  retry?: TlsResult | Pick<TlsResult, 'ok' | 'durationMs' | 'error'>;
}

/** How far past the handshake's deadline the second try may run (the run ends within --timeout + 1 s). */
export const STALL_RETRY_EXTRA_MS = 500;

export interface StallTarget {
  host: string;
  port: number;
  /** the SNI the handshake sends (none for an IP literal) */
  servername?: string;
}

/**
 * When the handshake is still pending after a short while (a healthy one takes milliseconds), the
 * probes that tell a stall's causes apart, inside the same deadline: a plain-text request on a
 * fresh connection (until the handshake's own deadline) and a second handshake whose deadline runs
 * STALL_RETRY_EXTRA_MS past it (the run still ends within --timeout + 1 s). Direct connections only:
 * the caller passes `stalled`, which resolves true when the watched handshake timed out and false
 * when it completed or failed otherwise (the probes are then moot and stop).
 */
export function watchHandshakeStall(target: StallTarget, opts: { timeoutMs: number; startedAt: number }, stalled: Promise<boolean>): Promise<StallEvidence | undefined> {
  const after = Math.min(300, Math.round(opts.timeoutMs / 10));
  return new Promise((resolve) => {
    let fired = false;
    let mainTimedOut = false;
    let plainResult: PlainProbe | undefined;
    const ac = new AbortController(); // the handshake completed (or failed otherwise): the probes are moot
    const retryAc = new AbortController(); // small packets got an answer: the retry cannot tell more
    const reacted = (p: PlainProbe | undefined) => !!p && (p.reaction === 'answered' || p.reaction === 'closed' || p.reaction === 'reset');
    const stopRetryIfDecided = () => {
      if (mainTimedOut && reacted(plainResult)) retryAc.abort();
    };
    const timer = setTimeout(() => {
      fired = true;
      const left = Math.max(200, opts.timeoutMs - (monotonicMs() - opts.startedAt));
      const plain = plainTextProbe(target.host, target.port, { timeoutMs: left, signal: ac.signal }).then((p) => {
        plainResult = p;
        stopRetryIfDecided();
        return p;
      });
      const retry = tlsHandshake({
        host: target.host,
        port: target.port,
        ...(target.servername ? { servername: target.servername } : {}),
        timeoutMs: left + STALL_RETRY_EXTRA_MS,
        signal: AbortSignal.any([ac.signal, retryAc.signal]),
        chain: false,
      });
      void Promise.all([plain, retry]).then(([p, r]) => resolve(ac.signal.aborted ? undefined : { plain: p, retry: { ok: r.ok, durationMs: r.durationMs, ...(r.error ? { error: r.error } : {}) } }));
    }, after);
    const settle = (moot: boolean) => {
      if (!fired) {
        clearTimeout(timer);
        resolve(undefined);
      } else if (moot) ac.abort();
      else {
        mainTimedOut = true;
        stopRetryIfDecided();
      }
    };
    stalled.then(
      (timedOut) => settle(!timedOut),
      () => settle(true),
    );
  });
}

/** The finding codes one diagnosis gives each cause. */
export interface StallCodes {
  slow: string;
  mtuBlackhole: string;
  noAnswer: string;
  /** the probes could not tell */
  failed: string;
}

export interface StallVerdict {
  cause: StallCause['kind'];
  /** one line for the check's summary */
  summary: string;
  code: string;
  /** the finding's message: what was seen, what it means, what kubectl says */
  message: string;
  /** commands that show it */
  reproduce: string[];
}

/** What a handshake that did not complete within `timeoutMs` means, from what the probes saw. */
export function judgeStalledHandshake(codes: StallCodes, hostPort: string, host: string, timeoutMs: number, probes: StallEvidence): StallVerdict {
  const cause = judgeHandshakeStall(probes);
  const kubectl = 'kubectl fails with "Unable to connect to the server: net/http: TLS handshake timeout"';
  const h = stripBrackets(host);
  switch (cause.kind) {
    case 'slow':
      return {
        cause: cause.kind,
        code: codes.slow,
        summary: `the TLS handshake with ${hostPort} completes, but slowly: ${cause.tookMs} ms on a second try (the first gave up after ${timeoutMs} ms)`,
        message: `The TLS handshake with ${hostPort} did not complete within ${timeoutMs} ms; a second, longer try completed after ${cause.tookMs} ms: the server (or the load balancer in front of it) is slow to answer the handshake, not broken. kubectl gives up after 10 s ("net/http: TLS handshake timeout") when it is slower still.`,
        reproduce: [`time openssl s_client -connect ${hostPort} </dev/null`],
      };
    case 'mtu-blackhole': {
      const saw =
        cause.reaction === 'answered'
          ? `answers a small plain-text request at once${cause.firstLine ? ` ("${cause.firstLine}")` : ''}`
          : cause.reaction === 'reset'
            ? 'resets a small plain-text request at once'
            : 'closes the connection on a small plain-text request at once';
      return {
        cause: cause.kind,
        code: codes.mtuBlackhole,
        summary: `the TLS handshake with ${hostPort} stalls after ${timeoutMs} ms while the same port ${saw}: large packets are lost (path-MTU black hole)`,
        message:
          `The TLS handshake with ${hostPort} did not complete within ${timeoutMs} ms, yet the same port ${saw}: small packets pass both ways, and the server's certificate flight, the first large packet of the connection, never arrives. ` +
          `That is a path-MTU black hole: a link on the path (a VPN or overlay tunnel) has a smaller MTU and the "fragmentation needed" ICMP messages that would tell the server are dropped. ${kubectl}.`,
        reproduce: [`ping -M do -s 1472 ${h}`, `ping -M do -s 1200 ${h}`, `tracepath ${h}`],
      };
    }
    case 'no-answer':
      return {
        cause: cause.kind,
        code: codes.noAnswer,
        summary: `${hostPort} accepts TCP but answers nothing: neither the TLS handshake nor a plain-text request within ${timeoutMs} ms`,
        message: `${hostPort} accepts the TCP connection but never answers: neither the TLS handshake nor a small plain-text request got a byte back within ${timeoutMs} ms. Something accepts connections with nothing behind it: a TCP load balancer without a healthy backend, a port forward to a dead target, or a hung API server. ${kubectl}.`,
        reproduce: [`openssl s_client -connect ${hostPort} </dev/null`, `curl -v --max-time 5 http://${hostPort}/`],
      };
    default:
      return {
        cause: cause.kind,
        code: codes.failed,
        summary: `the TLS handshake with ${hostPort} did not complete within ${timeoutMs} ms (${cause.why})`,
        message: `The TLS handshake with ${hostPort} did not complete within ${timeoutMs} ms; ${cause.why}.`,
        reproduce: [],
      };
  }
}

/** The probes as report evidence. */
export function stallEvidence(probes: StallEvidence, cause: string): Record<string, unknown> {
  return { plain: probes.plain, retry: probes.retry ? { ok: probes.retry.ok, durationMs: probes.retry.durationMs, error: probes.retry.error ?? null } : null, cause };
}

/**
 * The stall probes for the handshake the one client makes (`client.tls()`, already pending since
 * `startedAt`); direct connections only (through a proxy the probes would test the proxy).
 */
export function watchClientHandshake(client: KubeClient, pending: ReturnType<KubeClient['tls']>, startedAt: number): Promise<StallEvidence | undefined> {
  let proxied = false;
  try {
    proxied = client.proxy().proxy !== undefined;
  } catch {
    proxied = false;
  }
  if (client.plainHttp || proxied) return Promise.resolve(undefined);
  const sni = client.sni;
  return watchHandshakeStall(
    { host: client.host, port: client.port, ...(sni ? { servername: sni } : {}) },
    { timeoutMs: client.timeoutMs, startedAt },
    pending.then((t) => !t.tls.ok && t.tls.error?.kind === 'timeout' && !t.dialled.connect),
  );
}
