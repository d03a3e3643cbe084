// Name resolution like Go's resolver on Linux ("files dns"): IP literals as themselves, then
// the hosts file, then A and AAAA queries in parallel. Cancellable, bounded by the deadline,
// never throws.

import { promises as dnsp } from 'node:dns';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { elapsed, startDeadline } from './deadline.ts';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
  source: 'hosts' | 'dns' | 'literal';
}

export type DnsErrorKind = 'nxdomain' | 'nodata' | 'timeout' | 'servfail' | 'refused' | 'aborted' | 'other';

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
const PRIORITY: DnsErrorKind[] = ['nxdomain', 'servfail', 'refused', 'timeout', 'nodata', 'other', 'aborted'];

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

export async function resolveHost(host: string, opts: ResolveOptions): Promise<DnsResult> {
  const startedAt = performance.now();
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
    const content = await readFile(hostsPath, 'utf8');
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
    const remaining = Math.max(1, Math.round(opts.timeoutMs - (performance.now() - startedAt)));
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
      { timeoutMs: Math.max(0, opts.timeoutMs - (performance.now() - startedAt)), signal: opts.signal },
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
      finish({ addresses, error: { kind: best.kind, code: best.code, message: `${where}: ${describe(best.kind, best.code)}` } });
    });
  });
}
