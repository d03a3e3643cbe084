// The policy engine (pure, no I/O): Kubernetes NetworkPolicy and Cilium policies, verdicts with
// their explanation, and the fix for a denied flow.
export * from './types.ts';
export { PolicyIndex, destText, podText, type ClusterPolicies, type CnameHint, type DnsProxyStatus, type PathVerdict, type Selecting } from './engine.ts';
export { compileSelector, selectorText } from './selector.ts';
export { fqdnMatches, fqdnText, normalizeName, patternRegExp } from './fqdn.ts';
export { effectivePolicyTypes } from './k8s.ts';
export { suggestFix, storagePattern, fqdnListed, type Fix } from './fix.ts';
