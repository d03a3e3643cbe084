// server.version: the server's version against the kubectl on PATH (supported skew: one minor).
import { execFile } from 'node:child_process';
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import { answerText } from './api-answer.ts';
import type { ServerContext } from './context.ts';
import { cluster } from './requirements.ts';

export interface ClientVersion {
  present: boolean;
  gitVersion?: string;
  error?: string;
  path?: string;
}

/** `kubectl version --client -o json`, from PATH, bounded by the deadline. */
export function kubectlClientVersion(ctx: ServerContext): Promise<ClientVersion> {
  return ctx.once('kubectl-client', () => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(ctx.options.env)) if (v !== undefined) env[k] = v;
    return new Promise<ClientVersion>((resolve) => {
      execFile('kubectl', ['version', '--client', '-o', 'json'], { timeout: ctx.timeoutMs, env, maxBuffer: 1024 * 1024 }, (err, stdout) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ present: false });
        let cv: { gitVersion?: string } | undefined;
        try {
          cv = (JSON.parse(String(stdout)) as { clientVersion?: { gitVersion?: string } } | null)?.clientVersion;
        } catch {
          cv = undefined;
        }
        if (cv?.gitVersion) return resolve({ present: true, gitVersion: cv.gitVersion });
        const e = err as (Error & { killed?: boolean }) | null;
        resolve({ present: true, error: e?.killed ? `kubectl version --client did not answer within ${ctx.timeoutMs} ms` : (e?.message ?? 'no clientVersion in its output') });
      });
    });
  });
}

export function minorOf(v: string | undefined): { major: number; minor: number } | undefined {
  const m = /^v?(\d+)\.(\d+)/.exec(v ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

export const versionCheck: CheckDefinition<ServerContext> = {
  id: 'server.version',
  title: 'Version skew (server vs kubectl)',
  requires: ['server.connection'],
  appliesWhen: [cluster],
  codes: ['server.version.skew', 'server.version.no-kubectl', 'server.version.unknown'],
  timeoutMs: (ctx) => ctx.timeoutMs * 3 + ctx.options.requestTimeoutMs + 1000,
  async run(ctx) {
    const reproduce = [`kubectl version -o json${ctx.contextArgs}`];
    const [v, client] = await Promise.all([ctx.serverVersion(), kubectlClientVersion(ctx)]);
    const server = v.ok && typeof v.body.gitVersion === 'string' ? v.body.gitVersion : undefined;
    const evidence = { server: server ?? null, kubectl: client };
    if (!server) {
      return { summary: 'the server version is not known', findings: [{ code: 'server.version.unknown', message: `GET /version did not return a version (${answerText(v)}).` }], evidence, reproduce };
    }
    if (!client.present) {
      return {
        summary: `server ${server}; kubectl is not on PATH, so there is no client to compare`,
        findings: [{ code: 'server.version.no-kubectl', message: `kubectl is not on PATH here: the server runs ${server}; install a kubectl within one minor version of it.` }],
        evidence,
        reproduce,
      };
    }
    if (!client.gitVersion) {
      return { summary: `server ${server}; kubectl's version is unknown: ${client.error}`, findings: [{ code: 'server.version.unknown', message: `\`kubectl version --client -o json\` failed: ${client.error}.` }], evidence, reproduce };
    }
    const s = minorOf(server);
    const c = minorOf(client.gitVersion);
    const findings: FindingInput[] = [];
    let skewText = '';
    if (s && c && s.major === c.major) {
      const d = c.minor - s.minor;
      skewText = d === 0 ? 'same minor version' : `kubectl is ${Math.abs(d)} minor version${Math.abs(d) > 1 ? 's' : ''} ${d > 0 ? 'newer' : 'older'}`;
      if (Math.abs(d) > 1) {
        findings.push({
          code: 'server.version.skew',
          message: `kubectl ${client.gitVersion} is ${Math.abs(d)} minor versions ${d > 0 ? 'newer' : 'older'} than the server ${server}; kubectl is supported within one minor version (older or newer) of kube-apiserver, and kubectl itself warns: "WARNING: version difference between client (${c.major}.${c.minor}) and server (${s.major}.${s.minor}) exceeds the supported minor version skew of +/-1".`,
          remediation: [`Install kubectl v${s.major}.${s.minor}.x (or v${s.major}.${s.minor + 1}.x / v${s.major}.${s.minor - 1}.x): https://dl.k8s.io/release/v${s.major}.${s.minor}.0/bin/linux/amd64/kubectl`],
        });
      }
    }
    return { summary: `server ${server}, kubectl ${client.gitVersion}${skewText ? `: ${skewText}` : ''}`, findings, evidence, reproduce };
  },
};
