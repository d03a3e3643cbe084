// The one TLS-interception rule, for `api.tls` and `cert.tls`: from the chain a server presented,
// what the client expected it to build to, whether a proxy was on the path, and what verification
// said, decide whether a middlebox re-signed the connection, with the evidence that decided it,
// how sure that evidence makes it, and the product when its issuer names one
// (./interception-products.ts). Pure: no I/O, no wording of findings (each check words its own).
//
// The rule:
//   intercepted = the chain does not build to an expected anchor
//                 and nothing else explains that (an ingress controller's default certificate, a
//                 staging CA, a regenerated cluster CA: a chain issued by a CA with the very name
//                 of the expected one, when no proxy is on the path)
//                 and one of (strongest first):
//                   - an issuer in the chain names a known interception product        (certain)
//                   - the connection was tunnelled through a proxy                      (high)
//                   - a second, unrelated host (--compare-host) presents a chain from
//                     the same issuer                                                   (high)
//                   - the client expected a Kubernetes API server and the leaf carries
//                     none of the names every API server certificate carries
//                     (kubernetes, kubernetes.default.svc, the ClusterIP)               (likely)
import type { CertInfo } from './x509.ts';
import { INTERCEPTION_PRODUCTS } from './interception-products.ts';

/** The names every Kubernetes API server serving certificate carries (kubeadm, k3s, rke2, EKS, GKE, AKS, kind). */
export const KUBE_APISERVER_NAMES = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local'];

export interface InterceptionInput {
  /** the chain as presented, leaf first */
  chain: readonly CertInfo[];
  /** what the chain was expected to build to, in words ('the kubeconfig CA', 'the system store') */
  expected: string;
  /** verification's answer: the expected anchor the chain builds to (validity and names aside), or undefined */
  anchoredBy: string | undefined;
  /** set when the connection was tunnelled through a proxy (HTTP CONNECT): its URL, password redacted, when known */
  proxy?: { url?: string };
  /** a reason the chain is not anchored that is not interception, e.g. "ingress-nginx's default certificate" */
  otherExplanation?: string;
  /** the subjects of the expected anchors (the kubeconfig CA): a chain issued by a CA of the same name is a regenerated CA */
  expectedSubjects?: readonly string[];
  /** set when the client expected a Kubernetes API server (api, or cert against the kubeconfig's server) */
  kubeApiServer?: { clusterIP?: string };
  /** the chain a second, unrelated host presented to this client (--compare-host) */
  compare?: { host: string; chain: readonly CertInfo[] };
}

export type InterceptionSignal =
  /** the chain does not build to what the client expected */
  | { kind: 'not-anchored'; detail: string }
  /** a proxy was on the path: intercepting proxies re-sign every server certificate */
  | { kind: 'proxy'; detail: string }
  /** an issuer (or CA subject) of the chain names a known interception product */
  | { kind: 'product'; product: string; certificate: string; detail: string }
  /** the same issuer signs what a second, unrelated host presents */
  | { kind: 'same-issuer'; host: string; issuer: string; detail: string }
  /** the leaf carries none of the names of a Kubernetes API server certificate */
  | { kind: 'no-kube-names'; detail: string };

export type InterceptionConfidence = 'certain' | 'high' | 'likely';

export interface InterceptionVerdict {
  intercepted: boolean;
  /** the evidence that decided it: for an interception, 'not-anchored' plus the signals that hold, strongest first */
  evidence: InterceptionSignal[];
  /** the strongest signal that decided an interception */
  decidedBy?: Exclude<InterceptionSignal['kind'], 'not-anchored'>;
  /** how sure the deciding evidence makes it */
  confidence?: InterceptionConfidence;
  /** the interception product an issuer of the chain names, whether or not the chain was judged intercepted */
  product?: string;
  /** when not intercepted: why not, in words */
  notBecause?: string;
  /** not intercepted because the chain comes from a CA with the expected CA's name but another key */
  regeneratedCa?: boolean;
}

/** The interception product a certificate's issuer (then its subject) names, if any. */
// Every product pattern in one expression: a chain that names no product (nearly every chain) is
// tested once, instead of once per pattern (~60, each compiled on its first use: ~1 ms of `cert`).
let ANY_PRODUCT: RegExp | undefined;

export function interceptionProduct(c: Pick<CertInfo, 'issuer' | 'subject'>): string | undefined {
  ANY_PRODUCT ??= new RegExp(INTERCEPTION_PRODUCTS.flatMap((p) => p.patterns.map((re) => `(?:${re.source})`)).join('|'), 'i');
  for (const text of [c.issuer, c.subject]) {
    if (!ANY_PRODUCT.test(text)) continue;
    for (const p of INTERCEPTION_PRODUCTS) if (p.patterns.some((re) => re.test(text))) return p.product;
  }
  return undefined;
}

const CONFIDENCE: Record<NonNullable<InterceptionVerdict['decidedBy']>, InterceptionConfidence> = {
  product: 'certain',
  proxy: 'high',
  'same-issuer': 'high',
  'no-kube-names': 'likely',
};

/** The leaf carries none of the names a Kubernetes API server certificate carries. */
export function lacksKubeNames(leaf: Pick<CertInfo, 'dnsNames' | 'ipAddresses'>, clusterIP?: string): boolean {
  const dns = leaf.dnsNames.map((n) => n.toLowerCase());
  if (KUBE_APISERVER_NAMES.some((n) => dns.includes(n))) return false;
  if (clusterIP && leaf.ipAddresses.includes(clusterIP)) return false;
  return true;
}

export function judgeInterception(input: InterceptionInput): InterceptionVerdict {
  const signals: InterceptionSignal[] = [];
  let product: string | undefined;
  for (const c of input.chain) {
    product = interceptionProduct(c);
    if (product) {
      signals.push({ kind: 'product', product, certificate: c.subject, detail: `${c.subject}, issued by ${c.issuer}, names ${product}` });
      break;
    }
  }
  const base = product ? { product } : {};
  if (input.chain.length === 0) return { intercepted: false, evidence: [], ...base, notBecause: 'no certificate was presented' };
  if (input.anchoredBy !== undefined) {
    return { intercepted: false, evidence: [], ...base, notBecause: `the chain builds to ${input.expected} (${input.anchoredBy})` };
  }
  if (input.otherExplanation) return { intercepted: false, evidence: [], ...base, notBecause: input.otherExplanation };
  const leaf = input.chain[0]!;
  const top = input.chain[input.chain.length - 1]!;
  if (!product && !input.proxy && input.expectedSubjects?.includes(top.issuer)) {
    return {
      intercepted: false,
      evidence: [],
      regeneratedCa: true,
      notBecause: `the chain is issued by ${top.issuer}, the name of ${input.expected}, with another key: a regenerated cluster CA, not a middlebox`,
    };
  }
  if (input.proxy) signals.push({ kind: 'proxy', detail: `the connection was tunnelled through ${input.proxy.url ? `the proxy ${input.proxy.url}` : 'a proxy'}` });
  const cmpLeaf = input.compare?.chain[0];
  if (input.compare && cmpLeaf && cmpLeaf.issuer === leaf.issuer) {
    signals.push({
      kind: 'same-issuer',
      host: input.compare.host,
      issuer: leaf.issuer,
      detail: `${input.compare.host}, an unrelated host, presents a certificate from the same issuer ${leaf.issuer}`,
    });
  }
  if (input.kubeApiServer && lacksKubeNames(leaf, input.kubeApiServer.clusterIP)) {
    const ip = input.kubeApiServer.clusterIP;
    signals.push({
      kind: 'no-kube-names',
      detail: `the certificate ${leaf.subject} carries none of the names every Kubernetes API server certificate has (kubernetes, kubernetes.default.svc${ip ? `, ${ip}` : ''})${leaf.sans.length ? `: it names ${leaf.sans.join(', ')}` : ': it has no SANs at all'}`,
    });
  }
  if (signals.length === 0) return { intercepted: false, evidence: [], ...base, notBecause: 'no proxy was on the path, no issuer names an interception product, and nothing else points at a middlebox' };
  const order: InterceptionSignal['kind'][] = ['product', 'proxy', 'same-issuer', 'no-kube-names'];
  const decidedBy = order.find((k) => signals.some((s) => s.kind === k)) as NonNullable<InterceptionVerdict['decidedBy']>;
  const evidence: InterceptionSignal[] = [
    { kind: 'not-anchored', detail: `the chain ends at ${top.subject}, issued by ${top.issuer}, which is not ${input.expected}` },
    // the proxy first, as before: it is how the connection went
    ...signals.filter((s) => s.kind === 'proxy'),
    ...signals.filter((s) => s.kind !== 'proxy'),
  ];
  return { intercepted: true, evidence, decidedBy, confidence: CONFIDENCE[decidedBy], ...base };
}

/** "certain (the issuer names mitmproxy)", for a finding's words. */
export function describeDecision(v: InterceptionVerdict): string {
  if (!v.intercepted || !v.decidedBy) return '';
  const s = v.evidence.find((e) => e.kind === v.decidedBy)!;
  const why =
    s.kind === 'product'
      ? `the issuer names ${s.product}`
      : s.kind === 'proxy'
        ? 'a proxy re-signed the connection'
        : s.kind === 'same-issuer'
          ? `${s.host} is signed by the same issuer`
          : 'the certificate is not a Kubernetes API server certificate';
  return `${v.confidence} (${why})`;
}
