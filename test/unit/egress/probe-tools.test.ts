// The sh probe's connect fallbacks: which tool it picks, and how wget's (GNU or busybox) exit code
// and stderr are classified. wget and busybox are stubbed as sh functions that print what the real
// tools print (GNU Wget 1.21 and busybox networking/wget.c messages) and exit with their codes.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ncConnect, shConnectTool, shProbeScript, wgetConnect } from '../../../src/checks/egress/probe.ts';

function classify(wget: string, stub: string, stderr: string, rc: number, connect = wgetConnect): string {
  const fn = `${stub}() { printf '%s\\n' '${stderr.replace(/'/g, `'"'"'`)}' >&2; return ${rc}; }`;
  const script = `${fn}\na=198.51.100.60; p=443\n${connect(wget, 2)}\necho "$r"`;
  return execFileSync('sh', ['-c', script], { encoding: 'utf8' }).trim();
}

describe('sh probe: connect tool', () => {
  it.each([
    [['sh', 'getent', 'curl', 'wget'], 'curl'],
    [['sh', 'getent', 'nc', 'wget'], 'nc'],
    [['sh', 'getent', 'busybox'], 'busybox'],
    [['sh', 'getent', 'bash', 'sleep', 'wget'], 'bash'],
    [['sh', 'getent', 'bash', 'wget'], 'wget'],
    [['sh', 'getent', 'wget'], 'wget'],
    [['sh', 'getent'], 'getent'],
  ])('%j → %s', (tools, tool) => {
    expect(shConnectTool(tools)).toBe(tool);
  });

  it('wget is the last fallback, bounded by -T and one try; busybox without nc uses busybox wget', () => {
    const w = shProbeScript([{ host: 'x.example', port: 443 }], 3, ['sh', 'getent', 'wget']);
    expect(w).toContain('wget -T 3 -t 1 -O /dev/null "http://$a:$p/"');
    expect(shProbeScript([{ host: 'x.example', port: 443 }], 3, ['sh', 'getent', 'bash', 'sleep', 'wget'])).not.toContain('wget -T');
    const bb = shProbeScript([{ host: 'x.example', port: 443 }], 3, ['sh', 'getent', 'busybox']);
    expect(bb).toContain('busybox nc -z -v -w 3');
    expect(bb).toContain('busybox wget -T 3 -t 1');
    expect(shProbeScript([{ host: 'x.example', port: 443 }], 3, ['sh', 'getent'])).toContain('r=untested');
  });
});

describe('wget connect classification (exit code + stderr)', () => {
  it.each([
    // GNU Wget
    ['wget', 'Connecting to 198.51.100.60:443... connected.\nHTTP request sent, awaiting response... No data received.', 4, 'ok'],
    ['wget', 'Connecting to 198.51.100.60:443... connected.\nHTTP request sent, awaiting response... Read error (Connection timed out) in headers.', 4, 'ok'],
    ['wget', 'Connecting to 198.51.100.60:443... failed: Connection refused.', 4, 'refused'],
    ['wget', 'Connecting to 198.51.100.60:443... failed: Connection timed out.', 4, 'timeout'],
    ['wget', 'Connecting to 198.51.100.60:443... failed: No route to host.', 4, 'unreachable'],
    ['wget', "wget: unable to resolve host address 'x.example'", 4, 'other'],
    ['wget', '', 0, 'ok'],
    ['wget', 'Connecting to 198.51.100.60:443... connected.\nHTTP request sent, awaiting response... 404 Not Found', 8, 'ok'],
    // busybox wget
    ['busybox wget', "wget: can't connect to remote host (198.51.100.60): Connection refused", 1, 'refused'],
    ['busybox wget', 'wget: download timed out', 1, 'timeout'],
    ['busybox wget', "wget: can't connect to remote host (198.51.100.60): No route to host", 1, 'unreachable'],
    ["busybox wget", "wget: bad address 'x.example'", 1, 'other'],
    ['busybox wget', 'wget: error getting response: Connection reset by peer', 1, 'ok'],
    ['busybox wget', 'wget: server returned error: HTTP/1.1 400 Bad Request', 1, 'ok'],
  ])('%s: %j (exit %d) → %s', (wget, stderr, rc, want) => {
    expect(classify(wget, wget === 'wget' ? 'wget' : 'busybox', stderr, rc)).toBe(want);
  });
});

describe('nc connect classification (exit code + -v stderr)', () => {
  it.each([
    // OpenBSD netcat
    ['nc', 'Connection to 198.51.100.60 443 port [tcp/https] succeeded!', 0, 'ok'],
    ['nc', 'nc: connect to 198.51.100.60 port 443 (tcp) failed: Connection refused', 1, 'refused'],
    ['nc', 'nc: connect to 198.51.100.60 port 443 (tcp) timed out: Operation now in progress', 1, 'timeout'],
    ['nc', 'nc: connect to 198.51.100.60 port 443 (tcp) failed: No route to host', 1, 'unreachable'],
    // traditional netcat
    ['nc', '(UNKNOWN) [198.51.100.60] 443 (https) : Connection refused', 1, 'refused'],
    // busybox nc
    ['busybox nc', "nc: can't connect to remote host (198.51.100.60): Connection refused", 1, 'refused'],
    ['busybox nc', 'nc: timed out', 1, 'timeout'],
  ])('%s: %j (exit %d) → %s', (nc, stderr, rc, want) => {
    expect(classify(nc, nc === 'nc' ? 'nc' : 'busybox', stderr, rc, ncConnect)).toBe(want);
  });
});
