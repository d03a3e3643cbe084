// Reading an HTTP answer for a report: its status line, its JSON body, a short quote of it, and
// whether it is the API server's own (api.proxy.connect, api.http, api.auth).
import type { HttpResult } from '../../net/http.ts';

/** A JSON object body, or undefined for anything else. */
export function parseJson(body: string | undefined): Record<string, unknown> | undefined {
  if (!body) return undefined;
  try {
    const j = JSON.parse(body) as unknown;
    return j && typeof j === 'object' ? (j as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** '200 OK', or the network error when there was no answer. */
export function statusText(r: HttpResult): string {
  return r.response ? `${r.response.statusCode} ${r.response.statusMessage}` : (r.error?.message ?? 'no answer');
}

/** Whether an HTTP answer is the API server's own (JSON with kind or gitVersion), not a proxy's page. */
export function looksLikeApiServer(body: string | undefined): boolean {
  if (!body) return false;
  try {
    const j = JSON.parse(body) as Record<string, unknown>;
    return typeof j === 'object' && j !== null && ('kind' in j || 'gitVersion' in j);
  } catch {
    return false;
  }
}

export function quoteBody(body: string | undefined, max = 300): string {
  const t = (body ?? '').replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}
