// The WebSocket exec client against a local server speaking the channel protocol.
import { createHash } from 'node:crypto';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { execPath, websocketExec } from '../../../src/kube/exec.ts';

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  const head = len < 126 ? Buffer.from([0x80 | opcode, len]) : Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  return Buffer.concat([head, payload]);
}

const servers: net.Server[] = [];
afterEach(() => {
  for (const s of servers.splice(0)) s.close();
});

/** A server that answers the upgrade with `reply(request)`. */
async function server(reply: (req: string, sock: net.Socket) => void): Promise<number> {
  const s = net.createServer((sock) => {
    let buf = '';
    sock.on('data', (d) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n')) reply(buf, sock);
    });
    sock.on('error', () => {});
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  return (s.address() as net.AddressInfo).port;
}

function accept(req: string): string {
  const key = /Sec-WebSocket-Key: (\S+)/i.exec(req)![1];
  return createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
}

async function run(port: number) {
  const sock = net.connect(port, '127.0.0.1');
  await new Promise((r) => sock.once('connect', r));
  return websocketExec(sock, `127.0.0.1:${port}`, '/api/v1/namespaces/ml/pods/p/exec?command=sh', { Authorization: 'Bearer t' }, 3000);
}

describe('exec over WebSocket', () => {
  it('builds the exec path like kubectl', () => {
    expect(execPath({ namespace: 'ml', pod: 'p', container: 'c', command: ['sh', '-c', 'echo hi'], timeoutMs: 1 })).toBe(
      '/api/v1/namespaces/ml/pods/p/exec?container=c&command=sh&command=-c&command=echo+hi&stdout=true&stderr=true',
    );
  });

  it('offers v5 then v4, demultiplexes stdout/stderr and reads the exit code from the Status', async () => {
    let offered = '';
    const port = await server((req, sock) => {
      offered = /Sec-WebSocket-Protocol: ([^\r]+)/i.exec(req)![1]!;
      sock.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept(req)}\r\nSec-WebSocket-Protocol: v4.channel.k8s.io\r\n\r\n`);
      sock.write(frame(2, Buffer.concat([Buffer.from([1]), Buffer.from('out ')])));
      sock.write(frame(2, Buffer.concat([Buffer.from([2]), Buffer.from('err')])));
      sock.write(frame(2, Buffer.concat([Buffer.from([1]), Buffer.from('x'.repeat(300))])));
      const st = { metadata: {}, status: 'Failure', reason: 'NonZeroExitCode', message: 'exit code 3', details: { causes: [{ reason: 'ExitCode', message: '3' }] } };
      sock.write(frame(2, Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(st))])));
      sock.end(frame(8, Buffer.from([3, 232])));
    });
    const r = await run(port);
    expect(offered).toBe('v5.channel.k8s.io, v4.channel.k8s.io');
    expect(r.protocol).toBe('v4.channel.k8s.io');
    expect(r.stdout).toBe(`out ${'x'.repeat(300)}`);
    expect(r.stderr).toBe('err');
    expect(r.exitCode).toBe(3);
    expect(r.ok).toBe(true);
  });

  it('a 403 refusal carries the Status message', async () => {
    const body = JSON.stringify({ kind: 'Status', status: 'Failure', reason: 'Forbidden', message: 'pods "p" is forbidden: User "u" cannot create resource "pods/exec"', code: 403 });
    const port = await server((_req, sock) => sock.end(`HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`));
    const r = await run(port);
    expect(r.httpStatus).toBe(403);
    expect(r.reason).toBe('Forbidden');
    expect(r.message).toContain('pods/exec');
    expect(r.ok).toBe(false);
  });

  it('rejects a 101 without a valid accept key, and times out on silence', async () => {
    const bad = await server((_req, sock) => sock.write('HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept: nope\r\n\r\n'));
    expect((await run(bad)).error).toMatch(/Sec-WebSocket-Accept/);
    const silent = await server(() => {});
    const sock = net.connect(silent, '127.0.0.1');
    await new Promise((r) => sock.once('connect', r));
    const r = await websocketExec(sock, 'h', '/x', {}, 200);
    expect(r.timedOut).toBe(true);
  });
});
