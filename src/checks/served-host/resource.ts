// ingress.resource: the Ingresses that serve the host: class, rules, TLS secret.
import type { CheckDefinition, CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { hostIngresses, hostMatches, isSolverIngress, nameOf, readFailure, type HostClusterContext } from './cluster-context.ts';
import type { Ingress } from './types.ts';

export function ingressClassOf(i: Ingress): string | undefined {
  return i.spec?.ingressClassName ?? i.metadata.annotations?.['kubernetes.io/ingress.class'];
}

/** The TLS secret of an Ingress for the host. */
export function tlsSecretFor(i: Ingress, host: string): string | undefined {
  return (i.spec?.tls ?? []).find((t) => (t.hosts ?? []).some((h) => hostMatches(h, host)))?.secretName;
}


export const resourceCheck: CheckDefinition<HostClusterContext> = {
  id: 'ingress.resource',
  title: 'Ingress resources',
  codes: ['ingress.resource.not-found', 'ingress.resource.tls-secret-missing', 'ingress.resource.no-tls', 'ingress.resource.class-unknown', 'ingress.resource.no-class', 'ingress.resource.api-unreachable'],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 3 + ctx.timeoutMs + 1000,
  async run(ctx): Promise<CheckOutcome> {
    // a cluster that cannot be read is this check's finding (where the diagnosis did not declare it a requirement)
    const unusable = await ctx.clusterUnusable();
    if (unusable) return { summary: unusable.why, findings: [{ code: 'ingress.resource.api-unreachable', message: capital(unusable.why) + '.' }] };
    const d = await ctx.discover();
    const path = '/apis/networking.k8s.io/v1/ingresses';
    if (d.ingressError && !d.ingressError.ok) return readFailure(d.ingressError, path, 'Ingresses');
    const reproduce = [ctx.kubectl(`get ingress -A -o wide | grep -w ${ctx.host}`)];
    const main = hostIngresses(d);
    if (main.length === 0) {
      return {
        summary: `no Ingress has a rule for ${ctx.host}`,
        findings: [{ code: 'ingress.resource.not-found', message: d.scoped ? `No Ingress in namespace ${d.scoped} has a rule or TLS entry for ${ctx.host} (RBAC forbids listing the other namespaces; pass -n NAMESPACE).` : `No Ingress in any namespace has a rule or TLS entry for ${ctx.host}.` }],
        reproduce,
      };
    }
    const classes = await ctx.ingressClasses();
    const findings: FindingInput[] = [];
    const rows: Record<string, unknown>[] = [];
    const secretChecks = await Promise.all(
      main.map(async (i) => {
        const secret = tlsSecretFor(i, ctx.host);
        if (!secret) return { i, secret, exists: undefined as boolean | undefined, error: undefined as string | undefined };
        const r = await ctx.get<{ type?: string; data?: Record<string, string> }>(`/api/v1/namespaces/${i.metadata.namespace}/secrets/${secret}`);
        if (r.ok) {
          for (const v of Object.values(r.body.data ?? {})) ctx.options.redactor.add(v);
          return { i, secret, exists: true, type: r.body.type, hasCert: !!r.body.data?.['tls.crt'], error: undefined };
        }
        if (r.reason === 'not-found') return { i, secret, exists: false, error: undefined };
        return { i, secret, exists: undefined, error: r.message };
      }),
    );
    for (const s of secretChecks) {
      const i = s.i;
      const cls = ingressClassOf(i);
      rows.push({ ingress: nameOf(i), class: cls ?? null, tlsSecret: s.secret ?? null, secretExists: s.exists ?? null, address: i.status?.loadBalancer?.ingress?.map((x) => x.ip ?? x.hostname) ?? [] });
      if (!cls) {
        const def = classes.ok ? classes.body.find((c) => c.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'] === 'true') : undefined;
        if (!def) findings.push({ code: 'ingress.resource.no-class', message: `Ingress ${nameOf(i)} names no ingress class and the cluster has no default IngressClass: no controller may serve it.` });
      } else if (classes.ok && !classes.body.some((c) => c.metadata.name === cls)) {
        findings.push({ code: 'ingress.resource.class-unknown', message: `Ingress ${nameOf(i)} uses ingress class "${cls}", but no IngressClass has that name (existing: ${classes.body.map((c) => c.metadata.name).join(', ') || 'none'}).` });
      }
      if (!s.secret) {
        findings.push({ code: 'ingress.resource.no-tls', message: `Ingress ${nameOf(i)} has no TLS entry for ${ctx.host}: the controller serves its default certificate on 443.` });
      } else if (s.exists === false) {
        const issuing = d.certificates.find((c) => c.spec?.secretName === s.secret && c.metadata.namespace === i.metadata.namespace);
        findings.push({
          code: 'ingress.resource.tls-secret-missing',
          // while cert-manager issues it, the missing secret is a consequence, not a cause
          ...(issuing ? { severity: 'warn' as const } : {}),
          message:
            `Ingress ${nameOf(i)} names the TLS secret ${i.metadata.namespace}/${s.secret} for ${ctx.host}, and that secret does not exist: the controller serves its fake default certificate.` +
            (issuing ? ` cert-manager creates it once Certificate ${nameOf(issuing)} is issued.` : ''),
          remediation: issuing
            ? [`cert-manager creates ${s.secret} once its Certificate is Ready: fix what keeps it from being issued (see cert.certmanager).`]
            : [
                `Let cert-manager issue it: \`kubectl annotate ingress -n ${i.metadata.namespace} ${i.metadata.name} cert-manager.io/cluster-issuer=ISSUER\` (a ClusterIssuer of the cluster).`,
                `Or create it from files you have: \`kubectl create secret tls ${s.secret} -n ${i.metadata.namespace} --cert=fullchain.pem --key=privkey.pem\` (leaf first, then the intermediates).`,
              ],
        });
        reproduce.push(ctx.kubectl(`get secret -n ${i.metadata.namespace} ${s.secret}`));
      }
    }
    const summary =
      main.map((i) => `${nameOf(i)} (class ${ingressClassOf(i) ?? 'default'}${tlsSecretFor(i, ctx.host) ? `, TLS secret ${tlsSecretFor(i, ctx.host)}` : ', no TLS'})`).join('; ') +
      (d.scoped ? ` (searched namespace ${d.scoped} only: listing Ingresses in all namespaces is forbidden)` : '');
    return { summary, findings, evidence: { ingresses: rows, solverIngresses: d.ingresses.filter(isSolverIngress).map(nameOf) }, reproduce };
  },
};

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
