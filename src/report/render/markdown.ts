// The markdown report reads like an incident report a person sends to a network team:
// summary, environment, the steps taken with their equivalent commands, findings, root cause, fixes.
import type { CheckResult, Report } from '../types.ts';

const TITLES: Record<string, string> = {
  api: 'this machine to the Kubernetes API server',
  server: "the Kubernetes API server's own side",
};

function esc(s: string): string {
  return s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

function code(s: string): string {
  return s.includes('`') ? `\`\` ${s} \`\`` : `\`${s}\``;
}

const ICON: Record<string, string> = { pass: '✅ pass', warn: '⚠️ warn', fail: '❌ fail', skip: '⏭️ skip', error: '💥 error' };

export function renderMarkdown(report: Report): string {
  const d = report.diagnosis;
  const t = report.target;
  const out: string[] = [];
  out.push(`# Network diagnosis: ${TITLES[report.command] ?? report.command}`);
  out.push('');
  out.push(
    `**Result: ${d.status.toUpperCase()}** · \`kubectl netdiag ${report.command}\` · ${report.startedAt} · ${report.durationMs} ms · kubectl-netdiag ${report.tool.version}`,
  );
  out.push('');
  out.push('## Summary');
  out.push('');
  out.push(verdict(report));
  out.push('');
  out.push('## Environment');
  out.push('');
  out.push('| | |');
  out.push('| --- | --- |');
  const row = (k: string, v: unknown) => {
    if (v !== undefined && v !== null && v !== '') out.push(`| ${k} | ${esc(String(v))} |`);
  };
  row('Context', t.context);
  row('Cluster', t.cluster);
  row('User', t.user);
  row('Namespace', t.namespace);
  row('Server', t.server);
  const env = report.environment as { proxy?: Record<string, string>; kubeconfig?: string[] } | undefined;
  if (env?.proxy) {
    const names = Object.keys(env.proxy);
    if (names.length === 0) row('Proxy variables', '(none set)');
    for (const n of names) row(n, code(env.proxy[n] ?? ''));
  }
  if (env?.kubeconfig?.length) row('Kubeconfig files', env.kubeconfig.join(', '));
  const host = report.environment as { host?: { name?: string; platform?: string } } | undefined;
  if (host?.host?.name) row('Diagnosed from', `${host.host.name} (${host.host.platform ?? ''})`);
  out.push('');
  out.push('## Steps');
  out.push('');
  out.push('| # | Check | Equivalent command | Result |');
  out.push('| --- | --- | --- | --- |');
  report.checks.forEach((c, i) => {
    const cmd = c.reproduce[0] ? code(c.reproduce[0]) : '';
    out.push(`| ${i + 1} | ${c.title} (\`${c.id}\`) | ${esc(cmd)} | ${ICON[c.status]}: ${esc(c.summary)} |`);
  });
  out.push('');
  const withFindings = report.checks.filter((c) => c.findings.some((f) => f.severity !== 'info') || c.status === 'fail');
  out.push('## Findings');
  out.push('');
  if (withFindings.length === 0) out.push('No check found a problem.');
  for (const c of withFindings) out.push(...findingSection(c));
  out.push('');
  out.push('## Root cause');
  out.push('');
  out.push(d.rootCause);
  out.push('');
  out.push('## Recommendations');
  out.push('');
  if (d.remediation.length === 0) out.push('Nothing to change.');
  d.remediation.forEach((r, i) => out.push(`${i + 1}. ${r}`));
  out.push('');
  const chains = report.checks.filter((c) => Array.isArray(c.evidence?.chain) && (c.evidence!.chain as unknown[]).length > 0);
  if (chains.length > 0) {
    out.push('## Certificates presented');
    out.push('');
    for (const c of chains) {
      out.push(`Seen by \`${c.id}\`${c.evidence?.via ? ` via ${esc(String(c.evidence.via))}` : ''}:`);
      out.push('');
      out.push('| # | Subject | Issuer | SANs | Valid until | SHA-256 |');
      out.push('| --- | --- | --- | --- | --- | --- |');
      (c.evidence!.chain as { subject: string; issuer: string; sans: string[]; notAfter: string; sha256: string }[]).forEach((x, i) => {
        out.push(`| ${i} | ${esc(x.subject)} | ${esc(x.issuer)} | ${esc(x.sans.join(', ') || '(none)')} | ${x.notAfter} | ${x.sha256.slice(0, 23)}… |`);
      });
      out.push('');
    }
  }
  out.push('## How to reproduce by hand');
  out.push('');
  out.push('```sh');
  for (const c of report.checks) for (const r of c.reproduce) out.push(r);
  out.push('```');
  out.push('');
  return out.join('\n');
}

/** One short paragraph: the verdict and where it breaks; the root cause follows in its own section. */
function verdict(report: Report): string {
  const failed = report.checks.filter((c) => c.status === 'fail' || c.status === 'error');
  const warned = report.checks.filter((c) => c.status === 'warn');
  const what = SUBJECT[report.command] ?? 'the connection';
  if (failed.length === 0) {
    return warned.length === 0
      ? `**${what} works.** All ${report.checks.length} checks passed or did not apply.`
      : `**${what} works, with ${warned.length} warning${warned.length > 1 ? 's' : ''}** (${warned.map((c) => `\`${c.id}\``).join(', ')}).`;
  }
  const first = failed[0]!;
  return (
    `**${what} fails.** ${failed.length} of ${report.checks.length} checks failed (${failed.map((c) => `\`${c.id}\``).join(', ')}); ` +
    `the first layer that fails is ${first.title} (\`${first.id}\`): ${first.summary}`
  );
}

const SUBJECT: Record<string, string> = { api: 'The path from this machine to the API server' };
SUBJECT.server = 'The API server side';

function findingSection(c: CheckResult): string[] {
  const out: string[] = [];
  out.push(`### ${c.title} (\`${c.id}\`): ${c.status}`);
  out.push('');
  for (const f of c.findings) {
    out.push(`- **${f.severity}** \`${f.code}\`: ${f.message}`);
    for (const r of f.remediation) out.push(`  - Fix: ${r}`);
  }
  if (c.reproduce.length) {
    out.push('');
    out.push('```sh');
    for (const r of c.reproduce) out.push(r);
    out.push('```');
  }
  out.push('');
  return out;
}
