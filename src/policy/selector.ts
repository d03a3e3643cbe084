// Label selectors (metav1.LabelSelector) compiled once, and Cilium's view of an endpoint's labels.
import type { LabelSelector, Labels, NamespaceInfo, PodInfo } from './types.ts';

export type Matcher = (labels: Labels) => boolean;

const MATCH_ALL: Matcher = () => true;

/**
 * metav1.LabelSelector semantics: matchLabels AND every matchExpression; an empty selector ({})
 * matches everything. `keyOf` rewrites keys (Cilium's "k8s:" / "any:" source prefixes).
 */
export function compileSelector(sel: LabelSelector | null | undefined, keyOf: (k: string) => string = (k) => k): Matcher {
  if (!sel) return MATCH_ALL;
  const tests: Matcher[] = [];
  for (const [k0, v] of Object.entries(sel.matchLabels ?? {})) {
    const k = keyOf(k0);
    tests.push((l) => l[k] === String(v));
  }
  for (const e of sel.matchExpressions ?? []) {
    const k = keyOf(e.key);
    const values = new Set((e.values ?? []).map(String));
    switch (e.operator) {
      case 'In':
        tests.push((l) => l[k] !== undefined && values.has(l[k]!));
        break;
      case 'NotIn':
        tests.push((l) => l[k] === undefined || !values.has(l[k]!));
        break;
      case 'Exists':
        tests.push((l) => l[k] !== undefined);
        break;
      case 'DoesNotExist':
        tests.push((l) => l[k] === undefined);
        break;
      default:
        // an unknown operator is invalid: the API server rejects it; match nothing
        tests.push(() => false);
    }
  }
  if (tests.length === 0) return MATCH_ALL;
  if (tests.length === 1) return tests[0]!;
  return (l) => tests.every((t) => t(l));
}

export function isEmptySelector(sel: LabelSelector | null | undefined): boolean {
  return !!sel && Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0;
}

export function selectorText(sel: LabelSelector | null | undefined): string {
  if (!sel) return '(none)';
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${e.operator.toLowerCase()} (${(e.values ?? []).join(',')})`);
  }
  return parts.length ? `{${parts.join(', ')}}` : '{} (everything)';
}

// ---- Cilium ------------------------------------------------------------------------------

export const CILIUM_NS_LABEL = 'io.kubernetes.pod.namespace';
export const CILIUM_NS_LABELS_PREFIX = 'io.cilium.k8s.namespace.labels.';
export const CILIUM_SA_LABEL = 'io.cilium.k8s.policy.serviceaccount';
export const CILIUM_CLUSTER_LABEL = 'io.cilium.k8s.policy.cluster';
/** Cilium's cluster name when the cilium-config ConfigMap sets no `cluster-name`. */
export const DEFAULT_CILIUM_CLUSTER = 'default';

/** Cilium selector keys carry a source prefix ("k8s:app", "any:app"); endpoint labels here don't. */
export function ciliumKey(k: string): string {
  const i = k.indexOf(':');
  if (i > 0) {
    const src = k.slice(0, i);
    if (src === 'k8s' || src === 'any' || src === 'container' || src === 'unspec') return k.slice(i + 1);
    // reserved:, cidr:, fqdn: ... keep the prefix: endpoint labels never carry it
  }
  return k;
}

/**
 * The labels Cilium gives a pod's endpoint (pkg/k8s: the pod's own labels plus its namespace
 * `io.kubernetes.pod.namespace`, its namespace's labels as `io.cilium.k8s.namespace.labels.<key>`,
 * its service account `io.cilium.k8s.policy.serviceaccount`, and the cluster name
 * `io.cilium.k8s.policy.cluster`). Every selector of a Cilium policy, and of a NetworkPolicy that
 * Cilium enforces, sees these.
 */
export function ciliumEndpointLabels(pod: PodInfo, ns: NamespaceInfo | undefined, cluster = DEFAULT_CILIUM_CLUSTER): Labels {
  const out: Labels = { ...pod.labels, [CILIUM_NS_LABEL]: pod.namespace };
  // every namespace carries kubernetes.io/metadata.name (an immutable label since 1.21)
  const nsLabels = { 'kubernetes.io/metadata.name': pod.namespace, ...(ns?.labels ?? {}) };
  for (const [k, v] of Object.entries(nsLabels)) out[CILIUM_NS_LABELS_PREFIX + k] = v;
  out[CILIUM_SA_LABEL] = pod.serviceAccount ?? 'default';
  out[CILIUM_CLUSTER_LABEL] = cluster;
  return out;
}

/**
 * Whether a selector of a namespaced Cilium policy already says which namespaces it means: by the
 * pod's namespace label, or by a namespace's labels. Otherwise Cilium confines it to the policy's
 * own namespace (getEndpointSelector in pkg/k8s/apis/cilium.io/utils/utils.go).
 */
export function selectsNamespace(sel: LabelSelector): boolean {
  const keys = [...Object.keys(sel.matchLabels ?? {}), ...(sel.matchExpressions ?? []).map((e) => e.key)].map(ciliumKey);
  return keys.some((k) => k === CILIUM_NS_LABEL || k.startsWith(CILIUM_NS_LABELS_PREFIX));
}
