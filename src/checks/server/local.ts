// The --local checks: run on a control-plane node, read only. Every path is read under --root
// (default /), so all of this is tested on fixtures (test/fixtures/server-local/).
import type { X509Certificate } from 'node:crypto';
import { load } from 'js-yaml';
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { certInfo, goVerifyHostname, parsePemBundle, type CertInfo } from '../../net/x509.ts';
import { rootNote, type ServerContext } from './context.ts';
import { daysLeft } from './endpoints.ts';
import {
  explainTlsReason,
  isLoopbackAddress,
  isWildcard,
  judgeFirewall,
  parseIptablesSave,
  parseManifest,
  parseNftRuleset,
  parseProcNetTcp,
  parseRancherConfig,
  parseUfwStatus,
  summariseApiServerLog,
  type ApiServerConfig,
  type FirewallParse,
  type FirewallRule,
  type Listener,
} from './parse.ts';

export const MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';
export const K3S_CONFIG = '/etc/rancher/k3s/config.yaml';
export const RKE2_CONFIG = '/etc/rancher/rke2/config.yaml';
/** rke2 runs kube-apiserver as a static pod; its flags are the truth where config.yaml is silent */
export const RKE2_MANIFEST = '/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml';

function withRke2Manifest(ctx: ServerContext, cfg: ApiServerConfig): ApiServerConfig {
  if (cfg.flavour !== 'rke2') return cfg;
  const m = ctx.read(RKE2_MANIFEST);
  if (!m.ok) return cfg;
  try {
    const pod = parseManifest(m.text, RKE2_MANIFEST);
    return {
      ...cfg,
      source: `${cfg.source} + ${RKE2_MANIFEST}`,
      bindAddress: cfg.bindAddress ?? pod.bindAddress,
      advertiseAddress: cfg.advertiseAddress ?? pod.advertiseAddress,
      port: pod.port,
      certFile: pod.certFile,
      etcdServers: pod.etcdServers,
    };
  } catch {
    return cfg;
  }
}

function notLocal(ctx: ServerContext): CheckOutcome | undefined {
  return ctx.local ? undefined : { skip: true, summary: 'not applicable: run with --local on a control-plane node' };
}

export interface ConfigFacts {
  config?: ApiServerConfig;
  /** what was tried and why it failed */
  notes: string[];
  needsRoot: boolean;
}

/** The API server's configuration on this node: kubeadm static pod, k3s or rke2. */
export function apiServerConfig(ctx: ServerContext): ConfigFacts {
  const notes: string[] = [];
  let needsRoot = false;
  const m = ctx.read(MANIFEST);
  if (m.ok) {
    try {
      return { config: parseManifest(m.text, MANIFEST), notes, needsRoot };
    } catch (e) {
      notes.push(`${MANIFEST}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
    }
  } else if (m.needsRoot) {
    needsRoot = true;
    notes.push(m.error);
  }
  for (const [path, flavour, dir] of [
    [K3S_CONFIG, 'k3s', '/var/lib/rancher/k3s/server'],
    [RKE2_CONFIG, 'rke2', '/var/lib/rancher/rke2/server'],
  ] as const) {
    const r = ctx.read(path);
    if (r.ok) {
      try {
        return { config: withRke2Manifest(ctx, parseRancherConfig(r.text, flavour, path)), notes, needsRoot };
      } catch (e) {
        notes.push(`${path}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
      }
    } else if (r.needsRoot) {
      needsRoot = true;
      notes.push(r.error);
    } else if (ctx.exists(dir)) {
      // k3s/rke2 without a config file: the defaults
      return { config: withRke2Manifest(ctx, { flavour, source: `${dir} (no ${path}: defaults)`, port: 6443, tlsSans: [] }), notes, needsRoot };
    }
  }
  if (notes.length === 0) notes.push(`neither ${MANIFEST} nor ${K3S_CONFIG} nor ${RKE2_CONFIG} exists: is this a control-plane node?`);
  return { notes, needsRoot };
}

function apiPort(ctx: ServerContext): number {
  return apiServerConfig(ctx).config?.port ?? (ctx.api.kube && ctx.api.kube.source !== 'none' ? ctx.api.port : 6443);
}

// ------------------------------------------------------------------ server.local.listen

export const listenCheck: CheckDefinition<ServerContext> = {
  id: 'server.local.listen',
  title: 'Listener on the API port (this node)',
  codes: ['server.local.listen.absent', 'server.local.listen.loopback-only', 'server.local.listen.not-advertised', 'server.local.listen.single-address', 'server.local.listen.config-unreadable'],
  async run(ctx) {
    const skip = notLocal(ctx);
    if (skip) return skip;
    const facts = apiServerConfig(ctx);
    const cfg = facts.config;
    const port = apiPort(ctx);
    const reproduce = [`ss -ltnp 'sport = :${port}'`, `grep -E -- '--(bind|advertise)-address|--secure-port' ${MANIFEST}`];
    const findings: FindingInput[] = [];
    if (!cfg) {
      findings.push({
        code: 'server.local.listen.config-unreadable',
        message: `The API server configuration could not be read: ${facts.notes.join('; ').replace(/[?.]$/, '')}${facts.needsRoot && !ctx.isRoot ? ' (reading it needs root: rerun with sudo)' : ''}. The port is assumed to be ${port}.`,
      });
    }
    const listeners: Listener[] = [];
    const sources: string[] = [];
    for (const [path, fam] of [
      ['/proc/net/tcp', 4],
      ['/proc/net/tcp6', 6],
    ] as const) {
      const r = ctx.read(path);
      if (r.ok) {
        sources.push(path);
        listeners.push(...parseProcNetTcp(r.text, fam).filter((l) => l.port === port));
      }
    }
    const addresses = [...new Set(listeners.map((l) => l.address))];
    const evidence: Record<string, unknown> = {
      port,
      listeners: addresses,
      read: sources,
      config: cfg ? { flavour: cfg.flavour, source: cfg.source, bindAddress: cfg.bindAddress ?? null, advertiseAddress: cfg.advertiseAddress ?? null, securePort: cfg.port } : null,
      notes: facts.notes,
    };
    if (sources.length === 0) {
      return { summary: 'cannot read /proc/net/tcp or /proc/net/tcp6', findings, evidence, reproduce };
    }
    const cfgText = cfg ? ` (${cfg.source}: bind-address ${cfg.bindAddress ?? 'default 0.0.0.0'}, advertise-address ${cfg.advertiseAddress ?? 'default: the first non-loopback address'})` : '';
    if (addresses.length === 0) {
      findings.push({
        code: 'server.local.listen.absent',
        message: `Nothing listens on TCP port ${port} on this node${cfgText}: the API server is not running here, or listens on another port. Clients get "connection refused".`,
        remediation: cfg?.flavour === 'kubeadm'
          ? ['Check the static pod: `crictl ps -a --name kube-apiserver` and `crictl logs $(crictl ps -a --name kube-apiserver -q | head -1)`; the kubelet log: `journalctl -u kubelet -n 200`.']
          : [`Check the service: \`systemctl status ${cfg?.flavour === 'rke2' ? 'rke2-server' : 'k3s'}\` and \`journalctl -u ${cfg?.flavour === 'rke2' ? 'rke2-server' : 'k3s'} -n 200\`.`],
      });
      return { summary: `nothing listens on port ${port}${cfgText}`, findings, evidence, reproduce };
    }
    const wildcard = addresses.some(isWildcard);
    if (!wildcard && addresses.every(isLoopbackAddress)) {
      findings.push({
        code: 'server.local.listen.loopback-only',
        message: `The API server listens on ${addresses.join(', ')} port ${port} only: loopback, unreachable from any other machine${cfgText}.`,
        remediation: [cfg?.flavour === 'kubeadm' ? `Set --bind-address to 0.0.0.0 (or the node address) in ${MANIFEST}; the kubelet restarts the pod.` : `Set bind-address in ${cfg?.source ?? K3S_CONFIG} to 0.0.0.0 (or the node address) and restart the service.`],
      });
    } else if (!wildcard) {
      const adv = cfg?.advertiseAddress;
      if (adv && !addresses.includes(adv)) {
        findings.push({
          code: 'server.local.listen.not-advertised',
          message: `The API server listens on ${addresses.join(', ')} port ${port}, but advertises ${adv} (the address in the kubernetes EndpointSlice that in-cluster clients dial)${cfgText}: connections to ${adv}:${port} are refused.`,
          remediation: [`Make --bind-address and --advertise-address agree (or bind to 0.0.0.0).`],
        });
      } else {
        findings.push({
          code: 'server.local.listen.single-address',
          message: `The API server listens on ${addresses.join(', ')} port ${port} only, not on every address of this node${cfgText}: clients that dial another address of the node are refused.`,
        });
      }
    }
    return { summary: `listening on ${addresses.map((a) => (a.includes(':') ? `[${a}]` : a)).join(', ')} port ${port}${wildcard ? ' (all addresses)' : ''}${cfgText}`, findings, evidence, reproduce };
  },
};

// ------------------------------------------------------------------ server.local.firewall

function ruleText(r: FirewallRule): string {
  return r.tool === 'ufw' ? `ufw rule ${r.position} ("${r.text}")` : `${r.tool} ${r.chain} rule ${r.position} ("${r.text}")`;
}

export const firewallCheck: CheckDefinition<ServerContext> = {
  id: 'server.local.firewall',
  title: 'Firewall rules on the API port (this node)',
  codes: ['server.local.firewall.drop-before-accept', 'server.local.firewall.blocked', 'server.local.firewall.policy-drop', 'server.local.firewall.unreadable'],
  timeoutMs: (ctx) => ctx.timeoutMs + 2000,
  async run(ctx) {
    const skip = notLocal(ctx);
    if (skip) return skip;
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

// ------------------------------------------------------------------ server.local.logs

const JOURNAL_UNITS = ['kube-apiserver', 'k3s', 'rke2-server'];

export const logsCheck: CheckDefinition<ServerContext> = {
  id: 'server.local.logs',
  title: 'API server logs (this node)',
  codes: ['server.local.logs.tls-handshake-errors', 'server.local.logs.etcd-errors', 'server.local.logs.auth-errors', 'server.local.logs.unreadable'],
  timeoutMs: (ctx) => ctx.timeoutMs + 2000,
  async run(ctx) {
    const skip = notLocal(ctx);
    if (skip) return skip;
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

// ------------------------------------------------------------------ server.local.pki

const PKI_DIRS: { dir: string; flavour: string }[] = [
  { dir: '/etc/kubernetes/pki', flavour: 'kubeadm' },
  { dir: '/etc/kubernetes/pki/etcd', flavour: 'kubeadm' },
  { dir: '/var/lib/rancher/k3s/server/tls', flavour: 'k3s' },
  { dir: '/var/lib/rancher/k3s/server/tls/etcd', flavour: 'k3s' },
  { dir: '/var/lib/rancher/rke2/server/tls', flavour: 'rke2' },
  { dir: '/var/lib/rancher/rke2/server/tls/etcd', flavour: 'rke2' },
];
/** kubeadm's kubeconfig files with embedded client certificates (kubeadm certs check-expiration lists them) */
const KUBECONFIG_FILES = ['admin.conf', 'super-admin.conf', 'controller-manager.conf', 'scheduler.conf'];

interface PkiRow {
  name: string;
  path: string;
  subject: string;
  issuer: string;
  notAfter: string;
  residual: string;
  daysLeft: number;
  isCA: boolean;
  sans: string[];
}

function residual(days: number): string {
  if (days < 0) return '<invalid>';
  if (days >= 365) return `${Math.floor(days / 365)}y`;
  if (days >= 1) return `${days}d`;
  return '<1d';
}

export const pkiCheck: CheckDefinition<ServerContext> = {
  id: 'server.local.pki',
  title: 'Control-plane certificates (this node)',
  codes: ['server.local.pki.expired', 'server.local.pki.expiring-soon', 'server.local.pki.san-missing', 'server.local.pki.unreadable'],
  async run(ctx) {
    const skip = notLocal(ctx);
    if (skip) return skip;
    const now = ctx.now();
    const rows: PkiRow[] = [];
    const problems: string[] = [];
    let apiserver: { cert: X509Certificate; info: CertInfo; path: string } | undefined;
    const add = (name: string, path: string, pem: string) => {
      let certs: X509Certificate[];
      try {
        certs = parsePemBundle(pem);
      } catch (e) {
        problems.push(`${path}: ${(e as Error).message}`);
        return;
      }
      const c = certs[0];
      if (!c) return;
      const info = certInfo(c);
      const d = daysLeft(info.notAfter, now);
      rows.push({ name, path, subject: info.subject, issuer: info.issuer, notAfter: info.notAfter, residual: residual(d), daysLeft: d, isCA: info.isCA, sans: info.sans });
      if (/^(apiserver|serving-kube-apiserver)\.crt$/.test(name) && !apiserver) apiserver = { cert: c, info, path };
    };
    for (const { dir } of PKI_DIRS) {
      for (const f of ctx.list(dir).filter((x) => x.endsWith('.crt'))) {
        const r = ctx.read(`${dir}/${f}`);
        if (r.ok) add(dir.endsWith('/etcd') ? `etcd/${f}` : f, r.path, r.text);
        else problems.push(r.error);
      }
    }
    for (const f of KUBECONFIG_FILES) {
      const r = ctx.read(`/etc/kubernetes/${f}`);
      if (!r.ok) {
        if (r.needsRoot) problems.push(r.error);
        continue;
      }
      try {
        const doc = load(r.text) as { users?: { user?: Record<string, string> }[] } | undefined;
        const data = doc?.users?.[0]?.user?.['client-certificate-data'];
        if (data) add(f, r.path, Buffer.from(data, 'base64').toString('utf8'));
      } catch (e) {
        problems.push(`${r.path}: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    const rancher = rows.find((r) => r.path.includes('/rancher/'))?.path.replace(/\/[^/]+$/, '');
    const reproduce = rancher
      ? [`for c in ${rancher}/*.crt; do echo "$c: $(openssl x509 -in $c -noout -enddate)"; done`, `openssl x509 -in ${rancher}/serving-kube-apiserver.crt -noout -ext subjectAltName`]
      : ['kubeadm certs check-expiration', 'for c in /etc/kubernetes/pki/*.crt /etc/kubernetes/pki/etcd/*.crt; do echo "$c: $(openssl x509 -in $c -noout -enddate)"; done', 'openssl x509 -in /etc/kubernetes/pki/apiserver.crt -noout -ext subjectAltName'];
    const evidence: Record<string, unknown> = { certificates: rows.map(({ sans, ...r }) => (sans.length ? { ...r, sans } : r)), problems };
    if (rows.length === 0) {
      const needsRoot = problems.length > 0;
      return {
        skip: !needsRoot,
        summary: rootNote(ctx, `no certificate found under ${PKI_DIRS.map((p) => p.dir).filter((d) => !d.endsWith('/etcd')).join(', ')}`),
        findings: needsRoot ? [{ code: 'server.local.pki.unreadable', message: `The certificates could not be read: ${problems.slice(0, 4).join('; ')}${!ctx.isRoot ? ' (this part needs root: rerun with sudo)' : ''}.` }] : [],
        evidence,
        reproduce,
      };
    }
    const findings: FindingInput[] = [];
    const cfg = apiServerConfig(ctx).config;
    const flavour = cfg?.flavour ?? (rows.some((r) => r.path.includes('/rancher/')) ? (rows.some((r) => r.path.includes('/rke2/')) ? 'rke2' : 'k3s') : 'kubeadm');
    const renew =
      flavour === 'kubeadm'
        ? ['`kubeadm certs renew all` on this control-plane node, then restart kube-apiserver, kube-controller-manager, kube-scheduler and etcd (move their manifests out of /etc/kubernetes/manifests and back), and copy the new admin.conf to users.', 'Renew CAs by hand (kubeadm does not renew CAs): see "Manual rotation of CA certificates" in the Kubernetes docs.']
        : [`Stop ${flavour === 'rke2' ? 'rke2-server' : 'k3s'}, run \`${flavour} certificate rotate\`, start it again (certificates within 90 days of expiry are also renewed at start-up).`];
    for (const r of rows.filter((x) => x.daysLeft < 0)) {
      findings.push({ code: 'server.local.pki.expired', message: `${r.name} (${r.subject}) expired on ${r.notAfter}, ${-r.daysLeft} days ago (${r.path}).${r.name.startsWith('apiserver-kubelet') ? ' kubectl logs/exec fail.' : r.name.startsWith('apiserver-etcd') || r.name.startsWith('etcd/') ? ' The API server cannot talk to etcd.' : ''}`, remediation: renew });
    }
    for (const r of rows.filter((x) => x.daysLeft >= 0 && x.daysLeft < 30)) {
      findings.push({ code: 'server.local.pki.expiring-soon', message: `${r.name} (${r.subject}) expires on ${r.notAfter}, in ${r.daysLeft} days (${r.path}).`, remediation: renew });
    }
    if (apiserver && cfg) {
      // loopback binds are dialled by name (localhost) or not at all: not required as SANs
      const want = [cfg.advertiseAddress, cfg.bindAddress && !isWildcard(cfg.bindAddress) ? cfg.bindAddress : undefined, ...cfg.tlsSans].filter((x): x is string => !!x && !isLoopbackAddress(x));
      const miss = [...new Set(want)].filter((n) => goVerifyHostname(apiserver!.cert, n) !== undefined);
      if (miss.length) {
        findings.push({
          code: 'server.local.pki.san-missing',
          message: `The API server certificate ${apiserver.path} (SANs: ${apiserver.info.sans.join(', ') || 'none'}) does not cover ${miss.join(', ')}, which ${cfg.source} configures as an address of this API server.`,
          remediation:
            cfg.flavour === 'kubeadm'
              ? [`Move ${apiserver.path} and its key aside, run \`kubeadm init phase certs apiserver --apiserver-cert-extra-sans=${miss.join(',')}\`, restart kube-apiserver.`]
              : [`Add tls-san: [${miss.map((m) => `"${m}"`).join(', ')}] to ${cfg.source} and restart ${cfg.flavour === 'rke2' ? 'rke2-server' : 'k3s'}.`],
        });
      }
    }
    const expired = rows.filter((r) => r.daysLeft < 0).length;
    const soon = rows.filter((r) => r.daysLeft >= 0 && r.daysLeft < 30).length;
    const first = [...rows].filter((r) => r.daysLeft >= 0).sort((a, b) => a.daysLeft - b.daysLeft)[0];
    const summary = `${rows.length} certificates (${flavour})${expired ? `; ${expired} EXPIRED` : ''}${soon ? `; ${soon} expiring within 30 days` : ''}${first ? `; next expiry ${first.name} ${first.notAfter.slice(0, 10)} (${first.residual})` : ''}`;
    return { summary, findings, evidence, reproduce };
  },
};
