// The API server's own health endpoints, read through the one client and judged once: `api.health`
// and `server.health` both use this. `/livez?verbose` and `/readyz?verbose` list one line per
// check, `[+]etcd ok` or `[-]etcd failed: reason withheld`, and answer 200 only when all pass.
import type { KubeClient } from './client.ts';

/** One health endpoint (/livez, /readyz, with ?verbose): its status and the checks that fail. */
export interface HealthAnswer {
  path: string;
  status?: string;
  ok: boolean;
  /** names of the failing checks, e.g. ['etcd'] */
  failing: string[];
  /** the failing lines as the server wrote them, e.g. '[-]etcd failed: reason withheld' */
  failingLines: string[];
  /** how many checks the verbose answer lists */
  checks: number;
  lines?: string[];
  /** read without credentials, after the identity was refused (401/403) */
  anonymous: boolean;
  error?: string;
}

/** The check lines of a verbose health answer. */
export function parseHealthLines(body: string): { lines: string[]; passing: string[]; failing: string[]; failingLines: string[] } {
  const lines = body.split('\n').map((l) => l.trimEnd()).filter(Boolean);
  const failingLines = lines.filter((l) => l.startsWith('[-]'));
  return {
    lines,
    passing: lines.filter((l) => l.startsWith('[+]')).map((l) => l.slice(3).replace(/ ok$/, '').trim()),
    failing: failingLines.map((l) => l.slice(3).replace(/ failed:.*$/, '').trim()),
    failingLines,
  };
}

/**
 * GET a health endpoint with the user's credentials, falling back to anonymous (the
 * system:public-info-viewer role lets anyone read it) when the identity is refused. Like every
 * authenticated request of the client, only once the server's certificate verified. Once per path.
 */
export function fetchHealth(client: KubeClient, path: string): Promise<HealthAnswer> {
  return client.once(`health:${path}`, async () => {
    const refused = (error: string): HealthAnswer => ({ path, ok: false, failing: [], failingLines: [], checks: 0, anonymous: false, error });
    const reachable = await client.reachable();
    if (!reachable.ok) return refused(reachable.why ?? 'the API server is not reachable');
    // requestOnce: contexts of a fleet with the same server and user share the answer
    let r = await client.requestOnce(`health:${path}`, 'GET', path, { auth: true });
    let anonymous = false;
    if (r.response && (r.response.statusCode === 401 || r.response.statusCode === 403)) {
      r = await client.requestOnce(`health-anonymous:${path}`, 'GET', path, { auth: false });
      anonymous = true;
    }
    if (!r.response) return { ...refused(r.error?.message ?? 'no answer'), anonymous };
    const parsed = parseHealthLines(r.response.body);
    return {
      path,
      status: `${r.response.statusCode} ${r.response.statusMessage}`,
      ok: r.response.statusCode === 200,
      failing: parsed.failing,
      failingLines: parsed.failingLines,
      checks: parsed.passing.length + parsed.failing.length,
      lines: parsed.lines,
      anonymous,
    };
  });
}

/** What the two answers say: is the server live, is it ready, could we read either. */
export interface HealthJudgement {
  livez: HealthAnswer;
  readyz: HealthAnswer;
  /** neither endpoint is readable by this identity nor anonymously (401/403 both) */
  unreadable: boolean;
  /** /livez answered a failure (a 5xx, or no answer): the server is not live */
  notLive: boolean;
  /** /readyz answered a failure: the server does not take traffic */
  notReady: boolean;
}

function statusCode(h: HealthAnswer): number | undefined {
  const n = h.status ? Number.parseInt(h.status, 10) : Number.NaN;
  return Number.isNaN(n) ? undefined : n;
}

/**
 * The judgement, on recorded answers: an endpoint fails when it did not answer 200 and its answer
 * is not a client error (401/403: not readable by us; 404: not served by an older server), which
 * says nothing about the server's health.
 */
export function judgeHealth(livez: HealthAnswer, readyz: HealthAnswer): HealthJudgement {
  const refused = (h: HealthAnswer) => statusCode(h) === 401 || statusCode(h) === 403;
  const failed = (h: HealthAnswer) => {
    if (h.ok) return false;
    const code = statusCode(h);
    return code === undefined || code < 400 || code >= 500;
  };
  return { livez, readyz, unreadable: refused(livez) && refused(readyz), notLive: failed(livez), notReady: failed(readyz) };
}

/** Read /livez?verbose and /readyz?verbose at once and judge them. */
export async function readHealth(client: KubeClient): Promise<HealthJudgement> {
  const [livez, readyz] = await Promise.all([fetchHealth(client, '/livez?verbose'), fetchHealth(client, '/readyz?verbose')]);
  return judgeHealth(livez, readyz);
}
