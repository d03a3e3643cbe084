// ingress.backend: the Services the host's Ingresses send it to, their ports and ready endpoints.
import type { CheckDefinition, CheckOutcome, FindingInput } from '../../engine/definitions.ts';
import { hostIngresses, hostMatches, readFailure, type HostClusterContext } from './cluster-context.ts';
import type { Service } from './types.ts';

export const backendCheck: CheckDefinition<HostClusterContext> = {
  id: 'ingress.backend',
  title: 'Backend services',
  codes: ['ingress.backend.service-missing', 'ingress.backend.port-missing', 'ingress.backend.no-ready-endpoints'],
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 3 + 1000,
  async run(ctx): Promise<CheckOutcome> {
    const main = hostIngresses(await ctx.discover());
    const backends = new Map<string, { ns: string; name: string; port?: { number?: number; name?: string } }>();
    for (const i of main) {
      const ns = i.metadata.namespace ?? 'default';
      for (const r of i.spec?.rules ?? []) {
        if (r.host && !hostMatches(r.host, ctx.host)) continue;
        for (const p of r.http?.paths ?? []) if (p.backend.service) backends.set(`${ns}/${p.backend.service.name}`, { ns, ...p.backend.service });
      }
      if (i.spec?.defaultBackend?.service) backends.set(`${ns}/${i.spec.defaultBackend.service.name}`, { ns, ...i.spec.defaultBackend.service });
    }
    const findings: FindingInput[] = [];
    const rows: Record<string, unknown>[] = [];
    const reproduce: string[] = [];
    for (const b of backends.values()) {
      const svcPath = `/api/v1/namespaces/${b.ns}/services/${b.name}`;
      const [svc, slices] = await Promise.all([
        ctx.get<Service>(svcPath),
        ctx.endpointSlices(b.ns, b.name),
      ]);
      reproduce.push(ctx.kubectl(`get service,endpointslices -n ${b.ns} -l kubernetes.io/service-name=${b.name}`));
      if (!svc.ok) {
        if (svc.reason === 'forbidden') return readFailure(svc, svcPath, 'Services');
        findings.push({ code: 'ingress.backend.service-missing', message: `The backend Service ${b.ns}/${b.name} does not exist (${svc.message}).` });
        rows.push({ service: `${b.ns}/${b.name}`, exists: false });
        continue;
      }
      const ports = svc.body.spec?.ports ?? [];
      const port = ports.find((p) => (b.port?.number !== undefined && p.port === b.port.number) || (b.port?.name !== undefined && p.name === b.port.name));
      if (b.port && !port) {
        findings.push({ code: 'ingress.backend.port-missing', message: `The Ingress sends ${ctx.host} to port ${b.port.number ?? b.port.name} of Service ${b.ns}/${b.name}, which has ports ${ports.map((p) => p.name ? `${p.port} (${p.name})` : p.port).join(', ') || 'none'}.` });
      }
      const eps = slices.ok ? slices.body.flatMap((s) => s.endpoints ?? []) : [];
      const ready = eps.filter((e) => e.conditions?.ready !== false);
      if (slices.ok && ready.length === 0) {
        findings.push({ code: 'ingress.backend.no-ready-endpoints', message: `Service ${b.ns}/${b.name} has no ready endpoints (${eps.length} not ready): the controller answers 503.` });
      }
      rows.push({ service: `${b.ns}/${b.name}`, exists: true, port: port?.port ?? null, ready: ready.length, total: eps.length });
    }
    const summary = rows.map((r) => (r.exists ? `${r.service}: ${r.ready}/${r.total} endpoints ready` : `${r.service}: missing`)).join('; ') || 'no backend service';
    return { summary, findings, evidence: { backends: rows }, reproduce };
  },
};
