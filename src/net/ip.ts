// IP address helpers with Go's parsing rules (net.ParseIP / net.ParseCIDR), used by the
// proxy selection (NO_PROXY) and the certificate name checks.

import { isIPv4, isIPv6 } from 'node:net';

/** A parsed IP: always 16 bytes (IPv4 as v4-mapped IPv6, like Go's net.IP from ParseIP). */
export type IPBytes = Uint8Array;

/** Go's net.ParseIP: dotted IPv4 (no leading zeros), IPv6 (optionally with a dotted tail), no zone. */
export function parseIP(s: string): IPBytes | undefined {
  if (s.includes('%')) return undefined;
  if (isIPv4(s)) return v4(s);
  if (isIPv6(s)) return v6(s);
  return undefined;
}

/** Like parseIP but accepts leading zeros in IPv4 octets as decimal (k8s.io/utils/net ParseIPSloppy). */
export function parseIPSloppy(s: string): IPBytes | undefined {
  const strict = parseIP(s);
  if (strict) return strict;
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return undefined;
    const n = Number.parseInt(parts[i], 10);
    if (n > 255) return undefined;
    out[12 + i] = n;
  }
  return out;
}

function v4(s: string): IPBytes {
  const out = new Uint8Array(16);
  out[10] = 0xff;
  out[11] = 0xff;
  s.split('.').forEach((p, i) => (out[12 + i] = Number.parseInt(p, 10)));
  return out;
}

function v6(s: string): IPBytes {
  const out = new Uint8Array(16);
  let text = s;
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.slice(lastColon + 1).includes('.')) {
    const b = v4(text.slice(lastColon + 1));
    tail = [(b[12] << 8) | b[13], (b[14] << 8) | b[15]];
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = text.includes('::') ? text.split('::') : [text, undefined];
  const headGroups = head ? head.split(':') : [];
  const restGroups = rest !== undefined && rest !== '' ? rest.split(':') : [];
  const groups: number[] = new Array(8).fill(0);
  headGroups.forEach((g, i) => (groups[i] = Number.parseInt(g, 16)));
  restGroups.forEach((g, i) => (groups[8 - restGroups.length + i] = Number.parseInt(g, 16)));
  if (tail.length) {
    groups[6] = tail[0];
    groups[7] = tail[1];
  }
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

/** Go's IP.To4(): the 4 bytes when the address is IPv4 (or v4-mapped), else undefined. */
export function to4(ip: IPBytes): Uint8Array | undefined {
  if (ip.length === 4) return ip;
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return undefined;
  if (ip[10] !== 0xff || ip[11] !== 0xff) return undefined;
  return ip.subarray(12);
}

export function ipEqual(a: IPBytes, b: IPBytes): boolean {
  const a4 = to4(a);
  const b4 = to4(b);
  if (a4 && b4) return a4.every((x, i) => x === b4[i]);
  if (a4 || b4) return false;
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Go's IP.IsLoopback: 127.0.0.0/8 or ::1. */
export function isLoopback(ip: IPBytes): boolean {
  const ip4 = to4(ip);
  if (ip4) return ip4[0] === 127;
  for (let i = 0; i < 15; i++) if (ip[i] !== 0) return false;
  return ip[15] === 1;
}

/** Go's IP.String(): dotted for IPv4 (and v4-mapped), RFC 5952 for IPv6. */
export function ipToString(ip: IPBytes): string {
  const ip4 = to4(ip);
  if (ip4) return Array.from(ip4).join('.');
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((ip[i] << 8) | ip[i + 1]);
  // longest run of zero groups (length >= 2) becomes '::'
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestLen < 2) return hex.join(':');
  return hex.slice(0, bestStart).join(':') + '::' + hex.slice(bestStart + bestLen).join(':');
}

/** Bytes (4 or 16, e.g. from an iPAddress SAN) to a Go-style string. */
export function ipBytesToString(b: Uint8Array): string {
  if (b.length === 4) return Array.from(b).join('.');
  if (b.length === 16) return ipToString(b);
  return Buffer.from(b).toString('hex');
}

export interface Cidr {
  /** network bytes: 4 for IPv4, 16 for IPv6 */
  network: Uint8Array;
  bits: number;
  text: string;
}

/** Go's net.ParseCIDR (netip-based since Go 1.22): strict address, decimal prefix length. */
export function parseCIDR(s: string, sloppy = false): Cidr | undefined {
  const slash = s.indexOf('/');
  if (slash < 0) return undefined;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  const ip = sloppy ? parseIPSloppy(addr) : parseIP(addr);
  if (!ip) return undefined;
  if (!/^\d+$/.test(mask)) return undefined;
  const n = Number.parseInt(mask, 10);
  const isV4 = !addr.includes(':');
  const maxBits = isV4 ? 32 : 128;
  if (n < 0 || n > maxBits) return undefined;
  const bytes = isV4 ? to4(ip)! : ip;
  return { network: applyMask(bytes, n), bits: n, text: s };
}

function applyMask(b: Uint8Array, bits: number): Uint8Array {
  const out = new Uint8Array(b.length);
  for (let i = 0; i < b.length; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    out[i] = b[i] & ((0xff << (8 - take)) & 0xff);
  }
  return out;
}

/** Go's IPNet.Contains. */
export function cidrContains(c: Cidr, ip: IPBytes): boolean {
  let addr: Uint8Array = ip;
  const ip4 = to4(ip);
  if (ip4) addr = ip4;
  let net = c.network;
  let bits = c.bits;
  if (net.length === 16 && addr.length === 4) {
    // an IPv6 network only contains IPv4 addresses when it is v4-mapped (::ffff:0:0/96 and narrower)
    const n4 = to4(net);
    if (!n4 || bits < 96) return false;
    net = n4;
    bits -= 96;
  }
  if (net.length !== addr.length) return false;
  const masked = applyMask(addr, bits);
  return masked.every((x, i) => x === net[i]);
}

/** Go's net.SplitHostPort: "host:port", "[v6]:port". Returns undefined where Go returns an error. */
export function splitHostPort(hostport: string): { host: string; port: string } | undefined {
  const i = hostport.lastIndexOf(':');
  if (i < 0) return undefined; // missing port in address
  let host: string;
  let j = 0;
  let k = 0;
  if (hostport[0] === '[') {
    const end = hostport.indexOf(']');
    if (end < 0) return undefined; // missing ']' in address
    if (end + 1 !== i) return undefined; // missing port / too many colons
    host = hostport.slice(1, end);
    j = 1;
    k = end + 1;
  } else {
    host = hostport.slice(0, i);
    if (host.includes(':')) return undefined; // too many colons in address
  }
  if (hostport.slice(j).includes('[')) return undefined;
  if (hostport.slice(k).includes(']')) return undefined;
  return { host, port: hostport.slice(i + 1) };
}

/** Go's net.JoinHostPort. */
export function joinHostPort(host: string, port: string | number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Strip the brackets around an IPv6 literal ("[::1]" → "::1"). */
export function stripBrackets(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Strip the brackets WHATWG URL keeps around IPv6 hostnames. */
export function urlHostname(u: URL): string {
  return stripBrackets(u.hostname);
}

export function isIPLiteral(host: string): boolean {
  return parseIP(stripBrackets(host)) !== undefined;
}
