// Parsed addresses, cached: the engine asks for the same few destination addresses once per pod.
import { parseIP, type IPBytes } from '../net/ip.ts';

const cache = new Map<string, IPBytes | undefined>();

export function ipOf(s: string): IPBytes | undefined {
  if (cache.has(s)) return cache.get(s);
  if (cache.size > 10_000) cache.clear();
  const ip = parseIP(s);
  cache.set(s, ip);
  return ip;
}
