import { describe, expect, it } from 'vitest';
import { Redactor, redactUrlText } from '../../../src/report/redact.ts';

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
  it('redacts a PEM key also in its base64 form', () => {
    const r = new Redactor();
    const pem = '-----BEGIN PRIVATE KEY-----\nQUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9w\n-----END PRIVATE KEY-----\n';
    r.add(pem);
    expect(r.redact(Buffer.from(pem.trim()).toString('base64'))).toBe('REDACTED');
  });
  it('leaves ordinary text alone', () => {
    expect(new Redactor().redact('connect 198.51.100.10:6443: connection refused')).toBe('connect 198.51.100.10:6443: connection refused');
    expect(redactUrlText('http://proxy:3128')).toBe('http://proxy:3128');
  });
});
