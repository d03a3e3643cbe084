// The policy engine's inputs and outputs. Pure data: the engine does no I/O. Object shapes follow
// the Kubernetes (networking.k8s.io/v1) and Cilium (cilium.io/v2) API documentation; only the
// fields the engine reads are typed, everything else passes through untouched.

export type Labels = Record<string, string>;

export interface LabelSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: LabelSelectorRequirement[];
}

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Labels;
  annotations?: Record<string, string>;
  managedFields?: { manager?: string; operation?: string; time?: string }[];
  [k: string]: unknown;
}

// ---- Kubernetes NetworkPolicy ------------------------------------------------------------

export interface NetworkPolicyPort {
  protocol?: 'TCP' | 'UDP' | 'SCTP' | string;
  port?: number | string;
  endPort?: number;
}

export interface NetworkPolicyPeer {
  podSelector?: LabelSelector | null;
  namespaceSelector?: LabelSelector | null;
  ipBlock?: { cidr: string; except?: string[] } | null;
}

export interface NetworkPolicyEgressRule {
  to?: NetworkPolicyPeer[] | null;
  ports?: NetworkPolicyPort[] | null;
}

export interface NetworkPolicyIngressRule {
  from?: NetworkPolicyPeer[] | null;
  ports?: NetworkPolicyPort[] | null;
}

export interface NetworkPolicy {
  apiVersion?: string;
  kind?: 'NetworkPolicy' | string;
  metadata: ObjectMeta;
  spec: {
    podSelector?: LabelSelector | null;
    policyTypes?: string[];
    egress?: NetworkPolicyEgressRule[] | null;
    ingress?: NetworkPolicyIngressRule[] | null;
  };
}

// ---- Cilium ------------------------------------------------------------------------------

export interface CiliumPortProtocol {
  port?: string | number;
  endPort?: number;
  protocol?: 'TCP' | 'UDP' | 'SCTP' | 'ANY' | string;
}

export interface CiliumFqdnSelector {
  matchName?: string;
  matchPattern?: string;
}

export interface CiliumPortRule {
  ports?: CiliumPortProtocol[];
  rules?: { dns?: CiliumFqdnSelector[]; http?: unknown[]; [k: string]: unknown } | null;
}

/** One ICMP clause of `icmps` (Cilium ICMPField): a type by number or name, IPv4 by default. */
export interface CiliumIcmpField {
  type: number | string;
  family?: 'IPv4' | 'IPv6' | string;
}

export interface CiliumIcmpRule {
  fields?: CiliumIcmpField[];
}

export interface CiliumCidrRule {
  cidr?: string;
  cidrGroupRef?: string;
  except?: string[];
}

export interface CiliumServiceSelector {
  k8sService?: { serviceName?: string; namespace?: string };
  k8sServiceSelector?: { selector?: LabelSelector; namespace?: string };
}

export interface CiliumEgressRule {
  toEndpoints?: LabelSelector[];
  toEntities?: string[];
  toCIDR?: string[];
  toCIDRSet?: CiliumCidrRule[];
  toServices?: CiliumServiceSelector[];
  toFQDNs?: CiliumFqdnSelector[];
  toPorts?: CiliumPortRule[];
  icmps?: CiliumIcmpRule[];
  toGroups?: unknown[];
  toNodes?: LabelSelector[];
}

export interface CiliumIngressRule {
  fromEndpoints?: LabelSelector[];
  fromEntities?: string[];
  fromCIDR?: string[];
  fromCIDRSet?: CiliumCidrRule[];
  fromNodes?: LabelSelector[];
  fromGroups?: unknown[];
  toPorts?: CiliumPortRule[];
  icmps?: CiliumIcmpRule[];
}

export interface CiliumRule {
  endpointSelector?: LabelSelector;
  nodeSelector?: LabelSelector;
  egress?: CiliumEgressRule[];
  egressDeny?: CiliumEgressRule[];
  ingress?: CiliumIngressRule[];
  ingressDeny?: CiliumIngressRule[];
  enableDefaultDeny?: { egress?: boolean; ingress?: boolean };
  description?: string;
}

export interface CiliumPolicy {
  apiVersion?: string;
  kind: 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy' | string;
  metadata: ObjectMeta;
  spec?: CiliumRule;
  specs?: CiliumRule[];
}

// ---- AdminNetworkPolicy and BaselineAdminNetworkPolicy (policy.networking.k8s.io/v1alpha1) -----

export interface AdminPodsSelector {
  namespaceSelector?: LabelSelector;
  podSelector?: LabelSelector;
}

/** The pods a policy applies to: every pod of the selected namespaces, or selected pods. */
export interface AdminSubject {
  namespaces?: LabelSelector;
  pods?: AdminPodsSelector;
}

export interface AdminPeer {
  namespaces?: LabelSelector;
  pods?: AdminPodsSelector;
  /** egress only: nodes by their labels (host-network destinations) */
  nodes?: LabelSelector;
  /** egress only: CIDRs */
  networks?: string[];
}

export interface AdminPort {
  portNumber?: { protocol?: string; port: number };
  namedPort?: string;
  portRange?: { protocol?: string; start: number; end: number };
}

export interface AdminRule {
  name?: string;
  action: 'Allow' | 'Deny' | 'Pass' | string;
  /** ingress */
  from?: AdminPeer[];
  /** egress */
  to?: AdminPeer[];
  ports?: AdminPort[];
}

export interface AdminNetworkPolicy {
  apiVersion?: string;
  kind: 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy' | string;
  metadata: ObjectMeta;
  spec: {
    /** ANP only: 0–1000, the lower the earlier */
    priority?: number;
    subject: AdminSubject;
    ingress?: AdminRule[];
    egress?: AdminRule[];
  };
}

// ---- the cluster as the engine sees it ---------------------------------------------------

export interface PodInfo {
  namespace: string;
  name: string;
  labels: Labels;
  serviceAccount?: string;
  ips?: string[];
  /** container ports, for named ports */
  ports?: { name?: string; containerPort: number; protocol?: string }[];
}

export interface NamespaceInfo {
  name: string;
  labels: Labels;
}

export interface ServiceInfo {
  namespace: string;
  name: string;
  labels: Labels;
  /** a Service without a selector: its endpoints are external addresses (what toServices can select) */
  selector?: Labels | null;
  /** the ready endpoint addresses of a Service without a selector (toServices translates them into toCIDRSet) */
  addresses?: string[];
}

/** What lies at the destination address, as Cilium's identities classify it. */
export type DestinationKind = 'world' | 'pod' | 'host' | 'remote-node' | 'kube-apiserver';

export interface Destination {
  /** the address the connection goes to */
  ip: string;
  /** the port (TCP, UDP, SCTP); ignored for ICMP */
  port: number;
  /** default TCP; ICMP is IPv4's, ICMPv6 IPv6's (a ping) */
  protocol?: 'TCP' | 'UDP' | 'SCTP' | 'ICMP' | 'ICMPv6';
  /** the ICMP type; default echo request (8, or 128 for ICMPv6) */
  icmpType?: number;
  /** the name the application dialled (the DNS question), when it dialled a name */
  host?: string;
  /** the CNAME chain the answer carried after the name: [target1, target2, ...] */
  cnames?: string[];
  /**
   * What Cilium's identity of the address says it is; default: 'pod' when `pod` is set, else
   * 'world'. An address may carry several (an API server on a node's address is both
   * 'kube-apiserver' and 'remote-node', or 'host' on the pod's own node): list them all.
   */
  kind?: DestinationKind | DestinationKind[];
  /** the destination pod, when the address belongs to one */
  pod?: PodInfo;
  /** the Service the address belongs to (toServices) */
  service?: ServiceInfo;
  /** the address the application dialled when it is not `ip`: a Service's ClusterIP, translated to this backend */
  via?: string;
  /** the node the address belongs to, for 'host' and 'remote-node' destinations (toNodes) */
  node?: { name: string; labels: Labels };
}

export interface Flow {
  pod: PodInfo;
  dest: Destination;
}

// ---- verdicts ----------------------------------------------------------------------------

export type PolicyKind = 'NetworkPolicy' | 'CiliumNetworkPolicy' | 'CiliumClusterwideNetworkPolicy' | 'AdminNetworkPolicy' | 'BaselineAdminNetworkPolicy';

export interface PolicyRef {
  kind: PolicyKind;
  namespace?: string;
  name: string;
}

/** The exact place in a policy that decided: policy, section, rule index, peer, port. */
export interface RuleRef extends PolicyRef {
  section: 'egress' | 'egressDeny' | 'ingress' | 'ingressDeny';
  /** index of the rule inside its section (and `specs[i]` for multi-rule Cilium policies) */
  ruleIndex: number;
  specIndex?: number;
  /** the peer that matched, in the policy's own words, e.g. "toFQDNs[0] matchName: api.example.net" */
  peer: string;
  /** the port clause that matched, e.g. "TCP/443", or "all ports" */
  port: string;
  /** the L7 rules of that port clause (http, kafka, dns, …), quoted: they apply on top of the L4 verdict */
  l7?: string;
  /** AdminNetworkPolicy and BaselineAdminNetworkPolicy rules: their action and name */
  action?: 'Allow' | 'Deny' | 'Pass';
  ruleName?: string;
}

export interface EngineVerdict {
  engine: 'k8s' | 'cilium';
  /** policies of this engine that select the pod for egress */
  selectedBy: PolicyRef[];
  /** the pod is in default-deny for egress (some selecting policy isolates it) */
  isolated: boolean;
  allowed: boolean;
  /** allow rules that match the flow */
  allowedBy: RuleRef[];
  /** deny rules that match the flow (Cilium egressDeny); they win over every allow */
  deniedBy: RuleRef[];
  explanation: string;
}

export interface Verdict {
  allowed: boolean;
  k8s: EngineVerdict;
  cilium: EngineVerdict;
  /** the rules that decided (allow rules, or the deny rule), empty when nothing selects the pod */
  decisive: RuleRef[];
  explanation: string;
  /** what else a reader must know: an L7 rule that applies on top, a policy the engine left out and why */
  notes?: string[];
  /**
   * Which tier decided (AdminNetworkPolicy → NetworkPolicy and Cilium → BaselineAdminNetworkPolicy
   * → the default allow): 'admin', 'policy', 'baseline' or 'default'.
   */
  tier?: 'admin' | 'policy' | 'baseline' | 'default';
}

export function refText(r: PolicyRef): string {
  return `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
}

export function ruleText(r: RuleRef): string {
  const spec = r.specIndex !== undefined ? `specs[${r.specIndex}].` : '';
  const action = r.action ? ` ${r.action}${r.ruleName ? ` "${r.ruleName}"` : ''}` : '';
  return `${refText(r)} ${spec}${r.section}[${r.ruleIndex}]${action} ${r.peer} (${r.port})${r.l7 ? ` with L7 rules ${r.l7}` : ''}`;
}
