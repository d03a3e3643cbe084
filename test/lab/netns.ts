/**
 * The lab's network namespace, and `startLab()` for tests.
 *
 * The lab is ONE process started in new network + mount namespaces:
 *   unshare --net --mount --propagation private -- <node> test/lab/run.ts <scenario> --json
 * Inside, before starting any server, `setupNamespace()`:
 *   - refuses to run unless the namespace is fresh (only `lo`, no routes): it never
 *     touches the host's network;
 *   - `ip link set lo up`;
 *   - lab0: the "hosts that exist" (198.51.100.x/32). This kernel has no `dummy` driver
 *     (no modules), so lab0 is one end of a veth pair (peer lab0-peer, both ends inside
 *     the namespace); the addresses are local, so traffic to them never leaves the host stack;
 *   - hole0: a black hole for 192.0.2.0/24. Again no `dummy`: a `tun` device that no
 *     process has opened (NO-CARRIER, NOARP): the kernel queues packets to it and drops
 *     them silently, so connect() to 192.0.2.x hangs until the client's timeout
 *     (verified: still pending after 4 s, TX dropped counter grows);
 *   - nothing for 203.0.113.0/24 and no default route: connect() fails at once with
 *     ENETUNREACH (verified: ~1 ms);
 *   - bind-mounts a lab resolv.conf (nameserver 198.51.100.53) over /etc/resolv.conf and a
 *     lab hosts file over /etc/hosts (private mount namespace: invisible outside).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

export const LAB = {
  api: '198.51.100.10',
  api2: '198.51.100.11',
  connectProxy: '198.51.100.20',
  interceptingProxy: '198.51.100.21',
  failingProxy: '198.51.100.22',
  tinyproxy: '198.51.100.23',
  mitmdump: '198.51.100.24',
  dns: '198.51.100.53',
  /** present in the wrong-name certificate only; nothing listens there */
  wrongName: '198.51.100.99',
  /** black-holed (192.0.2.0/24 → hole0) */
  blackhole: '192.0.2.10',
  blackhole2: '192.0.2.11',
  /** no route (203.0.113.0/24) */
  noRoute: '203.0.113.10',
} as const;

export const LAB_HOST_ADDRESSES = [LAB.api, LAB.api2, LAB.connectProxy, LAB.interceptingProxy, LAB.failingProxy, LAB.tinyproxy, LAB.mitmdump, LAB.dns];

export const LAB_HOSTS_EXTRA = [`${LAB.api} api-hosts.lab.test`];

const HERE = dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = resolve(HERE, '..', '..');
export const RUN_TS = join(HERE, 'run.ts');

/** Node ≥ 26 (runs .ts): the repo's `node` package if present, else the current one. */
export function labNode(): string {
  const local = join(REPO_ROOT, 'node_modules', 'node', 'bin', 'node');
  return existsSync(local) ? local : process.execPath;
}

export const LAB_PATH = [join(REPO_ROOT, 'node_modules', '.bin'), '/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'].join(':');

function ip(...args: string[]): string {
  return execFileSync('ip', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Throws unless this process is in a fresh network namespace (only lo, no routes). */
export function assertFreshNamespace(): void {
  const links = ip('-o', 'link', 'show')
    .split('\n')
    .filter(Boolean)
    .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1]);
  const routes = ip('route', 'show').trim();
  // with only `lo` there is no interface a route could use, IPv4 or IPv6
  if (links.some((l) => l !== 'lo') || routes !== '') {
    throw new Error(
      `refusing to set up the lab: not a fresh network namespace (links: ${links.join(', ')}; routes: ${JSON.stringify(routes)}). ` +
        'Start the lab with `unshare --net --mount --propagation private -- node test/lab/run.ts ...` (run.ts does this itself).',
    );
  }
}

/** Throws if anything in the namespace routes to the outside world. */
export function assertIsolated(): void {
  const routes = ip('route', 'show', 'table', 'all');
  if (/^default/m.test(routes)) throw new Error('lab namespace has a default route: aborting');
  const links = ip('-o', 'link', 'show')
    .split('\n')
    .filter(Boolean)
    .map((l) => /^\d+:\s+([^:@]+)/.exec(l)?.[1]);
  const allowed = new Set(['lo', 'lab0', 'lab0-peer', 'hole0']);
  const bad = links.filter((l) => !allowed.has(l ?? ''));
  if (bad.length) throw new Error(`lab namespace has unexpected links: ${bad.join(', ')}`);
}

/** Set up the namespace (must be called inside a fresh net+mount namespace). */
export function setupNamespace(tmp: string): void {
  assertFreshNamespace();
  // one `ip -batch` for the whole setup (each spawn costs ~7 ms)
  const batch = [
    'link set lo up',
    'link add lab0 type veth peer name lab0-peer',
    'link set lab0 up',
    'link set lab0-peer up',
    ...LAB_HOST_ADDRESSES.map((a) => `addr add ${a}/32 dev lab0`),
    'tuntap add dev hole0 mode tun',
    'link set hole0 up',
    'route add 192.0.2.0/24 dev hole0',
  ].join('\n');
  execFileSync('ip', ['-batch', '-'], { input: batch + '\n', stdio: ['pipe', 'pipe', 'pipe'] });
  assertIsolated();

  const etc = join(tmp, 'etc');
  mkdirSync(etc, { recursive: true });
  writeFileSync(join(etc, 'resolv.conf'), `# kubectl-netdiag lab\nnameserver ${LAB.dns}\noptions timeout:2 attempts:1\n`);
  let hosts = '';
  try {
    hosts = readFileSync('/etc/hosts', 'utf8')
      .split('\n')
      .filter((l) => /^\s*(127\.|::1|fe00|ff0[02])/.test(l))
      .join('\n');
  } catch {
    hosts = '127.0.0.1 localhost\n::1 localhost ip6-localhost ip6-loopback';
  }
  if (!/\blocalhost\b/.test(hosts)) hosts = `127.0.0.1 localhost\n${hosts}`;
  writeFileSync(join(etc, 'hosts'), `${hosts.trim()}\n# kubectl-netdiag lab\n${LAB_HOSTS_EXTRA.join('\n')}\n`);
  // unshare --propagation private already made every mount private: these stay in the lab
  execFileSync(
    'sh',
    ['-ec', 'mount --make-rprivate / && mount --bind "$1" /etc/resolv.conf && mount --bind "$2" /etc/hosts', 'sh', join(etc, 'resolv.conf'), join(etc, 'hosts')],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
}

// ---------------------------------------------------------------------------------------
// startLab: for tests

export interface ReadyLine {
  ready: true;
  pid: number;
  scenario: string;
  description: string;
  kubeconfig: string;
  /** KUBECONFIG plus the scenario's proxy variables (HTTPS_PROXY, NO_PROXY) */
  env: Record<string, string>;
  /** extra CLI args the scenario suggests beyond `--kubeconfig <kubeconfig>` (empty today) */
  args: string[];
  /** the lab's temp dir (kubeconfig, ca.crt, logs); removed by stop() */
  tmpdir: string;
  /** scenario-specific files, e.g. { ca: ".../ca.crt", mitmproxyCa: "..." } */
  files: Record<string, string>;
  /** scenario-specific facts: server URL, tokens, addresses */
  info: Record<string, unknown>;
}

export interface ExecResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  timedOut: boolean;
}

export interface ExecOptions {
  env?: Record<string, string>;
  /** default 20 000 */
  timeoutMs?: number;
  input?: string;
  /** default: the lab's temp dir */
  cwd?: string;
}

export interface Lab extends ReadyLine {
  /** run a command inside the lab's namespaces (nsenter -t PID -n -m) */
  exec(cmd: string, args: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** the env exec() starts from: PATH, HOME, the scenario env */
  baseEnv(): Record<string, string>;
  /** everything the lab process wrote to stderr so far */
  log(): string;
  stop(): Promise<void>;
}

export interface StartLabOptions {
  /** ms to wait for the ready line; default 20 000 */
  readyTimeoutMs?: number;
  /** extra args passed to run.ts */
  extraArgs?: string[];
}

const liveLabs = new Set<() => void>();
let exitHookInstalled = false;
function installExitHook() {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const kill of liveLabs) kill();
  });
}

function killGroup(child: ChildProcess, sig: NodeJS.Signals = 'SIGKILL') {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    try {
      child.kill(sig);
    } catch {
      /* gone */
    }
  }
}

/**
 * Start a scenario in its own namespaces and wait until it is ready.
 * The lab process exits when its stdin closes, so a crashed test never leaves it behind.
 */
export async function startLab(scenario: string, opts: StartLabOptions = {}): Promise<Lab> {
  installExitHook();
  const child = spawn(
    'unshare',
    ['--net', '--mount', '--propagation', 'private', '--', labNode(), RUN_TS, scenario, '--json', '--inner', ...(opts.extraArgs ?? [])],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true, // own process group: stop() kills the lab and everything it started
      env: { PATH: LAB_PATH, HOME: process.env.HOME ?? '/root', NETDIAG_LAB_INNER: '1' },
    },
  );
  const killer = () => killGroup(child);
  liveLabs.add(killer);
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr += d;
    if (stderr.length > 1_000_000) stderr = stderr.slice(-500_000);
  });

  const ready = await new Promise<ReadyLine>((resolveReady, reject) => {
    const rl = createInterface({ input: child.stdout! });
    const timer = setTimeout(() => {
      killer();
      reject(new Error(`lab ${scenario}: not ready after ${opts.readyTimeoutMs ?? 20_000} ms\n${stderr}`));
    }, opts.readyTimeoutMs ?? 20_000);
    rl.on('line', (line) => {
      let msg: any;
      try {
        msg = JSON.parse(line);
      } catch {
        return;
      }
      clearTimeout(timer);
      if (msg.ready === true) resolveReady(msg as ReadyLine);
      else {
        killer();
        // the lab was killed before it could remove its folder (certificates, keys, logs)
        const failed = Object.assign(new Error(`lab ${scenario} failed: ${msg.error ?? line}\n${stderr}`), { tmpdir: msg.tmpdir as string | undefined });
        if (typeof msg.tmpdir === 'string' && msg.tmpdir.includes('netdiag-lab-')) rmSync(msg.tmpdir, { recursive: true, force: true });
        reject(failed);
      }
    });
    child.once('exit', (code, sig) => {
      clearTimeout(timer);
      reject(new Error(`lab ${scenario} exited before ready (code ${code}, signal ${sig})\n${stderr}`));
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });

  const running = new Set<ChildProcess>();
  const baseEnv = (): Record<string, string> => ({
    PATH: LAB_PATH,
    HOME: join(ready.tmpdir, 'home'),
    ...ready.env,
  });
  let stopped: Promise<void> | undefined;

  const lab: Lab = {
    ...ready,
    baseEnv,
    log: () => stderr,
    exec(cmd, args, eo = {}) {
      const start = Date.now();
      const env = { ...baseEnv(), ...eo.env };
      return new Promise<ExecResult>((res) => {
        const c = spawn('nsenter', ['-t', String(ready.pid), '-n', '-m', '--', cmd, ...args], {
          env,
          cwd: eo.cwd ?? ready.tmpdir,
          stdio: ['pipe', 'pipe', 'pipe'],
          detached: true,
        });
        running.add(c);
        let out = '';
        let err = '';
        let timedOut = false;
        c.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
        c.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
        const t = setTimeout(() => {
          timedOut = true;
          killGroup(c);
        }, eo.timeoutMs ?? 20_000);
        c.on('error', (e) => {
          err += String(e);
        });
        c.on('close', (code, signal) => {
          clearTimeout(t);
          running.delete(c);
          res({ code, signal, stdout: out, stderr: err, durationMs: Date.now() - start, timedOut });
        });
        c.stdin!.on('error', () => {});
        c.stdin!.end(eo.input ?? '');
      });
    },
    stop() {
      stopped ??= (async () => {
        for (const c of running) killGroup(c);
        if (child.exitCode === null && child.signalCode === null) {
          const exited = new Promise<void>((r) => child.once('exit', () => r()));
          child.stdin!.end(); // polite: the lab closes its servers and exits
          const t = setTimeout(() => killGroup(child, 'SIGKILL'), 3000);
          await exited;
          clearTimeout(t);
        }
        killGroup(child, 'SIGKILL'); // anything left in the group (tinyproxy, mitmdump)
        liveLabs.delete(killer);
        rmSync(ready.tmpdir, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
  child.stdin!.on('error', () => {});
  return lab;
}
