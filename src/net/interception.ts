// The one TLS-interception rule, for `api.tls` and `cert.tls`: from the chain a server presented,
// what the client expected it to build to, whether a proxy was on the path, and what verification
// said, decide whether a middlebox re-signed the connection, with the evidence that decided it and
// the product when its issuer names one (./interception-products.ts). Pure: no I/O, no wording of
// findings (each check words its own).
//
// The rule today:
//   intercepted = the chain does not build to an expected anchor
//                 and nothing else explains that (an ingress controller's default certificate, a
//                 staging CA: the caller says so)
//                 and (the connection was tunnelled through a proxy, or an issuer in the chain
//                      names a known interception product)
// More evidence (issue 12: the leaf lacks every name a Kubernetes API server certificate carries;
// a second, unrelated probe presents the same issuer) is one more input and one more signal kind.
import type { CertInfo } from './x509.ts';
import { INTERCEPTION_PRODUCTS } from './interception-products.ts';

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
}

export type InterceptionSignal =
  /** the chain does not build to what the client expected */
  | { kind: 'not-anchored'; detail: string }
  /** a proxy was on the path: intercepting proxies re-sign every server certificate */
  | { kind: 'proxy'; detail: string }
  /** an issuer (or CA subject) of the chain names a known interception product */
  | { kind: 'product'; product: string; certificate: string; detail: string };

export interface InterceptionVerdict {
  intercepted: boolean;
  /** the evidence that decided it: for an interception, 'not-anchored' plus 'proxy' and/or 'product' */
  evidence: InterceptionSignal[];
  /** the interception product an issuer of the chain names, whether or not the chain was judged intercepted */
  product?: string;
  /** when not intercepted: why not, in words */
  notBecause?: string;
}

/** The interception product a certificate's issuer (then its subject) names, if any. */
export function interceptionProduct(c: Pick<CertInfo, 'issuer' | 'subject'>): string | undefined {
  for (const text of [c.issuer, c.subject]) {
    for (const p of INTERCEPTION_PRODUCTS) if (p.patterns.some((re) => re.test(text))) return p.product;
  }
  return undefined;
}

export function judgeInterception(input: InterceptionInput): InterceptionVerdict {
  const evidence: InterceptionSignal[] = [];
  let product: string | undefined;
  for (const c of input.chain) {
    product = interceptionProduct(c);
    if (product) {
      evidence.push({ kind: 'product', product, certificate: c.subject, detail: `${c.subject}, issued by ${c.issuer}, names ${product}` });
      break;
    }
  }
  const base = product ? { product } : {};
  if (input.chain.length === 0) return { intercepted: false, evidence: [], ...base, notBecause: 'no certificate was presented' };
  if (input.anchoredBy !== undefined) {
    return { intercepted: false, evidence: [], ...base, notBecause: `the chain builds to ${input.expected} (${input.anchoredBy})` };
  }
  if (input.otherExplanation) return { intercepted: false, evidence: [], ...base, notBecause: input.otherExplanation };
  const top = input.chain[input.chain.length - 1]!;
  evidence.unshift({ kind: 'not-anchored', detail: `the chain ends at ${top.subject}, issued by ${top.issuer}, which is not ${input.expected}` });
  if (input.proxy) evidence.splice(1, 0, { kind: 'proxy', detail: `the connection was tunnelled through ${input.proxy.url ? `the proxy ${input.proxy.url}` : 'a proxy'}` });
  const intercepted = evidence.some((e) => e.kind === 'proxy' || e.kind === 'product');
  if (!intercepted) return { intercepted: false, evidence: [], ...base, notBecause: 'no proxy was on the path and no issuer names an interception product' };
  return { intercepted: true, evidence, ...base };
}
