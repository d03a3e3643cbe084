// kubectl netdiag cert HOST[:PORT]: the certificate a host serves; no cluster needed.
//
// Start-up matters here (budget: openssl s_client's wall time × 1.3). Without a kubeconfig the
// handshake starts as soon as the TLS code is loaded, and the report code loads while its name
// lookup and connect are under way; the cluster half (kubeconfig parsing, the API client, the
// ingress and cert-manager checks) is imported only when a kubeconfig may resolve.
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CertContext } from '../../checks/served-host/context.ts';
import type { IngressOptions } from '../../checks/served-host/cluster-context.ts';
import type { KubeconfigOptions } from '../../kube/kubeconfig.ts';
import { splitHostPort } from '../../net/ip.ts';
import type { CommandContext } from '../report-command.ts';
import { kubeconfigOptions } from '../kubeconfig-flags.ts';
import { EXIT, type CliIO, type CommonFlags } from '../main.ts';

/** "host", "host:port", "[v6]:port", "v6", or a URL; the port defaults to 443. */
export function parseTarget(raw: string): { host: string; port: number } | { error: string } {
  let s = raw.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(s)) {
    try {
      const u = new URL(s);
      const host = u.hostname.replace(/^\[(.*)\]$/, '$1');
      return { host, port: u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443 };
    } catch {
      return { error: `invalid URL ${JSON.stringify(raw)}` };
    }
  }
  s = s.replace(/\/.*$/, '');
  const hp = splitHostPort(s);
  if (hp && /^\d+$/.test(hp.port)) {
    const port = Number(hp.port);
    if (port < 1 || port > 65535) return { error: `invalid port ${hp.port} in ${JSON.stringify(raw)}` };
    return { host: hp.host, port };
  }
  if (hp && !s.includes('::')) return { error: `invalid port ${JSON.stringify(hp.port)} in ${JSON.stringify(raw)}` };
  const host = s.replace(/^\[(.*)\]$/, '$1');
  if (!host) return { error: 'a host is required' };
  return { host, port: 443 };
}


/**
 * True when no kubeconfig can resolve, decided without loading one: no connection flag that names
 * a file, server, context, cluster or user; no in-cluster service account environment; and every
 * file kubectl would read (KUBECONFIG's list, else ~/.kube/config) is absent. loadKubeconfig() then
 * yields kubectl's localhost:8080 fallback, i.e. no cluster. Anything else takes the full path.
 */
export function noKubeconfig(k: KubeconfigOptions): boolean {
  if (k.kubeconfig || k.server || k.context || k.cluster || k.user) return false;
  if (k.env.KUBERNETES_SERVICE_HOST || k.env.KUBERNETES_SERVICE_PORT) return false;
  const list = k.env.KUBECONFIG ? k.env.KUBECONFIG.split(':').filter((p) => p !== '') : [join(k.homeDir, '.kube', 'config')];
  for (const p of list) {
    try {
      statSync(resolve(p));
      return false;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
  }
  return true;
}

export function options(cc: CommandContext, command: 'cert' | 'ingress'): IngressOptions | { error: string } {
  const t = parseTarget(String(cc.flags.host ?? ''));
  if ('error' in t) return t;
  const sni = typeof cc.flags.sni === 'string' && cc.flags.sni !== '' ? cc.flags.sni : undefined;
  const ca = typeof cc.flags['ca-file'] === 'string' && cc.flags['ca-file'] !== '' ? resolve(cc.io.cwd, cc.flags['ca-file'] as string) : undefined;
  return {
    command,
    host: t.host,
    port: t.port,
    ...(sni ? { sni } : {}),
    ...(ca ? { caFile: ca } : {}),
    kubeconfig: kubeconfigOptions(cc.flags, cc.io),
    timeoutMs: cc.timeoutMs,
    requestTimeoutMs: cc.requestTimeoutMs,
    env: cc.io.env,
    redactor: cc.redactor,
  };
}

export async function run(cc: CommandContext): Promise<number> {
  const o = options(cc, 'cert');
  if ('error' in o) {
    cc.io.stderr.write(`error: ${o.error}\n`);
    return EXIT.usage;
  }
  // without a cluster the report holds the one check that applies (like `server` without --local)
  if (noKubeconfig(o.kubeconfig)) {
    const ctx = new CertContext(o);
    ctx.tls().catch(() => {}); // cert.tls awaits this same handshake (and sees any failure)
    const [{ runReportCommand }, { certOnlyDiagnosis }] = await Promise.all([import('../report-command.ts'), import('../../checks/cert/without-cluster.ts')]);
    return runReportCommand({ ...certOnlyDiagnosis, createContext: () => ctx }, o, cc);
  }
  const [{ runReportCommand }, { certDiagnosis }, { certTlsCheck }, { loadKubeconfig }] = await Promise.all([
    import('../report-command.ts'),
    import('../../checks/ingress/index.ts'),
    import('../../checks/served-host/tls.ts'),
    import('../../kube/kubeconfig.ts'),
  ]);
  let def = certDiagnosis;
  try {
    const k = loadKubeconfig(o.kubeconfig);
    if (k.localhostFallback) def = { ...certDiagnosis, checks: [certTlsCheck] };
  } catch {
    // an unreadable kubeconfig: the cluster checks say why they do not apply
  }
  return runReportCommand(def, o, cc);
}
