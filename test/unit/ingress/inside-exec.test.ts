// The inside GET's command and its parser agree with the real tools: each command httpGetCommand
// builds is run here (not in a pod: the same binaries, on loopback) against a server that answers
// 200 with a key, 404, 308, or nothing at all, and parseHttpGet must read what a user would.
import { execFile, spawnSync } from 'node:child_process';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpGetCommand, parseHttpGet, podsFromSlices } from '../../../src/checks/served-host/inside-exec.ts';
import type { EndpointSlice } from '../../../src/checks/served-host/types.ts';

const KEY = 'Xk3vRZ1g0c8Q9ZWmLhYpVt2sN5bJfA7eKuD4oHqWcE0.thumbprint';
let server: http.Server;
let base: string;
let refusedUrl: string;
let silent: net.Server;
let silentUrl: string;

function has(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url?.endsWith('/token')) res.writeHead(200, { 'Content-Type': 'text/plain' }).end(KEY);
    else if (req.url?.endsWith('/redirect')) res.writeHead(308, { Location: 'https://web.lab.test/' }).end('redirect');
    else if (req.url?.endsWith('/boom')) res.writeHead(502).end('bad gateway');
    else res.writeHead(404, { 'Content-Type': 'text/plain' }).end('404 page not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // a port nothing listens on: bind, note it, close
  const tmp = net.createServer();
  await new Promise<void>((r) => tmp.listen(0, '127.0.0.1', r));
  refusedUrl = `http://127.0.0.1:${(tmp.address() as AddressInfo).port}/x`;
  await new Promise<void>((r) => tmp.close(() => r()));
  // accepts and never answers: the tool's own timeout must end it
  silent = net.createServer(() => {});
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/x`;
});

afterAll(() => {
  server.close();
  silent.close();
});

/** async: the servers above live in this process and must keep answering while the tool runs */
function get(tool: string, url: string, timeoutS = 1) {
  const argv = httpGetCommand(tool, url, timeoutS);
  return new Promise<ReturnType<typeof parseHttpGet>>((resolve) => {
    execFile(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 10_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : undefined) : 0;
      resolve(parseHttpGet(tool, { stdout, stderr, exitCode: code }));
    });
  });
}

describe.each(['curl', 'wget', 'python3'].filter(has))('inside GET with %s', (tool) => {
  it('200: the status and the body (the Challenge key)', async () => {
    expect(await get(tool, `${base}/.well-known/acme-challenge/token`)).toMatchObject({ ok: true, status: 200, body: KEY });
  });
  it('404 is an answer, not an error', async () => {
    expect(await get(tool, `${base}/.well-known/acme-challenge/other`)).toMatchObject({ ok: true, status: 404 });
  });
  it('a redirect is reported as such, not followed', async () => {
    expect(await get(tool, `${base}/redirect`)).toMatchObject({ ok: true, status: 308 });
  });
  it('5xx is a failed answer', async () => {
    expect(await get(tool, `${base}/boom`)).toMatchObject({ ok: false, status: 502 });
  });
  it('a refused connection', async () => {
    const r = await get(tool, refusedUrl);
    expect(r).toMatchObject({ ok: false, errorKind: 'refused' });
    expect(r.status).toBeUndefined();
  });
  it('a server that never answers ends with the tool timeout', async () => {
    expect(await get(tool, silentUrl)).toMatchObject({ ok: false, errorKind: 'timeout' });
  });
});

describe('parseHttpGet, busybox wget output', () => {
  it('reads the status line busybox prints with -S, and its errors', () => {
    expect(parseHttpGet('busybox', { stdout: KEY, stderr: 'Connecting to 10.96.200.31:8089 (10.96.200.31:8089)\n  HTTP/1.1 200 OK\n', exitCode: 0 })).toMatchObject({ ok: true, status: 200, body: KEY });
    expect(parseHttpGet('busybox', { stdout: '', stderr: 'Connecting to 10.96.200.31:8089\n  HTTP/1.1 404 Not Found\nwget: server returned error: HTTP/1.1 404 Not Found\n', exitCode: 1 })).toMatchObject({ ok: true, status: 404 });
    expect(parseHttpGet('busybox', { stdout: '', stderr: "wget: can't connect to remote host (10.96.200.31): Connection refused\n", exitCode: 1 })).toMatchObject({ ok: false, errorKind: 'refused' });
    expect(parseHttpGet('busybox', { stdout: '', stderr: 'wget: download timed out\n', exitCode: 1 })).toMatchObject({ ok: false, errorKind: 'timeout' });
    expect(parseHttpGet('busybox', { stdout: '', stderr: "wget: bad address 'cm-acme-http-solver-7xk2p.web.svc'\n", exitCode: 1 })).toMatchObject({ ok: false, errorKind: 'dns' });
  });
  it('busybox wget gets no -t (it has none)', () => {
    expect(httpGetCommand('busybox', 'http://x/', 2)).toEqual(['busybox', 'wget', '-q', '-S', '-T', '2', '-O', '-', 'http://x/']);
  });
});

describe('podsFromSlices', () => {
  const slice = (ns: string, eps: [string, boolean][]): EndpointSlice =>
    ({
      metadata: { name: 's', namespace: ns },
      endpoints: eps.map(([name, ready]) => ({ addresses: ['10.0.0.1'], conditions: { ready }, targetRef: { kind: 'Pod', name, namespace: ns } })),
    }) as EndpointSlice;
  it('ready pods only, each once, at most two', () => {
    const t = podsFromSlices([slice('web', [['a', false], ['b', true]]), slice('web', [['b', true], ['c', true], ['d', true]])], 'pod behind Service web/web');
    expect(t).toEqual([
      { namespace: 'web', pod: 'b', role: 'pod behind Service web/web' },
      { namespace: 'web', pod: 'c', role: 'pod behind Service web/web' },
    ]);
  });
});
