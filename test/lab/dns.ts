/**
 * A tiny authoritative UDP DNS server for the lab (RFC 1035 wire format, A / AAAA / CNAME).
 *
 *  - names in `records` answer with their A / AAAA records; a CNAME is answered with the
 *    CNAME record followed by the target's records (chains followed inside `records`);
 *  - a known name without records of the asked type: NOERROR, empty answer (NODATA);
 *  - unknown names: NXDOMAIN (`nxdomain: 'all-unknown'`, the default) or SERVFAIL
 *    (`nxdomain: 'servfail'`);
 *  - names in `silent` are never answered (the client times out).
 * Every response sets AA and RA (it stands for the resolver in /etc/resolv.conf).
 */
import dgram from 'node:dgram';
import net from 'node:net';

export interface DnsRecords {
  [name: string]: { A?: string[]; AAAA?: string[]; CNAME?: string };
}

export interface DnsServerOptions {
  host?: string;
  /** 0 = any; the lab uses 53 */
  port?: number;
  records: DnsRecords;
  nxdomain?: 'all-unknown' | 'servfail';
  silent?: string[];
  ttl?: number;
}

export interface DnsServer {
  host: string;
  port: number;
  queries: Array<{ name: string; type: string; rcode: string }>;
  close(): Promise<void>;
}

const TYPE = { A: 1, CNAME: 5, SOA: 6, PTR: 12, MX: 15, TXT: 16, AAAA: 28, SRV: 33, OPT: 41, HTTPS: 65, ANY: 255 } as const;
const TYPE_NAME: Record<number, string> = Object.fromEntries(Object.entries(TYPE).map(([k, v]) => [v, k]));

function norm(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

function readName(buf: Buffer, off: number): { name: string; end: number } {
  const labels: string[] = [];
  let end = -1;
  let jumps = 0;
  for (;;) {
    if (off >= buf.length) throw new Error('truncated name');
    const len = buf[off];
    if (len === 0) {
      if (end < 0) end = off + 1;
      break;
    }
    if ((len & 0xc0) === 0xc0) {
      if (end < 0) end = off + 2;
      off = ((len & 0x3f) << 8) | buf[off + 1];
      if (++jumps > 20) throw new Error('compression loop');
      continue;
    }
    labels.push(buf.subarray(off + 1, off + 1 + len).toString('latin1'));
    off += 1 + len;
  }
  return { name: labels.join('.'), end };
}

function encodeName(name: string): Buffer {
  const parts = norm(name).split('.').filter(Boolean);
  const bufs = parts.map((p) => Buffer.concat([Buffer.from([p.length]), Buffer.from(p, 'latin1')]));
  return Buffer.concat([...bufs, Buffer.from([0])]);
}

function ipv6Bytes(ip: string): Buffer {
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), i * 2));
  return b;
}

function rr(name: string, type: number, ttl: number, rdata: Buffer): Buffer {
  const head = Buffer.alloc(10);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(1, 2); // IN
  head.writeUInt32BE(ttl, 4);
  head.writeUInt16BE(rdata.length, 8);
  return Buffer.concat([encodeName(name), head, rdata]);
}

export async function startDnsServer(opts: DnsServerOptions): Promise<DnsServer> {
  const host = opts.host ?? '127.0.0.1';
  const ttl = opts.ttl ?? 30;
  const records = new Map(Object.entries(opts.records).map(([k, v]) => [norm(k), v]));
  const silent = new Set((opts.silent ?? []).map(norm));
  const queries: DnsServer['queries'] = [];
  const sock = dgram.createSocket(net.isIPv6(host) ? 'udp6' : 'udp4');

  function answer(msg: Buffer): Buffer | null {
    if (msg.length < 12) return null;
    const id = msg.readUInt16BE(0);
    const flags = msg.readUInt16BE(2);
    if (flags & 0x8000) return null; // a response, not a query
    const qd = msg.readUInt16BE(4);
    if (qd !== 1) return null;
    const q = readName(msg, 12);
    const qtype = msg.readUInt16BE(q.end);
    const question = msg.subarray(12, q.end + 4);
    const name = norm(q.name);
    const typeName = TYPE_NAME[qtype] ?? String(qtype);
    if (silent.has(name)) {
      queries.push({ name, type: typeName, rcode: 'SILENT' });
      return null;
    }
    const answers: Buffer[] = [];
    let rcode = 0;
    let cur = name;
    const seen = new Set<string>();
    for (;;) {
      const rec = records.get(cur);
      if (!rec) {
        if (cur === name) rcode = opts.nxdomain === 'servfail' ? 2 : 3;
        break;
      }
      if (rec.CNAME && qtype !== TYPE.CNAME) {
        answers.push(rr(cur, TYPE.CNAME, ttl, encodeName(rec.CNAME)));
        if (seen.has(cur)) break;
        seen.add(cur);
        cur = norm(rec.CNAME);
        continue;
      }
      if (qtype === TYPE.CNAME && rec.CNAME) answers.push(rr(cur, TYPE.CNAME, ttl, encodeName(rec.CNAME)));
      if (qtype === TYPE.A || qtype === TYPE.ANY) {
        for (const a of rec.A ?? []) answers.push(rr(cur, TYPE.A, ttl, Buffer.from(a.split('.').map(Number))));
      }
      if (qtype === TYPE.AAAA || qtype === TYPE.ANY) {
        for (const a of rec.AAAA ?? []) answers.push(rr(cur, TYPE.AAAA, ttl, ipv6Bytes(a)));
      }
      break;
    }
    queries.push({ name, type: typeName, rcode: rcode === 3 ? 'NXDOMAIN' : rcode === 2 ? 'SERVFAIL' : 'NOERROR' });
    const header = Buffer.alloc(12);
    header.writeUInt16BE(id, 0);
    // QR | opcode(copied) | AA | RD(copied) | RA | rcode
    header.writeUInt16BE(0x8000 | (flags & 0x7800) | 0x0400 | (flags & 0x0100) | 0x0080 | rcode, 2);
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    header.writeUInt16BE(0, 8);
    header.writeUInt16BE(0, 10);
    return Buffer.concat([header, question, ...answers]);
  }

  sock.on('message', (msg, rinfo) => {
    let out: Buffer | null = null;
    try {
      out = answer(msg);
    } catch {
      out = null;
    }
    if (out) sock.send(out, rinfo.port, rinfo.address);
  });
  sock.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    sock.once('error', reject);
    sock.bind(opts.port ?? 0, host, () => {
      sock.off('error', reject);
      resolve();
    });
  });
  let closed: Promise<void> | undefined;
  return {
    host,
    port: sock.address().port,
    queries,
    close: () => (closed ??= new Promise<void>((resolve) => sock.close(() => resolve()))),
  };
}
