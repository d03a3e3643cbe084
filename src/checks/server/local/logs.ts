// server.local.logs: TLS handshake, etcd and authentication errors in the API server's log on this
// node (static-pod logs, /var/log/k3s.log, journald units).
import type { CheckDefinition, FindingInput } from '../../../engine/definitions.ts';
import { rootNote, type ServerContext } from '../context.ts';
import { explainTlsReason, summariseApiServerLog } from '../parse.ts';
import { local } from '../requirements.ts';

const JOURNAL_UNITS = ['kube-apiserver', 'k3s', 'rke2-server'];

export const logsCheck: CheckDefinition<ServerContext> = {
  id: 'server.local.logs',
  title: 'API server logs (this node)',
  appliesWhen: [local],
  codes: ['server.local.logs.tls-handshake-errors', 'server.local.logs.etcd-errors', 'server.local.logs.auth-errors', 'server.local.logs.unreadable'],
  timeoutMs: (ctx) => ctx.timeoutMs + 2000,
  async run(ctx) {
    const texts: { source: string; text: string }[] = [];
    const problems: string[] = [];
    // the static pod's container log (kubeadm, rke2): /var/log/pods/kube-system_kube-apiserver-*/kube-apiserver/*.log
    for (const dir of ctx.list('/var/log/pods').filter((d) => d.startsWith('kube-system_kube-apiserver-'))) {
      const files = ctx.list(`/var/log/pods/${dir}/kube-apiserver`).filter((f) => /\.log(\.\d+)?$/.test(f));
      for (const f of files.slice(-2)) {
        const r = ctx.read(`/var/log/pods/${dir}/kube-apiserver/${f}`);
        if (r.ok) texts.push({ source: r.path, text: r.text });
        else problems.push(r.error);
      }
    }
    // k3s under openrc logs to a file
    const k3sLog = ctx.read('/var/log/k3s.log');
    if (k3sLog.ok) texts.push({ source: k3sLog.path, text: k3sLog.text });
    // journald units (binary installs, k3s, rke2)
    const journals = await Promise.all(JOURNAL_UNITS.map((u) => ctx.tool('journalctl', ['-u', u, '-n', '5000', '--no-pager', '-o', 'short-iso'], `journal-${u}.txt`)));
    for (const j of journals) {
      if (j.ok && /\S/.test(j.stdout) && !/^-- No entries --\s*$/m.test(j.stdout.trim())) texts.push({ source: j.command, text: j.stdout });
      else if (!j.ok && !j.absent) problems.push(`${j.command}: ${j.error}`);
    }
    const evidenceBase = { sources: texts.map((t) => t.source), problems };
    const reproduce = [
      'journalctl -u k3s -n 5000 --no-pager | grep -E "TLS handshake error|etcd|Unable to authenticate"',
      'grep -hE "TLS handshake error|etcd|Unable to authenticate" /var/log/pods/kube-system_kube-apiserver-*/kube-apiserver/*.log | tail -50',
    ];
    if (texts.length === 0) {
      const needsRoot = !ctx.isRoot && !ctx.fixtureMode;
      return {
        skip: !problems.length,
        summary: rootNote(ctx, 'no API server log found (no static-pod log under /var/log/pods, no kube-apiserver/k3s/rke2-server journal)'),
        findings: problems.length ? [{ code: 'server.local.logs.unreadable', message: `The API server logs could not be read: ${problems.join('; ')}${needsRoot ? ' (reading them needs root or the systemd-journal group)' : ''}.` }] : [],
        evidence: evidenceBase,
        reproduce,
      };
    }
    const s = summariseApiServerLog(texts.map((t) => t.text).join('\n'));
    const findings: FindingInput[] = [];
    if (s.tlsErrors.length) {
      const total = s.tlsErrors.reduce((n, e) => n + e.count, 0);
      const byReason = new Map<string, { count: number; remotes: Set<string> }>();
      for (const e of s.tlsErrors) {
        const r = byReason.get(e.reason) ?? { count: 0, remotes: new Set<string>() };
        r.count += e.count;
        r.remotes.add(e.remote);
        byReason.set(e.reason, r);
      }
      const parts = [...byReason.entries()].sort((a, b) => b[1].count - a[1].count).map(([reason, r]) => `"${reason}" ×${r.count} from ${[...r.remotes].slice(0, 5).join(', ')}${r.remotes.size > 5 ? ` and ${r.remotes.size - 5} more` : ''}: ${explainTlsReason(reason)}`);
      findings.push({
        code: 'server.local.logs.tls-handshake-errors',
        message: `${total} client TLS handshake error${total === 1 ? '' : 's'} in the API server log: ${parts.join('; ')}.`,
      });
    }
    if (s.etcdErrors.length) {
      const total = s.etcdErrors.reduce((n, e) => n + e.count, 0);
      findings.push({
        code: 'server.local.logs.etcd-errors',
        message: `${total} etcd error${total === 1 ? '' : 's'} in the API server log: ${s.etcdErrors.slice(0, 4).map((e) => `"${e.message}" ×${e.count}`).join('; ')}. Last: ${s.etcdErrors[0]!.last}`,
      });
    }
    if (s.authErrors.length) {
      const total = s.authErrors.reduce((n, e) => n + e.count, 0);
      findings.push({
        code: 'server.local.logs.auth-errors',
        message: `${total} authentication failure${total === 1 ? '' : 's'} ("Unable to authenticate the request") in the API server log: ${s.authErrors.slice(0, 4).map((e) => `"${e.reason}" ×${e.count}`).join('; ')}.`,
      });
    }
    const n = (k: number, what: string) => `${k} ${what}${k === 1 ? '' : 's'}`;
    const summary = `${s.lines} log lines from ${texts.length} source${texts.length === 1 ? '' : 's'}: ${n(s.tlsErrors.reduce((x, e) => x + e.count, 0), 'TLS handshake error')}, ${n(s.etcdErrors.reduce((x, e) => x + e.count, 0), 'etcd error')}, ${n(s.authErrors.reduce((x, e) => x + e.count, 0), 'authentication error')}`;
    return { summary, findings, evidence: { ...evidenceBase, lines: s.lines, tlsErrors: s.tlsErrors, etcdErrors: s.etcdErrors, authErrors: s.authErrors }, reproduce };
  },
};
