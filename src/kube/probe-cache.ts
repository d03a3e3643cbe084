// Probes shared between clients: contexts that point at the same API server through the same proxy
// with the same CA get one DNS lookup, one TCP probe per address and one TLS handshake, not one per
// context (`--all-contexts`: 50 contexts on one server cost one probe set). A KubeClient given a
// ProbeCache (ClientOptions.probeCache) asks it before probing; the first caller's promise is the
// answer for every later one, in flight or settled. Credentials and API requests are never shared.
import { createHash } from 'node:crypto';

export class ProbeCache {
  private readonly entries = new Map<string, Promise<unknown>>();
  /** how many probes ran (misses) and how many were answered from the cache (hits), per kind */
  readonly stats = { misses: 0, hits: 0, byKind: {} as Record<string, { misses: number; hits: number }> };

  shared<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const kind = key.split(':')[0]!;
    const k = (this.stats.byKind[kind] ??= { misses: 0, hits: 0 });
    const hit = this.entries.get(key);
    if (hit) {
      this.stats.hits++;
      k.hits++;
      return hit as Promise<T>;
    }
    this.stats.misses++;
    k.misses++;
    const p = fn();
    this.entries.set(key, p);
    return p;
  }

  private readonly objects = new Map<string, unknown>();

  /** One object per key shared by every client (the keep-alive pool of one server and TLS identity). */
  object<T>(key: string, make: () => T): T {
    let o = this.objects.get(key) as T | undefined;
    if (o === undefined) this.objects.set(key, (o = make()));
    return o;
  }

  get size(): number {
    return this.entries.size;
  }
}

/** A short fingerprint of a CA bundle (or of "none": the system store). */
export function caFingerprint(pem: string | undefined): string {
  if (!pem) return 'system';
  return createHash('sha256').update(pem).digest('hex').slice(0, 16);
}
