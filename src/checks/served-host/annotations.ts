// ingress.annotations: ingress-nginx annotations that break HTTP-01 (ssl-redirect,
// force-ssl-redirect, ssl-passthrough) and an ingress class on the solver that differs from
// the class of the controller that serves the host.
import type { CheckDefinition } from '../../engine/definitions.ts';
import type { CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { hostIngresses, isSolverIngress, nameOf, type HostClusterContext } from './cluster-context.ts';
import { certManager } from './certmanager.ts';
import { http01 } from './http01.ts';
import { ingressClassOf } from './resource.ts';
import type { AcmeSolver } from './types.ts';

const NGINX = 'nginx.ingress.kubernetes.io/';

function solverClass(s: AcmeSolver | undefined): string | undefined {
  return s?.http01?.ingress?.ingressClassName ?? s?.http01?.ingress?.class;
}

export const annotationsCheck: CheckDefinition<HostClusterContext> = {
  id: 'ingress.annotations',
  title: 'Annotations and classes vs HTTP-01',
  codes: ['ingress.annotations.ssl-redirect', 'ingress.annotations.force-ssl-redirect', 'ingress.annotations.ssl-passthrough', 'ingress.annotations.class-mismatch'],
  timeoutMs: (ctx) => ctx.timeoutMs * 2 + ctx.options.requestTimeoutMs * 4 + 2000,
  async run(ctx): Promise<CheckOutcome> {
    const d = await ctx.discover();
    const main = hostIngresses(d);
    const cm = await certManager(ctx);
    const pending = cm.chains.some((c) => c.challenges.some((x) => x.status?.state !== 'valid')) || cm.challenges.some((x) => x.status?.state !== 'valid');
    // What the challenge path did when probed (ingress.http01, shared): a redirect seen there makes
    // the redirect annotations the cause, not a risk; the pending Challenge's own token answered
    // without a redirect shows the controller exempts it (ingress-nginx's no-tls-redirect-locations
    // keeps /.well-known/acme-challenge on plain HTTP for the solver's location).
    const h = pending ? await http01(ctx) : undefined;
    const redirected = h?.outside.find((p) => p.ok && p.status && p.status >= 300 && p.status < 400);
    const exempt = !redirected && h?.challenge ? h.outside.find((p) => p.ok && p.status && (p.status < 300 || p.status >= 400)) : undefined;
    const findings: FindingInput[] = [];
    const seen: Record<string, Record<string, string>> = {};
    for (const i of d.ingresses) {
      const a = i.metadata.annotations ?? {};
      const mine = Object.fromEntries(Object.entries(a).filter(([k]) => k.startsWith(NGINX) || k === 'kubernetes.io/ingress.class' || k.startsWith('cert-manager.io/') || k.startsWith('acme.cert-manager.io/')));
      if (Object.keys(mine).length) seen[nameOf(i)] = mine;
      const on = (k: string) => a[NGINX + k] === 'true';
      const sev = redirected ? 'fail' : 'warn';
      const seenRedirect = redirected ? ` GET ${redirected.url} answers ${redirected.status} → ${redirected.location ?? '?'}, so the ACME server never reaches the solver.` : '';
      if (on('force-ssl-redirect')) {
        findings.push({
          code: 'ingress.annotations.force-ssl-redirect',
          severity: sev,
          message: `Ingress ${nameOf(i)} sets ${NGINX}force-ssl-redirect: "true": plain-HTTP requests for ${ctx.host}, the HTTP-01 challenge path included, are redirected to HTTPS.${seenRedirect}`,
          remediation: [`Remove the annotation while the HTTP-01 challenge runs: \`kubectl annotate ingress -n ${i.metadata.namespace} ${i.metadata.name} ${NGINX}force-ssl-redirect-\` (put it back once the certificate is Ready, or use DNS-01).`],
        });
      } else if (on('ssl-redirect') && !isSolverIngress(i) && exempt) {
        findings.push({
          code: 'ingress.annotations.ssl-redirect',
          severity: 'info',
          message: `Ingress ${nameOf(i)} sets ${NGINX}ssl-redirect: "true", but the challenge path is not redirected: GET ${exempt.url} answers ${exempt.status} (the controller exempts /.well-known/acme-challenge), so HTTP-01 is not affected.`,
          remediation: [],
        });
      } else if (on('ssl-redirect') && !isSolverIngress(i)) {
        findings.push({
          code: 'ingress.annotations.ssl-redirect',
          severity: sev,
          message: `Ingress ${nameOf(i)} sets ${NGINX}ssl-redirect: "true": HTTP requests for ${ctx.host} are redirected to HTTPS.${seenRedirect}`,
          remediation: [`\`kubectl annotate ingress -n ${i.metadata.namespace} ${i.metadata.name} --overwrite ${NGINX}ssl-redirect=false\` until the certificate is Ready (ingress-nginx then keeps /.well-known/acme-challenge on plain HTTP).`],
        });
      }
      if (on('ssl-passthrough')) {
        findings.push({ code: 'ingress.annotations.ssl-passthrough', message: `Ingress ${nameOf(i)} sets ${NGINX}ssl-passthrough: "true": TLS goes to the backend untouched, so a cert-manager certificate on this Ingress is never served.` });
      }
    }
    // the solver's class vs the class of the Ingress that serves the host
    const served = [...new Set(main.map(ingressClassOf).filter((x): x is string => !!x))];
    const solvers: { where: string; cls: string }[] = [];
    for (const i of d.ingresses.filter(isSolverIngress)) {
      const cls = ingressClassOf(i);
      if (cls) solvers.push({ where: `solver Ingress ${nameOf(i)}`, cls });
    }
    for (const ch of cm.chains) {
      for (const x of ch.challenges) {
        const cls = solverClass(x.spec?.solver);
        if (cls) solvers.push({ where: `Challenge ${nameOf(x)} (solver of ${ch.issuerKind} ${ch.issuerName})`, cls });
      }
      for (const s of ch.issuer?.spec?.acme?.solvers ?? []) {
        const cls = solverClass(s);
        if (cls && ch.challenges.length === 0) solvers.push({ where: `${ch.issuerKind} ${ch.issuerName} http01 solver`, cls });
      }
    }
    const mismatch = served.length > 0 ? solvers.filter((s) => !served.includes(s.cls)) : [];
    if (mismatch.length) {
      const m = mismatch[0]!;
      findings.push({
        code: 'ingress.annotations.class-mismatch',
        message: `The HTTP-01 solver uses ingress class "${m.cls}" (${m.where}), but ${ctx.host} is served by the controller of class "${served.join('", "')}": the controller that receives the ACME request has no route for the challenge token.`,
      });
    }
    const summary = findings.length ? findings.map((f) => f.code.replace('ingress.annotations.', '')).join(', ') : `no annotation that breaks HTTP-01; solver class ${solvers[0]?.cls ?? 'n/a'}, served class ${served.join(', ') || 'default'}`;
    return { summary, findings, evidence: { annotations: seen, servedClasses: served, solverClasses: solvers }, reproduce: [ctx.kubectl(`get ingress -A -o yaml | grep -E 'ssl-redirect|ssl-passthrough|ingress.class|ingressClassName'`)] };
  },
};
