// The parts of Kubernetes, MetalLB and cert-manager objects the cert/ingress checks read.

export interface Meta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: { kind: string; name: string; uid?: string }[];
  uid?: string;
  creationTimestamp?: string;
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

export interface IngressBackend {
  service?: { name: string; port?: { number?: number; name?: string } };
}

export interface Ingress extends KObj {
  spec?: {
    ingressClassName?: string;
    defaultBackend?: IngressBackend;
    tls?: { hosts?: string[]; secretName?: string }[];
    rules?: { host?: string; http?: { paths?: { path?: string; pathType?: string; backend: IngressBackend }[] } }[];
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface IngressClass extends KObj {
  spec?: { controller?: string };
}

export interface ServicePort {
  name?: string;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
  protocol?: string;
}

export interface Service extends KObj {
  spec?: {
    type?: string;
    selector?: Record<string, string>;
    ports?: ServicePort[];
    clusterIP?: string;
    externalTrafficPolicy?: string;
    loadBalancerIP?: string;
    loadBalancerClass?: string;
  };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
}

export interface EndpointSlice extends KObj {
  endpoints?: { addresses: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean }; nodeName?: string; targetRef?: { kind: string; name: string; namespace?: string } }[];
  ports?: { name?: string; port?: number; protocol?: string }[];
}

export interface Node extends KObj {
  status?: { conditions?: Condition[]; addresses?: { type: string; address: string }[] };
}

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
