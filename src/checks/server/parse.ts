// Pure parsers for the --local checks: /proc/net/tcp{,6}, the kube-apiserver static-pod manifest,
// k3s/rke2 config, iptables-save, nft list ruleset, ufw status, API server log lines.
import { load } from 'js-yaml';

// ------------------------------------------------------------------ /proc/net/tcp

export interface Listener {
  address: string;
  port: number;
  family: 4 | 6;
  inode?: string;
}

function hexToIPv4(hex: string): string {
  // the kernel prints the 32-bit address in host (little-endian) byte order
  const b = [0, 2, 4, 6].map((i) => parseInt(hex.slice(i, i + 2), 16)).reverse();
  return b.join('.');
}

function hexToIPv6(hex: string): string {
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    const b = [0, 2, 4, 6].map((i) => parseInt(word.slice(i, i + 2), 16)).reverse();
    bytes.push(...b);
  }
  // ::ffff:a.b.c.d
  if (bytes.slice(0, 10).every((x) => x === 0) && bytes[10] === 0xff && bytes[11] === 0xff) return `::ffff:${bytes.slice(12).join('.')}`;
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // compress the longest run of zero groups
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

/** LISTEN sockets (state 0A) from /proc/net/tcp or /proc/net/tcp6. */
export function parseProcNetTcp(text: string, family: 4 | 6): Listener[] {
  const out: Listener[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10 || f[3] !== '0A') continue;
    const [addr, port] = f[1]!.split(':');
    if (!addr || !port) continue;
    out.push({ address: family === 4 ? hexToIPv4(addr) : hexToIPv6(addr), port: parseInt(port, 16), family, inode: f[9] });
  }
  return out;
}

export function isWildcard(a: string): boolean {
  return a === '0.0.0.0' || a === '::';
}

export function isLoopbackAddress(a: string): boolean {
  return a.startsWith('127.') || a === '::1' || a.startsWith('::ffff:127.');
}

// ------------------------------------------------------------------ API server configuration

export interface ApiServerConfig {
  /** kubeadm (static pod), k3s, rke2, or a kube-apiserver process found without any of their files */
  flavour: 'kubeadm' | 'k3s' | 'rke2' | 'process';
  source: string;
  bindAddress?: string;
  advertiseAddress?: string;
  port: number;
  tlsSans: string[];
  certFile?: string;
  etcdServers?: string[];
}

/** What a kube-apiserver's own flags say (a manifest's container, or a running process). */
function configFromFlags(flavour: 'kubeadm' | 'process', source: string, flags: Map<string, string>): ApiServerConfig {
  return {
    flavour,
    source,
    bindAddress: flags.get('bind-address'),
    advertiseAddress: flags.get('advertise-address'),
    port: Number(flags.get('secure-port') ?? 6443),
    tlsSans: [],
    certFile: flags.get('tls-cert-file'),
    etcdServers: flags.get('etcd-servers')?.split(','),
  };
}

/** Flags of the kube-apiserver container in a static-pod manifest. */
export function parseManifest(text: string, source: string): ApiServerConfig {
  const doc = load(text) as { spec?: { containers?: { name?: string; command?: string[]; args?: string[] }[] } } | undefined;
  const c = doc?.spec?.containers?.find((x) => x.name === 'kube-apiserver') ?? doc?.spec?.containers?.[0];
  const flags = new Map<string, string>();
  for (const a of [...(c?.command ?? []), ...(c?.args ?? [])]) {
    const m = /^--([^=]+)=(.*)$/.exec(String(a));
    if (m) flags.set(m[1]!, m[2]!);
  }
  return configFromFlags('kubeadm', source, flags);
}

/** The flags of a kube-apiserver command line (/proc/PID/cmdline: NUL-separated; `--flag=value` or `--flag value`). */
export function parseCommandLine(cmdline: string, source: string): ApiServerConfig {
  const args = cmdline.split('\0').filter(Boolean);
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(args[i]!);
    if (!m) continue;
    if (m[2] !== undefined) flags.set(m[1]!, m[2]);
    else if (args[i + 1] !== undefined && !args[i + 1]!.startsWith('--')) flags.set(m[1]!, args[++i]!);
  }
  return configFromFlags('process', source, flags);
}

/** /etc/rancher/{k3s,rke2}/config.yaml (keys are the CLI flags without dashes). */
export function parseRancherConfig(text: string, flavour: 'k3s' | 'rke2', source: string): ApiServerConfig {
  const doc = (load(text) ?? {}) as Record<string, unknown>;
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : []);
  const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));
  return {
    flavour,
    source,
    bindAddress: str(doc['bind-address']),
    advertiseAddress: str(doc['advertise-address']) ?? list(doc['node-ip'])[0],
    port: Number(doc['https-listen-port'] ?? 6443),
    tlsSans: list(doc['tls-san']),
  };
}

// ------------------------------------------------------------------ firewall

export type Verdict = 'accept' | 'drop' | 'reject';

export interface FirewallRule {
  tool: 'iptables' | 'nft' | 'ufw';
  /** "filter/INPUT", "inet filter/input", "ufw" */
  chain: string;
  /** 1-based position in its chain */
  position: number;
  verdict: Verdict;
  /** the rule restricts the source (only some clients are affected) */
  source?: string;
  text: string;
}

export interface ChainPolicy {
  tool: 'iptables' | 'nft';
  chain: string;
  policy: Verdict;
  /** hook or built-in chain that filters incoming traffic */
  input: boolean;
}

export interface FirewallParse {
  rules: FirewallRule[];
  policies: ChainPolicy[];
  /** ufw: active or inactive */
  active?: boolean;
}

function portIn(spec: string, port: number): boolean {
  for (const part of spec.split(',')) {
    const p = part.trim();
    const r = /^(\d+)[:-](\d+)$/.exec(p);
    if (r && port >= Number(r[1]) && port <= Number(r[2])) return true;
    if (/^\d+$/.test(p) && Number(p) === port) return true;
  }
  return false;
}

/** iptables-save output: rules whose destination port includes `port`, and chain policies. */
export function parseIptablesSave(text: string, port: number): FirewallParse {
  const rules: FirewallRule[] = [];
  const policies: ChainPolicy[] = [];
  let table = 'filter';
  const counts = new Map<string, number>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      table = line.slice(1);
      continue;
    }
    const pol = /^:(\S+)\s+(ACCEPT|DROP|REJECT)\b/.exec(line);
    if (pol) {
      policies.push({ tool: 'iptables', chain: `${table}/${pol[1]}`, policy: pol[2]!.toLowerCase() as Verdict, input: table === 'filter' && pol[1] === 'INPUT' });
      continue;
    }
    if (!line.startsWith('-A ')) continue;
    const tok = line.split(/\s+/);
    const chain = `${table}/${tok[1]}`;
    const position = (counts.get(chain) ?? 0) + 1;
    counts.set(chain, position);
    if (table !== 'filter' && table !== 'raw' && table !== 'mangle') continue;
    const j = tok.indexOf('-j');
    const target = j >= 0 ? tok[j + 1] : undefined;
    if (target !== 'ACCEPT' && target !== 'DROP' && target !== 'REJECT') continue;
    let matches = false;
    for (let i = 0; i < tok.length; i++) {
      const t = tok[i]!;
      if ((t === '--dport' || t === '--destination-port' || t === '--dports' || t === '--destination-ports') && tok[i - 1] !== '!') {
        if (portIn(tok[i + 1] ?? '', port)) matches = true;
      }
    }
    if (!matches) continue;
    const s = tok.indexOf('-s');
    const src = s >= 0 && tok[s - 1] !== '!' ? tok[s + 1] : undefined;
    rules.push({ tool: 'iptables', chain, position, verdict: target.toLowerCase() as Verdict, source: src, text: line });
  }
  return { rules, policies };
}

/** `nft list ruleset`: rules on `tcp dport`/`th dport` that include `port`, and base-chain policies. */
export function parseNftRuleset(text: string, port: number): FirewallParse {
  const rules: FirewallRule[] = [];
  const policies: ChainPolicy[] = [];
  let table = '';
  let chain = '';
  let position = 0;
  let input = false;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^table\s+(\S+)\s+(\S+)\s*\{/.exec(line))) {
      table = `${m[1]} ${m[2]}`;
      continue;
    }
    if ((m = /^chain\s+(\S+)\s*\{/.exec(line))) {
      chain = `${table}/${m[1]}`;
      position = 0;
      input = false;
      continue;
    }
    if ((m = /type\s+filter\s+hook\s+(\S+).*?policy\s+(accept|drop)/.exec(line))) {
      input = m[1] === 'input';
      policies.push({ tool: 'nft', chain, policy: m[2] as Verdict, input });
      continue;
    }
    if (!chain || line === '}' || line === '' || line.startsWith('type ')) continue;
    position++;
    const v = /\b(accept|drop|reject)\b/.exec(line);
    if (!v) continue;
    const d = /\b(?:tcp|th)\s+dport\s+(?:\{([^}]*)\}|(\d+(?:-\d+)?))/.exec(line);
    if (!d || /dport\s+!=/.test(line)) continue;
    const spec = (d[1] ?? d[2] ?? '').replace(/\s+/g, '');
    if (!portIn(spec, port)) continue;
    const src = /\b(?:ip6?)\s+saddr\s+(\S+)/.exec(line);
    rules.push({ tool: 'nft', chain, position, verdict: v[1] as Verdict, source: src?.[1], text: line.replace(/\s+#.*$/, '') });
  }
  return { rules, policies };
}

/** `ufw status` (first match wins, in the order listed). */
export function parseUfwStatus(text: string, port: number): FirewallParse {
  const rules: FirewallRule[] = [];
  const active = /Status:\s*active/i.test(text);
  let position = 0;
  let inTable = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\[\s*\d+\]\s*/, '').trimEnd();
    if (/^--\s+/.test(line.trim())) {
      inTable = true;
      continue;
    }
    if (!inTable || !line.trim()) continue;
    const m = /^(.+?)\s{2,}(ALLOW|DENY|REJECT|LIMIT)(?:\s+(IN|OUT|FWD))?\s{2,}(.+)$/.exec(line.trim());
    if (!m) continue;
    position++;
    if (m[3] === 'OUT') continue;
    const to = m[1]!.replace(/\s*\(v6\)/, '').trim();
    const from = m[4]!.replace(/\s*\(v6\)/, '').trim();
    const portSpec = /^(?:\S+\s+)?(\d[\d,:]*)(?:\/(tcp|udp))?$/.exec(to);
    const matches = to === 'Anywhere' || (portSpec !== null && portSpec[2] !== 'udp' && portIn(portSpec[1]!, port));
    if (!matches) continue;
    const verdict: Verdict = m[2] === 'DENY' ? 'drop' : m[2] === 'REJECT' ? 'reject' : 'accept';
    rules.push({ tool: 'ufw', chain: 'ufw', position, verdict, source: from === 'Anywhere' ? undefined : from, text: line.trim() });
  }
  return { rules, policies: [], active };
}

export interface FirewallVerdict {
  /** a DROP/REJECT that comes before an ACCEPT for the port, in the same chain */
  shadowing: { block: FirewallRule; accept: FirewallRule }[];
  /** DROP/REJECT rules on the port with no later ACCEPT */
  blocking: FirewallRule[];
  /** input chains whose policy drops, with no ACCEPT for the port */
  policyDrops: ChainPolicy[];
}

export function judgeFirewall(p: FirewallParse): FirewallVerdict {
  const shadowing: FirewallVerdict['shadowing'] = [];
  const blocking: FirewallRule[] = [];
  const chains = new Map<string, FirewallRule[]>();
  for (const r of p.rules) chains.set(`${r.tool}:${r.chain}`, [...(chains.get(`${r.tool}:${r.chain}`) ?? []), r]);
  for (const rules of chains.values()) {
    rules.sort((a, b) => a.position - b.position);
    for (const [i, r] of rules.entries()) {
      if (r.verdict === 'accept') continue;
      const later = rules.slice(i + 1).find((x) => x.verdict === 'accept');
      if (later) shadowing.push({ block: r, accept: later });
      else if (!rules.slice(0, i).some((x) => x.verdict === 'accept' && !x.source)) blocking.push(r);
    }
  }
  const policyDrops = p.policies.filter((c) => c.input && c.policy !== 'accept' && !p.rules.some((r) => r.verdict === 'accept' && r.tool === c.tool && r.chain === c.chain));
  return { shadowing, blocking, policyDrops };
}

// ------------------------------------------------------------------ logs

export interface LogSummary {
  lines: number;
  tlsErrors: { remote: string; reason: string; count: number; last: string }[];
  etcdErrors: { message: string; count: number; last: string }[];
  authErrors: { reason: string; count: number; last: string }[];
}

/** Strip the CRI log prefix ("2026-11-22T08:00:01.1Z stderr F ") and journald's ("Nov 22 08:00:01 host k3s[123]: "). */
function stripPrefix(line: string): string {
  const cri = /^\d{4}-\d\d-\d\dT\S+\s+(?:stdout|stderr)\s+[FP]\s(.*)$/.exec(line);
  if (cri) return cri[1]!;
  const journal = /^(?:\w{3}\s+\d+\s+[\d:]+|\d{4}-\d\d-\d\dT\S+)\s+\S+\s+[\w.@-]+(?:\[\d+\])?:\s(.*)$/.exec(line);
  if (journal) return journal[1]!;
  return line;
}

function bump<T extends { count: number; last: string }>(map: Map<string, T>, key: string, make: () => T, line: string) {
  const e = map.get(key) ?? make();
  e.count++;
  e.last = line.length > 300 ? `${line.slice(0, 300)}…` : line;
  map.set(key, e);
}

export function summariseApiServerLog(text: string): LogSummary {
  const tls = new Map<string, LogSummary['tlsErrors'][number]>();
  const etcd = new Map<string, LogSummary['etcdErrors'][number]>();
  const auth = new Map<string, LogSummary['authErrors'][number]>();
  let lines = 0;
  for (const raw of text.split('\n')) {
    if (!raw.trim()) continue;
    lines++;
    const line = stripPrefix(raw.trim());
    let m: RegExpExecArray | null;
    if ((m = /TLS handshake error from (\[[^\]]+\]|[^\s:]+):\d+: (.+?)"?$/.exec(line))) {
      const remote = m[1]!.replace(/^\[|\]$/g, '');
      const reason = m[2]!.replace(/^read tcp \S+->\S+: /, '').trim();
      bump(tls, `${remote} ${reason}`, () => ({ remote, reason, count: 0, last: '' }), line);
      continue;
    }
    if ((m = /Unable to authenticate the request(?: due to an error)?"?(?:.*?err="?(.+?)"?)?$/.exec(line))) {
      const reason = (m[1] ?? 'unknown').replace(/^\[|\]$/g, '').replace(/\\"/g, '"');
      bump(auth, reason, () => ({ reason, count: 0, last: '' }), line);
      continue;
    }
    const isError = /^[EW]\d{4}\s/.test(line) || /level=(error|warn)/i.test(line) || /"level":"(error|warn)"/.test(line);
    if (/etcdserver:|:2379|\betcd\b.*(fail|error|refused|timeout|timed out|unavailable|deadline)|(fail|error).*\betcd\b/i.test(line) && (isError || /etcdserver:/.test(line))) {
      const msg = line
        .replace(/^[EWI]\d{4}\s+[\d:.]+\s+\d+\s+\S+\]\s*/, '')
        .replace(/\d{4}-\d\d-\d\dT[\d:.]+Z?/g, '')
        .replace(/\{Addr: "([^"]+)"[^}]*\}/, '$1')
        ;
      const key =
        /dial tcp [^\s:]+:\d+: (?:connect: )?[a-z ]+/i.exec(msg)?.[0] ??
        /etcdserver: [a-z ]+|context deadline exceeded|i\/o timeout|no route to host|x509: [^"]+/i.exec(msg)?.[0] ??
        msg.slice(0, 200);
      bump(etcd, key, () => ({ message: key, count: 0, last: '' }), line);
    }
  }
  const byCount = <T extends { count: number }>(m: Map<string, T>) => [...m.values()].sort((a, b) => b.count - a.count);
  return { lines, tlsErrors: byCount(tls), etcdErrors: byCount(etcd), authErrors: byCount(auth) };
}

/** What a TLS handshake error reason means, in plain words. */
export function explainTlsReason(reason: string): string {
  if (/bad certificate|unknown certificate authority|unknown ca/i.test(reason)) return 'the client rejected the server certificate (it does not trust the CA, or the name it dialled is not in the SANs: see server.endpoints / server.local.pki)';
  if (/certificate required/i.test(reason)) return 'the client sent no client certificate where one was required';
  if (/expired/i.test(reason)) return 'a certificate in the handshake has expired';
  if (/first record does not look like a TLS handshake|client sent an HTTP request/i.test(reason)) return 'the client speaks plain HTTP to the TLS port (a health check or a misconfigured proxy)';
  if (/^EOF$|connection reset by peer/i.test(reason)) return 'the client closed the connection during the handshake (often TCP health checks of a load balancer, or a client that gave up)';
  if (/no cipher suite|protocol version|unsupported/i.test(reason)) return 'client and server share no TLS version or cipher suite';
  return 'the handshake failed';
}
