// Go's net/url.Parse, as kubectl (client-go, net/http) reads a proxy URL. WHATWG URL (Node's
// `new URL`) reads the same text differently in the places that matter for proxy passwords, so the
// proxy kubectl really dials is computed with Go's rules (src/net/url/url.go):
//  - Parse cuts the fragment at the FIRST '#' before anything else ('http://u:Pa#ss@h' is
//    'http://u:Pa' + fragment 'ss@h');
//  - the query is cut at the first '?', then the authority runs from '//' to the first '/';
//  - parseAuthority splits the userinfo off at the LAST '@' of the authority; the user name is
//    what precedes the userinfo's first ':', the password the rest (it may hold ':' and '@');
//  - the userinfo may only hold unreserved characters, sub-delims, ':', '%' and '@'
//    (validUserinfo), and every '%' must start a valid escape (unescape);
//  - parseHost: after the host's last ':' only digits may follow ("invalid port \":Pa\" after host");
//  - a string without '//' after the scheme is opaque ('proxy.corp:3128' has the scheme
//    'proxy.corp'), and a first path segment holding ':' without a scheme is an error.

export interface GoUrl {
  scheme: string;
  opaque: string;
  /** undefined: no userinfo */
  user?: { username: string; password?: string };
  /** host[:port] as Go keeps it (escapes decoded) */
  host: string;
  path: string;
  rawQuery: string;
  fragment: string;
}

export type GoParse = { ok: true; url: GoUrl } | { ok: false; error: string };

type Mode = 'path' | 'host' | 'userPassword' | 'fragment';

class GoUrlError extends Error {}

function ishex(c: string | undefined): boolean {
  return c !== undefined && /^[0-9A-Fa-f]$/.test(c);
}

/** Go's shouldEscape for the host mode: false for the characters a host may hold raw. */
function hostCharNeedsEscape(c: string): boolean {
  if (/^[A-Za-z0-9]$/.test(c)) return false;
  if ("!$&'()*+,;=:[]<>\"".includes(c)) return false;
  if ('-_.~'.includes(c)) return false;
  return true;
}

/** Go's unescape: checks escapes (and host characters), then decodes. Throws Go's errors. */
function unescape(s: string, mode: Mode): string {
  for (let i = 0; i < s.length; ) {
    const c = s[i]!;
    if (c === '%') {
      if (i + 2 >= s.length || !ishex(s[i + 1]) || !ishex(s[i + 2])) {
        throw new GoUrlError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      if (mode === 'host' && Number.parseInt(s[i + 1]!, 16) < 8 && s.slice(i, i + 3) !== '%25') {
        throw new GoUrlError(`invalid URL escape ${JSON.stringify(s.slice(i, i + 3))}`);
      }
      i += 3;
      continue;
    }
    if (mode === 'host' && c.charCodeAt(0) < 0x80 && hostCharNeedsEscape(c)) {
      throw new GoUrlError(`invalid character ${JSON.stringify(c)} in host name`);
    }
    i++;
  }
  const bytes: number[] = [];
  const raw = Buffer.from(s, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0x25) {
      bytes.push(Number.parseInt(String.fromCharCode(raw[i + 1]!, raw[i + 2]!), 16));
      i += 2;
    } else bytes.push(raw[i]!);
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Go's getScheme: [scheme, rest]. */
function getScheme(raw: string): [string, string] {
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (/[A-Za-z]/.test(c)) continue;
    if (/[0-9+.-]/.test(c)) {
      if (i === 0) return ['', raw];
      continue;
    }
    if (c === ':') {
      if (i === 0) throw new GoUrlError('missing protocol scheme');
      return [raw.slice(0, i), raw.slice(i + 1)];
    }
    // an invalid character: no valid scheme, the whole string is the rest
    return ['', raw];
  }
  return ['', raw];
}

function validOptionalPort(port: string): boolean {
  if (port === '') return true;
  if (port[0] !== ':') return false;
  return /^\d*$/.test(port.slice(1));
}

function parseHost(host: string): string {
  if (host.startsWith('[')) {
    const i = host.lastIndexOf(']');
    if (i < 0) throw new GoUrlError("missing ']' in host");
    const colonPort = host.slice(i + 1);
    if (!validOptionalPort(colonPort)) throw new GoUrlError(`invalid port ${JSON.stringify(colonPort)} after host`);
  } else {
    const i = host.lastIndexOf(':');
    if (i !== -1) {
      const colonPort = host.slice(i);
      if (!validOptionalPort(colonPort)) throw new GoUrlError(`invalid port ${JSON.stringify(colonPort)} after host`);
    }
  }
  return unescape(host, 'host');
}

function validUserinfo(s: string): boolean {
  return /^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(s);
}

function parseAuthority(authority: string): { user?: GoUrl['user']; host: string } {
  const i = authority.lastIndexOf('@');
  const host = parseHost(i < 0 ? authority : authority.slice(i + 1));
  if (i < 0) return { host };
  const userinfo = authority.slice(0, i);
  if (!validUserinfo(userinfo)) throw new GoUrlError('net/url: invalid userinfo');
  const colon = userinfo.indexOf(':');
  if (colon < 0) return { host, user: { username: unescape(userinfo, 'userPassword') } };
  return {
    host,
    user: { username: unescape(userinfo.slice(0, colon), 'userPassword'), password: unescape(userinfo.slice(colon + 1), 'userPassword') },
  };
}

function parse(raw: string): GoUrl {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(raw)) throw new GoUrlError('net/url: invalid control character in URL');
  const url: GoUrl = { scheme: '', opaque: '', host: '', path: '', rawQuery: '', fragment: '' };
  let [scheme, rest] = getScheme(raw);
  url.scheme = scheme.toLowerCase();
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    rest = rest.slice(0, -1);
  } else {
    const q = rest.indexOf('?');
    if (q >= 0) {
      url.rawQuery = rest.slice(q + 1);
      rest = rest.slice(0, q);
    }
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') {
      url.opaque = rest;
      return url;
    }
    const slash = rest.indexOf('/');
    const segment = slash >= 0 ? rest.slice(0, slash) : rest;
    if (segment.includes(':')) throw new GoUrlError('first path segment in URL cannot contain colon');
  }
  if ((url.scheme !== '' || !rest.startsWith('///')) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const a = parseAuthority(authority);
    url.host = a.host;
    if (a.user) url.user = a.user;
  }
  url.path = unescape(rest, 'path');
  return url;
}

/** Go's url.Parse. The error is Go's text: `parse "RAW": WHY` (RAW as Go quotes it: callers redact it). */
export function goUrlParse(raw: string): GoParse {
  const hash = raw.indexOf('#');
  const u = hash >= 0 ? raw.slice(0, hash) : raw;
  const frag = hash >= 0 ? raw.slice(hash + 1) : '';
  let url: GoUrl;
  try {
    url = parse(u);
  } catch (err) {
    if (err instanceof GoUrlError) return { ok: false, error: `parse ${JSON.stringify(u)}: ${err.message}` };
    throw err;
  }
  try {
    url.fragment = unescape(frag, 'fragment');
  } catch (err) {
    if (err instanceof GoUrlError) return { ok: false, error: `parse ${JSON.stringify(raw)}: ${err.message}` };
    throw err;
  }
  return { ok: true, url };
}

/** Go's URL.Hostname(): the host without port and brackets. */
export function goHostname(u: GoUrl): string {
  const h = u.host;
  if (h.startsWith('[')) {
    const i = h.indexOf(']');
    return i >= 0 ? h.slice(1, i) : h;
  }
  const i = h.lastIndexOf(':');
  return i >= 0 ? h.slice(0, i) : h;
}

/** Go's URL.Port(): the digits after the host's last ':' ('' when none). */
export function goPort(u: GoUrl): string {
  const h = u.host;
  const close = h.startsWith('[') ? h.indexOf(']') : -1;
  const i = h.lastIndexOf(':');
  if (i < 0 || i < close) return '';
  const p = h.slice(i + 1);
  return /^\d*$/.test(p) ? p : '';
}

const DEFAULT_PORTS: Record<string, string> = { http: '80', https: '443', socks5: '1080' };

/** The address net/http dials for a proxy URL (canonicalAddr: the scheme's port when none is written). */
export function goDialAddress(u: GoUrl): string {
  const host = goHostname(u);
  const port = goPort(u) || DEFAULT_PORTS[u.scheme] || '';
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
