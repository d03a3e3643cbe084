// From the server checks' findings to one root-cause paragraph and ordered remediation.
import type { CheckResult, Diagnosis, Finding } from '../../report/types.ts';
import { worstStatus } from '../../report/types.ts';
import type { ServerContext } from './context.ts';

/** The order in which causes are told: what breaks everything first. */
const PRIORITY = [
  'server.connection',
  'server.local.listen',
  'server.local.firewall',
  'server.health',
  'server.apiservices',
  'server.endpoints',
  'server.certs',
  'server.local.pki',
  'server.local.logs',
  'server.version',
];

function rank(id: string): number {
  const i = PRIORITY.indexOf(id);
  return i < 0 ? PRIORITY.length : i;
}

export function diagnoseServer(results: CheckResult[], ctx: ServerContext): Diagnosis {
  const worst = worstStatus(results.map((r) => r.status));
  const status = worst === 'skip' ? 'pass' : worst;
  const ordered = [...results].sort((a, b) => rank(a.id) - rank(b.id));
  const pick = (sev: Finding['severity']) => ordered.flatMap((r) => r.findings.filter((f) => f.severity === sev).map((f) => ({ check: r.id, f })));
  const fails = pick('fail');
  const warns = pick('warn');
  const where = ctx.hasCluster ? `The API server ${ctx.api.config.cluster.server}` : 'The API server on this node';
  const remediation: string[] = [];
  for (const { f } of [...fails, ...warns]) for (const step of f.remediation) if (!remediation.includes(step)) remediation.push(step);
  const ran = results.filter((r) => r.status !== 'skip').map((r) => r.id);
  if (fails.length === 0 && warns.length === 0) {
    const parts: string[] = [];
    const get = (id: string) => results.find((r) => r.id === id && r.status === 'pass')?.summary;
    for (const id of ['server.apiservices', 'server.health', 'server.endpoints', 'server.certs', 'server.version', 'server.local.listen', 'server.local.firewall', 'server.local.pki']) {
      const s = get(id);
      if (s) parts.push(s);
    }
    return {
      status,
      rootCause: ran.length ? `${where} looks healthy from its own side: ${parts.join('; ')}.` : 'Nothing could be checked: no kubeconfig and no --local input.',
      remediation,
    };
  }
  // the client side failed before the server could be asked: say so, and blame this client
  const conn = results.find((r) => r.id === 'server.connection' && r.status === 'fail')?.findings.find((f) => f.severity === 'fail');
  if (conn) {
    const server = ctx.hasCluster ? ctx.api.config.cluster.server : 'the API server';
    const head: Record<string, string> = {
      'server.connection.untrusted': `The problem is on this client's side, not the server's: the CA in this kubeconfig does not verify the certificate ${server} presents, so no credential was sent and the server's own side could not be examined (every other check needs a verified connection).`,
      'server.connection.failed': `This machine cannot reach ${server}, so the server's own side could not be examined from here.`,
      'server.connection.mtu-blackhole': `This machine cannot complete the TLS handshake with ${server} (a path-MTU black hole: the network path, not the server, loses large packets), so the server's own side could not be examined from here.`,
      'server.connection.no-answer': `${server} accepts TCP from this machine but never answers, so the server's own side could not be examined from here.`,
      'server.connection.slow-handshake': `The TLS handshake with ${server} completes, but only after the deadline, so the server's own side could not be examined from here.`,
      'server.connection.kubeconfig': 'No usable kubeconfig on this machine, so the API server could not be examined remotely.',
      'server.connection.credentials': `The problem is on this client's side, not the server's: kubectl runs the exec credential plugin before it connects, and the plugin fails, so every kubectl command fails and the server's own side could not be examined with this user.`,
    };
    const local = fails.filter(({ check }) => check !== 'server.connection').map(({ f }) => f.message);
    // a failing plugin and a failing connection: both, the plugin first (what kubectl says)
    const alsoConnection =
      conn.code === 'server.connection.credentials'
        ? fails.filter(({ check, f }) => check === 'server.connection' && f !== conn).map(({ f }) => `The connection fails too: ${f.message}`)
        : [];
    return { status, rootCause: [head[conn.code] ?? conn.message, conn.code in head ? conn.message : '', ...alsoConnection, ...local].filter(Boolean).join(' '), remediation };
  }
  const lead = fails.length
    ? `${where} has ${fails.length} problem${fails.length === 1 ? '' : 's'} on its own side`
    : `${where} works, with ${warns.length} warning${warns.length === 1 ? '' : 's'}`;
  // one account per check: its only finding, or its summary plus what the first finding adds
  const chosen = fails.length ? fails : warns;
  const byCheck = new Map<string, Finding[]>();
  for (const { check, f } of chosen) byCheck.set(check, [...(byCheck.get(check) ?? []), f]);
  const told: string[] = [];
  for (const [id, fs] of byCheck) {
    if (fs.length === 1) told.push(fs[0]!.message);
    else {
      const summary = results.find((r) => r.id === id)?.summary ?? id;
      const m = /(kubectl commands still work[^;]*);|(Clients see[^.]*\.)/.exec(fs[0]!.message);
      const extra = m?.[1] ? `${m[1]}.` : m?.[2];
      told.push(`${summary.charAt(0).toUpperCase()}${summary.slice(1)}.${extra ? ` ${extra}` : ''}`);
    }
  }
  const more = 0;
  const tail = fails.length && warns.length ? ` Also ${warns.length} warning${warns.length === 1 ? '' : 's'}: ${[...new Set(warns.map(({ f }) => f.code))].join(', ')}.` : '';
  return { status, rootCause: `${lead}. ${told.join(' ')}${more > 0 ? ` (${more} more in the checks above.)` : ''}${tail}`, remediation };
}
