/**
 * pods/exec over WebSocket for the fake API server, answered like kube-apiserver + kubelet:
 * HTTP/1.1 Upgrade with Sec-WebSocket-Protocol v5.channel.k8s.io / v4.channel.k8s.io (the server
 * picks the first it supports), binary frames whose first byte is the channel (1 stdout,
 * 2 stderr, 3 the final Status), then a close frame. A refusal is an HTTP error with a Status
 * body: 401, 403 (RBAC, the real message), 404 (no such pod). A missing executable is the
 * container runtime's error on channel 3. The command runs for real in the pod's network
 * namespace (pods.ts).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { PodNet } from './pods.ts';

export interface ExecHandlerOptions {
  /** bearer tokens allowed to exec, and their users */
  tokens: Record<string, { user: string }>;
  pods: Map<string, PodNet>;
  /** users forbidden to create pods/exec */
  forbiddenUsers?: string[];
  /** when set, exec is allowed only in these namespaces (a Role granting pods/exec there), 403 elsewhere */
  allowedNamespaces?: string[];
  /** protocols the server supports, in preference order (default v5 then v4) */
  protocols?: string[];
  log?: (line: string) => void;
}

function status(code: number, reason: string, message: string, details?: Record<string, unknown>) {
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code });
}

function frame(opcode: number, payload: Buffer): Buffer {
  const len = payload.length;
  let head: Buffer;
  if (len < 126) head = Buffer.from([0x80 | opcode, len]);
  else if (len < 65536) head = Buffer.from([0x80 | opcode, 126, len >> 8, len & 0xff]);
  else {
    head = Buffer.alloc(10);
    head[0] = 0x80 | opcode;
    head[1] = 127;
    head.writeBigUInt64BE(BigInt(len), 2);
  }
  return Buffer.concat([head, payload]);
}

export function execUpgradeHandler(opts: ExecHandlerOptions) {
  const supported = opts.protocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
  return (req: IncomingMessage, socket: Duplex) => {
    const reject = (code: number, text: string, body: string) => {
      opts.log?.(`UPGRADE ${req.url} ${code}`);
      socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    };
    socket.on('error', () => {});
    const url = new URL(req.url ?? '/', 'https://lab.invalid');
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/exec$/.exec(url.pathname);
    if (!m) return reject(404, 'Not Found', status(404, 'NotFound', 'the server could not find the requested resource'));
    const [, ns, name] = m as unknown as [string, string, string];
    const auth = /^Bearer\s+(.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    const who = auth ? opts.tokens[auth] : undefined;
    if (!who) return reject(401, 'Unauthorized', status(401, 'Unauthorized', 'Unauthorized'));
    if (opts.forbiddenUsers?.includes(who.user) || (opts.allowedNamespaces && !opts.allowedNamespaces.includes(ns))) {
      return reject(
        403,
        'Forbidden',
        status(403, 'Forbidden', `pods "${name}" is forbidden: User "${who.user}" cannot create resource "pods/exec" in API group "" in the namespace "${ns}"`, { name, kind: 'pods' }),
      );
    }
    const pod = opts.pods.get(`${ns}/${name}`);
    if (!pod) return reject(404, 'Not Found', status(404, 'NotFound', `pods "${name}" not found`, { name, kind: 'pods' }));
    const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((s) => s.trim());
    const proto = supported.find((p) => offered.includes(p));
    if (!proto || String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
      return reject(400, 'Bad Request', status(400, 'BadRequest', 'Upgrade request required'));
    }
    const command = url.searchParams.getAll('command');
    const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nSec-WebSocket-Protocol: ${proto}\r\n\r\n`);
    opts.log?.(`EXEC ${ns}/${name} ${proto} ${command[0]} (${command.length} args)`);
    const send = (ch: number, data: Buffer) => socket.write(frame(0x2, Buffer.concat([Buffer.from([ch]), data])));
    const finish = (st: string) => {
      send(3, Buffer.from(st));
      socket.write(frame(0x8, Buffer.from([0x03, 0xe8])));
      socket.end();
    };
    const r = pod.run(command, (b) => send(1, b), (b) => send(2, b), url.searchParams.get('container') ?? undefined);
    if (r.notFound !== undefined) {
      const msg = `error executing command in container: failed to exec in container: failed to start exec "${createHash('sha256').update(String(Date.now())).digest('hex').slice(0, 64)}": OCI runtime exec failed: exec failed: unable to start container process: exec: "${r.notFound}": executable file not found in $PATH: unknown`;
      finish(JSON.stringify({ metadata: {}, status: 'Failure', message: `Internal error occurred: ${msg}`, reason: 'InternalError', details: { causes: [{ message: msg }] }, code: 500 }));
      return;
    }
    socket.on('close', () => r.kill());
    void r.done.then((code) => {
      if (code === 0) finish(JSON.stringify({ metadata: {}, status: 'Success' }));
      else
        finish(
          JSON.stringify({
            metadata: {},
            status: 'Failure',
            message: `command terminated with non-zero exit code: error executing command [${command.join(' ').slice(0, 200)}], exit code ${code}`,
            reason: 'NonZeroExitCode',
            details: { causes: [{ reason: 'ExitCode', message: String(code ?? 137) }] },
          }),
        );
    });
  };
}

/**
 * The ephemeralcontainers subresource (what `kubectl debug` uses): PUT (update) or PATCH
 * /api/v1/namespaces/NS/pods/NAME/ephemeralcontainers. The pod object in the store gains the
 * containers and a running status for each; exec into them then uses the debug image's tools.
 */
export function ephemeralContainersRoute(objects: { kind: string; metadata: { name: string; namespace?: string }; [k: string]: unknown }[], pods: Map<string, PodNet>, log?: (l: string) => void) {
  return async (req: { method: string; url: URL; body?: Buffer }) => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/ephemeralcontainers$/.exec(req.url.pathname);
    if (!m || (req.method !== 'PUT' && req.method !== 'PATCH')) return undefined;
    const [, ns, name] = m as unknown as [string, string, string];
    const obj = objects.find((o) => o.kind === 'Pod' && o.metadata.namespace === ns && o.metadata.name === name) as
      | { spec: { ephemeralContainers?: { name: string; image?: string }[] }; status: { ephemeralContainerStatuses?: unknown[] } }
      | undefined;
    if (!obj) return { status: 404, body: status(404, 'NotFound', `pods "${name}" not found`), contentType: 'application/json' };
    let body: { spec?: { ephemeralContainers?: { name: string; image?: string }[] } };
    try {
      body = JSON.parse(req.body?.toString('utf8') || '{}');
    } catch {
      return { status: 400, body: status(400, 'BadRequest', 'invalid JSON'), contentType: 'application/json' };
    }
    const add = (body.spec?.ephemeralContainers ?? []).filter((c) => !(obj.spec.ephemeralContainers ?? []).some((x) => x.name === c.name));
    obj.spec.ephemeralContainers = [...(obj.spec.ephemeralContainers ?? []), ...add];
    obj.status.ephemeralContainerStatuses = obj.spec.ephemeralContainers.map((c) => ({ name: c.name, image: c.image, ready: false, restartCount: 0, state: { running: { startedAt: new Date().toISOString() } } }));
    for (const c of add) pods.get(`${ns}/${name}`)?.ephemeral.add(c.name);
    log?.(`EPHEMERAL ${ns}/${name} + ${add.map((c) => `${c.name} (${c.image})`).join(', ')}`);
    return { status: 200, body: JSON.stringify(obj), contentType: 'application/json' };
  };
}
