// Probes shared between clients: contexts that point at the same API server through the same proxy
// with the same CA get one DNS lookup, one TCP probe per address and one TLS handshake, not one per
// context (`--all-contexts`: 50 contexts on one server cost one probe set). A KubeClient given a
// ProbeCache (ClientOptions.probeCache) asks it before probing; the first caller's promise is the
// answer for every later one, in flight or settled. Credentials and the API requests that change
// nothing (GETs, and the access reviews, which the server answers without storing anything) are
// shared only between clients with the same server path and the same user (KubeClient.identityKey).
import { createHash } from 'node:crypto';
import { monotonicMs } from '../net/clock.ts';

/**
 * How a fleet context gives up its slot while it only waits for a probe another context has in
 * flight (50 contexts on one black-holed address would otherwise hold 50 slots for one timeout),
 * and takes one again once the answer is there.
 */
export interface ProbeWaitHooks {
  park(): void;
  resume(): Promise<void>;
}

/** how long a context waits in its slot for another context's probe before it parks */
export const PARK_AFTER_MS = 250;

export class ProbeCache {
  private readonly entries: Map<string, Promise<unknown>>;
  /** keys whose probe has settled: a hit on one of them answers at once (nothing to wait for) */
  private readonly settled: Set<string>;
  /** when each probe began */
  private readonly began: Map<string, number>;
  private readonly objects: Map<string, unknown>;
  /** how many probes ran (misses) and how many were answered from the cache (hits), per kind */
  readonly stats: { misses: number; hits: number; byKind: Record<string, { misses: number; hits: number }> };
  private readonly hooks?: ProbeWaitHooks;

  constructor(base?: ProbeCache, hooks?: ProbeWaitHooks) {
    this.entries = base?.entries ?? new Map();
    this.settled = base?.settled ?? new Set();
    this.began = base?.began ?? new Map();
    this.objects = base?.objects ?? new Map();
    this.stats = base?.stats ?? { misses: 0, hits: 0, byKind: {} };
    this.hooks = hooks;
  }

  /** The same cache as one fleet context sees it: waiting for a probe in flight parks the context. */
  view(hooks: ProbeWaitHooks): ProbeCache {
    return new ProbeCache(this, hooks);
  }

  shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const kind = key.slice(0, key.indexOf(':') >>> 0);
    const k = (this.stats.byKind[kind] ??= { misses: 0, hits: 0 });
    const hit = this.entries.get(key) as Promise<T> | undefined;
    if (hit) {
      this.stats.hits++;
      k.hits++;
      const hooks = this.hooks;
      if (!hooks || this.settled.has(key)) return hit;
      // a probe that answers soon is waited for in the slot (parking costs a context switch and
      // lets more contexts start); one out for PARK_AFTER_MS since it began (a timeout coming)
      // parks its waiters, those that come later at once
      let parked = false;
      const timer = setTimeout(() => {
        parked = true;
        hooks.park();
      }, Math.max(0, PARK_AFTER_MS - (monotonicMs() - (this.began.get(key) ?? 0))));
      timer.unref?.();
      return hit.finally(() => {
        clearTimeout(timer);
        return parked ? hooks.resume() : undefined;
      });
    }
    this.stats.misses++;
    k.misses++;
    this.began.set(key, monotonicMs());
    const p = fn();
    this.entries.set(key, p);
    const done = () => void this.settled.add(key);
    p.then(done, done);
    return p;
  }

  /** One object per key shared by every client (the keep-alive pool of one server and TLS identity). */
  object<T>(key: string, make: () => T): T {
    let o = this.objects.get(key) as T | undefined;
    if (o === undefined) this.objects.set(key, (o = make()));
    return o;
  }

  /** Close what the shared objects hold open (the idle keep-alive connections of the pools). */
  close(): void {
    for (const o of this.objects.values()) (o as { close?: () => void }).close?.();
  }

  get size(): number {
    return this.entries.size;
  }
}

const fingerprints = new Map<string, string>();

/** A short fingerprint of a CA bundle (or of "none": the system store); each text hashed once. */
export function caFingerprint(pem: string | undefined): string {
  if (!pem) return 'system';
  let fp = fingerprints.get(pem);
  if (fp === undefined) {
    fp = createHash('sha256').update(pem).digest('hex').slice(0, 16);
    if (fingerprints.size < 1024) fingerprints.set(pem, fp);
  }
  return fp;
}
