// The --local codes the node fixtures of local.test.ts do not reach, each on a small fixture root.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerContext } from '../../../src/checks/server/context.ts';
import { firewallCheck } from '../../../src/checks/server/local/firewall.ts';
import { listenCheck } from '../../../src/checks/server/local/listen.ts';
import { logsCheck } from '../../../src/checks/server/local/logs.ts';
import { pkiCheck } from '../../../src/checks/server/local/pki.ts';
import { cleanupTempDirs, tempDir, write } from '../kube/helpers.ts';
import { clientOptions, codes, runOne } from '../api/helpers.ts';

afterAll(cleanupTempDirs);

const MANIFEST = 'spec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --secure-port=6443]\n';
/** 10.0.0.10:6443 listening (little-endian hex, as /proc/net/tcp writes it) */
const LISTEN_10_0_0_10 = 'h\n 0: 0A00000A:192B 00000000:0000 0A 0 0 0 0 0 0 1 1\n';

function node(files: Record<string, string>, dirs: string[] = []): ServerContext {
  const root = tempDir('netdiag-server-codes-');
  for (const [p, text] of Object.entries(files)) write(join(root, p), text);
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true });
  return new ServerContext({ ...clientOptions({ noKubeconfig: true }), local: true, root });
}

describe('--local codes', () => {
  it('not --local: every node check is not applicable (declared), with the words users saw before', async () => {
    const ctx = new ServerContext({ ...clientOptions(), local: false });
    for (const check of [listenCheck, firewallCheck, logsCheck, pkiCheck]) {
      expect(await runOne(check, ctx)).toMatchObject({ status: 'skip', summary: 'not applicable: run with --local on a control-plane node' });
    }
  });

  it('one listening address that is not the wildcard: server.local.listen.single-address', async () => {
    const r = await runOne(listenCheck, node({ 'proc/net/tcp': LISTEN_10_0_0_10, 'etc/kubernetes/manifests/kube-apiserver.yaml': MANIFEST }));
    expect(codes(r)).toEqual(['server.local.listen.single-address']);
    expect(r.findings[0]!.message).toMatch(/^The API server listens on 10\.0\.0\.10 port 6443 only, not on every address of this node/);
  });

  it('no API server configuration on the node: server.local.listen.config-unreadable, and the port is assumed', async () => {
    const r = await runOne(listenCheck, node({ 'proc/net/tcp': LISTEN_10_0_0_10 }));
    expect(codes(r)).toEqual(['server.local.listen.config-unreadable', 'server.local.listen.single-address']);
    expect(r.findings[0]!.message).toMatch(/neither \/etc\/kubernetes\/manifests\/kube-apiserver\.yaml nor .* exists, and no kube-apiserver process runs: is this a control-plane node.*The port is assumed to be 6443\./);
  });

  it('no kubeadm/k3s/rke2 file (issue 11 point 8): the flags of the kube-apiserver process (/proc/PID/cmdline) are named, never a k3s file or "rerun as root"', async () => {
    const cmdline = ['/tmp/kubectl-netdiag-kube-apiserver/kube-apiserver-v1.24.0', '--etcd-servers=http://127.0.0.1:2379', '--bind-address=10.0.0.12', '--advertise-address', '10.0.0.13', '--secure-port=6443', ''].join('\0');
    const r = await runOne(
      listenCheck,
      node({ 'proc/net/tcp': 'h\n 0: 0C00000A:192B 00000000:0000 0A 0 0 0 0 0 0 1 1\n', 'proc/4242/cmdline': cmdline, 'proc/77/cmdline': 'etcd\0--data-dir\0/tmp/x\0' }),
    );
    expect(codes(r)).toEqual(['server.local.listen.not-advertised']);
    expect(r.summary).toBe('listening on 10.0.0.12 port 6443 (/proc/4242/cmdline: --bind-address 10.0.0.12, --advertise-address 10.0.0.13)');
    const text = [r.summary, ...r.findings.flatMap((f) => [f.message, ...f.remediation])].join('\n');
    expect(r.findings[0]!.remediation[0]).toBe(
      'Make --bind-address (10.0.0.12) and --advertise-address (10.0.0.13) agree, or bind to 0.0.0.0, where the kube-apiserver process is started (its systemd unit or script; the command line it runs with: /proc/4242/cmdline). The API server writes --advertise-address into default/kubernetes itself: every in-cluster client dials it.',
    );
    expect(text).not.toMatch(/rerun as root|rerun with sudo/i);
    expect(text).not.toMatch(/\/etc\/rancher/);
  });

  it('config unreadable when root or reading fixtures: the advice is never "rerun as root"', async () => {
    const r = await runOne(listenCheck, node({ 'proc/net/tcp': LISTEN_10_0_0_10 }));
    expect(r.findings[0]!.remediation.join(' ')).not.toMatch(/rerun as root/i);
    expect(r.findings[0]!.remediation[0]).toMatch(/^Pass --root DIR pointing at a copy of the node's files/);
  });

  it('an INPUT chain that drops by default with no ACCEPT for the port: server.local.firewall.policy-drop', async () => {
    const r = await runOne(firewallCheck, node({ '.netdiag/iptables-save.txt': '*filter\n:INPUT DROP [0:0]\n-A INPUT -p tcp --dport 22 -j ACCEPT\nCOMMIT\n', 'etc/kubernetes/manifests/kube-apiserver.yaml': MANIFEST }));
    expect(codes(r)).toEqual(['server.local.firewall.policy-drop']);
    expect(r.findings[0]!.message).toMatch(/^The iptables chain filter\/INPUT drops by default \(policy drop\) and no rule in it accepts port 6443/);
  });

  it('a log that cannot be read: server.local.logs.unreadable', async () => {
    const r = await runOne(logsCheck, node({}, ['var/log/pods/kube-system_kube-apiserver-cp1_0/kube-apiserver/0.log']));
    expect(r.status).toBe('warn');
    expect(codes(r)).toEqual(['server.local.logs.unreadable']);
    expect(r.findings[0]!.message).toMatch(/^The API server logs could not be read: \/var\/log\/pods\/kube-system_kube-apiserver-cp1_0\/kube-apiserver\/0\.log: /);
  });

  it('certificates that cannot be read: server.local.pki.unreadable', async () => {
    const r = await runOne(pkiCheck, node({}, ['etc/kubernetes/pki/apiserver.crt']));
    expect(codes(r)).toEqual(['server.local.pki.unreadable']);
    expect(r.findings[0]!.message).toMatch(/^The certificates could not be read: \/etc\/kubernetes\/pki\/apiserver\.crt: /);
  });
});
