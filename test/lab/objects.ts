/**
 * A generic object store for the fake API server: a scenario hands it Kubernetes objects
 * (any kind, core or CRD) and it answers list and get like a real server: the REST paths,
 * namespaced and cluster-wide lists, labelSelector (=, ==, !=, exists, !exists, in, notin),
 * fieldSelector metadata.name / metadata.namespace, limit + continue pagination, NotFound
 * Status objects. RBAC: a scenario can forbid resources (403 in the real format) per user.
 */

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface ObjectStoreOptions {
  objects: KubeObject[];
  /** resources forbidden to everyone, as 'plural' (core) or 'plural.group', e.g. 'certificates.cert-manager.io' */
  forbidden?: string[];
  /** container logs by 'namespace/pod' (or 'namespace/pod/container') */
  logs?: Record<string, string>;
  /**
   * resources served even with no object of the kind (a CRD installed, none created yet), as
   * 'plural.group', e.g. 'l2advertisements.metallb.io': their lists are empty instead of 404
   */
  installed?: string[];
}

const IRREGULAR: Record<string, string> = {
  Endpoints: 'endpoints',
  Ingress: 'ingresses',
  IngressClass: 'ingressclasses',
  NetworkPolicy: 'networkpolicies',
  CiliumNetworkPolicy: 'ciliumnetworkpolicies',
  CiliumClusterwideNetworkPolicy: 'ciliumclusterwidenetworkpolicies',
  IPAddressPool: 'ipaddresspools',
  APIService: 'apiservices',
  ClusterIssuer: 'clusterissuers',
  Issuer: 'issuers',
  Policy: 'policies',
};

/** The kind of a plural, for an empty list's kind (the reverse of pluralOf, for the kinds the lab uses). */
function kindOfPlural(plural: string): string {
  const irregular = Object.entries(IRREGULAR).find(([, p]) => p === plural)?.[0];
  if (irregular) return irregular;
  const known: Record<string, string> = { l2advertisements: 'L2Advertisement', bgpadvertisements: 'BGPAdvertisement', bgppeers: 'BGPPeer', servicel2statuses: 'ServiceL2Status', certificaterequests: 'CertificateRequest', orders: 'Order', challenges: 'Challenge', certificates: 'Certificate' };
  return known[plural] ?? 'Object';
}

export function pluralOf(kind: string): string {
  if (IRREGULAR[kind]) return IRREGULAR[kind];
  const k = kind.toLowerCase();
  if (k.endsWith('s')) return `${k}es`;
  if (k.endsWith('y')) return `${k.slice(0, -1)}ies`;
  return `${k}s`;
}

function groupOf(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export interface ParsedPath {
  group: string;
  version: string;
  namespace: string | null;
  plural: string;
  name?: string;
  sub?: string;
}

/** /api/v1/[namespaces/NS/]PLURAL[/NAME[/SUB]] and /apis/G/V/[namespaces/NS/]PLURAL[/NAME[/SUB]] */
export function parseResourcePath(path: string): ParsedPath | undefined {
  const parts = path.split('/').filter(Boolean);
  let group = '';
  let version: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    version = parts[1]!;
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    version = parts[2]!;
    rest = parts.slice(3);
  } else return undefined;
  let namespace: string | null = null;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1]!;
    rest = rest.slice(2);
  }
  if (rest.length === 0 || rest.length > 3) return undefined;
  return { group, version, namespace, plural: rest[0]!, name: rest[1], sub: rest[2] };
}

type Requirement = (labels: Record<string, string>) => boolean;

/** Kubernetes label selector syntax. */
export function parseLabelSelector(sel: string | null): Requirement {
  if (!sel) return () => true;
  const reqs: Requirement[] = [];
  // split on commas outside parentheses
  const terms: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of sel) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (cur) terms.push(cur);
  for (const raw of terms) {
    const t = raw.trim();
    let m: RegExpExecArray | null;
    if ((m = /^([^!=\s]+)\s*(==|=|!=)\s*(.*)$/.exec(t))) {
      const [, k, op, v] = m;
      reqs.push(op === '!=' ? (l) => l[k!] !== v : (l) => l[k!] === v);
    } else if ((m = /^([^\s]+)\s+(in|notin)\s+\((.*)\)$/.exec(t))) {
      const [, k, op, vs] = m;
      const set = new Set(vs!.split(',').map((x) => x.trim()));
      reqs.push(op === 'in' ? (l) => l[k!] !== undefined && set.has(l[k!]!) : (l) => l[k!] === undefined || !set.has(l[k!]!));
    } else if ((m = /^!(\S+)$/.exec(t))) {
      const k = m[1]!;
      reqs.push((l) => !(k in l));
    } else if (t) {
      reqs.push((l) => t in l);
    }
  }
  return (labels) => reqs.every((r) => r(labels));
}

export interface StoreReply {
  status: number;
  body: unknown;
}

export class ObjectStore {
  private readonly objects: KubeObject[];
  private readonly forbidden: Set<string>;
  private readonly logs: Record<string, string>;
  private readonly installed: Set<string>;

  constructor(opts: ObjectStoreOptions) {
    this.objects = opts.objects;
    this.forbidden = new Set(opts.forbidden ?? []);
    this.logs = opts.logs ?? {};
    this.installed = new Set(opts.installed ?? []);
  }

  /** Whether the store knows this resource (so the server should answer from it). */
  serves(p: ParsedPath): boolean {
    if (p.sub === 'log' && p.plural === 'pods') return true;
    if (this.isForbidden(p)) return true;
    if (this.installed.has(p.group ? `${p.plural}.${p.group}` : p.plural)) return true;
    return this.objects.some((o) => this.matchesType(o, p));
  }

  /** Whether any resource of this API group is known to the store (a CRD of the group installed). */
  servesGroup(group: string): boolean {
    const suffix = `.${group}`;
    for (const r of [...this.installed, ...this.forbidden]) if (r.endsWith(suffix)) return true;
    return this.objects.some((o) => groupOf(o.apiVersion).group === group);
  }

  isForbidden(p: ParsedPath): boolean {
    return this.forbidden.has(p.group ? `${p.plural}.${p.group}` : p.plural);
  }

  private matchesType(o: KubeObject, p: ParsedPath): boolean {
    const g = groupOf(o.apiVersion);
    return g.group === p.group && pluralOf(o.kind) === p.plural;
  }

  /** Answer a GET; `forbiddenReply` builds the server's 403 for a verb. */
  get(p: ParsedPath, q: URLSearchParams): StoreReply {
    if (p.sub === 'log') {
      const container = q.get('container');
      const key = container ? `${p.namespace}/${p.name}/${container}` : `${p.namespace}/${p.name}`;
      const text = this.logs[key] ?? this.logs[`${p.namespace}/${p.name}`];
      if (text === undefined) return { status: 404, body: notFoundStatus('pods', p.name!, '') };
      const tail = Number(q.get('tailLines') ?? 0);
      const lines = text.split('\n');
      return { status: 200, body: tail > 0 ? lines.slice(-tail - 1).join('\n') : text };
    }
    const items = this.objects.filter(
      (o) => this.matchesType(o, p) && (p.namespace === null || o.metadata.namespace === p.namespace),
    );
    if (p.name) {
      const found = items.find((o) => o.metadata.name === p.name);
      return found ? { status: 200, body: found } : { status: 404, body: notFoundStatus(p.plural, p.name, p.group) };
    }
    const labels = parseLabelSelector(q.get('labelSelector'));
    const fields = (q.get('fieldSelector') ?? '')
      .split(',')
      .filter(Boolean)
      .map((f) => f.split('='));
    let matched = items.filter((o) => labels(o.metadata.labels ?? {}));
    for (const [k, v] of fields) {
      if (k === 'metadata.name') matched = matched.filter((o) => o.metadata.name === v);
      if (k === 'metadata.namespace') matched = matched.filter((o) => o.metadata.namespace === v);
    }
    matched.sort((a, b) => `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(`${b.metadata.namespace ?? ''}/${b.metadata.name}`));
    const start = Number(q.get('continue') ? Buffer.from(q.get('continue')!, 'base64').toString() : 0) || 0;
    const limit = Number(q.get('limit') ?? 0);
    const page = limit > 0 ? matched.slice(start, start + limit) : matched.slice(start);
    const next = limit > 0 && start + limit < matched.length ? Buffer.from(String(start + limit)).toString('base64') : undefined;
    const kind = this.objects.find((o) => this.matchesType(o, p))?.kind ?? kindOfPlural(p.plural);
    const metadata: Record<string, unknown> = { resourceVersion: '4242' };
    if (next) {
      metadata.continue = next;
      metadata.remainingItemCount = matched.length - start - limit;
    }
    return {
      status: 200,
      body: { kind: `${kind}List`, apiVersion: p.group ? `${p.group}/${p.version}` : p.version, metadata, items: page },
    };
  }
}

function notFoundStatus(plural: string, name: string, group: string) {
  const resource = group ? `${plural}.${group}` : plural;
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${resource} "${name}" not found`,
    reason: 'NotFound',
    details: { name, group: group || undefined, kind: plural },
    code: 404,
  };
}
