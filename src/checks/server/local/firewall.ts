// server.local.firewall: iptables, nftables and ufw rules on the API port on this node.
import type { CheckDefinition, FindingInput } from '../../../engine/definitions.ts';
import { rootNote, type ServerContext } from '../context.ts';
import { judgeFirewall, parseIptablesSave, parseNftRuleset, parseUfwStatus, type FirewallParse, type FirewallRule } from '../parse.ts';
import { local } from '../requirements.ts';
import { apiPort } from './config.ts';

function ruleText(r: FirewallRule): string {
  return r.tool === 'ufw' ? `ufw rule ${r.position} ("${r.text}")` : `${r.tool} ${r.chain} rule ${r.position} ("${r.text}")`;
}

export const firewallCheck: CheckDefinition<ServerContext> = {
  id: 'server.local.firewall',
  title: 'Firewall rules on the API port (this node)',
  appliesWhen: [local],
  codes: ['server.local.firewall.drop-before-accept', 'server.local.firewall.blocked', 'server.local.firewall.policy-drop', 'server.local.firewall.unreadable'],
  timeoutMs: (ctx) => ctx.timeoutMs + 2000,
  async run(ctx) {
    const port = apiPort(ctx);
    const [ipt, nft, ufw] = await Promise.all([
      ctx.tool('iptables-save', [], 'iptables-save.txt', { needsRoot: true }),
      ctx.tool('nft', ['list', 'ruleset'], 'nft-ruleset.txt', { needsRoot: true }),
      ctx.tool('ufw', ['status'], 'ufw-status.txt', { needsRoot: true }),
    ]);
    const parsed: FirewallParse[] = [];
    const read: string[] = [];
    const unreadable: string[] = [];
    const sourcesOk: Record<string, string> = {};
    for (const [r, parse, name] of [
      [ipt, parseIptablesSave, 'iptables-save'],
      [nft, parseNftRuleset, 'nft list ruleset'],
      [ufw, parseUfwStatus, 'ufw status'],
    ] as const) {
      if (r.ok) {
        const p = parse(r.stdout, port);
        if (name === 'ufw status' && p.active === false) {
          sourcesOk[name] = 'inactive';
          continue;
        }
        parsed.push(p);
        read.push(r.command);
        sourcesOk[name] = `${p.rules.length} rule${p.rules.length === 1 ? '' : 's'} on port ${port}`;
      } else if (!r.absent) {
        unreadable.push(`${name}: ${r.error}${r.needsRoot && !ctx.isRoot ? ' (needs root)' : ''}`);
      } else {
        sourcesOk[name] = ctx.fixtureMode ? 'no fixture' : 'not installed';
      }
    }
    const rules = parsed.flatMap((p) => p.rules);
    const policies = parsed.flatMap((p) => p.policies);
    const verdict = judgeFirewall({ rules, policies });
    const evidence = { port, sources: sourcesOk, rules: rules.map(ruleText), inputPolicies: policies.filter((p) => p.input), unreadable };
    const reproduce = [`iptables-save | grep -nE -- '--dports? [^ ]*${port}|^:INPUT'`, `nft list ruleset | grep -n 'dport'`, 'ufw status numbered'];
    const findings: FindingInput[] = [];
    for (const s of verdict.shadowing) {
      findings.push({
        code: 'server.local.firewall.drop-before-accept',
        severity: s.block.source ? 'warn' : 'fail',
        message: `A ${s.block.verdict.toUpperCase()} rule on port ${port} comes before the ACCEPT for it, so the ACCEPT is never reached${s.block.source ? ` for ${s.block.source}` : ''}: ${ruleText(s.block)} is evaluated before ${ruleText(s.accept)}. Clients see ${s.block.verdict === 'reject' ? '"connection refused"' : 'a connect timeout'}.`,
      });
    }
    for (const b of verdict.blocking) {
      findings.push({
        code: 'server.local.firewall.blocked',
        severity: b.source ? 'warn' : 'fail',
        message: `${ruleText(b)} ${b.verdict === 'reject' ? 'rejects' : 'drops'} port ${port}${b.source ? ` from ${b.source}` : ''} and no rule accepts it.`,
      });
    }
    for (const p of verdict.policyDrops) {
      findings.push({
        code: 'server.local.firewall.policy-drop',
        message: `The ${p.tool} chain ${p.chain} drops by default (policy ${p.policy}) and no rule in it accepts port ${port} (rules in chains it jumps to are not followed: check them).`,
      });
    }
    if (unreadable.length && parsed.length === 0) {
      findings.push({ code: 'server.local.firewall.unreadable', message: `No firewall ruleset could be read: ${unreadable.join('; ')}.` });
    }
    const summary =
      parsed.length === 0
        ? rootNote(ctx, `no firewall ruleset read (${Object.entries(sourcesOk).map(([k, v]) => `${k}: ${v}`).concat(unreadable).join('; ')})`)
        : findings.length === 0
          ? `no rule drops port ${port} (${Object.entries(sourcesOk).map(([k, v]) => `${k}: ${v}`).join('; ')})`
          : [
              verdict.shadowing.length ? `${verdict.shadowing.length} DROP/REJECT rule${verdict.shadowing.length === 1 ? '' : 's'} on port ${port} before its ACCEPT` : '',
              verdict.blocking.length ? `${verdict.blocking.length} DROP/REJECT rule${verdict.blocking.length === 1 ? '' : 's'} on port ${port} with no ACCEPT` : '',
              verdict.policyDrops.length ? `input policy drop without an ACCEPT for ${port}` : '',
            ]
              .filter(Boolean)
              .join('; ');
    return { summary, findings, evidence, reproduce };
  },
};
