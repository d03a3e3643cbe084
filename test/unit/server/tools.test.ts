// --local without --root: the firewall and journal tools are run (fakes on PATH here), each with
// the --timeout deadline; a part that needs root says so.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { firewallCheck } from '../../../src/checks/server/local/firewall.ts';
import { logsCheck } from '../../../src/checks/server/local/logs.ts';
import { ServerContext } from '../../../src/checks/server/context.ts';
import { runChecks } from '../../../src/engine/runner.ts';
import { Redactor } from '../../../src/report/redact.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function bin(scripts: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'netdiag-tools-'));
  dirs.push(dir);
  for (const [name, body] of Object.entries(scripts)) {
    writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

function ctx(path: string, uid: number, timeoutMs = 2000): ServerContext {
  const home = mkdtempSync(join(tmpdir(), 'netdiag-home-'));
  dirs.push(home);
  return new ServerContext({
    kubeconfig: { env: { KUBECONFIG: join(home, 'none') }, homeDir: home, inClusterRoot: home },
    timeoutMs,
    requestTimeoutMs: timeoutMs,
    env: { PATH: `${path}:/bin` },
    redactor: new Redactor(),
    local: true,
    uid,
  });
}

describe('--local runs the tools', () => {
  it('reads iptables-save and nft output from the commands themselves', async () => {
    const path = bin({
      'iptables-save': "printf '*filter\\n:INPUT ACCEPT [0:0]\\n-A INPUT -p tcp --dport 6443 -j REJECT\\n-A INPUT -p tcp --dport 6443 -j ACCEPT\\nCOMMIT\\n'",
      nft: "echo 'table inet filter {'; echo ' chain input {'; echo '  type filter hook input priority 0; policy accept;'; echo ' }'; echo '}'",
    });
    const [fw] = await runChecks([firewallCheck], ctx(path, 0), { defaultTimeoutMs: 5000 });
    expect(fw!.status).toBe('fail');
    expect(fw!.findings.map((f) => f.code)).toEqual(['server.local.firewall.drop-before-accept']);
    expect(fw!.findings[0]!.message).toMatch(/A REJECT rule on port 6443 comes before the ACCEPT.*Clients see "connection refused"/);
    expect((fw!.evidence as { sources: Record<string, string> }).sources).toEqual({ 'iptables-save': '2 rules on port 6443', 'nft list ruleset': '0 rules on port 6443', 'ufw status': 'not installed' });
  });

  it('as a normal user: says the firewall part needs root', async () => {
    const path = bin({
      'iptables-save': 'echo "iptables-save v1.8.9 (nf_tables): Could not fetch rule set generation id: Permission denied (you must be root)" >&2; exit 4',
      nft: 'echo "Operation not permitted" >&2; exit 1',
    });
    const [fw] = await runChecks([firewallCheck], ctx(path, 1000), { defaultTimeoutMs: 5000 });
    expect(fw!.status).toBe('warn');
    expect(fw!.findings.map((f) => f.code)).toEqual(['server.local.firewall.unreadable']);
    expect(fw!.findings[0]!.message).toMatch(/iptables-save: .*Permission denied.* \(needs root\); nft list ruleset: Operation not permitted \(needs root\)/);
    expect(fw!.summary).toMatch(/this part needs root: rerun with sudo/);
  });

  it('a tool that hangs is cut at the deadline', async () => {
    const path = bin({ 'iptables-save': 'sleep 10', nft: 'sleep 10' });
    const started = Date.now();
    const [fw] = await runChecks([firewallCheck], ctx(path, 0, 400), { defaultTimeoutMs: 5000 });
    expect(Date.now() - started).toBeLessThan(4000);
    expect((fw!.evidence as { unreadable: string[] }).unreadable[0]).toMatch(/iptables-save did not finish within 400 ms/);
  });

  it('reads the k3s journal through journalctl; "-- No entries --" is no log', async () => {
    const path = bin({
      journalctl: `case "$2" in k3s) echo '2026-11-22T08:00:12+0000 n1 k3s[1]: I1122 08:00:12.4 1 log.go:245] http: TLS handshake error from 10.1.2.3:41200: remote error: tls: bad certificate';; *) echo '-- No entries --';; esac`,
    });
    const [logs] = await runChecks([logsCheck], ctx(path, 0), { defaultTimeoutMs: 5000 });
    expect(logs!.findings.map((f) => f.code)).toEqual(['server.local.logs.tls-handshake-errors']);
    expect(logs!.findings[0]!.message).toMatch(/"remote error: tls: bad certificate" ×1 from 10\.1\.2\.3/);
    expect(logs!.evidence!.sources).toEqual(['journalctl -u k3s -n 5000 --no-pager -o short-iso']);
  });
});
