// `kubectl exec` over the pods/exec subresource: an HTTP/1.1 WebSocket upgrade offering
// v5.channel.k8s.io then v4.channel.k8s.io (the server picks), over the same dial / proxy / TLS
// path as every other API request. Frames are binary; the first byte is the channel:
// 1 stdout, 2 stderr, 3 the final Status (JSON; NonZeroExitCode carries the exit code).
// stdin is never opened: the probe needs none.
import { randomBytes, createHash } from 'node:crypto';
import type { Socket } from 'node:net';
import type { KubeClient } from './client.ts';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container?: string;
  command: string[];
  timeoutMs: number;
  signal?: AbortSignal;
}

export interface ExecResult {
  /** the command ran and the server sent its final Status */
  ok: boolean;
  /** WebSocket subprotocol the server chose */
  protocol?: string;
  stdout: string;
  stderr: string;
  /** exit code: 0 on Success, from NonZeroExitCode otherwise; undefined when it did not run */
  exitCode?: number;
  /** HTTP status when the upgrade was refused (403 forbidden, 404 no such pod, 400 ...) */
  httpStatus?: number;
  /** the Status message of a refusal or failure */
  message?: string;
  /** Status reason, e.g. Forbidden, NotFound, InternalError */
  reason?: string;
  timedOut?: boolean;
  /** network-level failure */
  error?: string;
}

export const EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

export function execPath(r: ExecRequest): string {
  const q = new URLSearchParams();
  if (r.container) q.set('container', r.container);
  for (const c of r.command) q.append('command', c);
  q.set('stdout', 'true');
  q.set('stderr', 'true');
  return `/api/v1/namespaces/${encodeURIComponent(r.namespace)}/pods/${encodeURIComponent(r.pod)}/exec?${q.toString()}`;
}

export async function execInPod(client: KubeClient, r: ExecRequest): Promise<ExecResult> {
  const empty = { stdout: '', stderr: '' };
  // WebSocket upgrades are HTTP/1.1 only: offer nothing else over ALPN
  const c = await client.connect({ auth: true, alpn: ['http/1.1'], timeoutMs: r.timeoutMs, signal: r.signal });
  if (!c.ok) return { ok: false, ...empty, error: c.error?.message ?? `cannot reach ${c.via}` };
  return websocketExec(c.socket, client.serverUrl.host, execPath(r), c.headers, r.timeoutMs, r.signal);
}

/** The WebSocket half, over a connected socket (exported for tests). */
export function websocketExec(
  socket: Socket,
  hostHeader: string,
  path: string,
  headers: Record<string, string>,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<ExecResult> {
  return new Promise<ExecResult>((resolve) => {
    const key = randomBytes(16).toString('base64');
    const expectAccept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    let buf = Buffer.alloc(0);
    let upgraded = false;
    let protocol: string | undefined;
    let httpStatus: number | undefined;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let statusJson = '';
    let done = false;
    const finish = (extra: Partial<ExecResult>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      const stdout = Buffer.concat(out).toString('utf8');
      const stderr = Buffer.concat(err).toString('utf8');
      const base: ExecResult = { ok: false, protocol, stdout, stderr, httpStatus };
      if (statusJson) {
        try {
          const st = JSON.parse(statusJson) as { status?: string; message?: string; reason?: string; details?: { causes?: { reason?: string; message?: string }[] } };
          if (st.status === 'Success') Object.assign(base, { ok: true, exitCode: 0 });
          else {
            const code = st.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
            Object.assign(base, { ok: code !== undefined, exitCode: code !== undefined ? Number(code) : undefined, message: st.message, reason: st.reason });
          }
        } catch {
          base.message = statusJson;
        }
      }
      resolve({ ...base, ...extra });
    };
    const timer = setTimeout(() => finish({ timedOut: true, error: `no answer within ${timeoutMs} ms` }), timeoutMs);
    const onAbort = () => finish({ error: 'aborted' });
    signal?.addEventListener('abort', onAbort, { once: true });

    const sendFrame = (opcode: number, payload: Buffer) => {
      const mask = randomBytes(4);
      const len = payload.length;
      const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff]);
      const body = Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!));
      socket.write(Buffer.concat([head, mask, body]));
    };

    const parseFrames = () => {
      for (;;) {
        if (buf.length < 2) return;
        const opcode = buf[0]! & 0x0f;
        const masked = (buf[1]! & 0x80) !== 0;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        const maskKey = masked ? buf.subarray(off, off + 4) : undefined;
        if (masked) off += 4;
        if (buf.length < off + len) return;
        let payload = buf.subarray(off, off + len);
        if (maskKey) payload = Buffer.from(payload.map((b, i) => b ^ maskKey[i % 4]!));
        buf = buf.subarray(off + len);
        if (opcode === 0x8) {
          finish({});
          return;
        }
        if (opcode === 0x9) {
          sendFrame(0xa, payload);
          continue;
        }
        if ((opcode === 0x2 || opcode === 0x0 || opcode === 0x1) && payload.length > 0) {
          const ch = payload[0]!;
          const data = payload.subarray(1);
          if (ch === 1) out.push(data);
          else if (ch === 2) err.push(data);
          else if (ch === 3) statusJson += data.toString('utf8');
        }
      }
    };

    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (!upgraded) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        const lines = head.split('\r\n');
        httpStatus = Number(/^HTTP\/1\.\d (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
        const h: Record<string, string> = {};
        for (const l of lines.slice(1)) {
          const i = l.indexOf(':');
          if (i > 0) h[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
        }
        if (httpStatus !== 101) {
          // a refusal: read the Status body (content-length) then report it
          const want = Number(h['content-length'] ?? 0);
          const body = buf.subarray(end + 4);
          if (want && body.length < want) return;
          let message: string | undefined;
          let reason: string | undefined;
          try {
            const st = JSON.parse(body.toString('utf8')) as { message?: string; reason?: string };
            message = st.message;
            reason = st.reason;
          } catch {
            message = body.toString('utf8').slice(0, 500) || lines[0];
          }
          finish({ message, reason });
          return;
        }
        if (h['sec-websocket-accept'] !== expectAccept) {
          finish({ error: 'the server answered 101 without a valid Sec-WebSocket-Accept' });
          return;
        }
        upgraded = true;
        protocol = h['sec-websocket-protocol'];
        buf = buf.subarray(end + 4);
      }
      parseFrames();
    });
    socket.on('error', (e) => finish({ error: e.message }));
    socket.on('close', () => finish(upgraded ? {} : { error: 'connection closed before the upgrade' }));

    const reqHeaders: Record<string, string> = {
      Host: hostHeader,
      'User-Agent': 'kubectl-netdiag/0.1.0',
      Connection: 'Upgrade',
      Upgrade: 'websocket',
      'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': key,
      'Sec-WebSocket-Protocol': EXEC_PROTOCOLS.join(', '),
      ...headers,
    };
    socket.write(`GET ${path} HTTP/1.1\r\n${Object.entries(reqHeaders).map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n`);
  });
}
