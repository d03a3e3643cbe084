// Loopback-only test servers for the net probes.

import * as dgram from 'node:dgram';
import * as net from 'node:net';

export interface DnsZone {
  a?: Record<string, string[]>;
  aaaa?: Record<string, string[]>;
  /** names answered with this rcode (2 SERVFAIL, 3 NXDOMAIN, 5 REFUSED) */
  rcode?: Record<string, number>;
  /** names never answered */
  silent?: string[];
}

export interface DnsServer {
  server: string; // "127.0.0.1:PORT"
  queries: { name: string; type: number }[];
  close(): Promise<void>;
}

function readName(buf: Buffer, off: number): { name: string; end: number } {
  const labels: string[] = [];
  let i = off;
  while (buf[i] !== 0) {
    const len = buf[i];
    labels.push(buf.subarray(i + 1, i + 1 + len).toString('ascii'));
    i += 1 + len;
  }
  return { name: labels.join('.').toLowerCase(), end: i + 1 };
}

function ipv4Bytes(ip: string): Buffer {
  return Buffer.from(ip.split('.').map((x) => Number(x)));
}

function ipv6Bytes(ip: string): Buffer {
  const [h, t] = ip.includes('::') ? ip.split('::') : [ip, ''];
  const hs = h ? h.split(':') : [];
  const ts = t ? t.split(':') : [];
  const groups = [...hs, ...new Array(8 - hs.length - ts.length).fill('0'), ...ts];
  const b = Buffer.alloc(16);
  groups.forEach((g, i) => b.writeUInt16BE(Number.parseInt(g, 16), i * 2));
  return b;
}

/** A tiny authoritative-ish UDP DNS server on 127.0.0.1 (A/AAAA, rcodes, silence). */
export async function startDnsServer(zone: DnsZone): Promise<DnsServer> {
  const sock = dgram.createSocket('udp4');
  const queries: { name: string; type: number }[] = [];
  sock.on('message', (msg, rinfo) => {
    if (msg.length < 12) return;
    const { name, end } = readName(msg, 12);
    const type = msg.readUInt16BE(end);
    queries.push({ name, type });
    if (zone.silent?.includes(name)) return;
    const question = msg.subarray(12, end + 4);
    const header = Buffer.alloc(12);
    header.writeUInt16BE(msg.readUInt16BE(0), 0); // id
    const rcode = zone.rcode?.[name] ?? (zone.a?.[name] || zone.aaaa?.[name] ? 0 : 3);
    header.writeUInt16BE(0x8180 | rcode, 2); // QR RD RA + rcode
    header.writeUInt16BE(1, 4);
    const answers: Buffer[] = [];
    if (rcode === 0) {
      const list = type === 1 ? (zone.a?.[name] ?? []) : type === 28 ? (zone.aaaa?.[name] ?? []) : [];
      for (const ip of list) {
        const rdata = type === 1 ? ipv4Bytes(ip) : ipv6Bytes(ip);
        const rr = Buffer.alloc(12);
        rr.writeUInt16BE(0xc00c, 0); // pointer to the question name
        rr.writeUInt16BE(type, 2);
        rr.writeUInt16BE(1, 4); // IN
        rr.writeUInt32BE(60, 6); // TTL
        rr.writeUInt16BE(rdata.length, 10);
        answers.push(rr, rdata);
      }
      header.writeUInt16BE(answers.length / 2, 6);
    }
    sock.send(Buffer.concat([header, question, ...answers]), rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  const { port } = sock.address();
  return {
    server: `127.0.0.1:${port}`,
    queries,
    close: () => new Promise<void>((r) => sock.close(() => r())),
  };
}

/** A TCP server on 127.0.0.1 with a per-connection handler; tracks sockets so close() is prompt. */
export async function startTcpServer(onConn: (s: net.Socket) => void): Promise<{ port: number; close(): Promise<void>; server: net.Server }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    onConn(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    server,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A port on 127.0.0.1 that is (very likely) closed: bind, read the port, close. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

export function errno(code: string, message = code): NodeJS.ErrnoException {
  const e = new Error(message) as NodeJS.ErrnoException;
  e.code = code;
  return e;
}
