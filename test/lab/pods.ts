/**
 * Pods for the egress lab: each pod is a network namespace created INSIDE the lab's namespace
 * (`unshare --net` holding a `sleep`), joined to it by a veth pair (lab side `pv<N>`, pod side
 * `eth0`). The pod reaches the lab's 198.51.100.0/24 hosts (including the lab DNS, which stands
 * for kube-dns) through the veth; the scenario blocks destinations with iptables DROP rules in
 * the pod's namespace, the way a CNI enforcing a policy drops packets. Exec runs a command in the
 * pod's namespace with a PATH that holds only the container's tools (symlinks), so a
 * "distroless" pod really has no shell. Nothing here routes anywhere outside the lab.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, symlinkSync, existsSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface PodNetSpec {
  /** 'ns/name' */
  key: string;
  /** the pod's address, 10.244.0.x */
  ip: string;
  /** container tools: names from TOOL_PATHS (empty: distroless) */
  tools: string[];
  /** destinations dropped in the pod's namespace: IPv4 address, optional port and protocol */
  drop?: { ip: string; port?: number; proto?: 'tcp' | 'udp' | 'icmp' }[];
}

export interface PodNet {
  spec: PodNetSpec;
  pid: number;
  binDir: string;
  /** ephemeral debug containers added to the pod (their image has DEBUG_TOOLS) */
  ephemeral: Set<string>;
  /** run a command in the pod (its netns, the container's tools only); resolves with the exit code */
  run(command: string[], onStdout: (b: Buffer) => void, onStderr: (b: Buffer) => void, container?: string): { done: Promise<number | null>; kill(): void; notFound?: string };
  close(): void;
}

function which(cmd: string): string | undefined {
  try {
    return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

let pythonPath: string | undefined;
/** The real executable of each tool on this machine (pyenv shims resolved). */
export function toolPath(tool: string): string | undefined {
  if (tool === 'python3') {
    if (!pythonPath) {
      try {
        pythonPath = execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();
      } catch {
        return undefined;
      }
    }
    return pythonPath;
  }
  if (tool === 'sh') return '/bin/sh';
  const p = which(tool);
  return p ? realpathSync(p) : undefined;
}

/**
 * A stand-in for OpenBSD netcat's connect check (`nc -z [-v] -w SECS HOST PORT`), used only when
 * this machine has no nc (netcat-openbsd is not installed here): it really connects from the
 * pod's namespace and answers like nc 1.2xx: exit 0 and "Connection to H P port [tcp/*]
 * succeeded!" on stderr with -v; exit 1 and "nc: connect to H port P (tcp) failed: Connection
 * refused" / "... timed out: Operation now in progress". Its interpreter is the real python3 by
 * absolute path, so the pod's PATH still holds only the container's tools.
 */
const NC_STAND_IN = String.raw`
import socket, sys, errno
a = sys.argv[1:]; z = v = False; w = None; rest = []
i = 0
while i < len(a):
    x = a[i]
    if x == '-w': w = float(a[i + 1]); i += 2; continue
    if x.startswith('-') and len(x) > 1:
        z = z or 'z' in x; v = v or 'v' in x
    else: rest.append(x)
    i += 1
if not z or len(rest) != 2:
    sys.stderr.write('nc (lab stand-in): only -z [-v] [-w secs] host port\n'); sys.exit(2)
h, p = rest[0], int(rest[1])
s = socket.socket(socket.AF_INET6 if ':' in h else socket.AF_INET, socket.SOCK_STREAM); s.settimeout(w)
try:
    s.connect((h, p))
    if v: sys.stderr.write('Connection to %s %d port [tcp/*] succeeded!\n' % (h, p))
    sys.exit(0)
except socket.timeout:
    if v: sys.stderr.write('nc: connect to %s port %d (tcp) timed out: Operation now in progress\n' % (h, p))
except OSError as e:
    if v: sys.stderr.write('nc: connect to %s port %d (tcp) failed: %s\n' % (h, p, e.strerror))
sys.exit(1)
`;

/**
 * A stand-in for busybox ping (`ping -c 1 -W SECS HOST`), used only when this machine has no
 * ping: one ICMP echo request over a raw socket from the pod's namespace (the lab runs as root),
 * with busybox's words: "PING h (a): 56 data bytes", "64 bytes from a: seq=0", "1 packets
 * transmitted, N packets received"; exit 0 on a reply, 1 without.
 */
const PING_STAND_IN = String.raw`
import socket, sys, struct, time, os
a = sys.argv[1:]; w = 1.0; rest = []
i = 0
while i < len(a):
    if a[i] in ('-W', '-w', '-c'):
        if a[i] == '-W': w = float(a[i + 1])
        i += 2; continue
    rest.append(a[i]); i += 1
h = rest[-1]
try:
    ip = socket.gethostbyname(h)
except OSError:
    sys.stderr.write("ping: bad address '%s'\n" % h); sys.exit(1)
print('PING %s (%s): 56 data bytes' % (h, ip)); sys.stdout.flush()
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP); s.settimeout(w)
ident = os.getpid() & 0xffff
def csum(b):
    if len(b) % 2: b += b'\0'
    t = sum(struct.unpack('!%dH' % (len(b) // 2), b)); t = (t >> 16) + (t & 0xffff); t += t >> 16
    return ~t & 0xffff
body = b'x' * 56
hdr = struct.pack('!BBHHH', 8, 0, 0, ident, 0)
pkt = struct.pack('!BBHHH', 8, 0, csum(hdr + body), ident, 0) + body
got = 0
try:
    s.sendto(pkt, (ip, 0)); end = time.time() + w
    while time.time() < end:
        d, src = s.recvfrom(2048)
        t, c, _, rid, _ = struct.unpack('!BBHHH', d[20:28])
        if t == 0 and rid == ident:
            got = 1; print('64 bytes from %s: seq=0 ttl=64' % src[0]); break
except (socket.timeout, OSError):
    pass
print('\n--- %s ping statistics ---\n1 packets transmitted, %d packets received, %d%% packet loss' % (h, got, 100 - got * 100))
sys.exit(0 if got else 1)
`;

function standIn(tool: string, dir: string): string | undefined {
  if (tool !== 'nc' && tool !== 'ping') return undefined;
  const py = toolPath('python3');
  if (!py) return undefined;
  const path = join(dir, `.${tool}-stand-in`);
  writeFileSync(path, `#!${py}
${tool === 'nc' ? NC_STAND_IN : PING_STAND_IN}`, { mode: 0o755 });
  return path;
}

let counter = 0;

/** what the lab's "debug image" holds (a busybox-like image with python3) */
export const DEBUG_TOOLS = ['sh', 'python3', 'getent'];

export function createPodNet(spec: PodNetSpec, tmp: string): PodNet {
  const n = counter++;
  const holder: ChildProcess = spawn('unshare', ['--net', '--', 'sleep', '1000000'], { stdio: 'ignore' });
  const pid = holder.pid!;
  // wait until the child has entered its own namespace (the link appears only there)
  const selfNs = execFileSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).trim();
  for (let i = 0; i < 200; i++) {
    let ns = '';
    try {
      ns = execFileSync('readlink', [`/proc/${pid}/ns/net`], { encoding: 'utf8' }).trim();
    } catch {
      /* not yet */
    }
    if (ns && ns !== selfNs) break;
    execFileSync('sleep', ['0.01']);
  }
  const lab = `pv${n}`;
  const gw = '10.244.0.1';
  execFileSync('ip', ['-batch', '-'], {
    input: [`link add ${lab} type veth peer name eth0 netns ${pid}`, `addr add ${gw}/32 dev ${lab}`, `link set ${lab} up`, `route add ${spec.ip}/32 dev ${lab}`].join('\n') + '\n',
  });
  const inPod = [
    'link set lo up',
    `addr add ${spec.ip}/24 dev eth0`,
    'link set eth0 up',
    // only the lab's own ranges: there is no default route
    `route add 198.51.100.0/24 via ${gw}`,
    `route add 192.0.2.0/24 via ${gw}`,
  ];
  execFileSync('nsenter', ['-t', String(pid), '-n', '--', 'ip', '-batch', '-'], { input: inPod.join('\n') + '\n' });
  for (const d of spec.drop ?? []) {
    const protos = d.proto ? [d.proto] : d.port ? ['tcp', 'udp'] : [undefined];
    for (const proto of protos) {
      const args = ['-t', String(pid), '-n', '--', 'iptables', '-A', 'OUTPUT', '-d', `${d.ip}/32`];
      if (proto) args.push('-p', proto);
      if (d.port) args.push('--dport', String(d.port));
      args.push('-j', 'DROP');
      execFileSync('nsenter', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    }
  }
  const binDir = join(tmp, `pod-${n}-bin`);
  const debugDir = join(tmp, `pod-${n}-debug-bin`);
  for (const [dir, tools] of [[binDir, spec.tools], [debugDir, DEBUG_TOOLS]] as const) {
    mkdirSync(dir, { recursive: true });
    for (const t of tools) {
      const real = toolPath(t) ?? standIn(t, dir);
      if (real && !existsSync(join(dir, t))) symlinkSync(real, join(dir, t));
    }
  }
  const ephemeral = new Set<string>();
  return {
    spec,
    pid,
    binDir,
    ephemeral,
    run(command, onStdout, onStderr, container) {
      const exe = command[0] ?? '';
      const debug = container !== undefined && ephemeral.has(container);
      const dir = debug ? debugDir : binDir;
      const tools: readonly string[] = debug ? DEBUG_TOOLS : spec.tools;
      if (!tools.includes(exe) || !existsSync(join(dir, exe))) {
        return { done: Promise.resolve(null), kill() {}, notFound: exe };
      }
      const c = spawn('/usr/bin/nsenter', ['-t', String(pid), '-n', '--', join(dir, exe), ...command.slice(1)], {
        env: { PATH: dir, HOME: '/', LANG: 'C.UTF-8' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      c.on('error', (e) => onStderr(Buffer.from(String(e))));
      c.stdout!.on('data', onStdout);
      c.stderr!.on('data', onStderr);
      const done = new Promise<number | null>((r) => c.on('close', (code) => r(code)));
      return { done, kill: () => c.kill('SIGKILL') };
    },
    close() {
      holder.kill('SIGKILL');
    },
  };
}

/** Give the lab more host addresses (198.51.100.x) for the scenario's external hosts. */
export function addLabHosts(addresses: string[]): void {
  if (!addresses.length) return;
  execFileSync('ip', ['-batch', '-'], { input: addresses.map((a) => `addr add ${a}/32 dev lab0`).join('\n') + '\n' });
}
