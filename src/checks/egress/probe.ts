// The live probe inside the pod: resolution (with the CNAME chain's end) and a TCP connect to
// every address, each bounded by --timeout, with the first tool the container has
// (../../kube/pod-tools.ts finds them). Runs over the exec subresource; never writes anything
// into the pod.
import type { KubeClient } from '../../kube/client.ts';
import { execInPod, type ExecResult } from '../../kube/exec.ts';

export interface ProbeTarget {
  host: string;
  port: number;
}

export type ConnectError = 'timeout' | 'refused' | 'unreachable' | 'reset' | 'other';

export interface ProbeOutcome {
  host: string;
  port: number;
  dns: { ok: boolean; addresses: string[]; canonical?: string; error?: 'nxdomain' | 'timeout' | 'other'; message?: string; ms?: number };
  connects: { address: string; ok: boolean; error?: ConnectError; message?: string; ms: number }[];
}


/** The python3 probe: argv[1] = JSON [[host, port], ...], argv[2] = timeout in seconds. */
export const PY_PROBE = String.raw`
import sys, json, socket, time, errno, threading
targets = json.loads(sys.argv[1]); T = float(sys.argv[2])
def resolve(h, box):
    try:
        name, aliases, addrs = socket.gethostbyname_ex(h)
        box['r'] = {'ok': True, 'addresses': addrs, 'canonical': name}
    except socket.gaierror as e:
        kind = 'nxdomain' if e.errno in (socket.EAI_NONAME, getattr(socket, 'EAI_NODATA', -5)) else ('timeout' if e.errno == socket.EAI_AGAIN else 'other')
        box['r'] = {'ok': False, 'addresses': [], 'error': kind, 'message': str(e)}
    except Exception as e:
        box['r'] = {'ok': False, 'addresses': [], 'error': 'other', 'message': str(e)}
def is_ip(h):
    for fam in (socket.AF_INET, socket.AF_INET6):
        try:
            socket.inet_pton(fam, h); return True
        except Exception: pass
    return False
def one(i, h, p):
    t0 = time.time()
    if is_ip(h):
        d = {'ok': True, 'addresses': [h]}
    else:
        box = {}; th = threading.Thread(target=resolve, args=(h, box), daemon=True); th.start(); th.join(T)
        d = box.get('r') or {'ok': False, 'addresses': [], 'error': 'timeout', 'message': 'no answer within %ss' % T}
    d['ms'] = int((time.time() - t0) * 1000)
    cs = [None] * len(d['addresses'])
    def conn(j, a):
        fam = socket.AF_INET6 if ':' in a else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM); s.settimeout(T); t1 = time.time()
        try:
            s.connect((a, int(p))); r = {'address': a, 'ok': True}
        except socket.timeout:
            r = {'address': a, 'ok': False, 'error': 'timeout', 'message': 'timed out'}
        except OSError as e:
            k = {errno.ECONNREFUSED: 'refused', errno.ENETUNREACH: 'unreachable', errno.EHOSTUNREACH: 'unreachable', errno.ECONNRESET: 'reset', errno.ETIMEDOUT: 'timeout'}.get(e.errno, 'other')
            r = {'address': a, 'ok': False, 'error': k, 'message': e.strerror or str(e)}
        finally:
            s.close()
        r['ms'] = int((time.time() - t1) * 1000); cs[j] = r
    ts = [threading.Thread(target=conn, args=(j, a), daemon=True) for j, a in enumerate(d['addresses'])]
    for t in ts: t.start()
    for t in ts: t.join(T + 1)
    out[i] = {'host': h, 'port': int(p), 'dns': d, 'connects': [c for c in cs if c]}
out = [None] * len(targets)
threads = [threading.Thread(target=one, args=(i, h, p), daemon=True) for i, (h, p) in enumerate(targets)]
for t in threads: t.start()
for t in threads: t.join(2 * T + 2)
out = [o for o in out if o]
print(json.dumps(out))
`;

/**
 * sh + getent (+ curl, nc, bash or busybox) when python3 is missing: one line per result. Plain
 * POSIX sh, no awk or sort; a connect without its own deadline (bash /dev/tcp) runs in the
 * background and is killed after the timeout (needs `sleep`).
 */
export function shProbeScript(t: ProbeTarget[], timeoutS: number, tools: string[]): string {
  const bg = (cmd: string) =>
    `( ${cmd} ) >/dev/null 2>&1 & pid=$!; i=0; while kill -0 $pid 2>/dev/null && [ $i -lt ${timeoutS * 10} ]; do sleep 0.1; i=$((i+1)); done; ` +
    `if kill -0 $pid 2>/dev/null; then kill -9 $pid 2>/dev/null; r=timeout; elif wait $pid; then r=ok; else r=refused; fi`;
  const connect = tools.includes('curl')
    ? `curl -s -o /dev/null -m ${timeoutS} "telnet://$a:$p" </dev/null; rc=$?; case $rc in 0|52|56) r=ok;; 28) r=timeout;; 7) r=refused;; *) r=other;; esac`
    : tools.includes('nc')
      ? ncConnect('nc', timeoutS)
      : tools.includes('busybox')
        ? // a busybox built without the nc applet answers 127 ("applet not found"): then busybox wget
          `busybox nc --help >/dev/null 2>&1; if [ $? -ne 127 ]; then ${ncConnect('busybox nc', timeoutS)}; else ${wgetConnect('busybox wget', timeoutS)}; fi`
        : tools.includes('bash') && tools.includes('sleep')
          ? bg('bash -c "exec 3<>/dev/tcp/$a/$p"')
          : tools.includes('wget')
            ? wgetConnect('wget', timeoutS)
            : `r=untested`;
  const lines = t.map((x) => `probe '${x.host.replace(/[^A-Za-z0-9.:_-]/g, '')}' ${x.port}`).join('\n');
  return [
    'probe() {',
    '  h=$1; p=$2; out=$(getent ahostsv4 "$h" 2>/dev/null)',
    '  if [ -z "$out" ]; then echo "dns $h $p nxdomain"; return; fi',
    '  canon=$(printf "%s\\n" "$out" | { read a t c; echo "$c"; })',
    '  echo "dns $h $p ok $canon"',
    '  seen=" "',
    '  for a in $(printf "%s\\n" "$out" | while read a t c; do echo "$a"; done); do',
    '    case "$seen" in *" $a "*) continue;; esac; seen="$seen$a "',
    `    ${connect}`,
    '    echo "tcp $h $p $a $r"',
    '  done',
    '}',
    lines,
  ].join('\n');
}

/**
 * A connect with nc -z (OpenBSD, traditional or busybox), bounded by -w. The exit code says
 * connected or not; -v's stderr tells a refusal ("Connection refused" in all three) and a missing
 * route from a drop; any other failure within -w is a timeout, as before.
 */
export function ncConnect(nc: string, timeoutS: number): string {
  return (
    `e=$(${nc} -z -v -w ${timeoutS} "$a" "$p" 2>&1 </dev/null); ` +
    `if [ $? -eq 0 ]; then r=ok; else case "$e" in ` +
    `*"onnection refused"*) r=refused;; ` +
    `*"o route to host"*|*"etwork is unreachable"*) r=unreachable;; ` +
    `*) r=timeout;; esac; fi`
  );
}

/**
 * A connect with wget (GNU or busybox), the last fallback: one try, bounded by -T; wget has no
 * connect-only mode, so the exit code alone cannot tell a refused connect from a server that
 * closed without an HTTP answer (both exit 4 in GNU wget, 1 in busybox). Its stderr can:
 * GNU says "connected." once the TCP handshake is done, "failed: Connection refused." /
 * "failed: Connection timed out." / "unable to resolve host address" otherwise; busybox says
 * "can't connect to remote host (...): Connection refused", "download timed out" or
 * "bad address" before a connect, anything else (no HTTP answer, reset) after one.
 */
export function wgetConnect(wget: string, timeoutS: number): string {
  return (
    `e=$(${wget} -T ${timeoutS} -t 1 -O /dev/null "http://$a:$p/" 2>&1 </dev/null); rc=$?; ` +
    `if [ $rc -eq 0 ]; then r=ok; else case "$e" in ` +
    `*" connected."*) r=ok;; ` +
    `*"onnection refused"*) r=refused;; ` +
    `*"timed out"*) r=timeout;; ` +
    `*"o route to host"*|*"etwork is unreachable"*) r=unreachable;; ` +
    `*"unable to resolve"*|*"bad address"*|*"can't connect"*|*"failed:"*) r=other;; ` +
    `*) r=ok;; esac; fi`
  );
}

export function parseShProbe(text: string, targets: ProbeTarget[]): ProbeOutcome[] {
  const res = new Map<string, ProbeOutcome>();
  for (const t of targets) res.set(`${t.host} ${t.port}`, { host: t.host, port: t.port, dns: { ok: false, addresses: [], error: 'other', message: 'no result' }, connects: [] });
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    const o = res.get(`${f[1]} ${f[2]}`);
    if (!o) continue;
    if (f[0] === 'dns') o.dns = f[3] === 'ok' ? { ok: true, addresses: [], canonical: f[4] } : { ok: false, addresses: [], error: 'nxdomain', message: 'getent found no address' };
    if (f[0] === 'tcp' && f[3]) {
      o.dns.addresses.push(f[3]);
      const r = f[4] ?? 'other';
      o.connects.push({ address: f[3], ok: r === 'ok', error: r === 'ok' ? undefined : (r as 'timeout'), ms: 0 });
    }
  }
  return [...res.values()];
}


/** the connect tool shProbeScript uses, in its order of preference */
export function shConnectTool(tools: string[]): string {
  if (tools.includes('curl')) return 'curl';
  if (tools.includes('nc')) return 'nc';
  if (tools.includes('busybox')) return 'busybox';
  if (tools.includes('bash') && tools.includes('sleep')) return 'bash';
  if (tools.includes('wget')) return 'wget';
  return 'getent';
}


/** Resolve and connect to every target from inside the pod, with the best tool it has. */
export async function probeInPod(
  client: KubeClient,
  ns: string,
  pod: string,
  container: string | undefined,
  tools: string[],
  targets: ProbeTarget[],
  timeoutMs: number,
): Promise<{ tool: string; results: ProbeOutcome[]; exec: ExecResult; command: string[] } | undefined> {
  const timeoutS = Math.max(1, Math.round(timeoutMs / 1000));
  // the probe itself: resolution + every connect, each bounded; allow for them all in sequence
  const budget = timeoutMs * 3 + 5000;
  if (tools.includes('python3')) {
    const command = ['python3', '-c', PY_PROBE, JSON.stringify(targets.map((t) => [t.host, t.port])), String(timeoutS)];
    const exec = await execInPod(client, { namespace: ns, pod, container, command, timeoutMs: budget });
    if (exec.ok && exec.exitCode === 0) {
      try {
        return { tool: 'python3', results: JSON.parse(exec.stdout) as ProbeOutcome[], exec, command: ['python3', '-c', '<probe>'] };
      } catch {
        // fall through to sh
      }
    }
  }
  if ((tools.includes('sh') || tools.includes('bash')) && tools.includes('getent')) {
    const script = shProbeScript(targets, timeoutS, tools);
    const shell = tools.includes('sh') ? 'sh' : 'bash';
    const exec = await execInPod(client, { namespace: ns, pod, container, command: [shell, '-c', script], timeoutMs: budget * 2 });
    if (exec.ok) {
      const tool = shConnectTool(tools);
      return { tool: `sh+getent+${tool}`, results: parseShProbe(exec.stdout, targets), exec, command: ['sh', '-c', '<probe>'] };
    }
  }
  return undefined;
}

/**
 * icmp://HOST: one ICMP echo request from inside the pod (`ping -c 1 -W <s> HOST`), one outcome per
 * target: the address ping resolved (from its "PING host (address)" line) and whether a reply came.
 */
export async function pingInPod(
  client: KubeClient,
  ns: string,
  pod: string,
  container: string | undefined,
  hosts: string[],
  timeoutMs: number,
): Promise<ProbeOutcome[]> {
  const timeoutS = Math.max(1, Math.round(timeoutMs / 1000));
  const out: ProbeOutcome[] = [];
  for (const host of hosts) {
    const command = ['ping', '-c', '1', '-W', String(timeoutS), host];
    const exec = await execInPod(client, { namespace: ns, pod, container, command, timeoutMs: timeoutMs + 5000 });
    out.push(parsePing(host, exec));
  }
  return out;
}

/** One ping's outcome: exit 0 = a reply; a name ping could not resolve is a DNS failure. */
export function parsePing(host: string, exec: ExecResult): ProbeOutcome {
  const text = `${exec.stdout}\n${exec.stderr}`;
  const addr = /PING\s+\S+\s+\(([0-9a-f:.]+)\)/i.exec(text)?.[1] ?? (/^[0-9a-f:.]+$/i.test(host) ? host : undefined);
  if (!addr) {
    const msg = text.trim().split('\n').pop() ?? exec.message ?? 'ping failed';
    const nx = /unknown host|bad address|name or service not known|not known/i.test(text);
    return { host, port: 0, dns: { ok: false, addresses: [], error: nx ? 'nxdomain' : 'other', message: msg }, connects: [] };
  }
  const replied = exec.ok && exec.exitCode === 0 && /1 (packets )?received|bytes from/i.test(text);
  const unreachable = /unreachable/i.test(text);
  return {
    host,
    port: 0,
    dns: { ok: true, addresses: [addr] },
    connects: [replied ? { address: addr, ok: true, ms: 0 } : { address: addr, ok: false, error: unreachable ? 'unreachable' : 'timeout', message: unreachable ? 'destination unreachable' : 'no echo reply', ms: 0 }],
  };
}

/** Why an icmp:// target cannot be pinged from a container with these tools, or undefined. */
export function noPingMessage(tools: string[]): string | undefined {
  return tools.includes('ping') ? undefined : `the container has no ping (tools: ${tools.join(', ')}): the ICMP flow is judged by the policies alone`;
}
