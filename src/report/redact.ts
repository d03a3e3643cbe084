// Secrets never reach any output (SPEC §4). Two layers: known secret values (tokens, passwords,
// keys, exec-plugin output) are replaced wherever they appear, and patterns that look like secrets
// (Authorization headers, user:password@ in URLs, private key blocks) are masked even when unknown.

export const REDACTED = 'REDACTED';

const PATTERNS: [RegExp, string | ((...m: string[]) => string)][] = [
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, REDACTED],
  [/((?:proxy-)?authorization\s*[:=]\s*"?(?:bearer|basic)\s+)[^\s"',}]+/gi, `$1${REDACTED}`],
  [/\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`],
  [/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@"']+:)[^\s/@"']+@/gi, `$1${REDACTED}@`],
  [/("(?:token|password|client-key-data|clientKeyData|access_token|id_token)"\s*:\s*")[^"]+"/gi, `$1${REDACTED}"`],
];

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Register a secret value; short values are ignored to avoid masking ordinary words. */
  add(secret: string | undefined | null): void {
    if (!secret) return;
    const s = secret.trim();
    if (s.length < 6) return;
    this.secrets.add(s);
    // PEM bodies also appear base64-encoded in kubeconfigs and line-wrapped in logs
    if (s.includes('-----BEGIN')) {
      this.secrets.add(Buffer.from(s).toString('base64'));
      for (const line of s.split('\n')) if (line.length >= 40 && !line.startsWith('-----')) this.secrets.add(line.trim());
    }
    try {
      const decoded = decodeURIComponent(s);
      if (decoded !== s) this.secrets.add(decoded);
      const encoded = encodeURIComponent(s);
      if (encoded !== s) this.secrets.add(encoded);
    } catch {
      // not URI-encoded
    }
  }

  redact(text: string): string {
    let out = text;
    // longest first, so a secret containing another is replaced whole
    for (const s of [...this.secrets].sort((a, b) => b.length - a.length)) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    for (const [re, rep] of PATTERNS) out = out.replace(re, rep as string);
    return out;
  }

  /** Deep-redact a JSON-able value. */
  redactValue<T>(value: T): T {
    return JSON.parse(this.redact(JSON.stringify(value))) as T;
  }
}

/** Redact a URL's password for display: http://user:secret@proxy:8080 -> http://user:REDACTED@proxy:8080 */
export function redactUrlText(url: string): string {
  return url.replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s/:@]+:)[^\s/@]+@/gi, `$1${REDACTED}@`);
}
