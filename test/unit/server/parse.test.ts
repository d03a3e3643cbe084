import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  judgeFirewall,
  parseIptablesSave,
  parseManifest,
  parseNftRuleset,
  parseProcNetTcp,
  parseRancherConfig,
  parseUfwStatus,
  summariseApiServerLog,
} from '../../../src/checks/server/parse.ts';
import { FIXTURES } from './local-root.ts';

const fx = (p: string) => readFileSync(join(FIXTURES, p), 'utf8');

describe('/proc/net/tcp', () => {
  it('decodes little-endian IPv4 listeners and skips non-LISTEN sockets', () => {
    const l = parseProcNetTcp(fx('kubeadm/proc/net/tcp'), 4);
    expect(l.map((x) => `${x.address}:${x.port}`)).toEqual(['127.0.0.1:2379', '10.0.0.10:2379', '127.0.0.1:6443', '0.0.0.0:22', '127.0.0.1:10248']);
  });
  it('decodes IPv6 listeners, :: and mapped addresses', () => {
    const l = parseProcNetTcp(fx('k3s/proc/net/tcp6'), 6);
    expect(l.map((x) => `${x.address}:${x.port}`)).toEqual([':::6443', ':::10250']);
    const text = 'header\n 0: 00000000000000000000000001000000:192B 00000000000000000000000000000000:0000 0A 0 0 0 0 0 0 1 1\n 1: 0000000000000000FFFF00000A00000A:192B 00000000000000000000000000000000:0000 0A 0 0 0 0 0 0 2 1\n 2: B80D0120000000000000000001000000:192B 00000000000000000000000000000000:0000 0A 0 0 0 0 0 0 3 1';
    expect(parseProcNetTcp(text, 6).map((x) => x.address)).toEqual(['::1', '::ffff:10.0.0.10', '2001:db8::1']);
  });
});

describe('API server configuration', () => {
  it('reads bind, advertise address and port from the kubeadm static-pod manifest', () => {
    const c = parseManifest(fx('kubeadm/etc/kubernetes/manifests/kube-apiserver.yaml'), 'm');
    expect(c).toMatchObject({ flavour: 'kubeadm', bindAddress: '127.0.0.1', advertiseAddress: '10.0.0.10', port: 6443, etcdServers: ['https://127.0.0.1:2379'] });
  });
  it('reads the k3s config (tls-san list, defaults)', () => {
    const c = parseRancherConfig(fx('k3s/etc/rancher/k3s/config.yaml'), 'k3s', 'c');
    expect(c).toMatchObject({ flavour: 'k3s', advertiseAddress: '10.0.1.5', port: 6443, tlsSans: ['k3s.example.internal', '203.0.113.50'] });
    expect(c.bindAddress).toBeUndefined();
    expect(parseRancherConfig('tls-san: a.example,b.example\nhttps-listen-port: 7443\n', 'rke2', 'c')).toMatchObject({ port: 7443, tlsSans: ['a.example', 'b.example'] });
  });
});

describe('firewall', () => {
  it('iptables-save: a DROP on the port before its ACCEPT is shadowing; multiport ranges match', () => {
    const p = parseIptablesSave(fx('kubeadm/.netdiag/iptables-save.txt'), 6443);
    expect(p.rules.map((r) => `${r.chain}#${r.position} ${r.verdict}`)).toEqual(['filter/INPUT#6 drop', 'filter/INPUT#7 accept']);
    const v = judgeFirewall(p);
    expect(v.shadowing).toHaveLength(1);
    expect(v.shadowing[0]!.block.text).toContain('--dport 6443 -j DROP');
    expect(v.blocking).toHaveLength(0);
    const etcd = parseIptablesSave(fx('kubeadm/.netdiag/iptables-save.txt'), 2380);
    expect(etcd.rules.map((r) => r.verdict)).toEqual(['accept']);
  });
  it('iptables-save: ACCEPT before DROP is fine; DROP alone blocks; policy DROP without ACCEPT is reported', () => {
    const ok = '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 6443 -j ACCEPT\n-A INPUT -p tcp --dport 6443 -j DROP\nCOMMIT\n';
    expect(judgeFirewall(parseIptablesSave(ok, 6443))).toMatchObject({ shadowing: [], blocking: [], policyDrops: [] });
    const drop = '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 6443 -j REJECT --reject-with icmp-port-unreachable\nCOMMIT\n';
    const v = judgeFirewall(parseIptablesSave(drop, 6443));
    expect(v.blocking.map((r) => r.verdict)).toEqual(['reject']);
    expect(v.policyDrops.map((p) => p.chain)).toEqual(['filter/INPUT']);
    // a negated port is not the port
    expect(parseIptablesSave('*filter\n-A INPUT -p tcp ! --dport 6443 -j DROP\nCOMMIT\n', 6443).rules).toEqual([]);
  });
  it('nft: sets, ranges, saddr, reject before accept, base-chain policy', () => {
    const text = `table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy drop;\n\t\tip saddr 192.168.7.0/24 tcp dport 6443 reject with tcp reset\n\t\ttcp dport { 22, 6000-7000 } accept\n\t}\n}\n`;
    const p = parseNftRuleset(text, 6443);
    expect(p.rules.map((r) => `${r.position} ${r.verdict} ${r.source ?? ''}`)).toEqual(['1 reject 192.168.7.0/24', '2 accept ']);
    const v = judgeFirewall(p);
    expect(v.shadowing).toHaveLength(1);
    expect(v.policyDrops).toHaveLength(0);
    expect(judgeFirewall(parseNftRuleset(fx('kubeadm/.netdiag/nft-ruleset.txt'), 6443))).toMatchObject({ shadowing: [], blocking: [] });
  });
  it('ufw status: DENY before ALLOW in listing order; inactive is no rules', () => {
    const p = parseUfwStatus(fx('k3s/.netdiag/ufw-status.txt'), 6443);
    expect(p.active).toBe(true);
    expect(p.rules.map((r) => `${r.position} ${r.verdict}`)).toEqual(['2 drop', '3 accept', '6 drop']);
    expect(judgeFirewall(p).shadowing[0]!.block.position).toBe(2);
    expect(parseUfwStatus('Status: inactive\n', 6443)).toMatchObject({ active: false, rules: [] });
  });
});

describe('API server log summary', () => {
  it('groups TLS handshake errors by remote address and reason, etcd and auth errors', () => {
    const s = summariseApiServerLog(fx('kubeadm/var/log/pods/kube-system_kube-apiserver-cp1_5f3c1f4e2b9a4d7c8e1f0a2b3c4d5e6f/kube-apiserver/0.log'));
    expect(s.tlsErrors.map((e) => `${e.remote} ${e.reason} ${e.count}`)).toEqual([
      '10.0.0.21 remote error: tls: bad certificate 2',
      '10.0.0.30 EOF 2',
      '10.0.0.22 remote error: tls: bad certificate 1',
      '192.168.7.15 tls: first record does not look like a TLS handshake 1',
    ]);
    expect(s.etcdErrors.map((e) => `${e.message} ${e.count}`)).toEqual(['dial tcp 127.0.0.1:2379: connect: connection refused 2', 'etcdserver: request timed out 1']);
    expect(s.authErrors.map((e) => e.count)).toEqual([2, 1]);
    expect(s.authErrors[0]!.reason).toBe('invalid bearer token, service account token has been invalidated');
    expect(s.authErrors[1]!.reason).toMatch(/x509: certificate has expired/);
  });
  it('reads journald lines (k3s)', () => {
    const s = summariseApiServerLog(fx('k3s/.netdiag/journal-k3s.txt'));
    expect(s.tlsErrors.map((e) => `${e.remote} ${e.count}`)).toEqual(['203.0.113.77 2', '10.0.1.9 1']);
    expect(s.etcdErrors.map((e) => e.message)).toEqual(['context deadline exceeded']);
  });
});
