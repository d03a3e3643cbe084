import { describe, expect, it } from 'vitest';
import { goReason, parseNoProxy, parseProxyValue, selectProxy, useProxy, type ProxyDecision } from '../../../src/net/proxy.ts';
import { goDialAddress, goUrlParse } from '../../../src/net/go-url.ts';

/** How Go's fmt prints a *url.URL (no trailing '/' for an empty path). */
function show(d: ProxyDecision): string {
  if (!d.proxy) return '<nil>';
  const u = d.proxy;
  return u.pathname === '/' && !u.search && !u.hash ? u.href.replace(/\/$/, '') : u.href;
}

interface Cfg {
  HTTPProxy?: string;
  HTTPSProxy?: string;
  NoProxy?: string;
  CGI?: boolean;
}

function envOf(cfg: Cfg): Record<string, string | undefined> {
  return {
    HTTP_PROXY: cfg.HTTPProxy,
    HTTPS_PROXY: cfg.HTTPSProxy,
    NO_PROXY: cfg.NoProxy,
    REQUEST_METHOD: cfg.CGI ? 'GET' : undefined,
  };
}

// golang.org/x/net/http/httpproxy proxy_test.go: proxyForURLTests
const proxyForURLTests: { cfg: Cfg; req?: string; want: string; wanterr?: string }[] = [
  { cfg: { HTTPProxy: '127.0.0.1:8080' }, want: 'http://127.0.0.1:8080' },
  { cfg: { HTTPProxy: 'cache.corp.example.com:1234' }, want: 'http://cache.corp.example.com:1234' },
  { cfg: { HTTPProxy: 'cache.corp.example.com' }, want: 'http://cache.corp.example.com' },
  // single label domain is recognized as scheme by url.Parse
  { cfg: { HTTPProxy: 'localhost' }, want: 'http://localhost' },
  { cfg: { HTTPProxy: 'https://cache.corp.example.com' }, want: 'https://cache.corp.example.com' },
  { cfg: { HTTPProxy: 'http://127.0.0.1:8080' }, want: 'http://127.0.0.1:8080' },
  { cfg: { HTTPProxy: 'https://127.0.0.1:8080' }, want: 'https://127.0.0.1:8080' },
  { cfg: { HTTPProxy: 'socks5://127.0.0.1' }, want: 'socks5://127.0.0.1' },
  // Preserve unknown schemes.
  { cfg: { HTTPProxy: 'foo://host' }, want: 'foo://host' },
  // Don't use secure for http
  { cfg: { HTTPProxy: 'http.proxy.tld', HTTPSProxy: 'secure.proxy.tld' }, req: 'http://insecure.tld/', want: 'http://http.proxy.tld' },
  // Use secure for https.
  { cfg: { HTTPProxy: 'http.proxy.tld', HTTPSProxy: 'secure.proxy.tld' }, req: 'https://secure.tld/', want: 'http://secure.proxy.tld' },
  { cfg: { HTTPProxy: 'http.proxy.tld', HTTPSProxy: 'https://secure.proxy.tld' }, req: 'https://secure.tld/', want: 'https://secure.proxy.tld' },
  { cfg: { HTTPProxy: 'http.proxy.tld' }, req: 'https://secure.tld/', want: '<nil>' },
  { cfg: { HTTPProxy: 'http.proxy.tld' }, req: 'ftp://insecure.tld/', want: '<nil>' },
  // Issue 16405: don't use HTTP_PROXY in a CGI environment, where HTTP_PROXY can be attacker-controlled.
  {
    cfg: { HTTPProxy: 'http://10.1.2.3:8080', CGI: true },
    want: '<nil>',
    wanterr: 'refusing to use HTTP_PROXY value in CGI environment; see golang.org/s/cgihttpproxy',
  },
  // HTTPS proxy is still used even in CGI environment.
  { cfg: { HTTPSProxy: 'https://secure.proxy.tld', CGI: true }, req: 'https://secure.tld/', want: 'https://secure.proxy.tld' },
  { cfg: {}, want: '<nil>' },
  { cfg: { NoProxy: 'example.com', HTTPProxy: 'proxy' }, req: 'http://example.com/', want: '<nil>' },
  { cfg: { NoProxy: '.example.com', HTTPProxy: 'proxy' }, req: 'http://example.com/', want: 'http://proxy' },
  { cfg: { NoProxy: 'ample.com', HTTPProxy: 'proxy' }, req: 'http://example.com/', want: 'http://proxy' },
  { cfg: { NoProxy: 'example.com', HTTPProxy: 'proxy' }, req: 'http://foo.example.com/', want: '<nil>' },
  { cfg: { NoProxy: '.foo.com', HTTPProxy: 'proxy' }, req: 'http://example.com/', want: 'http://proxy' },
  { cfg: { NoProxy: '.示例.com', HTTPProxy: 'proxy' }, req: 'http://www.示例.com', want: '<nil>' },
  { cfg: { NoProxy: 'xn--fsq092h.com', HTTPProxy: 'proxy' }, req: 'http://www.示例.com', want: '<nil>' },
  { cfg: { NoProxy: '示例.com', HTTPProxy: 'proxy' }, req: 'http://www.xn--fsq092h.com', want: '<nil>' },
  // Go's last case, http://[1000::%25.example.com]:123, carries an IPv6 zone: WHATWG URL
  // (and therefore any URL we are handed) cannot represent it, so it is not mirrored here.
];

describe('selectProxy: Go proxyForURLTests', () => {
  it.each(proxyForURLTests.map((t) => [JSON.stringify(t.cfg) + ' req=' + (t.req ?? 'http://example.com'), t] as const))('%s', (_n, t) => {
    const d = selectProxy(new URL(t.req ?? 'http://example.com'), envOf(t.cfg));
    expect(show(d)).toBe(t.want);
    if (t.wanterr) expect(d.error).toBe(t.wanterr);
  });
});

// golang.org/x/net/http/httpproxy proxy_test.go: UseProxyTests with its noProxy value
const noProxy =
  'foobar.com, .barbaz.net, *.wildcard.io, 192.168.1.1, 192.168.1.2:81, 192.168.1.3:80, 10.0.0.0/30, 2001:db8::52:0:1, [2001:db8::52:0:2]:443, [2001:db8::52:0:3]:80, 2002:db8:a::45/64';

const UseProxyTests: [string, boolean][] = [
  // Never proxy localhost:
  ['localhost', false],
  ['127.0.0.1', false],
  ['127.0.0.2', false],
  ['[::1]', false],
  ['[::2]', true], // not a loopback address

  ['192.168.1.1', false], // matches exact IPv4
  ['192.168.1.2', true], // ports do not match
  ['192.168.1.3', false], // matches exact IPv4:port
  ['192.168.1.4', true], // no match
  ['10.0.0.2', false], // matches IPv4/CIDR
  ['[2001:db8::52:0:1]', false], // matches exact IPv6
  ['[2001:db8::52:0:2]', true], // no match
  ['[2001:db8::52:0:3]', false], // matches exact [IPv6]:port
  ['[2002:db8:a::123]', false], // matches IPv6/CIDR
  ['[fe80::424b:c8be:1643:a1b6]', true], // no match

  ['barbaz.net', true], // does not match as .barbaz.net
  ['www.barbaz.net', false], // does match as .barbaz.net
  ['foobar.com', false], // does match as foobar.com
  ['www.foobar.com', false], // match because NO_PROXY includes "foobar.com"
  ['foofoobar.com', true], // not match as a part of foobar.com
  ['baz.com', true], // not match as a part of barbaz.com
  ['localhost.net', true], // not match as suffix of address
  ['local.localhost', true], // not match as prefix as address
  ['barbarbaz.net', true], // not match, wrong domain
  ['wildcard.io', true], // does not match as *.wildcard.io
  ['nested.wildcard.io', false], // match as *.wildcard.io
  ['awildcard.io', true], // not a match because of '*'
];

describe('useProxy: Go UseProxyTests', () => {
  it.each(UseProxyTests)('useProxy(%s:80) = %s', (host, match) => {
    expect(useProxy(host + ':80', noProxy).use).toBe(match);
  });
  it('TestAllNoProxy: "*" matches everything', () => {
    for (const [host] of UseProxyTests) expect(useProxy(host + ':80', '*').use).toBe(false);
  });
  it('TestInvalidNoProxy: ":1" is ignored without crashing', () => {
    expect(useProxy('example.com:80', ':1').use).toBe(true);
  });
  it('the same table through selectProxy with an http:// URL', () => {
    for (const [host, match] of UseProxyTests) {
      const d = selectProxy(new URL(`http://${host}:80/`), { HTTP_PROXY: 'http://proxy:3128', NO_PROXY: noProxy });
      expect(d.proxy !== undefined, host).toBe(match);
    }
  });
});

describe('selectProxy: variable precedence (getEnvAny = first non-empty)', () => {
  const api = new URL('https://198.51.100.10:6443');
  const cases: { name: string; env: Record<string, string>; proxy?: string; source: string }[] = [
    { name: 'HTTPS_PROXY wins over https_proxy', env: { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2' }, proxy: 'http://upper:1', source: 'HTTPS_PROXY' },
    { name: 'empty HTTPS_PROXY falls through to https_proxy', env: { HTTPS_PROXY: '', https_proxy: 'http://lower:2' }, proxy: 'http://lower:2', source: 'https_proxy' },
    { name: 'https_proxy alone', env: { https_proxy: 'lower:2' }, proxy: 'http://lower:2', source: 'https_proxy' },
    { name: 'HTTP_PROXY does not apply to https URLs', env: { HTTP_PROXY: 'http://p:1', http_proxy: 'http://p:2' }, source: 'none' },
    { name: 'nothing set', env: {}, source: 'none' },
  ];
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_n, c) => {
    const d = selectProxy(api, c.env);
    expect(d.proxy ? show(d) : undefined).toBe(c.proxy);
    expect(d.source).toBe(c.source);
  });

  it('HTTP_PROXY over http_proxy for http URLs, empty uppercase falls through', () => {
    expect(selectProxy(new URL('http://a.example'), { HTTP_PROXY: 'u:1', http_proxy: 'l:2' }).source).toBe('HTTP_PROXY');
    expect(selectProxy(new URL('http://a.example'), { HTTP_PROXY: '', http_proxy: 'l:2' }).source).toBe('http_proxy');
  });

  it('NO_PROXY wins over no_proxy; an empty NO_PROXY falls through', () => {
    const u = new URL('https://api.example.com');
    const a = selectProxy(u, { HTTPS_PROXY: 'p:1', NO_PROXY: 'other.com', no_proxy: 'example.com' });
    expect(a.proxy).toBeDefined();
    expect(a.noProxy).toBe('other.com');
    const b = selectProxy(u, { HTTPS_PROXY: 'p:1', NO_PROXY: '', no_proxy: 'example.com' });
    expect(b.proxy).toBeUndefined();
    expect(b.noProxySource).toBe('no_proxy');
    expect(b.reason).toBe("no_proxy entry 'example.com' matches api.example.com");
  });

  it('REQUEST_METHOD (CGI) blocks HTTP_PROXY but not HTTPS_PROXY', () => {
    const env = { HTTP_PROXY: 'http://p:1', HTTPS_PROXY: 'http://p:2', REQUEST_METHOD: 'POST' };
    expect(selectProxy(new URL('http://x.example'), env).error).toMatch(/CGI/);
    expect(show(selectProxy(new URL('https://x.example'), env))).toBe('http://p:2');
  });
});

describe('selectProxy: NO_PROXY matching (api server URLs)', () => {
  const P = { HTTPS_PROXY: 'http://proxy.corp:8080' };
  const cases: [string, string, boolean, string?][] = [
    // [url, NO_PROXY, proxied?, matching entry]
    ['https://10.1.2.3:6443', '10.0.0.0/8', false, '10.0.0.0/8'],
    ['https://10.1.2.3:6443', '10.1.2.3', false, '10.1.2.3'],
    ['https://10.1.2.3:6443', '10.1.2.3:6443', false, '10.1.2.3:6443'],
    ['https://10.1.2.3:6443', '10.1.2.3:443', true],
    ['https://10.1.2.3', '10.1.2.3:443', false, '10.1.2.3:443'], // default port filled in
    ['https://198.51.100.10:6443', '10.0.0.0/8,192.168.0.0/16', true],
    ['https://[2001:db8::10]:6443', '2001:db8::/32', false, '2001:db8::/32'],
    ['https://[2001:db8::10]:6443', '2001:db8::10', false, '2001:db8::10'],
    ['https://[2001:db8::10]:6443', '[2001:db8::10]:6443', false, '[2001:db8::10]:6443'],
    ['https://[2001:db8::10]:6443', '[2001:db8::10]', true], // bracketed without port: not understood by Go
    ['https://api.example.com:6443', 'example.com', false, 'example.com'],
    ['https://api.example.com:6443', '.example.com', false, '.example.com'],
    ['https://api.example.com:6443', '*.example.com', false, '*.example.com'],
    ['https://example.com:6443', '*.example.com', true],
    ['https://example.com:6443', '.example.com', true],
    ['https://API.Example.COM', 'api.example.com', false, 'api.example.com'],
    ['https://api.example.com', ' API.EXAMPLE.COM ', false, 'api.example.com'],
    ['https://api.example.com:6443', 'api.example.com:443', true],
    ['https://api.example.com:6443', '*', false, '*'],
    ['https://api.example.com:6443', 'foo.com,*', false, '*'],
    ['https://localhost:6443', '', false],
    ['https://127.0.0.1:6443', '', false],
    ['https://127.9.9.9:6443', '', false],
    ['https://[::1]:6443', '', false],
    ['https://kubernetes.default.svc', 'svc', false, 'svc'],
    ['https://kubernetes.default.svc', '.svc', false, '.svc'],
    ['https://kubernetes.default.svc', 'default.svc,.cluster.local', false, 'default.svc'],
    // Go quirk: domain entries are also suffix-compared with IP hosts
    ['https://198.51.100.10', '100.10', false, '100.10'],
    // client-go's NewProxierWithNoProxyCIDR accepts leading zeros Go's ParseCIDR rejects
    ['https://10.1.2.3', '010.0.0.0/8', false, '010.0.0.0/8'],
  ];
  it.each(cases)('%s with NO_PROXY=%j proxied=%s', (url, np, proxied, entry) => {
    const d = selectProxy(new URL(url), { ...P, NO_PROXY: np });
    expect(d.proxy !== undefined).toBe(proxied);
    if (entry) expect(d.noProxyMatch).toBe(entry);
  });

  it('reasons in plain words', () => {
    expect(selectProxy(new URL('https://198.51.100.10:6443'), { ...P, NO_PROXY: '10.0.0.0/8' }).reason).toBe(
      'HTTPS_PROXY is set and NO_PROXY does not match 198.51.100.10',
    );
    expect(selectProxy(new URL('https://10.1.2.3'), { ...P, NO_PROXY: '10.0.0.0/8' }).reason).toBe("NO_PROXY entry '10.0.0.0/8' matches 10.1.2.3");
    expect(selectProxy(new URL('https://127.0.0.1:6443'), P).reason).toBe('localhost and loopback addresses are never proxied');
    expect(selectProxy(new URL('https://127.0.0.1:6443'), P).source).toBe('HTTPS_PROXY');
    expect(selectProxy(new URL('https://x.example'), {}).reason).toBe('no proxy variable is set');
    expect(selectProxy(new URL('https://x.example'), P).reason).toBe('HTTPS_PROXY is set and NO_PROXY is not set');
    expect(selectProxy(new URL('https://x.example'), { ...P, NO_PROXY: '*' }).reason).toBe("NO_PROXY is '*': nothing is proxied");
    expect(selectProxy(new URL('https://10.1.2.3'), { ...P, NO_PROXY: '010.0.0.0/8' }).reason).toMatch(/client-go/);
  });

  it('parseNoProxy classifies entries like Go', () => {
    const p = parseNoProxy('10.0.0.0/8, 1.2.3.4, [::2]:80, 2001:db8::1, example.com, .sub.example.com, *.w.io, host:8443, :1, ');
    expect(p.ipMatchers.map((m) => m.kind)).toEqual(['cidr', 'ip', 'ip', 'ip']);
    expect(p.domainMatchers.map((m) => (m.kind === 'domain' ? [m.host, m.port, m.matchHost] : m.kind))).toEqual([
      ['.example.com', '', true],
      ['.sub.example.com', '', false],
      ['.w.io', '', false],
      ['.host', '8443', true],
    ]);
  });
});

describe('selectProxy: kubeconfig proxy-url', () => {
  it('overrides the environment and ignores NO_PROXY', () => {
    const d = selectProxy(new URL('https://10.1.2.3:6443'), { HTTPS_PROXY: 'http://env:1', NO_PROXY: '10.0.0.0/8' }, 'http://kc-proxy:3128');
    expect(show(d)).toBe('http://kc-proxy:3128');
    expect(d.source).toBe('kubeconfig proxy-url');
    expect(d.reason).toBe('proxy-url in the kubeconfig cluster (NO_PROXY does not apply to it)');
    expect(d.nearMisses[0].entry).toBe('10.0.0.0/8');
  });
  it('applies even to loopback', () => {
    const d = selectProxy(new URL('https://127.0.0.1:6443'), {}, 'socks5://127.0.0.1:1080');
    expect(show(d)).toBe('socks5://127.0.0.1:1080');
  });
  it('rejects unsupported schemes like client-go', () => {
    const d = selectProxy(new URL('https://10.1.2.3:6443'), {}, 'ftp://x');
    expect(d.proxy).toBeUndefined();
    expect(d.error).toBe('proxy URL scheme not supported: ftp');
  });
  it('redacts the password in `configured`', () => {
    const d = selectProxy(new URL('https://10.1.2.3:6443'), {}, 'http://bob:hunter2@kc:3128');
    expect(d.configured).toBe('http://bob:REDACTED@kc:3128');
  });
});

describe('selectProxy: near misses', () => {
  const P = { HTTPS_PROXY: 'http://proxy:8080' };
  const near = (url: string, np: string, aliases?: string[]) => selectProxy(new URL(url), { ...P, NO_PROXY: np }, undefined, { aliases }).nearMisses;

  it('leading dot / *. for the bare domain', () => {
    expect(near('https://example.com', '.example.com')).toEqual([{ entry: '.example.com', why: expect.stringMatching(/only subdomains of example.com/) }]);
    expect(near('https://example.com', '*.example.com')[0].why).toMatch(/leading '\*\.'/);
  });
  it('glob in the middle', () => {
    expect(near('https://k8s-prod.example.com', 'k8s-*.example.com')[0].why).toMatch(/does not expand '\*'/);
    expect(near('https://api.example.com', '*example.com')[0].entry).toBe('*example.com');
  });
  it('wrong port', () => {
    expect(near('https://api.example.com', 'api.example.com:6443')[0].why).toBe("'api.example.com:6443' only matches port 6443, but the URL uses port 443");
    expect(near('https://198.51.100.10:6443', '198.51.100.10:443')[0].why).toMatch(/port 443, but the URL uses port 6443/);
  });
  it('host name while the URL uses the IP (with the alias known)', () => {
    const n = near('https://198.51.100.10:6443', 'api.example.com', ['api.example.com']);
    expect(n[0].why).toMatch(/uses the IP 198.51.100.10/);
    expect(near('https://198.51.100.10:6443', 'api.example.com')).toEqual([]);
  });
  it('IP or CIDR while the URL uses a host name that resolves into it', () => {
    expect(near('https://api.example.com', '198.51.100.0/24', ['198.51.100.10'])[0].why).toMatch(/uses the name api.example.com/);
  });
  it('broken CIDR', () => {
    expect(near('https://10.1.2.3', '10.0.0.0/33')[0].why).toMatch(/not a valid CIDR/);
    expect(near('https://10.1.2.3', '10.0.0/8')[0].why).toMatch(/did you mean '10.0.0.0\/8'/);
    expect(near('https://192.168.1.1', '10.0.0.0/33')).toEqual([]);
  });
  it('IPv6 forms', () => {
    expect(near('https://[2001:db8::10]', '[2001:db8::10]')[0].why).toMatch(/bracketed IPv6/);
    expect(near('https://[2001:db8::10]', '2001:db8::10:443')[0].why).toMatch(/needs brackets/);
  });
  it('URL, trailing dot and quotes', () => {
    expect(near('https://api.example.com', 'https://api.example.com')[0].why).toMatch(/not URLs/);
    expect(near('https://api.example.com', 'api.example.com.')[0].why).toMatch(/trailing '\.'/);
    expect(near('https://api.example.com', '"api.example.com"')[0].why).toMatch(/quotes/);
  });
  it('no near misses for unrelated entries', () => {
    expect(near('https://api.example.com', 'foo.com,10.0.0.0/8,.cluster.local')).toEqual([]);
  });
});

// --- Go's url.Parse (src/net/url/url_test.go, the cases that bear on proxy URLs) ----------------

describe("goUrlParse: Go's url.Parse", () => {
  it.each([
    // urltests: the userinfo ends at the LAST '@' of the authority
    ['http://user:password@google.com', 'user', 'password', 'google.com', ''],
    ['http://j@ne:password@google.com', 'j@ne', 'password', 'google.com', ''],
    ['http://jane:p@ssword@google.com', 'jane', 'p@ssword', 'google.com', ''],
    ['http://j@ne:password@google.com/p@th?q=@go', 'j@ne', 'password', 'google.com', ''],
    ['http://user:pa:ss:word@h:3128', 'user', 'pa:ss:word', 'h:3128', ''],
    ['http://user:Pa%23ss%40w%3Ard%25@h:3128', 'user', 'Pa#ss@w:rd%', 'h:3128', ''],
    ['http://www.google.com/?q=go+language#foo', undefined, undefined, 'www.google.com', 'foo'],
    ['http://[fe80::1]:8080/', undefined, undefined, '[fe80::1]:8080', ''],
    // '#' first: 'http://u:12' + fragment '34@h:3128': the host is 'u', the port 12
    ['http://u:12#34@h:3128', undefined, undefined, 'u:12', '34@h:3128'],
  ])('%s', (raw, user, password, host, fragment) => {
    const r = goUrlParse(raw);
    if (!r.ok) throw new Error(r.error);
    expect(r.url.user?.username).toBe(user);
    expect(r.url.user?.password).toBe(password);
    expect(r.url.host).toBe(host);
    expect(r.url.fragment).toBe(fragment);
  });

  it.each([
    // parseRequestURL / urltests error cases
    ['http://x:namedport', 'invalid port ":namedport" after host'],
    ['http://[::1]a', 'invalid port "a" after host'],
    ['http://a b.com/', 'invalid character " " in host name'],
    ['http://%41:8080/', 'invalid URL escape "%41"'],
    ['http://user^:passwo^rd@foo.com/', 'net/url: invalid userinfo'],
    ['%gh&%ij', 'invalid URL escape "%gh"'],
    [':foo', 'missing protocol scheme'],
    ['10.0.0.1:3128', 'first path segment in URL cannot contain colon'],
    // a proxy password with '#': Go reads 'http://u2:Pa', whose port ':Pa' is not a number
    ['http://u2:Pa#ssW0rd@proxy.corp:3128', 'invalid port ":Pa" after host'],
    ['http://u3:Pa%ssW0rd@proxy.corp:3128', 'invalid URL escape "%ss"'],
  ])('%s: %s', (raw, error) => {
    const r = goUrlParse(raw);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.endsWith(`: ${error}`)).toBe(true);
  });

  it('keeps opaque values: "proxy.corp:3128" has the scheme proxy.corp and no host', () => {
    const r = goUrlParse('proxy.corp:3128');
    expect(r.ok && r.url).toMatchObject({ scheme: 'proxy.corp', opaque: '3128', host: '' });
  });

  it("goReason drops the quoted pieces (they may be the password's start)", () => {
    expect(goReason('parse "http://u2:Pa": invalid port ":Pa" after host')).toBe('invalid port after host');
    expect(goReason('parse "http://u3:Pa%ssW0rd@p:1": invalid URL escape "%ss"')).toBe('invalid URL escape');
  });
});

describe("parseProxyValue: Go's httpproxy parseProxy (falls back to http:// + the value)", () => {
  it("a '#' in HTTPS_PROXY's password: Go reads http://http://u2:Pa and dials http:80", () => {
    const p = parseProxyValue('http://u2:Pa#ssW0rd@proxy.corp:3128');
    expect(p.fallback).toBe(true);
    expect(goDialAddress(p.go!)).toBe('http:80');
    expect(p.url!.hostname).toBe('http');
    expect(p.url!.password).toBe('');
  });
  it("an '@' in the password: Go splits at the last '@', the proxy is the one written", () => {
    const p = parseProxyValue('http://u1:Pa@ssW0rd@proxy.corp:3128');
    expect(p.fallback).toBeUndefined();
    expect(goDialAddress(p.go!)).toBe('proxy.corp:3128');
    expect(p.go!.user).toEqual({ username: 'u1', password: 'Pa@ssW0rd' });
  });
  it("a stray '%': neither reading parses, so Go ignores the variable", () => {
    const p = parseProxyValue('http://u3:Pa%ssW0rd@proxy.corp:3128');
    expect(p.url).toBeUndefined();
    expect(p.error).toBe('invalid proxy address "http://u3:REDACTED@proxy.corp:3128": invalid URL escape');
  });
});

describe('selectProxy: api.proxy.malformed-url evidence (what Go dials instead, what to encode)', () => {
  const api = new URL('https://10.1.2.3:6443');
  it("HTTPS_PROXY with '#': Go dials http:80, not proxy.corp:3128; encode '#' as %23", () => {
    const d = selectProxy(api, { HTTPS_PROXY: 'http://u2:Pa#ssW0rd@proxy.corp:3128' });
    expect(d.proxy!.host).toBe('http');
    expect(d.malformed).toMatchObject({ intended: 'proxy.corp:3128', goDials: 'http:80', goOutcome: 'dials-other-host', encode: [['#', '%23']], fixed: 'http://u2:REDACTED@proxy.corp:3128' });
    expect(JSON.stringify(d)).not.toContain('ssW0rd');
  });
  it("kubeconfig proxy-url with '#': client-go cannot parse it, kubectl fails", () => {
    const d = selectProxy(api, {}, 'http://u2:Pa#ssW0rd@proxy.corp:3128');
    expect(d.proxy).toBeUndefined();
    expect(d.error).toMatch(/could not parse/);
    expect(d.malformed).toMatchObject({ goOutcome: 'fails', goError: 'invalid port after host' });
    expect(JSON.stringify(d)).not.toContain('ssW0rd');
  });
  it("a digits-only password cut by '#' is read as host:port: Go dials u6:12, shown without the password's start", () => {
    const d = selectProxy(api, {}, 'http://u6:12#34@proxy.corp:3128');
    expect(d.malformed).toMatchObject({ goDials: "u6:REDACTED (the user name as the host, the password's start as the port)", goOutcome: 'dials-other-host' });
  });
  it("a stray '%' in HTTPS_PROXY: Go ignores it and goes direct; encode '%' as %25", () => {
    const d = selectProxy(api, { HTTPS_PROXY: 'http://u3:Pa%ssW0rd@proxy.corp:3128' });
    expect(d.proxy).toBeUndefined();
    expect(d.malformed).toMatchObject({ goOutcome: 'ignored', encode: [['%', '%25']] });
  });
  it("'@' and ':' in the password, or one already encoded: Go reads what was meant, nothing malformed", () => {
    for (const v of ['http://u1:Pa@ssW0rd@proxy.corp:3128', 'http://u4:Pa:ss@proxy.corp:3128', 'http://u2:Pa%23ssW0rd@proxy.corp:3128', 'proxy.corp:3128']) {
      const d = selectProxy(api, { HTTPS_PROXY: v });
      expect(d.malformed, v).toBeUndefined();
      expect(d.proxy!.host, v).toBe('proxy.corp:3128');
    }
    expect(selectProxy(api, { HTTPS_PROXY: 'http://u2:Pa%23ssW0rd@proxy.corp:3128' }).proxy!.password).toBe('Pa%23ssW0rd');
  });
});
