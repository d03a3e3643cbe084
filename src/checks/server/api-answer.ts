// How the server checks quote an answer of the API client: "200 OK", "403 Forbidden: needs list
// endpointslices.discovery.k8s.io in namespace default", or the network error.
import type { ApiFailure, ApiResult, Permission } from '../../kube/client.ts';

/** A failed request in a few words; a 403 names the permission that is missing. */
export function failureText(f: ApiFailure): string {
  if (f.status === undefined) return f.message;
  const head = `${f.status} ${f.statusReason ?? ''}`.trim();
  return f.reason === 'forbidden' && f.needs ? `${head}: needs ${permissionText(f.needs)}` : head;
}

/** Any answer in a few words. */
export function answerText(r: ApiResult<unknown>): string {
  if (r.ok) return r.status === 200 ? '200 OK' : String(r.status);
  return failureText(r);
}

/** "list apiservices.apiregistration.k8s.io", "list endpointslices.discovery.k8s.io in namespace default" */
export function permissionText(p: Permission): string {
  return `${p.verb} ${p.resource}${p.namespace ? ` in namespace ${p.namespace}` : ''}`;
}
