// Connection failures in container logs, in the words of the common runtimes, and the hosts in
// them. Presigned URLs are recognised by their query; storage hosts by their names.
import { redactQuerySecrets } from '../../report/redact.ts';
import { presignedKind } from './target.ts';

export interface LogHit {
  host: string;
  port?: number;
  runtime: string;
  error: string;
  line: string;
  presigned?: string;
  storage?: string;
}

const STORAGE: [RegExp, string][] = [
  [/\.blob\.core\.windows\.net$/i, 'Azure Blob Storage'],
  [/\.dfs\.core\.windows\.net$/i, 'Azure Data Lake Storage'],
  [/(^|\.)s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/i, 'Amazon S3'],
  [/^storage\.googleapis\.com$|\.storage\.googleapis\.com$/i, 'Google Cloud Storage'],
];

export function storageKind(host: string): string | undefined {
  return STORAGE.find(([re]) => re.test(host))?.[1];
}

interface Pattern {
  runtime: string;
  error: string;
  re: RegExp;
  /** group index of the host and port */
  host: number;
  port?: number;
}

const HOST = '([A-Za-z0-9][A-Za-z0-9.-]*[A-Za-z0-9]|\\[[0-9a-fA-F:]+\\])';
const PATTERNS: Pattern[] = [
  { runtime: 'Python (urllib3/requests)', error: 'Max retries exceeded', re: new RegExp(`HTTPS?ConnectionPool\\(host='${HOST}', port=(\\d+)\\): Max retries exceeded`), host: 1, port: 2 },
  { runtime: 'Python (urllib3)', error: 'ConnectTimeoutError', re: new RegExp(`ConnectTimeoutError\\(.*?Connection to ${HOST} timed out`), host: 1 },
  { runtime: 'Go', error: 'dial tcp: i/o timeout', re: new RegExp(`dial tcp ${HOST}:(\\d+): (?:i/o timeout|connect: connection timed out|connect: connection refused|connect: network is unreachable)`), host: 1, port: 2 },
  { runtime: 'Go', error: 'no such host', re: new RegExp(`dial tcp: lookup ${HOST}(?: on [^:]+:\\d+)?: (?:no such host|i/o timeout|server misbehaving)`), host: 1 },
  { runtime: 'Java', error: 'UnknownHostException', re: new RegExp(`UnknownHostException: ${HOST}`), host: 1 },
  { runtime: 'Java', error: 'SocketTimeoutException', re: new RegExp(`(?:SocketTimeoutException|ConnectTimeoutException).*?(?:[Cc]onnect to|[Tt]imed out to) ${HOST}(?::(\\d+))?`), host: 1, port: 2 },
  { runtime: 'Java', error: 'ConnectException', re: new RegExp(`ConnectException: .*?(?:to|Connect to) ${HOST}(?::(\\d+))?`), host: 1, port: 2 },
  { runtime: 'Node.js', error: 'ETIMEDOUT', re: new RegExp(`connect ETIMEDOUT ${HOST}:(\\d+)`), host: 1, port: 2 },
  { runtime: 'Node.js', error: 'ENOTFOUND', re: new RegExp(`getaddrinfo (?:ENOTFOUND|EAI_AGAIN) ${HOST}`), host: 1 },
  { runtime: 'Node.js', error: 'ECONNREFUSED', re: new RegExp(`connect ECONNREFUSED ${HOST}:(\\d+)`), host: 1, port: 2 },
  { runtime: 'curl', error: 'Failed to connect', re: new RegExp(`curl: \\(\\d+\\) Failed to connect to ${HOST} port (\\d+)`), host: 1, port: 2 },
  { runtime: 'curl', error: 'Could not resolve host', re: new RegExp(`curl: \\(6\\) Could not resolve host: ${HOST}`), host: 1 },
  { runtime: 'curl', error: 'Connection timed out', re: new RegExp(`curl: \\(28\\) (?:Connection|Operation) timed out.*?${HOST}`), host: 1 },
  // AWS SDK for Java v2 / Apache HttpClient: "Unable to execute HTTP request: Connect to b.s3.amazonaws.com:443 [b.s3.amazonaws.com/52.216.1.2] failed: Connect timed out"
  { runtime: 'Java (Apache HttpClient)', error: 'Connect to … failed', re: new RegExp(`Connect to ${HOST}:(\\d+) \\[[^\\]]*\\] failed`), host: 1, port: 2 },
  // Node.js fetch (undici): "ConnectTimeoutError: Connect Timeout Error (attempted address: acct.blob.core.windows.net:443, timeout: 10000ms)"
  { runtime: 'Node.js (fetch/undici)', error: 'Connect Timeout Error', re: new RegExp(`attempted address: ${HOST}:(\\d+)`), host: 1, port: 2 },
  // botocore: 'Connect timeout on endpoint URL: "https://…"' / 'Could not connect to the endpoint URL: "https://…"'
  { runtime: 'Python (botocore)', error: 'endpoint URL unreachable', re: new RegExp(`(?:Connect timeout on|Could not connect to the) endpoint URL: "https?://${HOST}(?::(\\d+))?`), host: 1, port: 2 },
];

/**
 * The presigned signature of a URL or of a bare "path?query" anywhere on a line (urllib3 prints
 * "Max retries exceeded with url: /models/m.bin?sv=…&sig=…", without the host): S3 X-Amz-Signature,
 * Azure SAS sig+sv, GCS X-Goog-Signature.
 */
export function presignedInLine(line: string): string | undefined {
  const q = new URLSearchParams();
  for (const m of line.matchAll(/(?:[?&]|\\u0026|&amp;)([A-Za-z][\w.-]*)=/g)) q.append(m[1]!, '1');
  return presignedKind(q);
}

const FAILURE_WORDS = /timed? ?out|timeout|Max retries exceeded|refused|unreachable|ENOTFOUND|ETIMEDOUT|UnknownHost|no such host|Failed to connect|Could not resolve|Could not connect|Failed to establish|fetch failed|Connect to \S+ \[/i;
const URL_RE = /https?:\/\/[^\s'"<>)\]]+/g;

/** Scan log text; every failure line yields its host, plus the hosts of URLs on failure lines. */
export function scanLogs(text: string): LogHit[] {
  const hits: LogHit[] = [];
  const seen = new Set<string>();
  const add = (h: LogHit) => {
    h.host = h.host.replace(/^\[|\]$/g, '').toLowerCase();
    const key = `${h.host}:${h.port ?? ''}:${h.error}`;
    if (seen.has(key)) return;
    seen.add(key);
    const st = storageKind(h.host);
    if (st) h.storage = st;
    hits.push(h);
  };
  for (const line of text.split('\n')) {
    if (!FAILURE_WORDS.test(line)) continue;
    let matched = false;
    const shown = redactQuerySecrets(line.trim()).slice(0, 400);
    const urls = line.match(URL_RE) ?? [];
    // a presigned query on a line without a whole URL belongs to the host the runtime names
    const bareQuery = urls.length === 0 ? presignedInLine(line) : undefined;
    for (const p of PATTERNS) {
      const m = p.re.exec(line);
      if (!m) continue;
      matched = true;
      add({ host: m[p.host]!, port: p.port && m[p.port] ? Number(m[p.port]) : undefined, runtime: p.runtime, error: p.error, line: shown, ...(bareQuery ? { presigned: bareQuery } : {}) });
    }
    for (const u of urls) {
      try {
        const url = new URL(u);
        add({
          host: url.hostname,
          port: url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443,
          runtime: matched ? 'URL on the failure line' : 'URL',
          error: 'connection failure',
          line: shown,
          presigned: presignedKind(url.searchParams),
        });
      } catch {
        // not a URL after all
      }
    }
  }
  return hits;
}

/** Presigned URLs anywhere in the logs (even on lines without failure words): the hosts SDKs reach directly. */
export function presignedHosts(text: string): { host: string; port: number; kind: string }[] {
  const out = new Map<string, { host: string; port: number; kind: string }>();
  for (const u of text.match(URL_RE) ?? []) {
    try {
      const url = new URL(u);
      const kind = presignedKind(url.searchParams);
      if (kind) out.set(url.hostname, { host: url.hostname.toLowerCase(), port: url.port ? Number(url.port) : 443, kind });
    } catch {
      // ignore
    }
  }
  return [...out.values()];
}

/** Every host a URL in the log names (failure line or not): the API hosts an SDK called before a presigned download. */
export function urlHosts(text: string): { host: string; port: number }[] {
  const out = new Map<string, { host: string; port: number }>();
  for (const u of text.match(URL_RE) ?? []) {
    try {
      const url = new URL(u);
      const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
      const port = url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443;
      out.set(`${host}:${port}`, { host, port });
    } catch {
      // not a URL
    }
  }
  return [...out.values()];
}
