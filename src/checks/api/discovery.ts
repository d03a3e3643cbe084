// api.discovery: what kubectl asks before every command (discovery: /api, /apis, then every group
// version), asked the same way. An aggregated API that is not Available answers 503 there: kubectl
// still works but prints `couldn't get resource list for GROUP/VERSION: the server is currently
// unable to handle the request`, and whatever needs the full list fails.
import type { V1APIService } from '@kubernetes/client-node';
import type { CheckDefinition, FindingInput } from '../../engine/definitions.ts';
import type { ApiFailure } from '../../kube/client.ts';
import type { ApiContext } from './context.ts';

interface ApiGroupList {
  groups?: { name: string; versions?: { groupVersion: string; version: string }[] }[];
}

/** client-go's words for a failed discovery answer (what kubectl prints after "GV: "). */
export function discoveryErrorText(f: ApiFailure): string {
  if (f.status === 503) return 'the server is currently unable to handle the request';
  if (f.status === 404) return 'the server could not find the requested resource';
  if (f.status === 401) return 'Unauthorized';
  return f.message;
}

export interface BrokenGroupVersion {
  groupVersion: string;
  error: string;
  /** the APIService behind it (VERSION.GROUP), its service and its Available condition, when readable */
  apiService: string;
  service?: string;
  reason?: string;
  message?: string;
  /** why the APIService could not be read */
  unreadable?: string;
}

/** The finding for group versions discovery could not read (pure: tested on recorded evidence). */
export function judgeDiscovery(broken: BrokenGroupVersion[], kubectl: (args: string) => string): FindingInput[] {
  if (broken.length === 0) return [];
  const lines = broken.map((b) => `couldn't get resource list for ${b.groupVersion}: ${b.error}`);
  const why = broken.map((b) => {
    if (b.unreadable) return `APIService ${b.apiService} (its status is not readable by this identity: ${b.unreadable})`;
    return `APIService ${b.apiService}${b.service ? ` (service ${b.service})` : ''} is not Available: ${b.reason ?? 'no reason'}${b.message ? ` ("${b.message}")` : ''}`;
  });
  const groups = [...new Set(broken.map((b) => b.groupVersion))].join(', ');
  return [
    {
      code: 'api.discovery.unavailable',
      message:
        `${why.join('; ')}. kubectl still works (\`kubectl get pods\` exits 0), but prints ${lines.map((l) => `"${l}"`).join(' and ')} on every discovery, ` +
        `and what needs the complete list of APIs fails: \`kubectl api-resources\` exits 1 ("error: unable to retrieve the complete list of server APIs: ${broken.map((b) => `${b.groupVersion}: ${b.error}`).join(', ')}"), ` +
        `\`kubectl apply\` of ${groups} objects fails, and namespace deletion and garbage collection in the cluster stall.`,
      remediation: [
        ...broken.map((b) => `\`${kubectl(`describe apiservice ${b.apiService}`)}\`${b.service ? `, then the service behind it: \`${kubectl(`get endpointslices -n ${b.service.split('/')[0]} -l kubernetes.io/service-name=${b.service.split('/')[1] ?? ''}`)}\` and its pods' logs` : ''}.`),
        `If the API is not needed any more, delete the registration: \`${kubectl(`delete apiservice ${broken.map((b) => b.apiService).join(' ')}`)}\`; \`kubectl netdiag server\` shows every APIService.`,
      ],
    },
  ];
}

/** At most `n` at once. */
async function mapLimited<T, R>(items: T[], n: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!);
      }
    }),
  );
  return out;
}

export const discoveryCheck: CheckDefinition<ApiContext> = {
  id: 'api.discovery',
  title: 'API discovery (what kubectl reads first)',
  requires: ['api.auth'],
  codes: ['api.discovery.unavailable'],
  // /apis, then the group versions 8 at a time (about 4 rounds on a 1.24 server), then the APIServices
  timeoutMs: (ctx) => ctx.options.requestTimeoutMs * 6 + ctx.timeoutMs * 2 + 1000,
  async run(ctx) {
    const kubectl = (args: string) => ctx.kubectl(args);
    const reproduce = [kubectl('api-resources'), kubectl('get apiservices')];
    const apis = await ctx.get<ApiGroupList>('/apis');
    if (!apis.ok) {
      return { skip: true, summary: `the API group list could not be read (${apis.status ? `${apis.status} ` : ''}${apis.message}); see api.auth`, reproduce };
    }
    const gvs = (apis.body.groups ?? []).flatMap((g) => (g.versions ?? []).map((v) => ({ group: g.name, version: v.version, groupVersion: v.groupVersion })));
    const answers = await mapLimited(gvs, 8, async (gv) => ({ gv, r: await ctx.get<unknown>(`/apis/${gv.groupVersion}`) }));
    const failed = answers.filter((a) => !a.r.ok);
    const broken: BrokenGroupVersion[] = await Promise.all(
      failed.map(async ({ gv, r }) => {
        const apiService = `${gv.version}.${gv.group}`;
        const base = { groupVersion: gv.groupVersion, error: discoveryErrorText(r as ApiFailure), apiService };
        const s = await ctx.get<V1APIService>(`/apis/apiregistration.k8s.io/v1/apiservices/${apiService}`);
        if (!s.ok) return { ...base, unreadable: s.status ? `${s.status} ${s.statusReason ?? ''}`.trim() : s.message };
        const c = s.body.status?.conditions?.find((x) => x.type === 'Available');
        const svc = s.body.spec?.service;
        return { ...base, service: svc ? `${svc.namespace}/${svc.name}` : undefined, reason: c?.reason, message: c?.message };
      }),
    );
    const evidence = { groupVersions: gvs.length, failing: broken };
    const findings = judgeDiscovery(broken, kubectl);
    if (findings.length === 0) return { summary: `all ${gvs.length} API group versions answer discovery`, evidence, reproduce };
    return {
      summary: `${broken.length} of ${gvs.length} API group versions fail discovery: ${broken.map((b) => `${b.groupVersion} (APIService ${b.apiService}${b.reason ? `: ${b.reason}` : ''})`).join(', ')}; kubectl still works but prints discovery errors`,
      findings,
      evidence,
      reproduce,
    };
  },
};
