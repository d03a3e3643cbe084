// Finding codes of the `egress` diagnosis (SPEC §5 egress, issue 4).
import type { CatalogEntry } from '../types.ts';

const e = (severity: CatalogEntry['severity'], title: string, ...remediation: string[]): CatalogEntry => ({ severity, title, remediation });

export const EGRESS_CODES: Record<string, CatalogEntry> = {
  // egress.pod
  'egress.pod.not-found': e('fail', 'The pod does not exist (or no pod matches the selector)', 'List the pods with `kubectl get pods -n NS` (and --selector) and pass an existing one.'),
  'egress.pod.not-running': e('fail', 'The pod is not Running, so nothing can be probed from it', 'Look at `kubectl describe pod` for why it is not running.'),
  'egress.pod.api-error': e('fail', 'The pod could not be read from the API server', 'Run `kubectl netdiag api` to check the path to the API server, and `kubectl auth can-i get pods -n NS`.'),
  'egress.pod.exec-forbidden': e('warn', 'Exec into the pod is forbidden: the live probe is skipped', 'Ask for `create` on `pods/exec` in the namespace (e.g. a RoleBinding to a role with that rule), or rely on the static verdict.'),
  'egress.pod.no-tools': e('warn', 'The container has no tool to probe with (distroless image)', 'Rerun with --debug-image IMAGE (e.g. busybox) to probe from an ephemeral debug container; it cannot be removed from the pod afterwards.'),
  'egress.pod.debug-container': e('warn', '--debug-image added an ephemeral container to the pod (it cannot be removed)', 'The container stays in the pod spec until the pod is deleted or replaced (e.g. `kubectl rollout restart`).'),
  'egress.pod.debug-failed': e('warn', '--debug-image: the ephemeral debug container could not be used', 'Check `kubectl auth can-i update pods/ephemeralcontainers` and the image name; ephemeral containers need Kubernetes ≥ 1.23.'),
  'egress.pod.exec-failed': e('warn', 'Exec into the pod failed: the live probe is skipped', 'Try `kubectl exec` by hand to see the error.'),

  // egress.dns
  'egress.dns.nxdomain': e('fail', 'The name does not exist for the pod\'s DNS (NXDOMAIN)', 'Check the name; check that the cluster DNS forwards this domain.'),
  'egress.dns.timeout': e('fail', 'The pod\'s DNS did not answer within --timeout', 'Check DNS egress to kube-dns (UDP and TCP 53) in the policies, and CoreDNS health.'),
  'egress.dns.error': e('fail', 'Resolution inside the pod failed', 'Run the reproduce command inside the pod.'),
  'egress.dns.cname': e('info', 'The name is an alias (CNAME) for another name', 'Allow-lists (toFQDNs) must name what the application dials, not the CNAME target.'),
  'egress.dns.policy-denied': e('fail', 'Policies deny DNS from the pod to kube-dns: every name fails, not only the target', 'Add an egress rule to kube-dns (namespace kube-system, k8s-app=kube-dns) on UDP and TCP 53.'),
  'egress.dns.fqdn-proxy-missing': e('fail', 'toFQDNs needs DNS to pass through Cilium\'s DNS proxy, and no rule sends it there for this name', 'Add `rules: {dns: [{matchPattern: "*"}]}` to the toPorts of the egress rule that allows port 53 to kube-dns.'),

  // egress.tcp
  'egress.tcp.timeout': e('fail', 'TCP connect from the pod timed out (packets dropped: policy or firewall)', 'Compare with the policy verdict: a drop the policies do not explain is a firewall or security group outside the cluster.'),
  'egress.tcp.refused': e('fail', 'TCP connect from the pod was refused (the address answers, nothing listens on the port)', 'Check the port and the service at the destination.'),
  'egress.tcp.unreachable': e('fail', 'No route from the pod to the address', 'Check the node\'s routes and egress gateway.'),
  'egress.tcp.reset': e('fail', 'The connection from the pod was reset', 'A middlebox or the destination resets it; check firewalls and proxies on the path.'),
  'egress.tcp.error': e('fail', 'TCP connect from the pod failed', 'Run the reproduce command inside the pod.'),
  'egress.tcp.all-egress-blocked': e('fail', 'The control target fails too: all egress from the pod is blocked, not only this destination', 'Look at default-deny policies and the node\'s network before the target.'),
  'egress.tcp.contradiction': e('warn', 'The live probe and the static policy verdict disagree', 'A verdict the policies cannot explain points at something outside them (firewall, egress gateway, proxy) or at policies the tool cannot read.'),
  'egress.tcp.agrees': e('info', 'The live probe agrees with the static policy verdict', ),

  'egress.tcp.no-ping': e('warn', 'icmp:// target: the container has no ping, so the ICMP flow is judged by the policies alone', 'Rerun with --debug-image IMAGE (e.g. busybox, which has ping), or ping from a pod of the same labels that has it.'),

  // egress.policy.admin
  'egress.policy.admin.denied': e('fail', 'An AdminNetworkPolicy (or the BaselineAdminNetworkPolicy) denies the flow', 'Admin policies are cluster-scoped: an AdminNetworkPolicy decides before every NetworkPolicy and no namespace policy can override its Deny. Ask the cluster administrators to add an Allow (or Pass) rule for this flow at a higher priority, or to narrow the Deny rule named above; a baseline Deny is overridden by a NetworkPolicy that isolates the pod and allows the flow.'),
  'egress.policy.admin.allowed': e('info', 'An AdminNetworkPolicy (or the baseline) allows the flow'),
  'egress.policy.admin.error': e('warn', 'AdminNetworkPolicies could not be listed: the static verdict is incomplete', 'Ask for `list` on adminnetworkpolicies.policy.networking.k8s.io and baselineadminnetworkpolicies.policy.networking.k8s.io (cluster-scoped).'),

  // egress.policy.k8s
  'egress.policy.k8s.denied': e('fail', 'NetworkPolicies isolate the pod for egress and none allows the flow', 'Add an egress rule for the destination to one of the policies that select the pod (see the diagnosis for the snippet).'),
  'egress.policy.k8s.ingress-denied': e('fail', 'The destination pod\'s NetworkPolicies isolate it for ingress and none allows this source', 'Change the destination\'s side: add an ingress rule for the source (its namespace and pod labels, and the port) to a NetworkPolicy in the DESTINATION\'s namespace that selects the destination pod. The source\'s egress policies already allow it.'),
  'egress.policy.k8s.allowed': e('info', 'A NetworkPolicy rule allows the flow'),
  'egress.policy.k8s.error': e('warn', 'NetworkPolicies could not be listed: the static verdict is incomplete', 'Ask for `list` on networkpolicies.networking.k8s.io in the namespace.'),

  // egress.policy.cilium
  'egress.policy.cilium.denied': e('fail', 'Cilium policies put the pod into default deny and no rule allows the flow', 'Add the destination to the toFQDNs (or toCIDRSet) of the policy that selects the pod (see the diagnosis for the snippet).'),
  'egress.policy.cilium.egress-deny': e('fail', 'An egressDeny rule matches the flow: it wins over every allow', 'Remove or narrow the egressDeny rule; adding allow rules cannot override it.'),
  'egress.policy.cilium.ingress-denied': e('fail', 'The destination pod\'s Cilium policies drop the flow at its ingress (default deny or ingressDeny)', 'Change the destination\'s side: add a fromEndpoints rule for the source (with toPorts) to the CiliumNetworkPolicy in the DESTINATION\'s namespace that selects the destination pod, or narrow its ingressDeny. The source\'s egress policies already allow it.'),
  'egress.policy.cilium.l7-rules': e('info', 'The flow is allowed at L3/L4 and an L7 rule (http, kafka, dns) then also applies', 'A request the L7 rule does not match is still rejected by Cilium\'s proxy (HTTP 403, Kafka error, DNS REFUSED): compare the request with the quoted rule.'),
  'egress.policy.cilium.dns-proxy-missing': e('fail', 'toFQDNs names the host but Cilium never learns its addresses (no DNS-proxy rule for it)', 'Add `rules: {dns: [{matchPattern: "*"}]}` to the port-53 rule to kube-dns.'),
  'egress.policy.cilium.allowed': e('info', 'A Cilium policy rule allows the flow'),
  'egress.policy.cilium.error': e('warn', 'Cilium policies could not be listed: the static verdict is incomplete', 'Ask for `list` on ciliumnetworkpolicies.cilium.io and ciliumclusterwidenetworkpolicies.cilium.io.'),

  // egress.policy.cname
  'egress.policy.cname.target-listed': e('fail', 'The allow-list names the CNAME target, not the name the application dials', 'toFQDNs matchName must be the name the application asks DNS for: add that name (the CNAME target alone never matches).'),
  'egress.policy.cname.alias-listed': e('fail', 'The allow-list names an alias; the application now dials the canonical name directly', 'Add the name the application dials now (often a storage host reached through a presigned URL).'),

  // egress.gitops
  'egress.gitops.owner': e('info', 'Where the policy comes from'),
  'egress.gitops.manual': e('warn', 'A policy that decides the flow was applied by hand (not from GitOps)', 'Commit it to the GitOps source, or it is lost on the next rebuild (and GitOps with prune deletes it).'),
  'egress.gitops.hand-edited': e('warn', 'A GitOps-managed policy was edited by hand: the next sync reverts the edit', 'Make the change in the GitOps source instead of the live object.'),
  'egress.gitops.not-in-source': e('warn', 'A live policy is missing from --source: it will be pruned, or it was never committed', 'Add it to the source directory, or delete it if it should not exist.'),
  'egress.gitops.missing-live': e('warn', 'A policy in --source is not live: the sync has not applied it (or failed)', 'Check the GitOps controller\'s status (flux get kustomizations / argocd app get).'),
  'egress.gitops.different': e('warn', 'A live policy differs from --source (drift)', 'Decide which one is right; make the change in the source and let the controller apply it.'),
  'egress.gitops.source-error': e('warn', 'Some files of --source could not be read', 'Fix the YAML, or point --source at the directory the controller applies.'),

  // egress.logs
  'egress.logs.connection-errors': e('warn', 'The container logs show connection failures', 'The hosts in them are checked against the policies below.'),
  'egress.logs.presigned-url': e('info', 'The logs show presigned URLs: the SDK reaches the storage host directly', 'Allow the storage host (often a wildcard such as *.blob.core.windows.net) as well as the API host.'),
  'egress.logs.two-hops': e('fail', 'Two hops: the SDK\'s API call is allowed, the presigned download to the storage host is not', 'Allow the storage host of the presigned URL (e.g. *.blob.core.windows.net, *.s3.amazonaws.com, storage.googleapis.com) in the same policy that allows the API host.'),
  'egress.logs.host-denied': e('fail', 'A host found in the logs is denied by the policies', 'Add it to the allow-list of the policy that selects the pod.'),
  'egress.logs.unavailable': e('info', 'The container logs could not be read', 'Ask for `get` on pods/log in the namespace.'),
};
