// Which proxy kubectl uses for a URL, with the exact semantics of Go's
// http.ProxyFromEnvironment (golang.org/x/net/http/httpproxy) wrapped by client-go's
// utilnet.NewProxierWithNoProxyCIDR, and the kubeconfig `proxy-url` override
// (client-go: http.ProxyURL, which ignores NO_PROXY and the localhost rule).
//
// Go behaviours mirrored here (confirmed against httpproxy/proxy.go and proxy_test.go):
//  - each variable is read with getEnvAny: the UPPERCASE name wins when it is non-empty;
//    an empty uppercase value falls through to the lowercase one.
//  - https:// URLs use only HTTPS_PROXY/https_proxy; http:// URLs use only HTTP_PROXY/
//    http_proxy, and never when REQUEST_METHOD is set (CGI): Go then fails the request.
//  - a proxy value without an http/https/socks5 scheme gets "http://" prepended.
//  - "localhost" and loopback IPs (127.0.0.0/8, ::1) are never proxied.
//  - NO_PROXY entries are split on ',', trimmed and lowercased; "*" disables proxying;
//    "a.com" matches a.com and every subdomain; ".a.com" and "*.a.com" match subdomains
//    ONLY (not a.com itself); "host:port" matches only that port; IPs, [IPv6]:port and
//    CIDRs match IP-literal hosts only (a host name is never resolved for matching).
//    Unbracketed IPv6 addresses work; a bracketed IPv6 address WITHOUT a port does not.
//  - the match is done against the URL's host and port (443/80 filled in).

import { domainToASCII } from 'node:url';
import {
  cidrContains,
  ipEqual,
  ipToString,
  isLoopback,
  parseCIDR,
  parseIP,
  splitHostPort,
  urlHostname,
  type Cidr,
  type IPBytes,
} from './ip.ts';
import { redactUrl, urlPassword } from '../report/redact.ts';
import { goDialAddress, goHostname, goPort, goUrlParse, type GoUrl } from './go-url.ts';

export type ProxySource = 'kubeconfig proxy-url' | 'HTTPS_PROXY' | 'https_proxy' | 'HTTP_PROXY' | 'http_proxy' | 'none';

export interface NearMiss {
  entry: string;
  why: string;
}

export interface ProxyDecision {
  /** undefined = direct */
  proxy?: URL;
  /** which variable supplied the proxy (or would have, when NO_PROXY excluded it) */
  source: ProxySource;
  /** plain words */
  reason: string;
  /** effective NO_PROXY value (NO_PROXY, else no_proxy) */
  noProxy?: string;
  /** which variable supplied noProxy */
  noProxySource?: 'NO_PROXY' | 'no_proxy';
  /** the entry that excluded the host */
  noProxyMatch?: string;
  /** NO_PROXY entries that look meant for this host but do not match under Go's rules */
  nearMisses: NearMiss[];
  /** the request fails before any connection is made (CGI rule, unparsable proxy-url, unsupported scheme) */
  error?: string;
  /** the proxy value as configured, password redacted */
  configured?: string;
  /** the value, read with Go's url.Parse, is not what its writer meant (a raw '#', '%', '?', '/' in the password) */
  malformed?: MalformedProxy;
}

export interface SelectProxyOptions {
  /**
   * Other names and addresses of the same target (DNS answers for the host name, or names
   * known to resolve to the IP). Only used to explain near misses: Go never resolves
   * anything for NO_PROXY matching.
   */
  aliases?: string[];
}

const PROXY_SCHEMES = new Set(['http', 'https', 'socks5']);
const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', socks5: '1080' };

/** Go's getEnvAny: the first NON-EMPTY of the names. */
function getEnvAny(env: Record<string, string | undefined>, ...names: string[]): { name: string; value: string } | undefined {
  for (const n of names) {
    const v = env[n];
    if (v !== undefined && v !== '') return { name: n, value: v };
  }
  return undefined;
}

interface ParsedProxy {
  url?: URL;
  error?: string;
  /** Go's reading of the value (after the http:// fallback) */
  go?: GoUrl;
  /** the value did not parse as written, and Go read 'http://' + value instead */
  fallback?: boolean;
  /** Go's error for the value as written */
  goError?: string;
}

/**
 * Go's parse error in words that cannot hold a piece of the password: without the quoted URL and
 * without the quoted fragment ('invalid port ":Pa" after host' quotes the password's start).
 */
export function goReason(error: string): string {
  return error.replace(/^parse "(?:[^"\\]|\\.)*": /, '').replace(/ "(?:[^"\\]|\\.)*"/g, '');
}

/** A WHATWG URL for what Go dials (the proxy's address and credentials as Go read them). */
function whatwgOf(g: GoUrl): URL | undefined {
  const host = goHostname(g);
  const port = goPort(g);
  try {
    const u = new URL(`${g.scheme}://${host.includes(':') ? `[${host}]` : host}${port ? `:${port}` : ''}`);
    if (g.user) {
      u.username = g.user.username;
      if (g.user.password !== undefined) u.password = g.user.password;
    }
    return u;
  } catch {
    return undefined;
  }
}

/**
 * Go's httpproxy parseProxy (what HTTPS_PROXY and friends become): url.Parse(value); when that
 * fails or gives no scheme or no host, url.Parse("http://" + value) is tried and wins if it
 * parses. 'host:port' and 'host' get http:// this way; unknown schemes are kept ('foo://host').
 */
export function parseProxyValue(value: string): ParsedProxy {
  const first = goUrlParse(value);
  const goError = first.ok ? undefined : goReason(first.error);
  if (!first.ok || first.url.scheme === '' || first.url.host === '') {
    const second = goUrlParse('http://' + value);
    if (second.ok) {
      const url = whatwgOf(second.url);
      return url
        ? { url, go: second.url, fallback: true, goError }
        : { go: second.url, fallback: true, goError, error: `Go reads the proxy address as ${JSON.stringify(goDialAddress(second.url))}, which cannot be dialled` };
    }
  }
  if (!first.ok) return { error: `invalid proxy address ${JSON.stringify(redactUrl(value))}: ${goReason(first.error)}`, goError };
  const url = whatwgOf(first.url);
  if (!url) return { go: first.url, error: `Go reads the proxy address as ${JSON.stringify(goDialAddress(first.url))}, which cannot be dialled` };
  if (!PROXY_SCHEMES.has(first.url.scheme)) {
    return { url, go: first.url, error: `proxy scheme '${first.url.scheme}' is not supported by Go's HTTP client (use http, https or socks5)` };
  }
  return { url, go: first.url };
}

/** What a proxy URL with a password means to a person: the userinfo runs to the LAST '@' (the redactor's rule). */
interface IntendedProxy {
  scheme: string;
  username: string;
  /** as written (may hold raw '#', '@', ':', '%') */
  password: string;
  /** host[:port] */
  hostPort: string;
}

function intendedReading(value: string): IntendedProxy | undefined {
  const password = urlPassword(value);
  if (password === undefined) return undefined;
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//.exec(value);
  const start = m ? m[0].length : 0;
  const at = value.lastIndexOf('@');
  const userinfo = value.slice(start, at);
  const username = userinfo.slice(0, userinfo.indexOf(':'));
  const after = value.slice(at + 1);
  const hostPort = after.split(/[/?#]/)[0] ?? '';
  return { scheme: (m?.[1] ?? 'http').toLowerCase(), username, password, hostPort };
}

/** '%XX' decoded where valid, everything else kept (what a person means by a password with a stray '%'). */
function lenientDecode(s: string): string {
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) => {
    try {
      return decodeURIComponent(run);
    } catch {
      return run;
    }
  });
}

/** The characters of a URL's userinfo to percent-encode, for Go and every other reader. */
const ENCODE: Record<string, string> = { '#': '%23', '@': '%40', ':': '%3A', '%': '%25', '?': '%3F', '/': '%2F' };

export interface MalformedProxy {
  /** the variable or 'kubeconfig proxy-url' */
  source: string;
  /** the address the person meant (host:port, after the last '@') */
  intended: string;
  /** the address Go dials; undefined when Go cannot use the value */
  goDials?: string;
  /** what becomes of the value in Go when it does not parse: kubectl fails, or ignores it and goes direct */
  goOutcome: 'dials-other-host' | 'wrong-credentials' | 'ignored' | 'fails';
  /** Go's own error for the value as written (redacted) */
  goError?: string;
  /** plain words: why Go reads it differently */
  why: string[];
  /** the characters of the user name and password to encode: ['#', '%23'] */
  encode: [string, string][];
  /** the value to use instead, the password written REDACTED (percent-encode it) */
  fixed: string;
}

function explainChars(pw: string): string[] {
  const why: string[] = [];
  if (pw.includes('#')) why.push("'#' starts a URL fragment: Go cuts the URL at the first '#', so the password ends there and the host part is lost");
  if (pw.includes('?')) why.push("'?' starts a URL query: Go cuts the host part there");
  if (pw.includes('/')) why.push("'/' ends the host part of a URL");
  if (/%(?![0-9A-Fa-f]{2})/.test(pw)) why.push("'%' must start a two-digit escape (%25 for a '%' itself): Go rejects the URL (invalid URL escape)");
  else if (/%[0-9A-Fa-f]{2}/.test(pw) && !why.length) why.push("'%' followed by two hex digits is an escape: Go decodes it, so the password sent differs");
  if (/[^A-Za-z0-9\-._:~!$&'()*+,;=%@#?/]/.test(pw)) why.push('characters such as spaces, quotes, \'^\', \'|\', \'{\', \'}\' or non-ASCII letters are not allowed raw in a URL\'s userinfo: Go rejects it (net/url: invalid userinfo)');
  return why;
}

/**
 * Does Go read a proxy URL with a password differently from what its writer meant? `go` is
 * Go's final reading (undefined when Go could not parse it).
 */
export function malformedProxy(source: string, value: string, go: GoUrl | undefined, goError: string | undefined, kubeconfig: boolean): MalformedProxy | undefined {
  const intended = intendedReading(value);
  if (!intended) return undefined;
  const sameHost = go !== undefined && go.host.toLowerCase() === intended.hostPort.toLowerCase();
  const sameCreds = go?.user?.username === lenientDecode(intended.username) && go.user.password === lenientDecode(intended.password);
  if (go && sameHost && sameCreds) return undefined;
  const encode: [string, string][] = [];
  for (const c of [...new Set(intended.password + intended.username)]) {
    if (ENCODE[c] && !encode.some(([x]) => x === c)) encode.push([c, ENCODE[c]]);
  }
  const user = intended.username.replace(/[#@:%?/]/g, (c) => ENCODE[c]!);
  const fixed = `${intended.scheme}://${user}:REDACTED@${intended.hostPort}`;
  const usable = go !== undefined && go.host !== '' && PROXY_SCHEMES.has(go.scheme);
  const goOutcome: MalformedProxy['goOutcome'] = usable ? (sameHost ? 'wrong-credentials' : 'dials-other-host') : kubeconfig || go ? 'fails' : 'ignored';
  let goDials = usable ? goDialAddress(go) : undefined;
  // 'http://u6:12#34@h': Go dials host u6, port 12, the password's start: never print it
  if (goDials && goHostname(go!) === intended.username && goPort(go!) !== '' && intended.password.startsWith(goPort(go!))) {
    goDials = `${intended.username}:REDACTED (the user name as the host, the password's start as the port)`;
  }
  return {
    source,
    intended: intended.hostPort,
    ...(goDials ? { goDials } : {}),
    goOutcome,
    ...(goError ? { goError: redactUrl(goError) } : {}),
    why: explainChars(intended.password + intended.username),
    encode,
    fixed,
  };
}

function toAsciiHost(h: string): string {
  if (/^[\x00-\x7f]*$/.test(h)) return h;
  const lead = h.startsWith('.') ? '.' : '';
  const a = domainToASCII(lead ? h.slice(1) : h);
  return a ? lead + a : h;
}

type Matcher =
  | { kind: 'all'; entry: string }
  | { kind: 'cidr'; entry: string; cidr: Cidr }
  | { kind: 'ip'; entry: string; ip: IPBytes; port: string }
  | { kind: 'domain'; entry: string; host: string; port: string; matchHost: boolean };

interface ParsedNoProxy {
  ipMatchers: Matcher[];
  domainMatchers: Matcher[];
  /** raw entries (trimmed, lowercased) in order */
  entries: string[];
}

/** Go's httpproxy config.init() for the NO_PROXY part. */
export function parseNoProxy(noProxy: string): ParsedNoProxy {
  const out: ParsedNoProxy = { ipMatchers: [], domainMatchers: [], entries: [] };
  for (const raw of noProxy.split(',')) {
    const p = raw.trim().toLowerCase();
    if (p.length === 0) continue;
    out.entries.push(p);
    if (p === '*') {
      out.ipMatchers = [{ kind: 'all', entry: p }];
      out.domainMatchers = [{ kind: 'all', entry: p }];
      return out;
    }
    const cidr = parseCIDR(p);
    if (cidr) {
      out.ipMatchers.push({ kind: 'cidr', entry: p, cidr });
      continue;
    }
    let phost: string;
    let pport = '';
    const hp = splitHostPort(p);
    if (hp) {
      phost = hp.host;
      pport = hp.port;
      if (phost.length === 0) continue; // malformed, Go ignores it
      if (phost[0] === '[' && phost[phost.length - 1] === ']') phost = phost.slice(1, -1);
    } else {
      phost = p;
    }
    const pip = parseIP(phost);
    if (pip) {
      out.ipMatchers.push({ kind: 'ip', entry: p, ip: pip, port: pport });
      continue;
    }
    if (phost.length === 0) continue;
    if (phost.startsWith('*.')) phost = phost.slice(1);
    let matchHost = false;
    if (phost[0] !== '.') {
      matchHost = true;
      phost = '.' + phost;
    }
    phost = toAsciiHost(phost);
    out.domainMatchers.push({ kind: 'domain', entry: p, host: phost, port: pport, matchHost });
  }
  return out;
}

function matcherMatches(m: Matcher, host: string, port: string, ip: IPBytes | undefined): boolean {
  switch (m.kind) {
    case 'all':
      return true;
    case 'cidr':
      return ip !== undefined && cidrContains(m.cidr, ip);
    case 'ip':
      return ip !== undefined && ipEqual(m.ip, ip) && (m.port === '' || m.port === port);
    case 'domain':
      if (host.endsWith(m.host) || (m.matchHost && host === m.host.slice(1))) return m.port === '' || m.port === port;
      return false;
  }
}

export interface UseProxyResult {
  use: boolean;
  /** 'localhost' | 'loopback' | the NO_PROXY entry that matched */
  because?: string;
  loopback?: boolean;
  viaClientGoCidr?: boolean;
}

/**
 * Go's useProxy(addr) for a canonical "host:port", plus client-go's NewProxierWithNoProxyCIDR
 * (which also accepts CIDRs with leading-zero octets, untrimmed).
 */
export function useProxy(addr: string, noProxy: string): UseProxyResult {
  if (addr.length === 0) return { use: true };
  const hp = splitHostPort(addr);
  if (!hp) return { use: false };
  const { host: rawHost, port } = hp;
  const ip = parseIP(rawHost);
  if (rawHost === 'localhost') return { use: false, because: 'localhost', loopback: true };
  if (ip && isLoopback(ip)) return { use: false, because: 'loopback', loopback: true };
  // client-go's NewProxierWithNoProxyCIDR runs before Go's proxy function: it splits NO_PROXY
  // on ',' WITHOUT trimming and parses CIDRs sloppily (leading zeros allowed)
  if (ip) {
    for (const raw of noProxy.split(',')) {
      const c = parseCIDR(raw, true);
      if (c && cidrContains(c, ip)) {
        const strict = parseCIDR(raw.trim().toLowerCase());
        return { use: false, because: raw.trim(), viaClientGoCidr: !strict };
      }
    }
  }
  const host = rawHost.trim().toLowerCase();
  const parsed = parseNoProxy(noProxy);
  if (ip) {
    for (const m of parsed.ipMatchers) if (matcherMatches(m, host, port, ip)) return { use: false, because: m.entry };
  }
  for (const m of parsed.domainMatchers) if (matcherMatches(m, host, port, ip)) return { use: false, because: m.entry };
  return { use: true };
}

/** Go's canonicalAddr: URL host (IDNA) with the scheme's default port filled in. */
export function canonicalAddr(u: URL): { host: string; port: string; addr: string } {
  const host = toAsciiHost(urlHostname(u));
  const scheme = u.protocol.replace(/:$/, '');
  const port = u.port || DEFAULT_PORTS[scheme] || '';
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  return { host, port, addr };
}

export function selectProxy(
  target: URL,
  env: Record<string, string | undefined>,
  kubeconfigProxyUrl?: string,
  options: SelectProxyOptions = {},
): ProxyDecision {
  const np = getEnvAny(env, 'NO_PROXY', 'no_proxy');
  const noProxy = np?.value;
  const base = {
    noProxy,
    noProxySource: np?.name as 'NO_PROXY' | 'no_proxy' | undefined,
  };
  const { host, port, addr } = canonicalAddr(target);
  const shown = host;

  // kubeconfig proxy-url: client-go uses http.ProxyURL for every request.
  if (kubeconfigProxyUrl !== undefined && kubeconfigProxyUrl !== '') {
    const d: ProxyDecision = {
      ...base,
      source: 'kubeconfig proxy-url',
      reason: 'proxy-url in the kubeconfig cluster (NO_PROXY does not apply to it)',
      nearMisses: [],
      configured: redactUrl(kubeconfigProxyUrl),
    };
    // client-go's parseProxyURL: url.Parse, then the scheme must be http, https or socks5
    const g = goUrlParse(kubeconfigProxyUrl);
    const malformed = malformedProxy('kubeconfig proxy-url', kubeconfigProxyUrl, g.ok ? g.url : undefined, g.ok ? undefined : goReason(g.error), true);
    if (malformed) d.malformed = malformed;
    if (!g.ok) {
      d.error = `proxy-url ${JSON.stringify(redactUrl(kubeconfigProxyUrl))} in the kubeconfig is not a valid URL for kubectl (${goReason(g.error)}); kubectl fails with "could not parse"`;
      return d;
    }
    const scheme = g.url.scheme;
    if (!PROXY_SCHEMES.has(scheme)) {
      d.error = `proxy URL scheme not supported: ${scheme}`;
      return d;
    }
    const u = whatwgOf(g.url);
    if (!u) {
      d.error = `Go reads the proxy-url's address as ${JSON.stringify(goDialAddress(g.url))}, which cannot be dialled`;
      return d;
    }
    d.proxy = u;
    if (noProxy) {
      const r = useProxy(addr, noProxy);
      if (!r.use && r.because && !r.loopback) {
        d.nearMisses.push({
          entry: r.because,
          why: `NO_PROXY entry '${r.because}' matches ${shown}, but the kubeconfig proxy-url ignores NO_PROXY`,
        });
      } else if (r.loopback) {
        d.nearMisses.push({
          entry: r.because ?? shown,
          why: `${shown} is a loopback address: environment proxies skip it, but the kubeconfig proxy-url is used even for it`,
        });
      }
    }
    return d;
  }

  const scheme = target.protocol.replace(/:$/, '');
  let chosen: { name: string; value: string } | undefined;
  if (scheme === 'https') {
    chosen = getEnvAny(env, 'HTTPS_PROXY', 'https_proxy');
  } else if (scheme === 'http') {
    chosen = getEnvAny(env, 'HTTP_PROXY', 'http_proxy');
  } else {
    return { ...base, source: 'none', reason: `no proxy applies to ${scheme}:// URLs`, nearMisses: [] };
  }
  if (!chosen) {
    const other = scheme === 'https' ? getEnvAny(env, 'HTTP_PROXY', 'http_proxy') : getEnvAny(env, 'HTTPS_PROXY', 'https_proxy');
    const reason = other
      ? `no proxy variable is set for ${scheme}:// URLs (${other.name} is set but applies only to ${scheme === 'https' ? 'http' : 'https'}:// URLs)`
      : 'no proxy variable is set';
    return { ...base, source: 'none', reason, nearMisses: [] };
  }
  const source = chosen.name as ProxySource;
  const parsed = parseProxyValue(chosen.value);
  const configured = redactUrl(chosen.value);
  const malformed = malformedProxy(chosen.name, chosen.value, parsed.go, parsed.goError, false);
  const withMalformed = malformed ? { malformed } : {};
  if (!parsed.url) {
    return {
      ...base,
      ...withMalformed,
      source,
      configured,
      reason: `${chosen.name} is set but is not a valid proxy address, so Go ignores it and connects directly`,
      nearMisses: [],
    };
  }
  if (scheme === 'http' && env.REQUEST_METHOD) {
    return {
      ...base,
      source,
      configured,
      reason: `${chosen.name} is ignored because REQUEST_METHOD is set (CGI environment)`,
      error: 'refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy',
      nearMisses: [],
    };
  }

  const r = useProxy(addr, noProxy ?? '');
  if (!r.use) {
    if (r.loopback) {
      return { ...base, source, configured, reason: 'localhost and loopback addresses are never proxied', nearMisses: [] };
    }
    const npName = np?.name ?? 'NO_PROXY';
    const reason =
      r.because === '*'
        ? `${npName} is '*': nothing is proxied`
        : r.viaClientGoCidr
          ? `${npName} entry '${r.because}' matches ${shown} (client-go's CIDR rule accepts it; Go's own parser would not)`
          : `${npName} entry '${r.because}' matches ${shown}`;
    return { ...base, source, configured, reason, noProxyMatch: r.because, nearMisses: [] };
  }

  const d: ProxyDecision = {
    ...base,
    ...withMalformed,
    proxy: parsed.url,
    source,
    configured,
    reason: noProxy
      ? `${chosen.name} is set and ${np!.name} does not match ${shown}`
      : `${chosen.name} is set and NO_PROXY is not set`,
    nearMisses: noProxy ? findNearMisses(noProxy, host, port, options.aliases ?? []) : [],
  };
  if (parsed.error) d.error = parsed.error;
  return d;
}

function globToRegExp(glob: string): RegExp {
  const esc = glob.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${esc}$`);
}

/** Would the entry (Go semantics) match host if the port did not matter? */
function matchesIgnoringPort(entry: string, host: string, ip: IPBytes | undefined): boolean {
  const parsed = parseNoProxy(entry);
  const all = [...parsed.ipMatchers, ...parsed.domainMatchers];
  return all.some((m) => {
    if (m.kind === 'ip') return ip !== undefined && ipEqual(m.ip, ip);
    if (m.kind === 'domain') return host.endsWith(m.host) || (m.matchHost && host === m.host.slice(1));
    return matcherMatches(m, host, '', ip);
  });
}

function entryPort(entry: string): string {
  const hp = splitHostPort(entry);
  return hp?.port ?? '';
}

/**
 * Lenient reading of a broken CIDR ("10.0.0/8", "10.0.0.0./8", "10.0.0.0/33"). An out-of-range
 * prefix length is read as /8 (IPv4) or /16 (IPv6): only to decide whether the entry was meant
 * for the host, never for matching.
 */
function lenientCidr(entry: string): { cidr: Cidr; suggestion?: string } | undefined {
  const m = /^([0-9a-f:.]+?)\.?\/(\d+)$/i.exec(entry);
  if (!m) return undefined;
  let addr = m[1];
  const v6 = addr.includes(':');
  if (!v6) {
    const parts = addr.split('.').filter((x) => x !== '');
    if (parts.length === 0 || parts.length > 4 || parts.some((x) => !/^\d{1,3}$/.test(x))) return undefined;
    while (parts.length < 4) parts.push('0');
    addr = parts.map((x) => String(Number.parseInt(x, 10))).join('.');
  }
  const max = v6 ? 128 : 32;
  const bits = Number.parseInt(m[2], 10);
  if (bits > max) {
    const cidr = parseCIDR(`${addr}/${v6 ? 16 : 8}`);
    return cidr ? { cidr } : undefined;
  }
  const cidr = parseCIDR(`${addr}/${bits}`);
  return cidr ? { cidr, suggestion: cidrText(cidr) } : undefined;
}

/** NO_PROXY entries that look meant for this host but do not match under Go's rules. */
export function findNearMisses(noProxy: string, host: string, port: string, aliases: string[] = []): NearMiss[] {
  const out: NearMiss[] = [];
  const ip = parseIP(host);
  const aliasIps = aliases.map((a) => parseIP(a.replace(/^\[|\]$/g, ''))).filter((x): x is IPBytes => x !== undefined);
  const aliasNames = aliases.filter((a) => !parseIP(a.replace(/^\[|\]$/g, ''))).map((a) => a.toLowerCase().replace(/\.$/, ''));
  const seen = new Set<string>();
  const add = (entry: string, why: string) => {
    if (seen.has(entry)) return;
    seen.add(entry);
    out.push({ entry, why });
  };
  for (const raw of noProxy.split(',')) {
    const e = raw.trim().toLowerCase();
    if (!e || e === '*') continue;

    // 1. right host, wrong port
    const eport = entryPort(e);
    if (eport && eport !== port && matchesIgnoringPort(e, host, ip)) {
      add(e, `'${e}' only matches port ${eport}, but the URL uses port ${port}`);
      continue;
    }
    // 2. '.example.com' / '*.example.com' for the bare domain
    const hp = splitHostPort(e);
    const ehost = hp ? hp.host : e;
    const suffix = ehost.startsWith('*.') ? ehost.slice(2) : ehost.startsWith('.') ? ehost.slice(1) : undefined;
    if (suffix !== undefined && suffix === host) {
      add(e, `a leading '${ehost.startsWith('*') ? '*.' : '.'}' matches only subdomains of ${suffix} in Go, not ${suffix} itself; add '${suffix}'`);
      continue;
    }
    // 3. bracketed IPv6 without a port
    const br = /^\[([^\]]+)\]$/.exec(e);
    if (br) {
      const bip = parseIP(br[1]);
      if (bip && ip && ipEqual(bip, ip)) {
        add(e, `Go does not recognise a bracketed IPv6 address without a port; write '${br[1]}' (or '[${br[1]}]:${port}')`);
        continue;
      }
    }
    // 4. IPv6 with a port but no brackets ("2001:db8::1:443" parses as a different address)
    if (ip && parseIP(e) && !ipEqual(parseIP(e)!, ip)) {
      const m = /^(.*):(\d+)$/.exec(e);
      const lead = m ? parseIP(m[1]) : undefined;
      if (m && lead && ipEqual(lead, ip)) {
        add(e, `'${e}' is read as the IPv6 address ${ipToString(parseIP(e)!)}; an IPv6 address with a port needs brackets: '[${m[1]}]:${m[2]}'`);
        continue;
      }
    }
    // 5. a CIDR that fails to parse
    if (e.includes('/') && !parseCIDR(e) && !e.includes('://')) {
      const lc = lenientCidr(e);
      if (ip && lc && cidrContains(lc.cidr, ip)) {
        const hint = lc.suggestion ? ` (did you mean '${lc.suggestion}'?)` : '';
        add(e, `'${e}' is not a valid CIDR, so Go treats it as a host name and it matches nothing${hint}`);
        continue;
      }
    }
    // 6. a URL instead of a host
    if (e.includes('://') || /^[^/]+\/$/.test(e)) {
      try {
        const u = new URL(e.includes('://') ? e : 'http://' + e);
        const uh = urlHostname(u);
        if (uh === host || (parseIP(uh) && ip && ipEqual(parseIP(uh)!, ip)) || host.endsWith('.' + uh)) {
          add(e, `NO_PROXY entries are host names, not URLs: Go never matches '${e}'; write '${uh}'`);
          continue;
        }
      } catch {
        /* not a URL */
      }
    }
    // 7. other wildcards ('*' inside an entry is literal for Go)
    const wildcardBody = ehost.startsWith('*.') ? ehost.slice(2) : ehost;
    if (wildcardBody.includes('*') && globToRegExp(ehost).test(host)) {
      add(e, `Go does not expand '*' inside NO_PROXY entries (only a whole leading '*.' label, meaning subdomains)`);
      continue;
    }
    // 8. quotes or a trailing dot
    const cleaned = e.replace(/^["']+|["']+$/g, '').replace(/\.$/, '');
    const cleanedUse = cleaned !== e && cleaned ? useProxy(joinHP(host, port), cleaned) : undefined;
    if (cleanedUse && !cleanedUse.use && !cleanedUse.loopback) {
      add(e, e.endsWith('.') ? `the trailing '.' makes '${e}' a different name for Go; write '${cleaned}'` : `the quotes are part of the entry for Go; write ${cleaned}`);
      continue;
    }
    // 9. host name entry while the URL uses an IP (and the name resolves to it)
    if (ip && !parseIP(ehost) && aliasNames.length) {
      const dm = parseNoProxy(e).domainMatchers[0];
      if (dm && dm.kind === 'domain' && aliasNames.some((n) => n.endsWith(dm.host) || (dm.matchHost && n === dm.host.slice(1)))) {
        add(e, `the URL uses the IP ${host}; Go compares NO_PROXY with the URL's host only, never with names that resolve to it; add '${host}'`);
        continue;
      }
    }
    // 10. IP / CIDR entry while the URL uses a host name that resolves into it
    if (!ip && aliasIps.length) {
      const pm = parseNoProxy(e).ipMatchers[0];
      if (pm && aliasIps.some((a) => matcherMatches(pm, '', port, a))) {
        add(e, `the URL uses the name ${host}; Go matches IP and CIDR entries only against IP addresses written in the URL, never against resolved addresses; add '${host}'`);
        continue;
      }
    }
  }
  return out;
}

function joinHP(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function cidrText(c: Cidr): string {
  const ip = c.network.length === 4 ? Array.from(c.network).join('.') : ipToString(c.network);
  return `${ip}/${c.bits}`;
}
