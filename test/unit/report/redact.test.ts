import { describe, expect, it } from 'vitest';
import { Redactor, redactUrl, urlPassword } from '../../../src/report/redact.ts';
import { selectProxy } from '../../../src/net/proxy.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('redaction', () => {
  it('replaces registered secrets wherever they appear, also URL-encoded', () => {
    const r = new Redactor();
    r.add('s3cr3t/pa:ss');
    expect(r.redact('proxy http://u:s3cr3t%2Fpa%3Ass@p:3128 and s3cr3t/pa:ss')).not.toMatch(/s3cr3t/);
  });
  it('masks secret-shaped text even when unknown', () => {
    const r = new Redactor();
    const out = r.redact(
      'Authorization: Bearer abcdefghijklmnop\nhttp://bob:hunter22@proxy:8080\n-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\n{"token":"xyz123456"}',
    );
    expect(out).toContain('Authorization: Bearer REDACTED');
    expect(out).toContain('http://bob:REDACTED@proxy:8080');
    expect(out).not.toContain('MIIEow');
    expect(out).toContain('"token":"REDACTED"');
  });
  it('masks each secret shape in any letter case, each alone in a text (a pattern runs only where its words are)', () => {
    const r = new Redactor();
    expect(r.redact('PROXY-AUTHORIZATION: BASIC dXNlcjpwYXNz')).toBe('PROXY-AUTHORIZATION: BASIC REDACTED');
    expect(r.redact('x BEARER abcdefghijklmnop y')).toBe('x BEARER REDACTED y');
    expect(r.redact('HTTPS://bob:hunter22@proxy:8080')).toBe('HTTPS://bob:REDACTED@proxy:8080');
    expect(r.redact('HTTPS_PROXY=bob:hunter22@proxy:3128')).toBe('HTTPS_PROXY=bob:REDACTED@proxy:3128');
    expect(r.redact('{"ClientKeyData": "c2VjcmV0"}')).toBe('{"ClientKeyData": "REDACTED"}');
    expect(r.redact('{"ID_TOKEN":"eyJhbGciOi"}')).toBe('{"ID_TOKEN":"REDACTED"}');
    expect(r.redact('{"Password":"hunter22"}')).toBe('{"Password":"REDACTED"}');
    expect(r.redact('-----BEGIN EC PRIVATE KEY-----\nMHcCAQ\n-----END EC PRIVATE KEY-----')).toBe('REDACTED');
    // one replacement brings no new word that another pattern would then need
    expect(r.redact('Authorization: Bearer abcdefghijklmnop and http://u:p@h')).toBe('Authorization: Bearer REDACTED and http://u:REDACTED@h');
    expect(r.redact('nothing secret here: a host, a port 443, a name')).toBe('nothing secret here: a host, a port 443, a name');
  });
  it('redacts a PEM key also in its base64 form', () => {
    const r = new Redactor();
    const pem = '-----BEGIN PRIVATE KEY-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w\n-----END PRIVATE KEY-----\n';
    r.add(pem);
    expect(r.redact(Buffer.from(pem.trim()).toString('base64'))).toBe('REDACTED');
  });
  it('leaves ordinary text alone', () => {
    expect(new Redactor().redact('connect 198.51.100.10:6443: connection refused')).toBe('connect 198.51.100.10:6443: connection refused');
    expect(new Redactor().redact('mail bob@example.com about https://example.com:443/a')).toBe('mail bob@example.com about https://example.com:443/a');
    expect(redactUrl('http://proxy:3128')).toBe('http://proxy:3128');
  });
});

describe('a value redacted once (redactValue, redactOwned, isCurrent)', () => {
  const report = () => ({ summary: 'context a → https://h:6443', checks: [{ evidence: { header: 'AUTHORIZATION: Bearer abcdefghijklmnop', note: 'token s3cr3t-value' } }] });

  it('masks the patterns in a value that also holds non-ASCII text, and a registered secret', () => {
    const r = new Redactor();
    r.add('s3cr3t-value');
    const out = r.redactValue(report());
    expect(out.summary).toBe('context a → https://h:6443');
    expect(out.checks[0]!.evidence).toEqual({ header: 'AUTHORIZATION: Bearer REDACTED', note: 'token REDACTED' });
  });

  it('redactOwned hands back the value itself when nothing in it is secret, else a redacted copy', () => {
    const r = new Redactor();
    r.add('s3cr3t-value');
    const clean = { summary: 'context a → https://h:6443', n: 1 };
    expect(r.redactOwned(clean)).toBe(clean);
    const dirty = report();
    const out = r.redactOwned(dirty);
    expect(out).not.toBe(dirty);
    expect(JSON.stringify(out)).not.toContain('s3cr3t-value');
  });

  it('isCurrent: what the redactor returned, until a new secret is registered (the same one again changes nothing)', () => {
    const r = new Redactor();
    r.add('first-secret');
    const a = r.redactValue({ text: 'later-secret is in here' });
    const b = r.redactOwned({ text: 'nothing' });
    expect(r.isCurrent(a)).toBe(true);
    expect(r.isCurrent(b)).toBe(true);
    expect(r.isCurrent({ text: 'nothing' })).toBe(false);
    expect(r.isCurrent('a string')).toBe(false);
    r.add('first-secret');
    expect(r.isCurrent(a)).toBe(true);
    r.add('later-secret');
    expect(r.isCurrent(a)).toBe(false);
    expect(r.isCurrent(b)).toBe(false);
    const again = r.redactValue(a);
    expect(again.text).toBe('REDACTED is in here');
    expect(r.isCurrent(again)).toBe(true);
    // a short secret counts too
    r.add('k9w');
    expect(r.isCurrent(again)).toBe(false);
  });
});

/**
 * Passwords real people use, in URLs that Go, WHATWG URL and the old regexes read differently. Each
 * case: the input, what the output must be, and the password: no part of it (no 3-character piece)
 * may survive.
 */
const CASES: [string, string, string][] = [
  ['https://admin:p@ss@10.0.0.1:6443', 'https://admin:REDACTED@10.0.0.1:6443', 'p@ss'],
  ['http://u1:Pa@ssW0rd@HOST:PORT', 'http://u1:REDACTED@HOST:PORT', 'Pa@ssW0rd'],
  ['http://u1:Pa@ssW0rd@proxy.corp:3128', 'http://u1:REDACTED@proxy.corp:3128', 'Pa@ssW0rd'],
  // WHATWG URL and Go's url.Parse take '#' for the start of a fragment
  ['http://u2:Pa#ssW0rd@HOST:PORT', 'http://u2:REDACTED@HOST:PORT', 'Pa#ssW0rd'],
  ['http://u2:Pa#ssW0rd@proxy.corp:3128/', 'http://u2:REDACTED@proxy.corp:3128/', 'Pa#ssW0rd'],
  // schemeless, as HTTPS_PROXY often holds it (Go prepends http://)
  ['u1:Pa@ssW0rd@host', 'u1:REDACTED@host', 'Pa@ssW0rd'],
  ['user:pass1234@host:3128', 'user:REDACTED@host:3128', 'pass1234'],
  ['u3:Pa#ss:W0rd@10.1.2.3:8080', 'u3:REDACTED@10.1.2.3:8080', 'Pa#ss:W0rd'],
  // percent-encoded
  ['http://user:s%40cret99@p:8080/', 'http://user:REDACTED@p:8080/', 's%40cret99'],
  ['http://user:Pa%23ss%3AW0rd@p:8080', 'http://user:REDACTED@p:8080', 'Pa%23ss%3AW0rd'],
  // ':' in the password
  ['socks5://me:pa:ss:word@s:1080', 'socks5://me:REDACTED@s:1080', 'pa:ss:word'],
  ['http://me:Pa?ss/W0rd@p:8080', 'http://me:REDACTED@p:8080', 'Pa?ss/W0rd'],
  // a WHATWG URL's serialisation of 'http://' + 'http://u2:Pa#ssW0rd@h:3128' (Go's fallback)
  ['http://http//u2:Pa#ssW0rd@h:3128', 'http://http//u2:REDACTED@h:3128', 'Pa#ssW0rd'],
];

function pieces(password: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 3 <= password.length; i++) out.push(password.slice(i, i + 3));
  return out;
}

describe('redactUrl: the one redactor of URLs and values that may hold user:password@', () => {
  it.each(CASES)('%s', (input, expected, password) => {
    const out = redactUrl(input);
    expect(out).toBe(expected);
    for (const p of pieces(password)) expect(out, `"${p}" of the password survives`).not.toContain(p);
  });
  it.each(CASES)('in free text, JSON and YAML: %s', (input, _expected, password) => {
    const r = new Redactor();
    for (const text of [`via ${input} (HTTPS_PROXY)`, JSON.stringify({ proxyUrl: input }), `proxyUrl: ${input}\nnext: line`]) {
      const out = r.redact(text);
      for (const p of pieces(password)) expect(out, `"${p}" of the password survives in ${out}`).not.toContain(p);
    }
  });
  it('keeps what holds no password', () => {
    expect(redactUrl('http://user@p:8080')).toBe('http://user@p:8080');
    expect(redactUrl('http://p:8080')).toBe('http://p:8080');
    expect(redactUrl('10.0.0.1:6443')).toBe('10.0.0.1:6443');
    expect(redactUrl('https://registry.example.com:443/@scope/pkg')).toBe('https://registry.example.com:443/@scope/pkg');
    expect(redactUrl('')).toBe('');
  });
  it('takes URL objects (password percent-encoded, trailing slash as written)', () => {
    expect(redactUrl(new URL('http://user:secret@p:8080'))).toBe('http://user:REDACTED@p:8080');
    expect(redactUrl(new URL('http://user:p@ss@p:8080'))).toBe('http://user:REDACTED@p:8080');
  });
  it('is what the proxy selection and the kubeconfig loader print', () => {
    const d = selectProxy(new URL('https://10.1.2.3:6443'), {}, 'http://u1:Pa@ssW0rd@kc:3128');
    expect(d.configured).toBe('http://u1:REDACTED@kc:3128');
    const e = selectProxy(new URL('https://10.1.2.3:6443'), { HTTPS_PROXY: 'http://u2:Pa#ssW0rd@proxy.corp:3128' });
    expect(e.configured).toBe('http://u2:REDACTED@proxy.corp:3128');
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-redact-'));
    const file = join(dir, 'config');
    writeFileSync(
      file,
      `apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://admin:p@ss@10.0.0.1:6443", proxy-url: "ftp://u1:Pa@ssW0rd@proxy:21"}}]
users: [{name: u, user: {token: abcdefgh}}]
contexts: [{name: x, context: {cluster: c, user: u}}]
current-context: x
`,
    );
    let message = '';
    try {
      loadKubeconfig({ kubeconfig: file, env: {}, homeDir: dir });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('ftp://u1:REDACTED@proxy:21');
    for (const p of pieces('Pa@ssW0rd')) expect(message).not.toContain(p);
  });
});

describe('the password of a URL value, for the Redactor to replace wherever it appears', () => {
  it.each(CASES)('%s', (input, _expected, password) => {
    expect(urlPassword(input)).toBe(password);
    const r = new Redactor();
    r.addUrlPassword(input);
    const out = r.redact(`the proxy rejected ${password} (${decodeURIComponent(password.replace(/%(?![0-9A-F]{2})/gi, '%25'))})`);
    for (const p of pieces(password)) expect(out).not.toContain(p);
  });
  it('has none when there is none', () => {
    expect(urlPassword('http://user@p:8080')).toBeUndefined();
    expect(urlPassword('https://registry.example.com:443/@scope/pkg')).toBeUndefined();
  });
});
