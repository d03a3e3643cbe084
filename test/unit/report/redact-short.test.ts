// Issue 12 §3: registered secrets of ANY length never reach output. A long one (>= 6 characters)
// is replaced anywhere; a short one in credential positions (URL userinfo, what Go reads of a proxy
// URL cut at '#', password=/token:/Authorization values, CLI flags, kubeconfig fields) and, from 3
// characters on, as a whole token; ordinary words stay whole for 1 and 2-character secrets.
import { describe, expect, it } from 'vitest';
import { ANYWHERE_MIN, Redactor, TOKEN_MIN } from '../../../src/report/redact.ts';

/** `text` with the secret (or REDACTED) in place of {S} (split/join: no `$&` replacement patterns). */
const fill = (text: string, s: string) => text.split('{S}').join(s);

function redactorWith(...secrets: string[]): Redactor {
  const r = new Redactor();
  for (const s of secrets) r.add(s);
  return r;
}

/** Every credential position, with S standing for the secret. */
const POSITIONS = [
  'proxy http://u1:{S}@198.51.100.20:3128 refused',
  'HTTPS_PROXY=u1:{S}@198.51.100.20:3128',
  'password={S}',
  'password: {S}',
  'Password = "{S}"',
  "token: '{S}'",
  '{"password":"{S}"}',
  'access_token={S}&x=1',
  '--token={S}',
  '--password {S}',
  'Authorization: Bearer {S}',
  'Proxy-Authorization: Basic {S}',
  'sent bearer {S} to the server',
];

describe('a 1-character password', () => {
  const r = redactorWith('x');
  it.each(POSITIONS)('is masked in the credential position %s', (text) => {
    const out = r.redact(fill(text, 'x'));
    expect(out).toBe(fill(text, 'REDACTED'));
  });
  it('leaves ordinary words and letters alone', () => {
    for (const text of ['x marks the spot', 'max 3 boxes in the next 5 s', 'a 2x faster path: x-forwarded-for', 'password=xylophone', 'token: x2']) {
      expect(r.redact(text)).toBe(text);
    }
  });
});

describe('a 3-character password', () => {
  const r = redactorWith('k9w');
  it.each(POSITIONS)('is masked in the credential position %s', (text) => {
    expect(r.redact(fill(text, 'k9w'))).toBe(fill(text, 'REDACTED'));
  });
  it(`is masked as a whole token anywhere from ${TOKEN_MIN} characters, never inside a longer word`, () => {
    expect(r.redact('the proxy said: bad credentials k9w (user u1)')).toBe('the proxy said: bad credentials REDACTED (user u1)');
    expect(r.redact('"k9w"')).toBe('"REDACTED"');
    expect(r.redact('ak9w k9wb k9w1 1k9w')).toBe('ak9w k9wb k9w1 1k9w');
  });
});

describe('a 5-character password', () => {
  const r = redactorWith('Zq3#x');
  it.each(POSITIONS)('is masked in the credential position %s', (text) => {
    expect(r.redact(fill(text, 'Zq3#x'))).toBe(fill(text, 'REDACTED'));
  });
  it('as a whole token, and in its percent-encoded form, but not inside a longer word (shorter than the anywhere minimum)', () => {
    expect(ANYWHERE_MIN).toBe(6);
    expect(r.redact('login failed for Zq3#x, and Zq3%23x')).toBe('login failed for REDACTED, and REDACTED');
    expect(r.redact('AZq3#x')).toBe('AZq3#x');
  });
  it('matches case-sensitively (another secret, not this one, would differ in case)', () => {
    expect(r.redact('password=zQ3#X')).toBe('password=zQ3#X');
  });
});

describe('passwords made of regular-expression metacharacters', () => {
  const SECRETS = ['.*', '$1', '(?:', '[a]', '^$|', '.*+?', '\\d+', '$&)', '{1}', '/-\\'];
  it.each(SECRETS)('%s: masked in credential positions, without throwing, and the text around it kept', (secret) => {
    const r = redactorWith(secret);
    for (const text of POSITIONS) {
      const out = r.redact(fill(text, secret));
      if (secret.length >= TOKEN_MIN) expect(out).not.toContain(secret);
      expect(out, text).toBe(fill(text, 'REDACTED'));
    }
  });
  it('a 2-character one leaves ordinary text with the same characters alone', () => {
    expect(redactorWith('.*').redact('a.b matches *.example.com')).toBe('a.b matches *.example.com');
    expect(redactorWith('$1').redact('costs $10')).toBe('costs $10');
  });
  it('in JSON text (redactValue), quotes and backslashes escaped', () => {
    const r = redactorWith('a"b', '\\d+');
    expect(r.redactValue({ message: 'password=a"b; token: \\d+' })).toEqual({ message: 'password=REDACTED; token: REDACTED' });
  });
});

describe("a proxy password Go cuts at '#' (HTTPS_PROXY=http://u6:12#x@host:3128)", () => {
  const r = new Redactor();
  r.addUrlPassword('http://u6:12#x@198.51.100.20:3128');
  it('Go reads host u6, port 12: the password\'s start in the port position is masked', () => {
    expect(r.redact('Requests go through the proxy http://u6:12 (from HTTPS_PROXY)')).toBe('Requests go through the proxy http://u6:REDACTED (from HTTPS_PROXY)');
    expect(r.redactValue({ proxy: 'http://u6:12' })).toEqual({ proxy: 'http://u6:REDACTED' });
    expect(r.redact('HTTPS_PROXY=http://u6:12#x@198.51.100.20:3128')).toBe('HTTPS_PROXY=http://u6:REDACTED@198.51.100.20:3128');
  });
  it('numbers elsewhere stay whole', () => {
    const text = '11 checks: 12 pass; 198.51.100.12:3128 answered in 12 ms; http://198.51.100.20:3128';
    expect(r.redact(text)).toBe(text);
  });
});

describe('long secrets', () => {
  it('are replaced anywhere, even inside a word, as before', () => {
    expect(redactorWith('hunter22').redact('xhunter22y')).toBe('xREDACTEDy');
  });
});

describe('short secrets that look like ordinary words or numbers ("pass", "lab", "1234")', () => {
  const r = redactorWith('pass', '1234', 'via');
  it.each(POSITIONS)('are masked in the credential position %s', (text) => {
    for (const s of ['pass', '1234']) expect(r.redact(fill(text, s))).toBe(fill(text, 'REDACTED'));
  });
  it('are not masked as whole tokens: the words and numbers of a report stay', () => {
    const text = 'FAIL · 11 checks: 3 pass, 1 fail · 1234 ms (via 198.51.100.20:3128)';
    expect(r.redact(text)).toBe(text);
  });
  it('redactValue keeps the report\'s shape: keys, numbers and literals are never replaced, string values are', () => {
    const report = { status: 'pass', durationMs: 1234, via: 'direct', ok: true, proxy: 'http://u6:1234', message: 'password=pass' };
    expect(r.redactValue(report)).toEqual({ status: 'pass', durationMs: 1234, via: 'direct', ok: true, proxy: 'http://u6:REDACTED', message: 'password=REDACTED' });
  });
  it('a short secret with mixed classes is still a whole token in JSON string values', () => {
    expect(redactorWith('Pa5s').redactValue({ a: 'said Pa5s', n: 5 })).toEqual({ a: 'said REDACTED', n: 5 });
  });
});
