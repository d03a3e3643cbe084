// server.certs: expiry of every certificate the API server's addresses serve.
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import type { CertInfo } from '../../net/x509.ts';
import type { ServerContext } from './context.ts';
import { daysLeft, EXPIRING_DAYS } from './expiry.ts';
import { cluster, httpsServer } from './requirements.ts';
import { endpointFacts } from './served-certificates.ts';

export const certsCheck: CheckDefinition<ServerContext> = {
  id: 'server.certs',
  title: 'Serving certificate expiry',
  requires: ['server.connection'],
  appliesWhen: [cluster, httpsServer],
  codes: ['server.certs.expired', 'server.certs.expiring-soon'],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 3 + ctx.timeoutMs * 6 + 1000,
  async run(ctx) {
    const f = await endpointFacts(ctx);
    const now = ctx.now();
    // one row per distinct certificate, with every address that serves it
    const byFp = new Map<string, { cert: CertInfo; addresses: string[]; role: string }>();
    for (const s of f.served) {
      for (const [i, c] of (s.chain ?? []).entries()) {
        const row = byFp.get(c.sha256) ?? { cert: c, addresses: [], role: i === 0 ? 'serving' : c.selfSigned ? 'root CA (sent in the chain)' : 'intermediate CA' };
        if (!row.addresses.includes(s.address)) row.addresses.push(s.address);
        byFp.set(c.sha256, row);
      }
    }
    const rows = [...byFp.values()].map((r) => ({ subject: r.cert.subject, issuer: r.cert.issuer, role: r.role, notAfter: r.cert.notAfter, daysLeft: daysLeft(r.cert.notAfter, now), addresses: r.addresses }));
    const evidence = { certificates: rows };
    const reproduce = f.served.map((s) => `openssl s_client -connect ${s.address} </dev/null 2>/dev/null | openssl x509 -noout -subject -enddate`);
    if (rows.length === 0) return { skip: true, summary: 'no certificate could be fetched (see server.endpoints)', evidence, reproduce };
    const findings: FindingInput[] = [];
    const renew = [
      'kubeadm: `kubeadm certs check-expiration`, then `kubeadm certs renew apiserver` (or `all`) on each control-plane node and restart kube-apiserver.',
      'k3s/rke2: `k3s certificate rotate` (rke2: `rke2 certificate rotate`) with the service stopped, then start it; both also renew certificates that expire within 90 days at start-up.',
    ];
    for (const r of rows) {
      if (r.daysLeft < 0) {
        findings.push({ code: 'server.certs.expired', message: `The ${r.role} certificate ${r.subject} served at ${r.addresses.join(', ')} expired on ${r.notAfter} (${-r.daysLeft} days ago): kubectl fails with "x509: certificate has expired or is not yet valid".`, remediation: renew });
      } else if (r.daysLeft < EXPIRING_DAYS) {
        findings.push({ code: 'server.certs.expiring-soon', message: `The ${r.role} certificate ${r.subject} served at ${r.addresses.join(', ')} expires on ${r.notAfter}, in ${r.daysLeft} days.`, remediation: renew });
      }
    }
    const leaf = rows.filter((r) => r.role === 'serving');
    const soonest = [...leaf].sort((a, b) => a.daysLeft - b.daysLeft)[0];
    const summary = soonest
      ? `${leaf.length} serving certificate${leaf.length === 1 ? '' : 's'}; ${soonest.daysLeft < 0 ? `${soonest.subject} EXPIRED ${soonest.notAfter}` : `the first expires ${soonest.notAfter.slice(0, 10)} (${soonest.daysLeft} days)`}`
      : `${rows.length} certificates`;
    return { summary, findings, evidence, reproduce };
  },
};
