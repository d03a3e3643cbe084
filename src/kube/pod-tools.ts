// Which tools a container has, asked over pods/exec: what every in-pod probe (egress's connect
// probe, ingress's inside HTTP-01 request) chooses its commands by. Read-only: `command -v` in sh,
// else a bare python3.
import type { KubeClient } from './client.ts';
import { execInPod, type ExecResult } from './exec.ts';

export const PROBE_TOOLS = ['python3', 'sh', 'bash', 'nc', 'busybox', 'wget', 'curl', 'getent', 'sleep', 'ping'] as const;

export interface ToolsResult {
  /** exec works at all */
  exec: ExecResult;
  tools: string[];
  /** exec refused by RBAC */
  forbidden?: boolean;
}

/** Which tools the container has (sh's `command -v`, else a bare python3). */
export async function detectTools(api: KubeClient, ns: string, pod: string, container: string | undefined, timeoutMs: number): Promise<ToolsResult> {
  const list = PROBE_TOOLS.join(' ');
  const sh = await execInPod(api, {
    namespace: ns,
    pod,
    container,
    command: ['sh', '-c', `for t in ${list}; do command -v "$t" >/dev/null 2>&1 && echo "$t"; done; true`],
    timeoutMs,
  });
  if (sh.httpStatus === 403) return { exec: sh, tools: [], forbidden: true };
  if (sh.ok) {
    const tools = sh.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    if (!tools.includes('sh')) tools.push('sh');
    return { exec: sh, tools };
  }
  if (!isNotFoundExec(sh)) return { exec: sh, tools: [] };
  const py = await execInPod(api, { namespace: ns, pod, container, command: ['python3', '-c', 'print("ok")'], timeoutMs });
  if (py.ok && py.stdout.includes('ok')) return { exec: py, tools: ['python3'] };
  return { exec: sh, tools: [] };
}

export function isNotFoundExec(r: ExecResult): boolean {
  return /executable file not found|no such file or directory|not found in \$PATH/i.test(`${r.message ?? ''} ${r.stderr}`);
}
