// One deadline per network operation: a timer plus an optional AbortSignal, both cleared
// by `clear()`. The callback runs at most once.
import { monotonicMs } from './clock.ts';

export interface NetOpts {
  timeoutMs: number;
  signal?: AbortSignal;
}

export type EndReason = 'timeout' | 'aborted';

export interface Deadline {
  /** ms left until the deadline (never negative) */
  remaining(): number;
  /** stop the timer and detach from the signal */
  clear(): void;
  readonly startedAt: number;
}

export function startDeadline(opts: NetOpts, onEnd: (why: EndReason) => void): Deadline {
  const startedAt = monotonicMs();
  const timeoutMs = Math.max(0, Number.isFinite(opts.timeoutMs) ? opts.timeoutMs : 0);
  let fired = false;
  const fire = (why: EndReason) => {
    if (fired) return;
    fired = true;
    clear();
    onEnd(why);
  };
  const timer = setTimeout(() => fire('timeout'), timeoutMs);
  const onAbort = () => fire('aborted');
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  function clear() {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
  if (opts.signal?.aborted) queueMicrotask(() => fire('aborted'));
  return {
    startedAt,
    remaining: () => Math.max(0, timeoutMs - (monotonicMs() - startedAt)),
    clear: () => {
      fired = true;
      clear();
    },
  };
}

export function elapsed(startedAt: number): number {
  return Math.round(monotonicMs() - startedAt);
}
