// Who owns a policy (Flux, Argo CD, Helm, or applied by hand), from its labels, annotations and
// managedFields managers; and the key that names a policy object in findings.

export interface KubeObj {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: { manager?: string; operation?: string; time?: string }[];
    [k: string]: unknown;
  };
  spec?: unknown;
  specs?: unknown;
  [k: string]: unknown;
}

export interface Owner {
  tool: 'Flux' | 'Argo CD' | 'Helm' | 'kubectl (by hand)' | 'unknown';
  /** e.g. "Kustomization flux-system/apps", "Application argocd/payments", "release ml/training" */
  detail?: string;
  /** managers that changed it by hand after (kubectl-edit, kubectl-patch, ...) */
  handEdits: string[];
  managers: string[];
  evidence: string[];
}

const HAND_MANAGERS = /^kubectl(-client-side-apply|-edit|-patch|-create|-replace|-label|-annotate)?$/;

export function ownerOf(o: KubeObj): Owner {
  const l = o.metadata.labels ?? {};
  const a = o.metadata.annotations ?? {};
  const managers = (o.metadata.managedFields ?? []).map((m) => m.manager ?? '').filter(Boolean);
  const handEdits = managers.filter((m) => HAND_MANAGERS.test(m));
  const evidence: string[] = [];
  const base = { handEdits, managers };
  if (l['kustomize.toolkit.fluxcd.io/name'] || managers.includes('kustomize-controller')) {
    const name = l['kustomize.toolkit.fluxcd.io/name'];
    const ns = l['kustomize.toolkit.fluxcd.io/namespace'] ?? 'flux-system';
    if (name) evidence.push(`label kustomize.toolkit.fluxcd.io/name=${name}`);
    if (managers.includes('kustomize-controller')) evidence.push('managedFields manager kustomize-controller');
    return { tool: 'Flux', detail: name ? `Kustomization ${ns}/${name}` : 'Kustomization (unknown)', evidence, ...base };
  }
  if (l['helm.toolkit.fluxcd.io/name'] || managers.includes('helm-controller')) {
    const name = l['helm.toolkit.fluxcd.io/name'];
    const ns = l['helm.toolkit.fluxcd.io/namespace'] ?? o.metadata.namespace;
    evidence.push(name ? `label helm.toolkit.fluxcd.io/name=${name}` : 'managedFields manager helm-controller');
    return { tool: 'Flux', detail: name ? `HelmRelease ${ns}/${name}` : 'HelmRelease (unknown)', evidence, ...base };
  }
  const tracking = a['argocd.argoproj.io/tracking-id'];
  if (tracking || managers.some((m) => /^argocd/.test(m)) || (l['app.kubernetes.io/instance'] && a['argocd.argoproj.io/sync-options'] !== undefined)) {
    const app = tracking ? tracking.split(':')[0] : l['app.kubernetes.io/instance'];
    evidence.push(tracking ? `annotation argocd.argoproj.io/tracking-id=${tracking}` : `managedFields manager ${managers.find((m) => /^argocd/.test(m))}`);
    return { tool: 'Argo CD', detail: app ? `Application ${app}` : undefined, evidence, ...base };
  }
  if (l['app.kubernetes.io/managed-by'] === 'Helm' || a['meta.helm.sh/release-name'] || managers.includes('helm')) {
    const rel = a['meta.helm.sh/release-name'];
    const ns = a['meta.helm.sh/release-namespace'] ?? o.metadata.namespace;
    evidence.push(rel ? `annotation meta.helm.sh/release-name=${rel}` : 'label app.kubernetes.io/managed-by=Helm');
    return { tool: 'Helm', detail: rel ? `release ${ns}/${rel}` : undefined, evidence, ...base };
  }
  if (handEdits.length || a['kubectl.kubernetes.io/last-applied-configuration']) {
    evidence.push(handEdits.length ? `managedFields managers ${handEdits.join(', ')}` : 'annotation kubectl.kubernetes.io/last-applied-configuration');
    return { tool: 'kubectl (by hand)', evidence, ...base };
  }
  return { tool: 'unknown', evidence: managers.length ? [`managedFields managers ${managers.join(', ')}`] : [], ...base };
}

export function ownerText(o: Owner): string {
  return `${o.tool}${o.detail ? ` (${o.detail})` : ''}${o.handEdits.length && o.tool !== 'kubectl (by hand)' ? `, edited by hand (${o.handEdits.join(', ')})` : ''}`;
}

export function objKey(o: KubeObj): string {
  return `${o.kind} ${o.kind === 'CiliumClusterwideNetworkPolicy' ? '' : `${o.metadata.namespace ?? 'default'}/`}${o.metadata.name}`;
}
