// server.local.pki: the control-plane certificates on this node (kubeadm, k3s, rke2): expiry, and
// the API server certificate's SANs against the addresses it is configured with.
import type { X509Certificate } from 'node:crypto';
import { load } from 'js-yaml';
import type { CheckDefinition, FindingInput } from '../../../engine/definitions.ts';
import { certInfo, goVerifyHostname, parsePemBundle, type CertInfo } from '../../../net/x509.ts';
import { rootNote, type ServerContext } from '../context.ts';
import { daysLeft } from '../expiry.ts';
import { isLoopbackAddress, isWildcard } from '../parse.ts';
import { local } from '../requirements.ts';
import { apiServerConfig } from './config.ts';

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
  appliesWhen: [local],
  codes: ['server.local.pki.expired', 'server.local.pki.expiring-soon', 'server.local.pki.san-missing', 'server.local.pki.unreadable'],
  async run(ctx) {
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
    const flavour = (cfg?.flavour === 'process' ? undefined : cfg?.flavour) ?? (rows.some((r) => r.path.includes('/rancher/')) ? (rows.some((r) => r.path.includes('/rke2/')) ? 'rke2' : 'k3s') : 'kubeadm');
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
            cfg.flavour === 'process'
              ? [`Reissue ${cfg.certFile ?? apiserver.path} with ${miss.join(', ')} as SANs (signed by the cluster CA), then restart the kube-apiserver process (its flags: ${cfg.source}).`]
              : cfg.flavour === 'kubeadm'
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
