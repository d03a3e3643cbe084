// Build a --root fixture directory: the static files of test/fixtures/server-local/<kind>/ plus a
// PKI minted now (test/lab/pki.ts), so "expired" and "expiring in 12 days" stay true whenever the
// tests run.
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dump } from 'js-yaml';
import { mintCert, type Pem } from '../../lab/pki.ts';

export const FIXTURES = resolve(import.meta.dirname, '..', '..', 'fixtures', 'server-local');
const DAY = 86_400_000;

function dayStart(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
}

function write(root: string, path: string, pem: Pem): void {
  const full = join(root, path);
  mkdirSync(join(full, '..'), { recursive: true });
  writeFileSync(full, pem.cert);
}

export function makeLocalRoot(kind: 'kubeadm' | 'k3s'): string {
  const root = mkdtempSync(join(tmpdir(), `netdiag-server-${kind}-`));
  cpSync(join(FIXTURES, kind), root, { recursive: true });
  const t = dayStart();
  if (kind === 'kubeadm') {
    const pki = '/etc/kubernetes/pki';
    const ca = mintCert({ cn: 'kubernetes', isCA: true });
    const fpCa = mintCert({ cn: 'front-proxy-ca', isCA: true });
    const etcdCa = mintCert({ cn: 'etcd-ca', isCA: true });
    write(root, `${pki}/ca.crt`, ca);
    write(root, `${pki}/front-proxy-ca.crt`, fpCa);
    write(root, `${pki}/etcd/ca.crt`, etcdCa);
    write(root, `${pki}/apiserver.crt`, mintCert({ cn: 'kube-apiserver', dns: ['cp1', 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'], ips: ['10.96.0.1', '10.0.0.10'], issuer: ca }));
    // expired 21 days ago
    write(root, `${pki}/apiserver-kubelet-client.crt`, mintCert({ cn: 'kube-apiserver-kubelet-client', o: 'kubeadm:cluster-admins', clientAuth: true, issuer: ca, notBefore: new Date(t - 386 * DAY), notAfter: new Date(t - 21 * DAY) }));
    // expires in 12 days
    write(root, `${pki}/front-proxy-client.crt`, mintCert({ cn: 'front-proxy-client', clientAuth: true, issuer: fpCa, notBefore: new Date(t - 353 * DAY), notAfter: new Date(t + 12 * DAY) }));
    write(root, `${pki}/apiserver-etcd-client.crt`, mintCert({ cn: 'kube-apiserver-etcd-client', clientAuth: true, issuer: etcdCa }));
    write(root, `${pki}/etcd/server.crt`, mintCert({ cn: 'cp1', dns: ['cp1', 'localhost'], ips: ['10.0.0.10', '127.0.0.1'], issuer: etcdCa }));
    const admin = mintCert({ cn: 'kubernetes-admin', o: 'kubeadm:cluster-admins', clientAuth: true, issuer: ca });
    const conf = {
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'kubernetes', cluster: { server: 'https://10.0.0.10:6443', 'certificate-authority-data': Buffer.from(ca.cert).toString('base64') } }],
      users: [{ name: 'kubernetes-admin', user: { 'client-certificate-data': Buffer.from(admin.cert).toString('base64'), 'client-key-data': Buffer.from(admin.key).toString('base64') } }],
      contexts: [{ name: 'kubernetes-admin@kubernetes', context: { cluster: 'kubernetes', user: 'kubernetes-admin' } }],
      'current-context': 'kubernetes-admin@kubernetes',
    };
    writeFileSync(join(root, 'etc/kubernetes/admin.conf'), dump(conf));
  } else {
    const tls = '/var/lib/rancher/k3s/server/tls';
    const serverCa = mintCert({ cn: 'k3s-server-ca', isCA: true });
    const clientCa = mintCert({ cn: 'k3s-client-ca', isCA: true });
    write(root, `${tls}/server-ca.crt`, serverCa);
    write(root, `${tls}/client-ca.crt`, clientCa);
    // the configured tls-san 203.0.113.50 is missing (k3s was not restarted after the edit)
    write(root, `${tls}/serving-kube-apiserver.crt`, mintCert({ cn: 'kube-apiserver', dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'k3s.example.internal', 'localhost'], ips: ['10.0.1.5', '10.43.0.1', '127.0.0.1'], issuer: serverCa }));
    write(root, `${tls}/client-admin.crt`, mintCert({ cn: 'system:admin', o: 'system:masters', clientAuth: true, issuer: clientCa }));
  }
  return root;
}
