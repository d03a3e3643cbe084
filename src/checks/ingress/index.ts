// The `ingress` diagnosis (external path to an Ingress host: DNS → LB IP → MetalLB → Service →
// endpoints → HTTP-01 → cert-manager) and the `cert` diagnosis (the served certificate; with a
// cluster that knows the host, the same cluster checks).
import { arch, hostname, platform } from 'node:os';
import type { DiagnosisDefinition } from '../registry.ts';
import { certTlsCheck } from '../cert/tls.ts';
import { annotationsCheck } from './annotations.ts';
import { certManagerCheck } from './certmanager.ts';
import { IngressContext, type IngressOptions } from './context.ts';
import { diagnoseIngress } from './diagnosis.ts';
import { http01Check } from './http01.ts';
import { dnsCheck, lbCheck, trafficPolicyCheck } from './lb.ts';
import { backendCheck, resourceCheck } from './resource.ts';

function target(ctx: IngressContext) {
  const k = ctx.cluster.configured ? ctx.cluster.api.kube : undefined;
  return {
    host: ctx.host,
    port: ctx.options.port,
    ...(ctx.options.sni ? { sni: ctx.options.sni } : {}),
    ...(k ? { context: k.contextName, cluster: k.clusterName, user: k.userName, server: k.cluster.server } : {}),
  };
}

function environment(ctx: IngressContext) {
  return {
    host: { name: hostname(), platform: `${platform()} ${arch()}` },
    ...(ctx.options.caFile ? { caFile: ctx.options.caFile } : {}),
    kubeconfig: ctx.cluster.configured ? ctx.cluster.api.kube?.files.map((f) => f.path) : null,
  };
}

export const ingressDiagnosis: DiagnosisDefinition<IngressOptions, IngressContext> = {
  command: 'ingress',
  title: 'Ingress and certificate',
  description: 'external path to an Ingress host: Ingress → Service → LB address → MetalLB → traffic policy → DNS → HTTP-01 → cert-manager → served certificate',
  checks: [resourceCheck, backendCheck, lbCheck, trafficPolicyCheck, dnsCheck, http01Check, certManagerCheck, annotationsCheck, certTlsCheck],
  createContext: (o) => new IngressContext(o),
  diagnose: diagnoseIngress,
  target,
  environment,
  inputs: [{ name: 'host', label: 'Host', required: true, placeholder: 'test.example.io', kind: 'host' }],
  configError(ctx) {
    const ca = caFileError(ctx);
    if (ca) return ca;
    const k = ctx.cluster.api;
    if (k.kubeError) return k.kubeError.message;
    if (!ctx.cluster.configured) return 'no kubeconfig: set KUBECONFIG or --kubeconfig (`kubectl netdiag cert HOST` works without a cluster)';
    return undefined;
  },
};

export const certDiagnosis: DiagnosisDefinition<IngressOptions, IngressContext> = {
  command: 'cert',
  title: 'Served certificate',
  description: 'the TLS certificate served at HOST[:PORT]: chain, names, validity, trust, staging/fake/self-signed; with a cluster: cert-manager and the ingress path',
  checks: [certTlsCheck, certManagerCheck, resourceCheck, backendCheck, lbCheck, trafficPolicyCheck, dnsCheck, http01Check, annotationsCheck],
  createContext: (o) => new IngressContext(o),
  diagnose: diagnoseIngress,
  target,
  environment,
  inputs: [{ name: 'host', label: 'Host', required: true, placeholder: 'example.com[:443]', kind: 'host' }],
  configError: (ctx) => caFileError(ctx),
};

function caFileError(ctx: IngressContext): string | undefined {
  const e = ctx.caFile()?.error;
  return e ? `--ca-file ${ctx.options.caFile}: ${e}` : undefined;
}
