// Name resolution like Go's resolver on Linux ("files dns"): IP literals as themselves, then
// the hosts file, then A and AAAA queries in parallel. Cancellable, bounded by the deadline,
// never throws.

import { createSocket } from 'node:dgram';
import { promises as dnsp } from 'node:dns';
// node:fs, not node:fs/promises: the promises module is one more internal module (~3 ms) to load on
// every start of `cert`, for one small read
import { readFile } from 'node:fs';
import { isIP } from 'node:net';
import { elapsed, startDeadline } from './deadline.ts';
import { monotonicMs } from './clock.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
  source: 'hosts' | 'dns' | 'literal';
}

/**
 * unreachable: the query could not be sent (ENETUNREACH/EHOSTUNREACH on the resolver's socket: no
 * route to the DNS server); refused: the DNS server's port answered ICMP port unreachable, or the
 * server answered REFUSED.
 */
export type DnsErrorKind = 'nxdomain' | 'nodata' | 'timeout' | 'servfail' | 'refused' | 'unreachable' | 'aborted' | 'other';

export interface DnsResult {
  host: string;
  addresses: ResolvedAddress[];
  /** the first hosts-file line that supplied the addresses */
  hostsFile?: { path: string; line: string; lineNumber?: number };
  /**
   * nxdomain: the name does not exist; nodata: it exists but has no A/AAAA records
   * (Go reports both as "no such host"); aborted: the caller's signal fired.
   */
  error?: { kind: DnsErrorKind; code: string; message: string };
  servers: string[];
  durationMs: number;
}

export interface ResolveOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** default /etc/hosts */
  hostsPath?: string;
  /** DNS servers ("ip" or "ip:port"); default: the system's (/etc/resolv.conf) */
  servers?: string[];
  /** how to ask a DNS server's socket what happened when c-ares says ECONNREFUSED (tests) */
  probe?: ServerProber;
}

export interface HostsEntry {
  address: string;
  line: string;
  lineNumber: number;
}

/** Go's hosts-file lookup: every line naming host (case-insensitive, trailing dot ignored). */
export function lookupHostsFile(content: string, host: string): HostsEntry[] {
  const want = host.toLowerCase().replace(/\.$/, '');
  const out: HostsEntry[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    const hash = raw.indexOf('#');
    const line = hash >= 0 ? raw.slice(0, hash) : raw;
    const f = line.trim().split(/[ \t]+/);
    if (f.length < 2 || !f[0]) return;
    let addr = f[0];
    const zone = addr.indexOf('%');
    const bare = zone >= 0 ? addr.slice(0, zone) : addr;
    if (!isIP(bare)) return;
    if (zone < 0) addr = bare;
    for (const name of f.slice(1)) {
      if (name.toLowerCase().replace(/\.$/, '') === want) {
        out.push({ address: addr, line: raw.trim(), lineNumber: i + 1 });
        break;
      }
    }
  });
  return out;
}

const CODE_KIND: Record<string, DnsErrorKind> = {
  ENOTFOUND: 'nxdomain',
  NXDOMAIN: 'nxdomain',
  ENODATA: 'nodata',
  ETIMEOUT: 'timeout',
  ETIMEDOUT: 'timeout',
  ESERVFAIL: 'servfail',
  EREFUSED: 'refused',
  ECONNREFUSED: 'refused',
  ECANCELLED: 'aborted',
};

// which error explains a failed lookup best when A and AAAA disagree
const PRIORITY: DnsErrorKind[] = ['nxdomain', 'servfail', 'refused', 'unreachable', 'timeout', 'nodata', 'other', 'aborted'];

function describe(kind: DnsErrorKind, code: string): string {
  switch (kind) {
    case 'nxdomain':
      return 'no such host (NXDOMAIN)';
    case 'nodata':
      return 'no such host (the name exists but has no A or AAAA records)';
    case 'timeout':
      return 'i/o timeout (no answer from the DNS server)';
    case 'servfail':
      return 'server misbehaving (SERVFAIL)';
    case 'refused':
      return code === 'ECONNREFUSED' ? 'connection refused (nothing answers DNS on that server)' : 'the DNS server refused the query (REFUSED)';
    case 'unreachable':
      return code === 'EHOSTUNREACH' ? 'no route to host (no route to the DNS server)' : 'network is unreachable (no route to the DNS server)';
    case 'aborted':
      return 'cancelled';
    default:
      return code;
  }
}

function serverList(servers: string[]): string {
  if (servers.length === 0) return 'no DNS server';
  return servers.map((s) => (isIP(s) === 4 ? `${s}:53` : isIP(s) === 6 ? `[${s}]:53` : s)).join(', ');
}

/** What a UDP socket to a DNS server saw: the connect's error, ICMP port unreachable, an answer, or nothing. */
export type ServerProbe = { kind: 'connect-error'; code: string } | { kind: 'refused' } | { kind: 'answered' } | { kind: 'silent' };
export type ServerProber = (server: string, timeoutMs: number) => Promise<ServerProbe>;

function splitServer(server: string): { ip: string; port: number } {
  if (isIP(server)) return { ip: server, port: 53 };
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(server) ?? /^([^:]+):(\d+)$/.exec(server);
  return m ? { ip: m[1], port: Number(m[2]) } : { ip: server, port: 53 };
}

function hostPort(server: string): string {
  const { ip, port } = splitServer(server);
  return isIP(ip) === 6 ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * Go's words when a query cannot be sent or is refused, decided from what each server's socket saw
 * (undefined: the sockets tell nothing c-ares did not): every server without a route is
 * "dial udp S:53: connect: network is unreachable"; every server answering ICMP port unreachable
 * keeps "connection refused".
 */
export function resolverSocketError(where: string, servers: string[], outcomes: ServerProbe[]): DnsResult['error'] | undefined {
  if (outcomes.length === 0 || outcomes.length !== servers.length) return undefined;
  if (outcomes.every((o) => o.kind === 'connect-error' && (o.code === 'ENETUNREACH' || o.code === 'EHOSTUNREACH'))) {
    const codes = outcomes.map((o) => (o as { code: string }).code);
    const code = codes.includes('ENETUNREACH') ? 'ENETUNREACH' : 'EHOSTUNREACH';
    const go = (c: string) => (c === 'EHOSTUNREACH' ? 'no route to host' : 'network is unreachable');
    // Go quotes the last server it tried; name each
    const dials = servers.map((s, i) => `dial udp ${hostPort(s)}: connect: ${go(codes[i])}`).join('; ');
    return { kind: 'unreachable', code, message: `${where}: ${dials} (no route to the DNS server)` };
  }
  return undefined;
}

/** Open a UDP socket to the server (the kernel picks a route at connect) and send one query. */
export const probeDnsServer: ServerProber = (server, timeoutMs) =>
  new Promise((resolve) => {
    const { ip, port } = splitServer(server);
    const sock = createSocket(isIP(ip) === 6 ? 'udp6' : 'udp4');
    let done = false;
    const end = (p: ServerProbe) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      try {
        sock.close();
      } catch {
        /* already closed */
      }
      resolve(p);
    };
    const timer = setTimeout(() => end({ kind: 'silent' }), timeoutMs);
    sock.on('error', (e: NodeJS.ErrnoException) => end(e.syscall === 'connect' ? { kind: 'connect-error', code: e.code ?? 'UNKNOWN' } : e.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'silent' }));
    sock.on('message', () => end({ kind: 'answered' }));
    try {
      sock.connect(port, ip, (err?: Error) => {
        if (err) return end({ kind: 'connect-error', code: (err as NodeJS.ErrnoException).code ?? 'UNKNOWN' });
        // a query for the root's NS record: any DNS server answers it
        sock.send(Buffer.from([0x4e, 0x44, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 1]), (e) => {
          if (e) end({ kind: 'connect-error', code: (e as NodeJS.ErrnoException).code ?? 'UNKNOWN' });
        });
      });
    } catch (e) {
      end({ kind: 'connect-error', code: (e as NodeJS.ErrnoException).code ?? 'UNKNOWN' });
    }
  });

export async function resolveHost(host: string, opts: ResolveOptions): Promise<DnsResult> {
  const probe = opts.probe ?? probeDnsServer;
  const startedAt = monotonicMs();
  const name = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;

  // 1. IP literal
  const fam = isIP(name);
  if (fam) {
    return {
      host,
      addresses: [{ address: name, family: fam as 4 | 6, source: 'literal' }],
      servers: [],
      durationMs: elapsed(startedAt),
    };
  }

  // 2. hosts file
  const hostsPath = opts.hostsPath ?? '/etc/hosts';
  try {
    const content = await new Promise<string>((res, rej) => readFile(hostsPath, 'utf8', (err, text) => (err ? rej(err) : res(text))));
    const entries = lookupHostsFile(content, name);
    if (entries.length) {
      const seen = new Set<string>();
      const addresses: ResolvedAddress[] = [];
      for (const e of entries) {
        if (seen.has(e.address)) continue;
        seen.add(e.address);
        addresses.push({ address: e.address, family: isIP(e.address.split('%')[0]) === 6 ? 6 : 4, source: 'hosts' });
      }
      return {
        host,
        addresses,
        hostsFile: { path: hostsPath, line: entries[0].line, lineNumber: entries[0].lineNumber },
        servers: [],
        durationMs: elapsed(startedAt),
      };
    }
  } catch {
    /* no hosts file: straight to DNS, like Go */
  }

  // 3. DNS: A and AAAA in parallel
  let resolver: InstanceType<typeof dnsp.Resolver>;
  let servers: string[] = [];
  try {
    const remaining = Math.max(1, Math.round(opts.timeoutMs - (monotonicMs() - startedAt)));
    resolver = new dnsp.Resolver({ timeout: remaining, tries: 1 });
    if (opts.servers?.length) resolver.setServers(opts.servers);
    servers = resolver.getServers();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return {
      host,
      addresses: [],
      servers,
      error: { kind: 'other', code: e.code ?? 'EINVAL', message: `lookup ${name}: ${e.message}` },
      durationMs: elapsed(startedAt),
    };
  }
  const where = `lookup ${name} on ${serverList(servers)}`;

  return new Promise<DnsResult>((resolve) => {
    let settled = false;
    const finish = (r: Omit<DnsResult, 'host' | 'servers' | 'durationMs'>) => {
      if (settled) return;
      settled = true;
      deadline.clear();
      resolve({ host, servers, durationMs: elapsed(startedAt), ...r });
    };
    const deadline = startDeadline(
      { timeoutMs: Math.max(0, opts.timeoutMs - (monotonicMs() - startedAt)), signal: opts.signal },
      (why) => {
        resolver.cancel();
        const kind: DnsErrorKind = why === 'timeout' ? 'timeout' : 'aborted';
        const code = why === 'timeout' ? 'ETIMEOUT' : 'ECANCELLED';
        finish({
          addresses: [],
          error: { kind, code, message: `${where}: ${why === 'timeout' ? `i/o timeout (no answer within ${opts.timeoutMs} ms)` : 'cancelled'}` },
        });
      },
    );
    const q = <T>(p: Promise<T>) =>
      p.then(
        (v) => ({ ok: true as const, v }),
        (e: NodeJS.ErrnoException) => ({ ok: false as const, e }),
      );
    void Promise.all([q(resolver.resolve4(name)), q(resolver.resolve6(name))]).then(([a, aaaa]) => {
      const addresses: ResolvedAddress[] = [];
      if (a.ok) for (const x of a.v) addresses.push({ address: x, family: 4, source: 'dns' });
      if (aaaa.ok) for (const x of aaaa.v) addresses.push({ address: x, family: 6, source: 'dns' });
      if (addresses.length) return finish({ addresses });
      const errs = [a, aaaa].filter((r) => !r.ok).map((r) => (r as { e: NodeJS.ErrnoException }).e);
      if (errs.length === 0) {
        return finish({ addresses, error: { kind: 'nodata', code: 'ENODATA', message: `${where}: ${describe('nodata', 'ENODATA')}` } });
      }
      const classified = errs.map((e) => ({ kind: CODE_KIND[e.code ?? ''] ?? ('other' as DnsErrorKind), code: e.code ?? 'UNKNOWN' }));
      classified.sort((x, y) => PRIORITY.indexOf(x.kind) - PRIORITY.indexOf(y.kind));
      const best = classified[0];
      if (best.code !== 'ECONNREFUSED' || servers.length === 0) {
        return finish({ addresses, error: { kind: best.kind, code: best.code, message: `${where}: ${describe(best.kind, best.code)}` } });
      }
      // c-ares reports every socket failure as ECONNREFUSED: ask the sockets what happened
      const budget = Math.max(50, Math.min(500, opts.timeoutMs - (monotonicMs() - startedAt)));
      void Promise.all(servers.map((s) => probe(s, budget))).then((outcomes) => {
        const error = resolverSocketError(where, servers, outcomes) ?? { kind: best.kind, code: best.code, message: `${where}: ${describe(best.kind, best.code)}` };
        finish({ addresses, error });
      });
    });
  });
}
