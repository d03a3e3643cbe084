// kubectl netdiag cert HOST[:PORT]: the certificate a host serves; no cluster needed.
//
// Start-up matters here: the diagnosis starts its own handshake before the report code loads, and
// loads no cluster code when no kubeconfig resolves (../../checks/cert/prepare.ts).
import { resolve } from 'node:path';
import { prepareCert } from '../../checks/cert/prepare.ts';
import type { HostClusterOptions } from '../../checks/served-host/cluster-context.ts';
import { splitHostPort } from '../../net/ip.ts';
import type { CommandContext } from '../report-command.ts';
import { kubeconfigOptions } from '../kubeconfig-flags.ts';
import { EXIT, type CliIO, type CommonFlags } from '../io.ts';

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


/** The options of `cert` and `ingress` (the same flags). */
export function options(cc: CommandContext): HostClusterOptions | { error: string } {
  const t = parseTarget(String(cc.flags.host ?? ''));
  if ('error' in t) return t;
  const sni = typeof cc.flags.sni === 'string' && cc.flags.sni !== '' ? cc.flags.sni : undefined;
  const ca = typeof cc.flags['ca-file'] === 'string' && cc.flags['ca-file'] !== '' ? resolve(cc.io.cwd, cc.flags['ca-file'] as string) : undefined;
  return {
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
  const o = options(cc);
  if ('error' in o) {
    cc.io.stderr.write(`error: ${o.error}\n`);
    return EXIT.usage;
  }
  return prepareCert(o, async (def) => (await import('../report-command.ts')).runReportCommand(def, o, cc));
}
