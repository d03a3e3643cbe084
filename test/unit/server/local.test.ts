// The --local checks on fixture roots (--root DIR), in process: no network, no root needed.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerContext } from '../../../src/checks/server/context.ts';
import { serverDiagnosis } from '../../../src/checks/server/index.ts';
import { runDiagnosis } from '../../../src/engine/run-diagnosis.ts';
import { Redactor } from '../../../src/report/redact.ts';
import type { Report } from '../../../src/report/types.ts';
import { makeLocalRoot } from './local-root.ts';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

async function runLocal(root: string, extra: Partial<ConstructorParameters<typeof ServerContext>[0]> = {}): Promise<Report & { get(id: string): Report['checks'][number] }> {
  roots.push(root);
  const home = mkdtempSync(join(tmpdir(), 'netdiag-home-'));
  roots.push(home);
  const redactor = new Redactor();
  const ctx = serverDiagnosis.createContext({
    kubeconfig: { env: { KUBECONFIG: join(home, 'missing') }, homeDir: home, inClusterRoot: home },
    timeoutMs: 2000,
    requestTimeoutMs: 2000,
    env: { PATH: '/usr/bin:/bin' },
    redactor,
    local: true,
    root,
    ...extra,
  });
  const report = await runDiagnosis(serverDiagnosis, ctx, { defaultTimeoutMs: 5000, redactor });
  return Object.assign(report, { get: (id: string) => report.checks.find((c) => c.id === id)! });
}

const codes = (c: Report['checks'][number]) => c.findings.map((f) => f.code);

describe('server --local on a kubeadm node (fixtures)', () => {
  it('finds the loopback-only listener, the DROP before the ACCEPT, log errors and the expired/expiring certificates', async () => {
    const r = await runLocal(makeLocalRoot('kubeadm'));
    // no kubeconfig: the remote checks say so and do not fail
    expect(r.get('server.connection').status).toBe('skip');
    expect(r.get('server.connection').summary).toMatch(/no kubeconfig/);
    expect(r.get('server.apiservices').status).toBe('skip');

    const listen = r.get('server.local.listen');
    expect(listen.status).toBe('fail');
    expect(codes(listen)).toEqual(['server.local.listen.loopback-only']);
    expect(listen.summary).toMatch(/127\.0\.0\.1 port 6443.*--bind-address 127\.0\.0\.1, --advertise-address 10\.0\.0\.10/);

    const fw = r.get('server.local.firewall');
    expect(fw.status).toBe('fail');
    expect(codes(fw)).toEqual(['server.local.firewall.drop-before-accept']);
    expect(fw.findings[0]!.message).toMatch(/filter\/INPUT rule 6 .*--dport 6443 -j DROP.*before.*rule 7/);
    expect((fw.evidence as { sources: Record<string, string> }).sources).toMatchObject({ 'ufw status': 'inactive', 'nft list ruleset': '0 rules on port 6443' });

    const logs = r.get('server.local.logs');
    expect(logs.status).toBe('warn');
    expect(codes(logs)).toEqual(['server.local.logs.tls-handshake-errors', 'server.local.logs.etcd-errors', 'server.local.logs.auth-errors']);
    expect(logs.findings[0]!.message).toMatch(/"remote error: tls: bad certificate" ×3 from 10\.0\.0\.21, 10\.0\.0\.22/);
    expect(logs.findings[1]!.message).toMatch(/dial tcp 127\.0\.0\.1:2379: connect: connection refused" ×2/);

    const pki = r.get('server.local.pki');
    expect(pki.status).toBe('fail');
    expect(codes(pki)).toEqual(['server.local.pki.expired', 'server.local.pki.expiring-soon']);
    expect(pki.findings[0]!.message).toMatch(/^apiserver-kubelet-client\.crt .*expired on .*, 2[12] days ago/);
    expect(pki.findings[1]!.message).toMatch(/^front-proxy-client\.crt .*expires on .*, in 1[12] days/);
    const rows = (pki.evidence as { certificates: { name: string; residual: string }[] }).certificates;
    expect(rows.map((x) => x.name)).toEqual(expect.arrayContaining(['ca.crt', 'apiserver.crt', 'etcd/ca.crt', 'etcd/server.crt', 'admin.conf']));
    expect(rows.find((x) => x.name === 'apiserver-kubelet-client.crt')!.residual).toBe('<invalid>');

    expect(r.diagnosis.status).toBe('fail');
    expect(r.diagnosis.rootCause).toMatch(/^The API server on this node has 3 problems/);
    expect(r.diagnosis.rootCause).toMatch(/loopback/);
    expect(r.diagnosis.remediation.join('\n')).toMatch(/kubeadm certs renew all/);
  });
});

describe('server --local on a k3s node (fixtures)', () => {
  it('listener on all addresses passes; ufw DENY before ALLOW; tls-san missing from the serving certificate', async () => {
    const r = await runLocal(makeLocalRoot('k3s'));
    const listen = r.get('server.local.listen');
    expect(listen.status).toBe('pass');
    expect(listen.summary).toMatch(/\[::\] port 6443 \(all addresses\).*config\.yaml/);
    const fw = r.get('server.local.firewall');
    expect(codes(fw)).toEqual(['server.local.firewall.drop-before-accept', 'server.local.firewall.blocked']);
    expect(fw.findings[0]!.message).toMatch(/ufw rule 2 \("6443\/tcp +DENY +Anywhere"\) is evaluated before ufw rule 3/);
    const pki = r.get('server.local.pki');
    expect(codes(pki)).toEqual(['server.local.pki.san-missing']);
    expect(pki.findings[0]!.message).toMatch(/serving-kube-apiserver\.crt .* does not cover 203\.0\.113\.50/);
    expect(pki.findings[0]!.remediation.join(' ')).toMatch(/tls-san: \["203\.0\.113\.50"\] to \/etc\/rancher\/k3s\/config\.yaml and restart k3s/);
    const logs = r.get('server.local.logs');
    expect(logs.evidence!.sources).toEqual([expect.stringMatching(/^journalctl -u k3s .*\(from .*journal-k3s\.txt\)$/)]);
  });
});

describe('server --local on a healthy node and on no node', () => {
  it('a healthy kubeadm node passes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'netdiag-server-ok-'));
    mkdirSync(join(root, 'proc/net'), { recursive: true });
    mkdirSync(join(root, 'etc/kubernetes/manifests'), { recursive: true });
    mkdirSync(join(root, '.netdiag'));
    writeFileSync(join(root, 'proc/net/tcp'), 'h\n 0: 00000000:0016 00000000:0000 0A 0 0 0 0 0 0 1 1\n');
    writeFileSync(join(root, 'proc/net/tcp6'), 'h\n 0: 00000000000000000000000000000000:192B 00000000000000000000000000000000:0000 0A 0 0 0 0 0 0 2 1\n');
    writeFileSync(join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'spec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --advertise-address=10.0.0.10, --secure-port=6443]\n');
    writeFileSync(join(root, '.netdiag/iptables-save.txt'), '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p tcp --dport 6443 -j ACCEPT\nCOMMIT\n');
    const r = await runLocal(root);
    expect(r.get('server.local.listen').status).toBe('pass');
    expect(r.get('server.local.firewall')).toMatchObject({ status: 'pass' });
    expect(r.get('server.local.firewall').summary).toMatch(/no rule drops port 6443 \(iptables-save: 1 rule on port 6443; nft list ruleset: no fixture; ufw status: no fixture\)/);
    expect(r.get('server.local.logs').status).toBe('skip');
    expect(r.get('server.local.pki').status).toBe('skip');
    expect(r.diagnosis.status).toBe('pass');
  });

  it('rke2: config.yaml plus the kube-apiserver static pod manifest (bind address, port)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'netdiag-server-rke2-'));
    mkdirSync(join(root, 'proc/net'), { recursive: true });
    mkdirSync(join(root, 'etc/rancher/rke2'), { recursive: true });
    mkdirSync(join(root, 'var/lib/rancher/rke2/agent/pod-manifests'), { recursive: true });
    writeFileSync(join(root, 'proc/net/tcp'), 'h\n 0: 0501000A:192B 00000000:0000 0A 0 0 0 0 0 0 1 1\n');
    writeFileSync(join(root, 'etc/rancher/rke2/config.yaml'), 'tls-san:\n  - rke2.example.internal\n');
    writeFileSync(join(root, 'var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml'), 'spec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver]\n    args: [--advertise-address=10.0.1.6, --bind-address=10.0.1.5, --secure-port=6443]\n');
    const r = await runLocal(root);
    const listen = r.get('server.local.listen');
    expect(codes(listen)).toEqual(['server.local.listen.not-advertised']);
    expect(listen.findings[0]!.message).toMatch(/listens on 10\.0\.1\.5 port 6443, but advertises 10\.0\.1\.6/);
    expect(listen.summary).toMatch(/\/etc\/rancher\/rke2\/config\.yaml \+ \/var\/lib\/rancher\/rke2\/agent\/pod-manifests\/kube-apiserver\.yaml: --bind-address 10\.0\.1\.5/);
  });

  it('nothing listening on a custom --secure-port is a failure naming the port', async () => {
    const root = mkdtempSync(join(tmpdir(), 'netdiag-server-absent-'));
    mkdirSync(join(root, 'proc/net'), { recursive: true });
    mkdirSync(join(root, 'etc/kubernetes/manifests'), { recursive: true });
    writeFileSync(join(root, 'proc/net/tcp'), 'h\n 0: 00000000:192B 00000000:0000 0A 0 0 0 0 0 0 1 1\n');
    writeFileSync(join(root, 'etc/kubernetes/manifests/kube-apiserver.yaml'), 'spec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --secure-port=8443]\n');
    const r = await runLocal(root);
    const listen = r.get('server.local.listen');
    expect(codes(listen)).toEqual(['server.local.listen.absent']);
    expect(listen.findings[0]!.message).toMatch(/Nothing listens on TCP port 8443/);
    expect(listen.findings[0]!.remediation).toEqual([expect.stringMatching(/^Check the static pod: `crictl ps -a --name kube-apiserver`/)]);
  });

  it('nothing listening, and nothing on the node says which API server would: no service is guessed', async () => {
    const root = mkdtempSync(join(tmpdir(), 'netdiag-server-none-'));
    mkdirSync(join(root, 'proc/net'), { recursive: true });
    writeFileSync(join(root, 'proc/net/tcp'), 'h\n 0: 00000000:0016 00000000:0000 0A 0 0 0 0 0 0 1 1\n');
    const r = await runLocal(root);
    const listen = r.get('server.local.listen');
    expect(codes(listen)).toEqual(['server.local.listen.config-unreadable', 'server.local.listen.absent']);
    const absent = listen.findings.find((f) => f.code === 'server.local.listen.absent')!;
    expect(absent.remediation).toEqual([expect.stringMatching(/^Nothing on this node says how an API server runs here .*: run this on a control-plane node/)]);
  });
});
