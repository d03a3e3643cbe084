// Secrets never reach any output (SPEC §4). Two layers: known secret values (tokens, passwords,
// keys, exec-plugin output) are replaced wherever they appear, and patterns that look like secrets
// (Authorization headers, user:password@ in URLs, private key blocks) are masked even when unknown.

export const REDACTED = 'REDACTED';

/**
 * Query parameters that carry a presigned URL's signature or session token: the value runs to the
 * next '&', '#', quote, space or bracket (percent-encoded or not, JSON-escaped or not).
 */
const QUERY_SECRET = /((?:[?&]|\\u0026|&amp;)(?:X-Amz-Signature|X-Amz-Security-Token|X-Goog-Signature|sig|Signature)=)(?!REDACTED)[^&#\s"'<>`)\]\\,;]+/gi;

/** A text with every presigned-URL signature (X-Amz-Signature, sig, X-Goog-Signature, …) replaced by REDACTED. */
export function redactQuerySecrets(text: string): string {
  return text.replace(QUERY_SECRET, `$1${REDACTED}`);
}

// Each pattern with a test of what any text it matches must contain: a pattern runs only on a text
// that holds its words. Most outputs hold none of them, and the first run of each pattern
// (compiling it) is most of the cost of redact() in a short run such as `cert` (~1 ms). The words
// are tested with the pattern's own case rule (a case-insensitive RegExp for a /i pattern), not on
// a lower-cased copy: lower-casing a report that holds one non-ASCII character ('→') is slow, and a
// fleet report is megabytes.
const has = (re: RegExp) => (text: string) => re.test(text);
const PATTERNS: [RegExp, string | ((...m: string[]) => string), (text: string) => boolean][] = [
  [/-----BEGIN ([A-Z ]*)PRIVATE KEY-----[\s\S]*?-----END \1PRIVATE KEY-----/g, REDACTED, (t) => t.includes('PRIVATE KEY-----')],
  [/((?:proxy-)?authorization\s*[:=]\s*"?(?:bearer|basic)\s+)[^\s"',}]+/gi, `$1${REDACTED}`, has(/authorization/i)],
  [/\b(bearer\s+)[A-Za-z0-9._~+/=-]{8,}/gi, `$1${REDACTED}`, has(/bearer/i)],
  // scheme://user:password@host, the password up to the LAST '@' of the URL (see redactUrl)
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]*@[^\s"'<>`]*/gi, (url: string) => redactUrl(url), (t) => t.includes('@') && t.includes('://')],
  // schemeless user:password@host[:port] (an HTTPS_PROXY value as Go accepts it), as a word of its own
  [/(?<=^|[\s"'<>=(,`])[^\s"'<>=(,`:/@]+:(?!\/\/)[^\s"'<>`]*@(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d+)?(?=[\s"'<>/),;`]|\.(?:\s|$)|$)/g, (value: string) => redactUrl(value), (t) => t.includes('@')],
  [/("(?:token|password|client-key-data|clientKeyData|access_token|id_token)"\s*:\s*")[^"]+"/gi, `$1${REDACTED}"`, has(/token|password|client-?key-?data/i)],
  // the signatures of presigned URLs (S3 SigV4 and v2, Azure SAS, GCS) as SDKs print them, in a
  // whole URL or in a bare "path?query" (urllib3's "Max retries exceeded with url: /m.bin?sv=…&sig=…")
  [QUERY_SECRET, `$1${REDACTED}`, (t) => t.includes('=') && /sig|security-token/i.test(t)],
];

/** A registered secret this long or longer is replaced wherever it appears, inside any word. */
export const ANYWHERE_MIN = 6;
/**
 * Shorter ones (3 to 5 characters) are also replaced as whole tokens, unless they look like an
 * ordinary word or number (ORDINARY); 1 and 2-character ones only in credential positions.
 */
export const TOKEN_MIN = 3;

/** A regular expression that matches `s` literally (secrets may be made of metacharacters). */
function literal(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}

const ALNUM = /[A-Za-z0-9]/;

/** `s` as a whole token: not glued to a letter or digit where its own edge is a letter or digit. */
function token(s: string): string {
  return `${ALNUM.test(s[0]!) ? '(?<![A-Za-z0-9])' : ''}${literal(s)}${ALNUM.test(s[s.length - 1]!) ? '(?![A-Za-z0-9])' : ''}`;
}

/** Where a value ends in a credential position: a delimiter of the formats we print, or the end. */
const VALUE_END = `(?=$|[\\s"'\`<>,;&)\\]}]|\\\\[nrt"u])`;

/**
 * The credential positions a short secret is masked in, whatever it holds (`$1` is what precedes it):
 *  - a URL's userinfo password, `scheme://user:S@` and `user:S@host` (the patterns mask those even
 *    for unknown values), and what Go reads of a proxy URL whose password holds '#': the password's
 *    start in the port position, `scheme://user:S` (a port equal to a secret is masked too);
 *  - `password=S`, `password: S`, `"token": "S"`, `--token=S`, `passwd`, `pwd`, `secret`,
 *    `access_token`, `id_token`, `api-key`, `client-key-data`, kubeconfig `token:`/`password:` fields;
 *  - `Authorization: Bearer S` / `Basic S`, and a bare `Bearer S`.
 */
function credentialPositions(alternatives: string): RegExp {
  const KEY = `(?:proxy-)?password|passwd|pwd|pass|secret|token|access[-_]token|id[-_]token|refresh[-_]token|api[-_]?key|client-key-data|clientKeyData`;
  const before = [
    // scheme://[user]:S (userinfo or Go's reading of the port), user:S@
    `\\b[A-Za-z][A-Za-z0-9+.-]*:\\/\\/[^\\s/@:"'<>\`]*:`,
    `(?<=^|[\\s"'<>=(,\`])[^\\s"'<>=(,\`:/@]+:(?=(?:${alternatives})@)`,
    // key=S, key: S, "key": "S", key="S" (JSON-escaped quotes too), --key=S, --key S
    `\\b(?i:${KEY})\\b(?:\\\\?")?\\s*[:=]\\s*(?:\\\\?["'])?`,
    `(?<![\\w-])--(?i:${KEY})(?:=|\\s+)`,
    `\\b(?i:(?:proxy-)?authorization)\\b(?:\\\\?")?\\s*[:=]\\s*(?:\\\\?")?(?i:bearer|basic)\\s+`,
    `\\b(?i:bearer)\\s+`,
  ];
  // the secret itself matches case-sensitively; the words around it in any letter case
  return new RegExp(`(${before.join('|')})(?:${alternatives})${VALUE_END}`, 'g');
}

export class Redactor {
  /** replaced wherever they appear */
  private readonly secrets = new Set<string>();
  /** shorter than ANYWHERE_MIN: replaced in credential positions (and as whole tokens from TOKEN_MIN) */
  private readonly short = new Set<string>();
  private shortRes: { positions: RegExp; tokens?: RegExp; mayAppear: (text: string) => boolean } | undefined;
  private longest: string[] | undefined;
  /** how many secret forms have been registered: a value redacted before the last one may hold it */
  private generation = 0;
  /** the values redactValue returned, with the generation they were redacted at */
  private readonly redactedAt = new WeakMap<object, number>();

  /**
   * Register a secret value, of any length and whatever characters it holds. A long one is replaced
   * wherever it appears; a short one where it cannot be an ordinary word: in credential positions,
   * and from 3 characters on as a whole token unless it looks like a word or a number (see
   * ANYWHERE_MIN, TOKEN_MIN, ORDINARY).
   */
  add(secret: string | undefined | null): void {
    if (!secret) return;
    const s = secret.trim() || secret;
    this.register(s);
    // PEM bodies also appear base64-encoded in kubeconfigs and line-wrapped in logs
    if (s.includes('-----BEGIN')) {
      this.register(Buffer.from(s).toString('base64'));
      for (const line of s.split('\n')) if (line.length >= 40 && !line.startsWith('-----')) this.register(line.trim());
    }
    try {
      const decoded = decodeURIComponent(s);
      if (decoded !== s) this.register(decoded);
    } catch {
      // not URI-encoded
    }
    const encoded = encodeURIComponent(s);
    if (encoded !== s) this.register(encoded);
  }

  /** One form of a secret, and that form as it appears inside a JSON string (redactValue works on JSON text). */
  private register(s: string): void {
    if (!s) return;
    for (const form of new Set([s, JSON.stringify(s).slice(1, -1)])) {
      if (form.length >= ANYWHERE_MIN) {
        if (this.secrets.has(form)) continue;
        this.longest = undefined;
        this.secrets.add(form);
        this.generation++;
      } else if (!this.short.has(form)) {
        this.short.add(form);
        this.shortRes = undefined;
        this.generation++;
      }
    }
  }

  /**
   * Register the password of a URL or `user:password@host` value (the one rule of redactUrl), raw and
   * decoded, and the pieces Go's url.Parse makes of it: Go cuts the URL at the first '#' (and the
   * authority at '?' or '/'), so 'http://u6:12#x@host' is read as host 'u6', port '12': each piece
   * of the password is a secret of its own, however short.
   */
  addUrlPassword(value: string | undefined | null): void {
    const p = value ? urlPassword(value) : undefined;
    if (!p) return;
    this.add(p);
    try {
      this.add(decodeURIComponent(p));
    } catch {
      // not percent-encoded
    }
    for (const piece of p.split(/[#?/]/)) if (piece && piece !== p) this.add(piece);
  }

  private shortRules() {
    if (this.shortRes || this.short.size === 0) return this.shortRes;
    // longest first, so a secret containing another is replaced whole
    const all = [...this.short].sort((a, b) => b.length - a.length);
    const tokens = all.filter((x) => x.length >= TOKEN_MIN && !ORDINARY.test(x));
    const firstChars = new Set(all.map((x) => x[0]!));
    this.shortRes = {
      positions: credentialPositions(all.map(literal).join('|')),
      ...(tokens.length ? { tokens: new RegExp(tokens.map(token).join('|'), 'g') } : {}),
      mayAppear: (text) => {
        for (const c of firstChars) if (text.includes(c)) return true;
        return false;
      },
    };
    return this.shortRes;
  }

  /** The short secrets' rules (credential positions, whole tokens) on one text. */
  private redactShort(text: string): string {
    const short = this.shortRules();
    if (!short?.mayAppear(text)) return text;
    const out = text.replace(short.positions, `$1${REDACTED}`);
    return short.tokens ? out.replace(short.tokens, REDACTED) : out;
  }

  /** The long secrets, replaced wherever they appear. */
  private redactLong(text: string): string {
    let out = text;
    // longest first, so a secret containing another is replaced whole
    this.longest ??= [...this.secrets].sort((a, b) => b.length - a.length);
    for (const s of this.longest) {
      if (out.includes(s)) out = out.split(s).join(REDACTED);
    }
    return out;
  }

  /** The secret-shaped patterns (known or not). */
  private redactPatterns(text: string): string {
    let out = text;
    for (const [re, rep, may] of PATTERNS) if (may(out)) out = out.replace(re, rep as string);
    return out;
  }

  /** Long secrets first (a short piece of one must not break it up), then the short ones, then the patterns. */
  redact(text: string): string {
    return this.redactPatterns(this.redactShort(this.redactLong(text)));
  }

  /**
   * Deep-redact a JSON-able value. The short secrets' rules run on each string VALUE on its own
   * (decoded): a short secret never turns a number, `true`, or an object's key into REDACTED, so
   * the report keeps its shape (a password "1234" or "via" leaves durations and fields alone).
   */
  redactValue<T>(value: T): T {
    const json = JSON.stringify(value);
    if (json === undefined) return value;
    return this.redacted(JSON.parse(this.redactJson(json)) as T);
  }

  /**
   * redactValue for a value the caller has just built and hands over (a report at the end of its
   * run): the same rules, but when none of them changes anything the value itself is returned, not
   * a copy of it. The caller must not change it afterwards.
   */
  redactOwned<T>(value: T): T {
    const json = JSON.stringify(value);
    if (json === undefined) return value;
    const red = this.redactJson(json);
    return this.redacted(red === json ? value : (JSON.parse(red) as T));
  }

  /**
   * Whether `value` is what redactValue or redactOwned returned and no secret has been registered
   * since: writing it out needs no second pass. (A fleet report holds 200 reports, each redacted as
   * its context finished: the whole text is megabytes, and a second pass over it costs more than
   * one context's diagnosis.)
   */
  isCurrent(value: unknown): boolean {
    return typeof value === 'object' && value !== null && this.redactedAt.get(value) === this.generation;
  }

  private redacted<T>(value: T): T {
    if (typeof value === 'object' && value !== null) this.redactedAt.set(value, this.generation);
    return value;
  }

  /** The rules on a value's JSON text (the short secrets' on each string value, decoded). */
  private redactJson(text: string): string {
    let json = this.redactLong(text);
    if (this.short.size) {
      json = json.replace(JSON_STRING, (lit: string, key: string | undefined) => {
        if (key) return lit;
        const raw = JSON.parse(lit) as string;
        const red = this.redactShort(raw);
        return red === raw ? lit : JSON.stringify(red);
      });
    }
    return this.redactPatterns(json);
  }
}

/** A JSON string literal, and whether it is an object's key (followed by ':'). */
const JSON_STRING = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

/**
 * A short secret that looks like an ordinary word or number (one case of letters, or only digits)
 * is masked in credential positions only: as a whole token it would mask words and numbers of the
 * report ("pass", "lab", "1234 ms").
 */
const ORDINARY = /^(?:[a-z]+|[A-Z][a-z]*|[A-Z]+|\d+)$/;

/** Where redactUrl finds a password in `s`: [start, end) of the password, or undefined. */
function passwordSpan(s: string): [number, number] | undefined {
  const scheme = /^[A-Za-z][A-Za-z0-9+.-]*:\/\//.exec(s);
  const start = scheme ? scheme[0].length : 0;
  const at = s.lastIndexOf('@');
  if (at < start) return undefined;
  const userinfo = s.slice(start, at);
  const colon = userinfo.indexOf(':');
  if (colon < 0) return undefined;
  // 'host:port/path@x': the '@' is in the path, after a port (a password of digits followed by a
  // raw '/' would look the same, but a raw '/' cannot be in a password of a URL Go or curl accept)
  if (/^[^:/?#@]*:\d*\//.test(userinfo)) return undefined;
  return [start + colon + 1, at];
}

/** The password of a URL or `user:password@host` value, as written (still percent-encoded), by redactUrl's rule. */
export function urlPassword(value: string): string | undefined {
  const span = passwordSpan(value);
  return span && span[1] > span[0] ? value.slice(span[0], span[1]) : undefined;
}

/**
 * The one redactor of a URL, or of any string that may hold `user:password@` (an environment value,
 * a kubeconfig field, an argument), whether or not it parses as a URL:
 * 'http://user:secret@proxy:8080' -> 'http://user:REDACTED@proxy:8080' (like Go's url.Redacted,
 * only the password goes; a user name alone is kept).
 *
 * The userinfo runs from the authority's start (after 'scheme://', or the string's start when there
 * is no scheme, as in 'user:pass@host:port') to the LAST '@' of the string: a password may hold a
 * raw '@' ('u1:Pa@ssW0rd@host'), '#' (which WHATWG and Go take for a fragment: 'u2:Pa#ssW0rd@host'),
 * '?', '/' or ':'; the password is everything after the userinfo's first ':'. A path that holds an
 * '@' after 'host:port/' ('https://h:443/@scope/pkg') is left alone.
 */
export function redactUrl(url: string | URL): string {
  let s: string;
  if (typeof url === 'string') {
    s = url;
  } else {
    s = url.href;
    // 'http://p:8080/' as the user wrote it: 'http://p:8080'
    if (url.pathname === '/' && !url.search && !url.hash && s.endsWith('/') && !/\/\/[^/]*\/.+/.test(s)) s = s.slice(0, -1);
  }
  const span = passwordSpan(s);
  return span ? `${s.slice(0, span[0])}${REDACTED}${s.slice(span[1])}` : s;
}
