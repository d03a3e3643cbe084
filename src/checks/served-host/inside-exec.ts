// The in-cluster half of ingress.http01 when the API server's service proxy is forbidden: the same
// GET from a pod, over pods/exec (what `kubectl exec POD -- curl URL` does). Tried in a ready
// ingress controller pod first (the hop external traffic takes), then in a pod behind the Ingress's
// backend Service (a namespace a developer may exec in). Read-only: exec runs one HTTP GET with the
// container's own curl, wget or python3 and writes nothing.
import type { KubeClient } from '../../kube/client.ts';
import { execInPod, type ExecResult } from '../../kube/exec.ts';
import { detectTools } from '../../kube/pod-tools.ts';
import type { EndpointSlice } from './types.ts';

export interface ExecTarget {
  namespace: string;
  pod: string;
  /** why this pod: "ingress controller pod" / "pod behind web/web" */
  role: string;
}

export interface ExecHttpResult {
  /** the GET was made (any HTTP status) or failed at the network level inside the pod */
  ran: boolean;
  ok: boolean;
  status?: number;
  body?: string;
  /** timeout, refused, dns, reset, other */
  errorKind?: string;
  error?: string;
  tool?: string;
  /** the command as a user would type it (kubectl exec ... -- curl ...) */
  command?: string;
  durationMs: number;
  /** why the pod could not be used (exec forbidden, no tool, no such pod) */
  unusable?: string;
  forbidden?: boolean;
}

/** Ready pods behind a Service, from its EndpointSlices, as exec targets. */
export function podsFromSlices(slices: EndpointSlice[], role: string, max = 2): ExecTarget[] {
  const out: ExecTarget[] = [];
  for (const s of slices) {
    for (const e of s.endpoints ?? []) {
      const ref = e.targetRef;
      if (ref?.kind !== 'Pod' || !ref.name || e.conditions?.ready === false) continue;
      const namespace = ref.namespace ?? s.metadata.namespace ?? 'default';
      if (!out.some((t) => t.pod === ref.name && t.namespace === namespace)) out.push({ namespace, pod: ref.name, role });
    }
  }
  return out.slice(0, max);
}

const MARK = '__NETDIAG_HTTP__';

/** The GET, by the tool the container has: argv, and how to read what it printed. */
export function httpGetCommand(tool: string, url: string, timeoutS: number): string[] {
  switch (tool) {
    case 'python3':
      return [
        'python3',
        '-c',
        [
          'import sys, json, socket, urllib.request, urllib.error',
          'u, t = sys.argv[1], float(sys.argv[2])',
          'class N(urllib.request.HTTPRedirectHandler):',
          '    def redirect_request(self, *a, **k): return None',
          'o = urllib.request.build_opener(N)',
          'try:',
          '    r = o.open(u, timeout=t); print(json.dumps({"status": r.status, "body": r.read(300).decode("utf-8", "replace")}))',
          'except urllib.error.HTTPError as e:',
          '    print(json.dumps({"status": e.code, "body": e.read(300).decode("utf-8", "replace")}))',
          'except Exception as e:',
          '    r = getattr(e, "reason", e); s = str(r)',
          '    k = "timeout" if isinstance(r, socket.timeout) or "timed out" in s else "refused" if "refused" in s else "dns" if isinstance(r, socket.gaierror) else "reset" if "reset" in s else "other"',
          '    print(json.dumps({"errorKind": k, "error": s}))',
        ].join('\n'),
        url,
        String(timeoutS),
      ];
    case 'curl':
      // curl expands the \n in -w itself
      return ['curl', '-sS', '-m', String(timeoutS), '-o', '-', '-w', `\\n${MARK}%{http_code}`, url];
    default: {
      // -S prints the status line on stderr, even for a 404. GNU wget: -nv, not -q, which would
      // also silence "failed: Connection refused."; busybox wget prints its errors with -q and
      // has neither -nv nor -t.
      if (tool === 'busybox') return ['busybox', 'wget', '-q', '-S', '-T', String(timeoutS), '-O', '-', url];
      return ['wget', '-nv', '-S', '-T', String(timeoutS), '-t', '1', '-O', '-', url];
    }
  }
}

const CURL_EXIT: Record<number, string> = { 6: 'dns', 7: 'refused', 28: 'timeout', 52: 'reset', 56: 'reset' };

/** What the GET's output says: an HTTP status and body, or a network error. */
export function parseHttpGet(tool: string, r: Pick<ExecResult, 'stdout' | 'stderr' | 'exitCode'>): Pick<ExecHttpResult, 'ok' | 'status' | 'body' | 'errorKind' | 'error'> {
  if (tool === 'python3') {
    try {
      const j = JSON.parse(r.stdout.trim().split('\n').pop() ?? '') as { status?: number; body?: string; errorKind?: string; error?: string };
      if (j.status) return { ok: j.status < 500, status: j.status, body: j.body ?? '' };
      return { ok: false, errorKind: j.errorKind ?? 'other', error: j.error ?? 'request failed' };
    } catch {
      return { ok: false, errorKind: 'other', error: (r.stderr || r.stdout).trim().slice(0, 200) || 'python3 printed nothing' };
    }
  }
  if (tool === 'curl') {
    const at = r.stdout.lastIndexOf(`\n${MARK}`);
    const code = at >= 0 ? Number(r.stdout.slice(at + MARK.length + 1).trim()) : 0;
    if (code > 0) return { ok: code < 500, status: code, body: r.stdout.slice(0, at).slice(0, 300) };
    const kind = CURL_EXIT[r.exitCode ?? -1] ?? 'other';
    return { ok: false, errorKind: kind, error: r.stderr.trim().replace(/^curl: \(\d+\)\s*/, '') || `curl exited ${r.exitCode}` };
  }
  const status = [...r.stderr.matchAll(/HTTP\/\d(?:\.\d)?\s+(\d{3})/g)].pop()?.[1];
  if (status) return { ok: Number(status) < 500, status: Number(status), body: r.stdout.slice(0, 300) };
  const e = r.stderr.trim();
  const kind = /timed out/i.test(e) ? 'timeout' : /refused/i.test(e) ? 'refused' : /resolve|bad address/i.test(e) ? 'dns' : /reset/i.test(e) ? 'reset' : 'other';
  return { ok: false, errorKind: kind, error: e.split('\n').pop() || `wget exited ${r.exitCode}` };
}

function shellQuote(a: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

/** GET the URL from inside the pod with the first tool it has (python3, curl, wget, busybox wget). */
export async function httpGetInPod(api: KubeClient, t: ExecTarget, url: string, timeoutMs: number, kubectl: (args: string) => string): Promise<ExecHttpResult> {
  const start = Date.now();
  const tools = await detectTools(api, t.namespace, t.pod, undefined, timeoutMs);
  if (tools.forbidden) return { ran: false, ok: false, forbidden: true, unusable: `exec forbidden: needs the RBAC permission to create pods/exec in namespace ${t.namespace}`, durationMs: Date.now() - start };
  if (!tools.exec.ok && tools.tools.length === 0) {
    return { ran: false, ok: false, unusable: `exec failed: ${tools.exec.message ?? tools.exec.error ?? `HTTP ${tools.exec.httpStatus}`}`, durationMs: Date.now() - start };
  }
  const tool = ['python3', 'curl', 'wget', 'busybox'].find((x) => tools.tools.includes(x));
  if (!tool) return { ran: false, ok: false, unusable: 'the container has no curl, wget or python3', durationMs: Date.now() - start };
  const timeoutS = Math.max(1, Math.round(timeoutMs / 1000));
  const command = httpGetCommand(tool, url, timeoutS);
  const r = await execInPod(api, { namespace: t.namespace, pod: t.pod, command, timeoutMs: timeoutMs + 2000 });
  // what a user can paste: the same request, without the parts only this program reads
  const shown =
    tool === 'python3'
      ? ['python3', '-c', `import urllib.request as u; r = u.urlopen(${JSON.stringify(url)}, timeout=${timeoutS}); print(r.status, r.read(300))`]
      : tool === 'curl'
        ? ['curl', '-sS', '-m', String(timeoutS), '-w', '\\n%{http_code}\\n', url]
        : command;
  const typed = kubectl(`exec -n ${t.namespace} ${t.pod} -- ${shown.map(shellQuote).join(' ')}`);
  if (!r.ok && r.exitCode === undefined) {
    return { ran: false, ok: false, tool, command: typed, unusable: `exec failed: ${r.message ?? r.error ?? (r.timedOut ? 'timed out' : 'no answer')}`, durationMs: Date.now() - start };
  }
  return { ran: true, tool, command: typed, ...parseHttpGet(tool, r), durationMs: Date.now() - start };
}
