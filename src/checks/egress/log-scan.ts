// Connection failures in container logs, in the words of the common runtimes, and the hosts in
// them. Presigned URLs are recognised by their query; storage hosts by their names.
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
];

const FAILURE_WORDS = /timed? ?out|timeout|Max retries exceeded|refused|unreachable|ENOTFOUND|ETIMEDOUT|UnknownHost|no such host|Failed to connect|Could not resolve/i;
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
    for (const p of PATTERNS) {
      const m = p.re.exec(line);
      if (!m) continue;
      matched = true;
      add({ host: m[p.host]!, port: p.port && m[p.port] ? Number(m[p.port]) : undefined, runtime: p.runtime, error: p.error, line: line.trim().slice(0, 400) });
    }
    for (const u of line.match(URL_RE) ?? []) {
      try {
        const url = new URL(u);
        add({
          host: url.hostname,
          port: url.port ? Number(url.port) : url.protocol === 'http:' ? 80 : 443,
          runtime: matched ? 'URL on the failure line' : 'URL',
          error: 'connection failure',
          line: line.trim().slice(0, 400),
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
