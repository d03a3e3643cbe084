// Cilium's FQDN selectors, as pkg/fqdn/matchpattern implements them: matchName is exact
// (case-insensitive, the trailing dot ignored). In matchPattern:
// - a pattern of stars only, with an optional final dot (`*`, `**`, `**.`, `***.`), matches every
//   name (isDNSWildcard);
// - a leading run of two or more stars followed by a dot (`**.example.com`) matches one or more
//   whole labels (dnsWildcardREGroup: multi-level subdomains);
// - any other run of stars stands for zero or more DNS characters [-a-zA-Z0-9_] and never crosses
//   a dot: `*.example.com` does not match example.com itself, nor a.b.example.com.
import type { CiliumFqdnSelector } from './types.ts';

export function normalizeName(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

const DNS_CHARS = '[-a-z0-9_]';
const cache = new Map<string, RegExp>();

/** matchpattern's isDNSWildcard: stars only, with an optional final dot. */
export function isMatchAllPattern(pattern: string): boolean {
  return /^\*+\.?$/.test(pattern.trim());
}

export function patternRegExp(pattern: string): RegExp {
  const p = normalizeName(pattern);
  let re = cache.get(p);
  if (re) return re;
  if (isMatchAllPattern(pattern)) re = new RegExp(`^${DNS_CHARS}+(?:\\.${DNS_CHARS}+)*$`);
  else {
    let body = '';
    let rest = p;
    const lead = /^\*{2,}\./.exec(rest);
    if (lead) {
      body = `(?:${DNS_CHARS}+\\.)+`;
      rest = rest.slice(lead[0].length);
    }
    body += rest
      .replace(/\*+/g, '*')
      .split('')
      .map((c) => (c === '*' ? `${DNS_CHARS}*` : c === '.' ? '\\.' : c.replace(/[\\^$+?()[\]{}|]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${body}$`);
  }
  cache.set(p, re);
  return re;
}

export function fqdnMatches(sel: CiliumFqdnSelector, name: string): boolean {
  const n = normalizeName(name);
  if (sel.matchName !== undefined && normalizeName(sel.matchName) === n) return true;
  if (sel.matchPattern !== undefined && patternRegExp(sel.matchPattern).test(n)) return true;
  return false;
}

export function fqdnText(sel: CiliumFqdnSelector): string {
  if (sel.matchName !== undefined) return `matchName: ${sel.matchName}`;
  if (sel.matchPattern !== undefined) return `matchPattern: ${sel.matchPattern}`;
  return '(empty selector)';
}

/** A selector compiled once: a test on an already normalised name. */
export function compileFqdn(sel: CiliumFqdnSelector): (normalized: string) => boolean {
  const name = sel.matchName !== undefined ? normalizeName(sel.matchName) : undefined;
  const re = sel.matchPattern !== undefined ? patternRegExp(sel.matchPattern) : undefined;
  return (n) => (name !== undefined && name === n) || (re !== undefined && re.test(n));
}

const normCache = new Map<string, string>();
/** normalizeName with a small cache (the same few names are asked for every pod). */
export function normalizedCached(name: string): string {
  let n = normCache.get(name);
  if (n === undefined) {
    if (normCache.size > 10_000) normCache.clear();
    n = normalizeName(name);
    normCache.set(name, n);
  }
  return n;
}
