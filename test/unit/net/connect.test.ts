import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpConnect } from '../../../src/net/connect.ts';
import { mintCert } from '../../lab/pki.ts';
import { closedPort, startTcpServer } from './helpers.ts';

interface SeenRequest {
  line: string;
  headers: Record<string, string>;
}

const ENVOY_503 =
  'upstream connect error or disconnect/reset before headers. reset reason: connection failure, transport failure reason: delayed connect error: 111 Connection refused';

/** A tiny CONNECT proxy; behaviour chosen by the requested target host. */
function proxyHandler(seen: SeenRequest[], upstreamPort: () => number) {
  return (s: net.Socket) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      s.removeListener('data', onData);
      const [line, ...hl] = buf.slice(0, end).split('\r\n');
      const headers: Record<string, string> = {};
      for (const h of hl) headers[h.slice(0, h.indexOf(':')).toLowerCase()] = h.slice(h.indexOf(':') + 1).trim();
      seen.push({ line, headers });
      const target = line.split(' ')[1];
      const host = target.slice(0, target.lastIndexOf(':'));
      switch (host) {
        case 'denied.test':
          s.end('HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain\r\nContent-Length: 22\r\n\r\nblocked by policy 4711');
          return;
        case 'auth.test': {
          const want = 'Basic ' + Buffer.from('alice:pa ss:w@rd').toString('base64');
          if (headers['proxy-authorization'] !== want) {
            s.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="corp"\r\nContent-Length: 0\r\n\r\n');
            return;
          }
          s.write('HTTP/1.1 200 Connection established\r\n\r\n');
          s.pipe(s); // echo through the "tunnel"
          return;
        }
        case 'down.test':
          s.end(`HTTP/1.1 503 Service Unavailable\r\nContent-Length: ${ENVOY_503.length}\r\nContent-Type: text/plain\r\nServer: envoy\r\n\r\n${ENVOY_503}`);
          return;
        case 'close-body.test':
          s.end('HTTP/1.0 502 Bad Gateway\r\nContent-Type: text/html\r\n\r\n<html>upstream said no</html>');
          return;
        case 'big-body.test':
          s.write('HTTP/1.1 504 Gateway Timeout\r\nContent-Length: 100000\r\n\r\n' + 'x'.repeat(10000));
          return; // keep the connection open: the client stops at 4 KiB
        case 'slow-body.test':
          s.write('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 100\r\n\r\npartial');
          return; // never finishes the body
        case 'chunked.test':
          // keep-alive with a chunked body: the client must stop at the last chunk, not wait for close
          s.write('HTTP/1.1 403 Forbidden\r\nTransfer-Encoding: chunked\r\n\r\n7\r\nAccess \r\n6\r\ndenied\r\n0\r\n\r\n');
          return;
        case 'silent.test':
          return; // never answers
        case 'garbage.test':
          s.end('SSH-2.0-OpenSSH_9.6\r\n');
          return;
        case 'extra.test':
          s.write('HTTP/1.1 200 Connection established\r\nX-Proxy: tiny\r\n\r\nHELLO-FROM-UPSTREAM');
          return;
        default: {
          // a real tunnel to an upstream loopback server
          const up = net.connect(upstreamPort(), '127.0.0.1', () => {
            s.write('HTTP/1.1 200 Connection established\r\n\r\n');
            s.pipe(up).pipe(s);
          });
          up.on('error', () => s.destroy());
        }
      }
    };
    s.on('data', onData);
  };
}

let upstream: Awaited<ReturnType<typeof startTcpServer>>;
let proxy: Awaited<ReturnType<typeof startTcpServer>>;
let tlsProxy: { port: number; close(): Promise<void> };
const seen: SeenRequest[] = [];
const opts = { timeoutMs: 2000 };

beforeAll(async () => {
  upstream = await startTcpServer((s) => s.on('data', (d) => s.write('echo:' + d.toString())));
  proxy = await startTcpServer(proxyHandler(seen, () => upstream.port));
  const pem = mintCert({ cn: 'tls-proxy', dns: ['localhost'], ips: ['127.0.0.1'] });
  const sockets = new Set<net.Socket>();
  const srv = tls.createServer({ cert: pem.cert, key: pem.key }, (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    proxyHandler(seen, () => upstream.port)(s);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  tlsProxy = {
    port: (srv.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        srv.close(() => r());
      }),
  };
});

afterAll(async () => {
  await proxy.close();
  await tlsProxy.close();
  await upstream.close();
});

function readSome(s: net.Socket, timeoutMs = 1000): Promise<string> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('no data')), timeoutMs);
    s.once('data', (d) => {
      clearTimeout(t);
      resolve(d.toString());
    });
    s.resume();
  });
}

describe('httpConnect', () => {
  it('opens a tunnel on 200 and sends CONNECT + Host', async () => {
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), '127.0.0.1', 6443, opts);
    expect(r.ok).toBe(true);
    expect(r.statusCode).toBe(200);
    expect(r.statusLine).toBe('HTTP/1.1 200 Connection established');
    expect(r.target).toBe('127.0.0.1:6443');
    const req = seen.at(-1)!;
    expect(req.line).toBe('CONNECT 127.0.0.1:6443 HTTP/1.1');
    expect(req.headers.host).toBe('127.0.0.1:6443');
    expect(req.headers['proxy-authorization']).toBeUndefined();
    r.socket!.write('ping');
    expect(await readSome(r.socket!)).toBe('echo:ping');
    r.socket!.destroy();
  });

  it('brackets IPv6 targets', async () => {
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), '2001:db8::1', 443, opts);
    expect(seen.at(-1)!.line).toBe('CONNECT [2001:db8::1]:443 HTTP/1.1');
    r.socket?.destroy();
  });

  it('keeps bytes that arrive right after the header block for the tunnel', async () => {
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), 'extra.test', 443, opts);
    expect(r.ok).toBe(true);
    expect(r.headers?.['x-proxy']).toBe('tiny');
    expect(await readSome(r.socket!)).toBe('HELLO-FROM-UPSTREAM');
    r.socket!.destroy();
  });

  it('reports 403 with the body', async () => {
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), 'denied.test', 443, opts);
    expect(r.ok).toBe(false);
    expect(r.statusCode).toBe(403);
    expect(r.body).toBe('blocked by policy 4711');
    expect(r.socket).toBeUndefined();
  });

  it('407 without credentials, 200 with basic auth from the proxy URL (percent-decoded)', async () => {
    const a = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), 'auth.test', 443, opts);
    expect(a.statusCode).toBe(407);
    expect(a.headers?.['proxy-authenticate']).toBe('Basic realm="corp"');
    const u = new URL(`http://alice:${encodeURIComponent('pa ss:w@rd')}@127.0.0.1:${proxy.port}`);
    const b = await httpConnect(u, 'auth.test', 443, opts);
    expect(b.ok).toBe(true);
    expect(b.proxy).toBe(`http://alice:REDACTED@127.0.0.1:${proxy.port}`);
    expect(JSON.stringify({ ...b, socket: undefined })).not.toContain('pa');
    b.socket!.destroy();
  });

  it('quotes the body of a 503 (Content-Length)', async () => {
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), 'down.test', 443, opts);
    expect(r.ok).toBe(false);
    expect(r.statusCode).toBe(503);
    expect(r.statusLine).toBe('HTTP/1.1 503 Service Unavailable');
    expect(r.headers?.server).toBe('envoy');
    expect(r.body).toBe(ENVOY_503);
    expect(r.stage).toBe('connect');
  });

  it('reads a body until close when there is no Content-Length', async () => {
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), 'close-body.test', 443, opts);
    expect(r.statusCode).toBe(502);
    expect(r.body).toBe('<html>upstream said no</html>');
  });

  it('decodes a chunked body and does not wait for the connection to close', async () => {
    const t0 = performance.now();
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), 'chunked.test', 443, opts);
    expect(performance.now() - t0).toBeLessThan(1000);
    expect(r.statusCode).toBe(403);
    expect(r.body).toBe('Access denied');
  });

  it('caps the body at 4 KiB without waiting for the rest', async () => {
    const t0 = performance.now();
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), 'big-body.test', 443, opts);
    expect(r.statusCode).toBe(504);
    expect(r.body?.length).toBe(4096);
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('returns the partial body at the deadline when the body never completes', async () => {
    const t0 = performance.now();
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), 'slow-body.test', 443, { timeoutMs: 300 });
    expect(performance.now() - t0).toBeLessThan(300 + 200);
    expect(r.statusCode).toBe(502);
    expect(r.body).toBe('partial');
  });

  it('times out when the proxy never answers', async () => {
    const t0 = performance.now();
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), 'silent.test', 443, { timeoutMs: 300 });
    expect(performance.now() - t0).toBeLessThan(300 + 200);
    expect(r.ok).toBe(false);
    expect(r.error?.kind).toBe('timeout');
    expect(r.error?.message).toMatch(/did not answer/);
  });

  it('classifies a proxy that speaks something else', async () => {
    const r = await httpConnect(new URL(`http://127.0.0.1:${proxy.port}`), 'garbage.test', 443, opts);
    expect(r.error?.kind).toBe('protocol');
    expect(r.error?.message).toMatch(/SSH-2.0/);
  });

  it('classifies an unreachable proxy like tcp (refused)', async () => {
    const port = await closedPort();
    const r = await httpConnect(new URL(`http://user:secret@127.0.0.1:${port}`), 'x.test', 443, opts);
    expect(r.ok).toBe(false);
    expect(r.stage).toBe('proxy-tcp');
    expect(r.error?.kind).toBe('refused');
    expect(r.error?.message).toBe(`proxy 127.0.0.1:${port}: connect 127.0.0.1:${port}: connection refused`);
    expect(r.proxy).toBe(`http://user:REDACTED@127.0.0.1:${port}`);
  });

  it('speaks TLS to an https:// proxy', async () => {
    const r = await httpConnect(new URL(`https://localhost:${tlsProxy.port}`), 'down.test', 443, opts);
    expect(r.statusCode).toBe(503);
    expect(r.body).toBe(ENVOY_503);
    const ok = await httpConnect(new URL(`https://127.0.0.1:${tlsProxy.port}`), '127.0.0.1', 6443, opts);
    expect(ok.ok).toBe(true);
    ok.socket!.write('via-tls');
    expect(await readSome(ok.socket!)).toBe('echo:via-tls');
    ok.socket!.destroy();
  });

  it('reports not-tls when an https:// proxy URL points at a plain HTTP proxy', async () => {
    // a plain HTTP server answers a ClientHello with "400 Bad Request", as squid does
    const plain = http.createServer((_req, res) => res.end('hi'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', () => r()));
    const port = (plain.address() as net.AddressInfo).port;
    try {
      const t0 = performance.now();
      const r = await httpConnect(new URL(`https://127.0.0.1:${port}`), 'down.test', 443, opts);
      expect(performance.now() - t0).toBeLessThan(1000);
      expect(r.ok).toBe(false);
      expect(r.stage).toBe('proxy-tls');
      expect(r.error?.kind).toBe('not-tls');
    } finally {
      plain.closeAllConnections();
      await new Promise<void>((r) => plain.close(() => r()));
    }
  });

  it('times out in the TLS stage when an https:// proxy never answers the ClientHello', async () => {
    const t0 = performance.now();
    const r = await httpConnect(new URL(`https://127.0.0.1:${proxy.port}`), 'down.test', 443, { timeoutMs: 300 });
    expect(performance.now() - t0).toBeLessThan(300 + 200);
    expect(r.stage).toBe('proxy-tls');
    expect(r.error?.kind).toBe('timeout');
  });

  it('reports a plain http:// URL pointing at a TLS proxy', async () => {
    const r = await httpConnect(new URL(`http://127.0.0.1:${tlsProxy.port}`), 'down.test', 443, { timeoutMs: 1000 });
    expect(r.ok).toBe(false);
    expect(r.error).toBeDefined();
  });

  it('refuses socks5 proxies for CONNECT', async () => {
    const r = await httpConnect(new URL('socks5://127.0.0.1:1080'), 'x.test', 443, opts);
    expect(r.ok).toBe(false);
    expect(r.error?.message).toMatch(/socks5/);
  });
});
