// kubectl netdiag diff: line up two reports of the same command layer by layer (kubeconfig, DNS,
// proxy, TCP, TLS, HTTP, auth, then the command's other checks) and name the first layer where
// they diverge, with the difference in evidence. Timings, ports of our own end and temp paths are
// not differences; statuses, finding codes and the facts below are.
import { basename } from 'node:path';
import type { CheckResult, Report } from '../report/types.ts';

export const LAYERS: { layer: string; match: RegExp }[] = [
  { layer: 'kubeconfig', match: /\.(kubeconfig|connection)$/ },
  { layer: 'DNS', match: /\.dns$/ },
  { layer: 'proxy', match: /\.proxy(\.connect)?$/ },
  { layer: 'TCP', match: /\.tcp$/ },
  { layer: 'TLS', match: /\.(tls|certs)$/ },
  { layer: 'HTTP', match: /\.(http|health)$/ },
  { layer: 'auth', match: /\.auth$/ },
];

export interface Side {
  file: string;
  label: string;
  host?: string;
  startedAt: string;
  status: string;
  server?: string;
}

export interface Difference {
  check: string;
  what: string;
  a: string;
  b: string;
}

export interface LayerDiff {
  layer: string;
  checks: string[];
  a: string;
  b: string;
  same: boolean;
  differences: Difference[];
}

export interface DiffResult {
  schemaVersion: 1;
  kind: 'netdiag-diff';
  command: string;
  a: Side;
  b: Side;
  identical: boolean;
  firstDivergence: string | null;
  layers: LayerDiff[];
  /** plain sentences for the network team, most important first */
  explanation: string[];
}

export class DiffInputError extends Error {}

/** Parse and validate one report file's text. */
export function parseReport(text: string, file: string): Report {
  let j: unknown;
  try {
    j = JSON.parse(text);
  } catch (e) {
    throw new DiffInputError(`${file} is not JSON (${(e as Error).message}); write reports with -o json or --output-file report.json`);
  }
  const r = j as Partial<Report> | null;
  if (!r || typeof r !== 'object' || r.schemaVersion === undefined || !Array.isArray(r.checks) || typeof r.command !== 'string') {
    throw new DiffInputError(`${file} is not a kubectl-netdiag report (no schemaVersion, command and checks)`);
  }
  if (r.schemaVersion !== 1) throw new DiffInputError(`${file} has schemaVersion ${String(r.schemaVersion)}; this version reads 1`);
  return r as Report;
}

type Facts = Record<string, string>;

const get = (o: unknown, path: string): unknown => path.split('.').reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
const str = (v: unknown): string => (v === undefined || v === null ? '—' : Array.isArray(v) ? (v.length ? v.map(str).join(', ') : '—') : typeof v === 'object' ? JSON.stringify(v) : String(v));

interface ChainCert {
  subject?: string;
  issuer?: string;
  sha256?: string;
  sans?: string[];
}

/** The facts of one check that matter for "works here, not there". */
export function factsOf(c: CheckResult | undefined): Facts {
  if (!c) return { status: 'absent' };
  const f: Facts = { status: c.status, findings: c.findings.map((x) => x.code).sort().join(', ') || '—' };
  const ev = c.evidence ?? {};
  const leaf = (get(ev, 'chain') as ChainCert[] | undefined)?.[0];
  switch (c.id.replace(/^[a-z]+\./, '')) {
    case 'kubeconfig':
      for (const k of ['server', 'context', 'cluster', 'user', 'authKind', 'caSource', 'insecureSkipTlsVerify', 'proxyUrl', 'tlsServerName']) {
        if (get(ev, k) !== undefined) f[k] = str(get(ev, k));
      }
      break;
    case 'dns':
      f.addresses = str(((get(ev, 'addresses') as { address: string }[] | undefined) ?? []).map((a) => a.address).sort());
      f['hosts file'] = str(get(ev, 'hostsFile.line'));
      f.error = str(get(ev, 'error.kind'));
      break;
    case 'proxy': {
      const env = (get(ev, 'environment') as Record<string, string> | undefined) ?? {};
      f['proxy variables'] = str(Object.entries(env).map(([k, v]) => `${k}=${v}`).sort());
      f.proxy = str(get(ev, 'proxy'));
      f['proxy source'] = str(get(ev, 'source'));
      break;
    }
    case 'proxy.connect':
      f.CONNECT = str(get(ev, 'statusLine'));
      f['inside the tunnel'] = get(ev, 'insideTunnel') ? `${str(get(ev, 'insideTunnel.status'))} ${str(get(ev, 'insideTunnel.body'))}`.slice(0, 200) : '—';
      break;
    case 'tcp': {
      const results = (get(ev, 'results') as { address: string; ok: boolean; error?: { message?: string } }[] | undefined) ?? [];
      f.direct = str(get(ev, 'direct'));
      f.connect = str(results.map((r) => `${r.address} ${r.ok ? 'connected' : (r.error?.message ?? 'failed').replace(/^connect \S+: /, '')}`));
      break;
    }
    case 'tls':
      f.via = str(get(ev, 'via'));
      f.certificate = leaf ? `${leaf.subject} issued by ${leaf.issuer}` : '—';
      f.fingerprint = str(leaf?.sha256);
      f.SANs = str(leaf?.sans);
      f.verification = get(ev, 'verification.trusted') === true ? 'trusted' : str(get(ev, 'verification.goError') ?? get(ev, 'error.message'));
      break;
    case 'http':
      f.version = str(get(ev, 'version.gitVersion'));
      f.answer = str(get(ev, 'status'));
      break;
    case 'health':
      f.readyz = str(get(ev, 'readyz.status'));
      f.livez = str(get(ev, 'livez.status'));
      break;
    case 'auth':
      f.user = str(get(ev, 'user.username'));
      f['can list pods'] = str(get(ev, 'canListPods.allowed'));
      break;
    case 'endpoints': {
      const addrs = (get(ev, 'addresses') as { address: string; ok: boolean }[] | undefined) ?? (get(ev, 'served') as { address: string; ok: boolean }[] | undefined) ?? [];
      f.addresses = str(addrs.map((a) => `${a.address} ${a.ok ? 'ok' : 'failed'}`).sort());
      break;
    }
    case 'connection':
      f.via = str(get(ev, 'via'));
      f.certificate = str(get(ev, 'certificate'));
      f.version = str(get(ev, 'version'));
      break;
    case 'apiservices':
      f['not Available'] = str(((get(ev, 'unavailable') as { name: string; reason?: string }[] | undefined) ?? []).map((x) => `${x.name} (${x.reason ?? '?'})`).sort());
      break;
    case 'certs':
      f.certificates = str(((get(ev, 'certificates') as { subject: string; notAfter: string }[] | undefined) ?? []).map((x) => `${x.subject} until ${x.notAfter}`).sort());
      break;
    default:
      break;
  }
  return f;
}

function layerOf(id: string): string {
  return LAYERS.find((l) => l.match.test(id))?.layer ?? id;
}

function sideOf(r: Report, file: string): Side {
  const host = get(r.environment, 'host.name') as string | undefined;
  return { file, label: basename(file), host, startedAt: r.startedAt, status: r.diagnosis?.status ?? '?', server: r.target?.server };
}

function statusLine(checks: (CheckResult | undefined)[]): string {
  const present = checks.filter((c): c is CheckResult => !!c);
  if (present.length === 0) return 'absent';
  return present.map((c) => `${c.id.replace(/^[a-z]+\./, '')} ${c.status}`).join(', ');
}

export function compareReports(a: Report, b: Report, fileA: string, fileB: string): DiffResult {
  if (a.command !== b.command) {
    throw new DiffInputError(`the reports are of different commands: ${fileA} is \`${a.command}\`, ${fileB} is \`${b.command}\`; compare reports of the same command`);
  }
  const sa = sideOf(a, fileA);
  const sb = sideOf(b, fileB);
  if (sa.label === sb.label) {
    sa.label = fileA;
    sb.label = fileB;
  }
  // the layer order: the known layers, then the other checks in A's order, then B's extras
  const ids: string[] = [];
  for (const c of [...a.checks, ...b.checks]) if (!ids.includes(c.id)) ids.push(c.id);
  const order: string[] = [];
  for (const l of LAYERS) if (ids.some((id) => l.match.test(id))) order.push(l.layer);
  for (const id of ids) if (!order.includes(layerOf(id))) order.push(layerOf(id));
  const byA = new Map(a.checks.map((c) => [c.id, c]));
  const byB = new Map(b.checks.map((c) => [c.id, c]));
  const layers: LayerDiff[] = order.map((layer) => {
    const checks = ids.filter((id) => layerOf(id) === layer);
    const differences: Difference[] = [];
    for (const id of checks) {
      const fa = factsOf(byA.get(id));
      const fb = factsOf(byB.get(id));
      for (const k of new Set([...Object.keys(fa), ...Object.keys(fb)])) {
        const va = fa[k] ?? '—';
        const vb = fb[k] ?? '—';
        if (va !== vb) differences.push({ check: id, what: k, a: va, b: vb });
      }
    }
    return {
      layer,
      checks,
      a: statusLine(checks.map((id) => byA.get(id))),
      b: statusLine(checks.map((id) => byB.get(id))),
      same: differences.length === 0,
      differences,
    };
  });
  const first = layers.find((l) => !l.same);
  const result: DiffResult = {
    schemaVersion: 1,
    kind: 'netdiag-diff',
    command: a.command,
    a: sa,
    b: sb,
    identical: !first,
    firstDivergence: first?.layer ?? null,
    layers,
    explanation: [],
  };
  result.explanation = explain(result, a, b);
  return result;
}

/** "host web-1" when the hosts differ, else "A (report.json)". */
function namer(d: DiffResult): (s: Side) => string {
  const distinct = d.a.host !== undefined && d.b.host !== undefined && d.a.host !== d.b.host;
  return (s) => (distinct ? `host ${s.host}` : `${s === d.a ? 'A' : 'B'} (${s.label})`);
}

/** Plain sentences: what differs and what it means, in layer order. */
function explain(d: DiffResult, a: Report, b: Report): string[] {
  const who = namer(d);
  const A = who(d.a);
  const B = who(d.b);
  if (d.identical) return [`The two reports agree on every layer (${d.layers.map((l) => l.layer).join(', ')}): whatever differs between ${A} and ${B} is not on the path these checks see.`];
  const out: string[] = [];
  const check = (r: Report, suffix: string) => r.checks.find((c) => c.id.endsWith(suffix));
  const first = d.layers.find((l) => !l.same)!;
  out.push(`The reports first diverge at the ${first.layer} layer: ${first.differences.slice(0, 3).map((x) => `${x.what} is ${x.a} from ${A} but ${x.b} from ${B}`).join('; ')}.`);
  const sameServer = d.a.server !== undefined && d.a.server === d.b.server;
  for (const l of d.layers.filter((x) => !x.same)) {
    const diff = (what: string) => l.differences.find((x) => x.what === what);
    if (l.layer === 'kubeconfig' && diff('server')) {
      out.push(`The kubeconfigs point at different servers: ${A} dials ${d.a.server ?? '?'}, ${B} dials ${d.b.server ?? '?'}; the layers below compare different addresses.`);
    }
    if (l.layer === 'proxy' && (diff('proxy') || diff('proxy variables'))) {
      const pa = diff('proxy')?.a ?? '—';
      const pb = diff('proxy')?.b ?? '—';
      const desc = (p: string, side: Difference | undefined, which: 'a' | 'b') => (p === '—' || p === 'null' ? 'connects directly (no proxy applies)' : `goes through the proxy ${p}${side ? ` (${which === 'a' ? side.a : side.b})` : ''}`);
      out.push(`From ${A} kubectl ${desc(pa, diff('proxy source'), 'a')}; from ${B} it ${desc(pb, diff('proxy source'), 'b')}. Proxy variables: ${A}: ${diff('proxy variables')?.a ?? 'same'}; ${B}: ${diff('proxy variables')?.b ?? 'same'}.`);
      const connB = check(b, '.proxy.connect');
      const inside = (connB?.evidence?.insideTunnel as { status?: string; body?: string } | undefined) ?? undefined;
      // a 2xx inside the tunnel is the API server's own answer: evidence only when the proxy answers itself
      if (inside?.status && !/^2/.test(inside.status)) out.push(`Inside the tunnel the proxy on ${B}'s path answers ${inside.status}${inside.body ? `: "${inside.body.slice(0, 300)}"` : ''}.`);
      const connA = check(a, '.proxy.connect');
      const insideA = (connA?.evidence?.insideTunnel as { status?: string; body?: string } | undefined) ?? undefined;
      if (insideA?.status && !/^2/.test(insideA.status)) out.push(`Inside the tunnel the proxy on ${A}'s path answers ${insideA.status}${insideA.body ? `: "${insideA.body.slice(0, 300)}"` : ''}.`);
    }
    if (l.layer === 'DNS' && diff('addresses')) {
      out.push(`The server name resolves differently: ${A} gets ${diff('addresses')!.a}, ${B} gets ${diff('addresses')!.b}${diff('hosts file') ? ` (/etc/hosts: ${A}: ${diff('hosts file')!.a}; ${B}: ${diff('hosts file')!.b})` : ''}.`);
    }
    if (l.layer === 'TCP' && diff('connect')) {
      const c = diff('connect')!;
      const noRoute = (s: string) => /unreachable|no route/i.test(s);
      const ok = (s: string) => /connected/.test(s) && !/unreachable|refused|timed out|reset/.test(s);
      let note = '';
      if (ok(c.a) && noRoute(c.b)) note = `: ${A} has a route to the API server and ${B} has none`;
      else if (ok(c.b) && noRoute(c.a)) note = `: ${B} has a route to the API server and ${A} has none`;
      else if (/timed out|timeout|no answer/i.test(c.b) && ok(c.a)) note = `: from ${B} the packets are dropped on the way (a firewall or a black hole)`;
      else if (/timed out|timeout|no answer/i.test(c.a) && ok(c.b)) note = `: from ${A} the packets are dropped on the way (a firewall or a black hole)`;
      out.push(`Direct TCP: ${A}: ${c.a}; ${B}: ${c.b}${note}.`);
    }
    if (l.layer === 'TLS' && (diff('fingerprint') || diff('certificate'))) {
      const ta = check(a, '.tls');
      const tb = check(b, '.tls');
      const la = (ta?.evidence?.chain as ChainCert[] | undefined)?.[0];
      const lb = (tb?.evidence?.chain as ChainCert[] | undefined)?.[0];
      const trustedA = get(ta?.evidence, 'verification.trusted') === true;
      const trustedB = get(tb?.evidence, 'verification.trusted') === true;
      const interceptedA = ta?.findings.some((f) => f.code.endsWith('.intercepted'));
      const interceptedB = tb?.findings.some((f) => f.code.endsWith('.intercepted'));
      const present = (s: Side, c: ChainCert | undefined, trusted: boolean) => (c ? `${c.subject ?? '?'} issued by ${c.issuer ?? '?'}${trusted ? ', which verifies against the cluster CA in the kubeconfig' : ', which does not verify against the kubeconfig CA'}` : `no certificate (the handshake did not happen: ${statusLine([s === d.a ? ta : tb])})`);
      const addr = sameServer ? 'the same address' : 'its API server address';
      let sentence = `From ${A} the API presents ${present(d.a, la, trustedA)}; from ${B} ${addr} presents ${present(d.b, lb, trustedB)}`;
      if ((interceptedB || (!trustedB && lb)) && trustedA) sentence += `: TLS is intercepted between ${B} and the cluster${interceptedB ? '' : ' (or B reaches a different server)'}.`;
      else if ((interceptedA || (!trustedA && la)) && trustedB) sentence += `: TLS is intercepted between ${A} and the cluster${interceptedA ? '' : ' (or A reaches a different server)'}.`;
      else sentence += '.';
      out.push(sentence);
      if (la?.sha256 && lb?.sha256 && la.sha256 !== lb.sha256) out.push(`SHA-256 fingerprints: ${A}: ${la.sha256}; ${B}: ${lb.sha256}.`);
    }
    const both = (x: Difference | undefined) => x && x.a !== '—' && x.b !== '—';
    if (l.layer === 'HTTP' && both(diff('version'))) out.push(`The server answers ${diff('version')!.a} to ${A} and ${diff('version')!.b} to ${B}.`);
    if (l.layer === 'auth' && both(diff('user'))) out.push(`The server sees ${A} as ${diff('user')!.a} and ${B} as ${diff('user')!.b}.`);
  }
  const rootA = a.diagnosis?.rootCause;
  const rootB = b.diagnosis?.rootCause;
  if (a.diagnosis?.status !== b.diagnosis?.status) {
    const failing = a.diagnosis?.status === 'fail' ? { s: A, r: rootA } : b.diagnosis?.status === 'fail' ? { s: B, r: rootB } : undefined;
    if (failing?.r) out.push(`Root cause on ${failing.s}, as its own report states it: ${failing.r}`);
  }
  return out;
}
