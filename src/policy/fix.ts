// The fix for a denied flow: which policy to change, where, and the YAML to add.
import { kindsOf } from './cilium.ts';
import { dump } from 'js-yaml';
import type { PolicyIndex } from './engine.ts';
import { fqdnMatches, normalizeName } from './fqdn.ts';
import { refText, ruleText, type Flow, type PolicyRef, type Verdict } from './types.ts';

export interface Fix {
  /** the policy to change; absent when a new policy is needed */
  policy?: PolicyRef;
  /** where in the policy, e.g. "spec.egress[0].toFQDNs" */
  path: string;
  action: 'append' | 'remove' | 'new-policy';
  /** the YAML to add at `path` (or the rule to remove) */
  yaml: string;
  summary: string;
}

/** Well-known storage endpoints reached through presigned URLs, and the pattern that covers them. */
const STORAGE_SUFFIXES: [RegExp, string][] = [
  [/\.blob\.core\.windows\.net$/, '*.blob.core.windows.net'],
  [/\.dfs\.core\.windows\.net$/, '*.dfs.core.windows.net'],
  [/\.s3[.-][a-z0-9-]+\.amazonaws\.com$/, '*.s3.*.amazonaws.com'],
  [/\.s3\.amazonaws\.com$/, '*.s3.amazonaws.com'],
  [/^storage\.googleapis\.com$/, 'storage.googleapis.com'],
];

export function storagePattern(host: string): string | undefined {
  const h = normalizeName(host);
  for (const [re, pattern] of STORAGE_SUFFIXES) if (re.test(h)) return pattern;
  return undefined;
}

function y(value: unknown): string {
  return dump(value, { lineWidth: -1, noRefs: true }).trimEnd();
}

export function suggestFix(index: PolicyIndex, flow: Flow, verdict: Verdict): Fix | undefined {
  if (verdict.allowed) return undefined;
  const host = flow.dest.host ? normalizeName(flow.dest.host) : undefined;
  const proto = flow.dest.protocol ?? 'TCP';

  const deny = verdict.cilium.deniedBy[0];
  if (deny) {
    const sel = index.selecting(flow.pod).cilium.find((r) => refText(r.ref) === refText(deny) && r.specIndex === deny.specIndex);
    const rule = sel?.rule.egressDeny?.[deny.ruleIndex];
    const spec = deny.specIndex !== undefined ? `specs[${deny.specIndex}]` : 'spec';
    return {
      policy: deny,
      path: `${spec}.egressDeny[${deny.ruleIndex}]`,
      action: 'remove',
      yaml: y([rule ?? {}]),
      summary: `Remove or narrow ${ruleText(deny)}: an egressDeny rule wins over every allow, so adding allows cannot help.`,
    };
  }

  const sel = index.selecting(flow.pod);
  const dstPod = flow.dest.pod;
  if (index.ciliumEnforces && dstPod && sel.cilium[0]) {
    // an in-cluster destination: select the pods by their labels, never by name or address
    const first = sel.cilium[0];
    const spec = first.specIndex !== undefined ? `specs[${first.specIndex}]` : 'spec';
    const labels: Record<string, string> = { 'k8s:io.kubernetes.pod.namespace': dstPod.namespace };
    for (const [k, v] of Object.entries(dstPod.labels)) if (!/pod-template-hash|controller-revision-hash|statefulset\.kubernetes\.io\/pod-name/.test(k)) labels[k] = v;
    const rule = { toEndpoints: [{ matchLabels: labels }], toPorts: [{ ports: [{ port: String(flow.dest.port), protocol: proto }] }] };
    return {
      policy: first.ref,
      path: `${spec}.egress`,
      action: 'append',
      yaml: y([rule]),
      summary: `Add an egress rule for the pods of ${flow.dest.service ? `Service ${flow.dest.service.namespace}/${flow.dest.service.name}` : `${dstPod.namespace}/${dstPod.name}`} (port ${flow.dest.port}) to ${refText(first.ref)}.`,
    };
  }
  const nodeKinds = kindsOf(flow.dest).filter((k) => k === 'host' || k === 'remote-node' || k === 'kube-apiserver');
  if (index.ciliumEnforces && !dstPod && nodeKinds.length && sel.cilium[0]) {
    // a node's address (or the API server's): Cilium's identities, not a CIDR, select it
    const first = sel.cilium[0];
    const spec = first.specIndex !== undefined ? `specs[${first.specIndex}]` : 'spec';
    const entity = nodeKinds.includes('kube-apiserver') ? 'kube-apiserver' : nodeKinds[0]!;
    const rule = { toEntities: [entity], toPorts: [{ ports: [{ port: String(flow.dest.port), protocol: proto }] }] };
    return {
      policy: first.ref,
      path: `${spec}.egress`,
      action: 'append',
      yaml: y([rule]),
      summary: `Add an egress rule toEntities [${entity}] (port ${flow.dest.port}) to ${refText(first.ref)}: ${flow.dest.ip} is ${flow.dest.node ? `node ${flow.dest.node.name}` : 'the API server'}, whose Cilium identity is ${nodeKinds.join(' + ')}.`,
    };
  }
  if (index.ciliumEnforces && host) {
    // prefer the toFQDNs rule that already covers this port
    const fqdnRules = sel.cilium.flatMap((r) =>
      r.egress
        .filter((er) => er.fqdns.length > 0)
        .map((er) => ({ r, er, coversPort: (er.raw.toPorts ?? []).some((pr) => (pr.ports ?? []).some((p) => Number(p.port ?? 0) === flow.dest.port || Number(p.port ?? 0) === 0)) || !er.raw.toPorts })),
    );
    const target = fqdnRules.find((x) => x.coversPort) ?? fqdnRules[0];
    const pattern = storagePattern(host);
    const entry = pattern && pattern !== host ? { matchPattern: pattern } : { matchName: host };
    const proxy = index.dnsProxy(flow.pod, host);
    const dnsLine = proxy.intercepted && !proxy.covers ? ` Also add \`- matchPattern: "*"\` (or the name) to the rules.dns of the DNS rule on port 53.` : '';
    if (target) {
      const spec = target.r.specIndex !== undefined ? `specs[${target.r.specIndex}]` : 'spec';
      return {
        policy: target.r.ref,
        path: `${spec}.egress[${target.er.index}].toFQDNs`,
        action: 'append',
        yaml: y([entry]),
        summary: `Add ${entry.matchName ? `matchName ${host}` : `matchPattern ${entry.matchPattern} (it covers ${host})`} to the toFQDNs of ${refText(target.r.ref)} (${spec}.egress[${target.er.index}]).${dnsLine}`,
      };
    }
    const first = sel.cilium[0];
    if (first) {
      const spec = first.specIndex !== undefined ? `specs[${first.specIndex}]` : 'spec';
      const rule = { toFQDNs: [entry], toPorts: [{ ports: [{ port: String(flow.dest.port), protocol: proto }] }] };
      return {
        policy: first.ref,
        path: `${spec}.egress`,
        action: 'append',
        yaml: y([rule]),
        summary: `Add an egress rule for ${host} port ${flow.dest.port} to ${refText(first.ref)}.${dnsLine || ' toFQDNs also needs DNS through the DNS proxy (toPorts 53 with rules.dns).'}`,
      };
    }
  }
  const np = sel.k8s[0];
  if (np) {
    const podLabels = flow.dest.pod ? Object.fromEntries(Object.entries(flow.dest.pod.labels).filter(([k]) => !/pod-template-hash|controller-revision-hash|statefulset\.kubernetes\.io\/pod-name/.test(k))) : {};
    const peer = flow.dest.pod
      ? { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': flow.dest.pod.namespace } }, podSelector: { matchLabels: podLabels } }
      : { ipBlock: { cidr: `${flow.dest.ip}/${flow.dest.ip.includes(':') ? 128 : 32}` } };
    const rule = { to: [peer], ports: [{ protocol: proto, port: flow.dest.port }] };
    return {
      policy: np.ref,
      path: 'spec.egress',
      action: 'append',
      yaml: y([rule]),
      summary: `Add an egress rule to NetworkPolicy ${np.ref.namespace}/${np.ref.name}${
        host && !flow.dest.pod ? ` (NetworkPolicy cannot name hosts: the address ${flow.dest.ip} of ${host} may change; a CiliumNetworkPolicy toFQDNs rule can name it)` : ''
      }.`,
    };
  }
  return undefined;
}

/** Whether any toFQDNs selector of the pod's policies matches the name. */
export function fqdnListed(index: PolicyIndex, flow: Flow, name: string): boolean {
  return index.fqdnSelectors(flow.pod).some((s) => fqdnMatches(s.selector, name));
}
