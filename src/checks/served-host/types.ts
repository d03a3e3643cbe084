// The objects the cert/ingress checks read. Kubernetes kinds are @kubernetes/client-node's models
// (type-only imports: the library itself never loads), as the API server lists them (metadata and
// its name always set); MetalLB and cert-manager CRDs, and Events (whose times arrive as strings,
// not the Dates the models declare), keep their own types.
import type { V1EndpointSlice, V1Ingress, V1IngressClass, V1Node, V1ObjectMeta, V1Pod, V1Service } from '@kubernetes/client-node';

export interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; uid?: string }[];
}

export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
}

export interface Condition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
}

/** An object as the API server returns it: metadata and its name are always there. */
export type Listed<T extends { metadata?: V1ObjectMeta }> = T & { metadata: V1ObjectMeta & { name: string } };

export type Ingress = Listed<V1Ingress>;
export type IngressClass = Listed<V1IngressClass>;
export type Service = Listed<V1Service>;
export type EndpointSlice = Listed<V1EndpointSlice>;
export type Node = Listed<V1Node>;
export type Pod = Listed<V1Pod>;

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface IPAddressPool extends KObj {
  spec?: { addresses?: string[]; autoAssign?: boolean };
}

export interface Advertisement extends KObj {
  spec?: {
    ipAddressPools?: string[];
    ipAddressPoolSelectors?: LabelSelector[];
    nodeSelectors?: LabelSelector[];
    interfaces?: string[];
  };
}

export interface KEvent extends KObj {
  involvedObject?: { kind?: string; name?: string; namespace?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  lastTimestamp?: string;
  eventTime?: string;
}

export interface Certificate extends KObj {
  spec?: { secretName?: string; dnsNames?: string[]; commonName?: string; issuerRef?: { name: string; kind?: string; group?: string } };
  status?: { conditions?: Condition[]; notAfter?: string; renewalTime?: string; revision?: number };
}

export interface CertificateRequest extends KObj {
  spec?: { issuerRef?: { name: string; kind?: string } };
  status?: { conditions?: Condition[]; failureTime?: string };
}

export interface Order extends KObj {
  spec?: { dnsNames?: string[]; request?: string };
  status?: { state?: string; reason?: string; url?: string; authorizations?: unknown[] };
}

export interface Challenge extends KObj {
  spec?: {
    dnsName?: string;
    token?: string;
    key?: string;
    type?: string;
    url?: string;
    wildcard?: boolean;
    solver?: AcmeSolver;
    issuerRef?: { name: string; kind?: string };
  };
  status?: { presented?: boolean; processing?: boolean; reason?: string; state?: string };
}

export interface AcmeSolver {
  http01?: { ingress?: { class?: string; ingressClassName?: string; name?: string; serviceType?: string } };
  dns01?: unknown;
  selector?: unknown;
}

export interface Issuer extends KObj {
  spec?: { acme?: { server?: string; email?: string; solvers?: AcmeSolver[] }; ca?: unknown; selfSigned?: unknown };
  status?: { conditions?: Condition[]; acme?: { uri?: string } };
}
