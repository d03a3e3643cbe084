/**
 * Lab scenarios of the `cert` and `ingress` diagnoses (SPEC §1 incident 3, issue 5): appended to
 * SCENARIOS in scenarios.ts. Self-contained: only type imports from scenarios.ts (which imports
 * this file), so there is no evaluation cycle.
 *
 * Addresses (all inside the lab namespace): 198.51.100.80 is the reachable ingress address (HTTP
 * and HTTPS servers stand for the ingress controller), 198.51.100.81 the ACME solver pod and
 * 198.51.100.82 the controller pod as seen from inside the cluster: the fake API server's service
 * proxy (/api/v1/namespaces/NS/services/NAME:PORT/proxy/...) forwards there. 192.0.2.80 is
 * black-holed: the ingress address of the scenarios where the outside cannot get in.
 *
 *  - cert-servers: no cluster. HTTPS on 198.51.100.80 (cert.lab.test): 443 RSA leaf + intermediate,
 *    8443 ECDSA leaf + intermediate, 8444 leaf only (intermediate missing), 8445 expired leaf,
 *    8446 Let's Encrypt STAGING chain, 8447 ingress-nginx's fake certificate, 8448 self-signed.
 *  - cert-proxies: no cluster; cert.lab.test:443 through real tinyproxy (HTTPS_PROXY), real mitmdump
 *    (intercepting) and a proxy that answers 403 with a policy page.
 *  - ingress-incident-3: MetalLB announces 192.0.2.80 from node-b (nodeAssigned event), the
 *    controller Service has externalTrafficPolicy: Local and its only ready pod runs on node-a;
 *    the Challenge is invalid: "Timeout during connect (likely firewall problem)"; the solver
 *    answers through the service proxy.
 *  - ingress-firewall: 192.0.2.80 is assigned and announced, the policy is Cluster, and the
 *    outside still times out (something in front drops port 80); inside works.
 *  - ingress-namespaced: incident 3 as a developer with a Role in namespace web only sees it:
 *    everything outside web (controller Service, MetalLB, nodes, ClusterIssuer) answers 403.
 *  - ingress-exec-inside: incident 3 for a user without services/proxy who may exec only in
 *    namespace web: the inside request is curl in the web pod (a real network namespace, which
 *    resolves the solver Service's name through the lab DNS), after the controller pod's exec is 403.
 *  - ingress-no-inside: the same, but exec is forbidden everywhere too: no inside request at all.
 *  - ingress-no-l2: the pool holds 192.0.2.80 but no L2Advertisement/BGPAdvertisement exists.
 *  - ingress-ssl-redirect: force-ssl-redirect on the Ingress: port 80 answers 308 to https for
 *    every path, 443 serves the fake certificate (no secret yet), the self-check fails.
 *  - ingress-ssl-redirect-exempt: ssl-redirect and ssl-passthrough on the Ingress; port 80 redirects
 *    everything but the solver's token location, which answers the key; the Challenge is pending.
 *  - ingress-local-selected / ingress-local-partial: Local policy, announced from node-a (which runs
 *    the controller); the L2Advertisement's nodeSelectors allow node-a only / every node.
 *  - ingress-bgp-issuer: healthy, with a BGPAdvertisement instead of an L2Advertisement and a
 *    namespaced Issuer instead of the ClusterIssuer.
 *  - ingress-class-mismatch: the ClusterIssuer's solver uses class nginx-internal, the host is
 *    served by class nginx: the token path answers 404 outside, 200 inside.
 *  - ingress-staging: the ClusterIssuer uses the Let's Encrypt staging server; the certificate
 *    is Ready and 443 serves a "(STAGING)" chain.
 *  - ingress-no-secret: the Ingress names TLS secret web-tls, which does not exist; 443 serves
 *    the fake certificate; no cert-manager annotation.
 *  - ingress-healthy: everything works (lab CA chain; --ca-file ca.crt).
 *  - ingress-rbac: ingress-healthy, but every cert-manager resource is forbidden (403).
 */
import { execUpgradeHandler } from './exec-ws.ts';
import { startLabApi } from './lab-api.ts';
import { createPodNet, type PodNet } from './pods.ts';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { join } from 'node:path';
import { LAB } from './netns.ts';
import type { KubeObject } from './objects.ts';
import { mintCert, type Pem } from './pki.ts';
import type { Scenario, ScenarioContext, ScenarioSetup } from './scenarios.ts';
import { dump } from 'js-yaml';

export const INGRESS_LAB = {
  host: 'web.lab.test',
  certHost: 'cert.lab.test',
  lb: '198.51.100.80',
  solver: '198.51.100.81',
  controllerPod: '198.51.100.82',
  hole: '192.0.2.80',
} as const;

export const CERT_PORTS = { rsa: 443, ecdsa: 8443, missingIntermediate: 8444, expired: 8445, staging: 8446, fake: 8447, selfSigned: 8448 } as const;

const DAY = 86_400_000;
const TOKEN = 'Xk3vRZ1g0c8Q9ZWmLhYpVt2sN5bJfA7eKuD4oHqWcE0';
const THUMBPRINT = 'Qn9xk8Jm2pVbR1cT5sW7yZ0aD3fG6hL4uE8iO2rY9tM';
export const CHALLENGE_KEY = `${TOKEN}.${THUMBPRINT}`;
export const CHALLENGE_TOKEN = TOKEN;

function monthStart(): number {
  const d = new Date();
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

// ---------------------------------------------------------------------------------- certificates

export interface IngressPki {
  rsa: Pem;
  /** rsa naming its issuer by AIA caIssuers (served without the intermediate on 8444) */
  rsaAia: Pem;
  ecdsa: Pem;
  expired: Pem;
  staging: Pem;
  stagingIntermediate: Pem;
  stagingRoot: Pem;
  fake: Pem;
  selfSigned: Pem;
  intermediate: Pem;
}

export function ingressPki(ctx: ScenarioContext): IngressPki {
  const inter = ctx.pki.intermediate!;
  const names = [INGRESS_LAB.host, INGRESS_LAB.certHost];
  const t = monthStart();
  const stagingRoot = mintCert({ cn: '(STAGING) Pretend Pear X1', o: '(STAGING) Internet Security Research Group', isCA: true });
  const stagingIntermediate = mintCert({ cn: '(STAGING) Wannabe Watercress R11', o: "(STAGING) Let's Encrypt", isCA: true, issuer: stagingRoot });
  return {
    intermediate: inter,
    rsa: mintCert({ cn: INGRESS_LAB.host, dns: names, issuer: inter }),
    /** the same, naming where its intermediate is (AIA caIssuers), as public CAs' leaves do: served without it on 8444 */
    rsaAia: mintCert({ cn: INGRESS_LAB.host, dns: names, issuer: inter, aia: 'http://pki.lab.test/intermediate.der' }),
    ecdsa: mintCert({ cn: INGRESS_LAB.certHost, dns: names, issuer: inter, keyType: 'ecdsa' }),
    expired: mintCert({ cn: INGRESS_LAB.certHost, dns: names, issuer: inter, notBefore: new Date(t - 120 * DAY), notAfter: new Date(t - 30 * DAY) }),
    stagingRoot,
    stagingIntermediate,
    staging: mintCert({ cn: INGRESS_LAB.host, dns: names, issuer: stagingIntermediate }),
    fake: mintCert({ cn: 'Kubernetes Ingress Controller Fake Certificate', o: 'Acme Co', dns: ['ingress.local'] }),
    selfSigned: mintCert({ cn: INGRESS_LAB.certHost, dns: names }),
  };
}

// ---------------------------------------------------------------------------------- servers

function addAddresses(...addrs: string[]): void {
  const batch = addrs.map((a) => `addr add ${a}/32 dev lab0`).join('\n');
  execFileSync('ip', ['-batch', '-'], { input: batch + '\n', stdio: ['pipe', 'pipe', 'pipe'] });
}

function track(ctx: ScenarioContext, server: http.Server | https.Server): void {
  const sockets = new Set<net.Socket>();
  server.on('connection', (s: net.Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  ctx.onClose(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  );
}

function listen(server: http.Server | https.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

async function httpServer(ctx: ScenarioContext, host: string, port: number, handler: Handler): Promise<void> {
  const s = http.createServer(handler);
  track(ctx, s);
  await listen(s, host, port);
}

async function httpsServer(ctx: ScenarioContext, host: string, port: number, pem: Pem, chain: Pem[], handler?: Handler): Promise<void> {
  const cert = [pem.cert, ...chain.map((c) => c.cert)].join('');
  const s = https.createServer({ cert, key: pem.key }, handler ?? defaultBackend);
  s.on('tlsClientError', () => {});
  track(ctx, s);
  await listen(s, host, port);
}

/** ingress-nginx's default backend */
const defaultBackend: Handler = (_req, res) => {
  res.writeHead(404, { 'Content-Type': 'text/html' });
  res.end('<html>\r\n<head><title>404 Not Found</title></head>\r\n<body>\r\n<center><h1>404 Not Found</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
};

/** cert-manager's acmesolver: the key authorization for the one token it serves */
const solverHandler: Handler = (req, res) => {
  if (req.url === `/.well-known/acme-challenge/${TOKEN}`) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end(CHALLENGE_KEY);
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('404 page not found\n');
};

// ---------------------------------------------------------------------------------- objects

const T0 = '2026-11-22T06:58:11Z';
const T1 = '2026-11-22T07:00:40Z';

function meta(name: string, namespace?: string, extra: Record<string, unknown> = {}): KubeObject['metadata'] {
  return { name, ...(namespace ? { namespace } : {}), uid: `${name}-uid`, resourceVersion: '4242', creationTimestamp: T0, ...extra };
}

function obj(apiVersion: string, kind: string, metadata: KubeObject['metadata'], rest: Record<string, unknown>): KubeObject {
  return { apiVersion, kind, metadata, ...rest } as KubeObject;
}

function event(ns: string, kind: string, name: string, type: 'Normal' | 'Warning', reason: string, message: string, component: string, apiVersion = 'v1'): KubeObject {
  const n = `${name}.${Buffer.from(reason + message).toString('hex').slice(0, 16)}`;
  return obj('v1', 'Event', meta(n, ns), {
    involvedObject: { kind, namespace: ns, name, uid: `${name}-uid`, apiVersion },
    reason,
    message,
    source: { component },
    firstTimestamp: T1,
    lastTimestamp: T1,
    count: 1,
    type,
    reportingComponent: component,
    reportingInstance: '',
  });
}

export interface ClusterSpec {
  /** the controller Service's external address */
  lb: string;
  policy: 'Local' | 'Cluster';
  /** MetalLB announces from this node (nodeAssigned event); undefined = no announcement */
  announcer?: string;
  l2: boolean;
  /** the solver's ingress class (the issuer's and the solver Ingress's) */
  solverClass: string;
  issuer: 'prod' | 'staging' | 'none';
  /** Certificate state */
  certificate: 'ready' | 'invalid-timeout' | 'pending-self-check-tls' | 'pending-404' | 'pending-presented' | 'none';
  /** the TLS secret web-tls exists */
  secret: boolean;
  annotations?: Record<string, string>;
  forbidden?: string[];
  tlsCert?: Pem;
  /** the user has a Role in namespace web only: every cluster-scoped or other-namespace read is 403; the kubeconfig context namespace is web */
  namespaceOnly?: boolean;
  /** the L2Advertisement's nodeSelectors: the nodes (by kubernetes.io/hostname) that may announce */
  l2Nodes?: string[];
  /** MetalLB announces the pool over BGP (BGPAdvertisement + BGPPeer) instead of, or besides, L2 */
  bgp?: boolean;
  /** the certificate's issuer: a ClusterIssuer (default) or an Issuer in namespace web */
  issuerKind?: 'ClusterIssuer' | 'Issuer';
  /** services/proxy is 403 for the user in every namespace */
  proxyForbidden?: boolean;
  /**
   * pods/exec is served: the controller pod and the web pod are real network namespaces (pods.ts)
   * with these tools, and the user may exec only in these namespaces
   */
  exec?: { namespaces: string[]; tools: string[] };
}

const NS = 'web';
const CTRL_NS = 'ingress-nginx';
const CTRL = 'ingress-nginx-controller';
const SOLVER_SVC = 'cm-acme-http-solver-7xk2p';
const SOLVER_ING = 'cm-acme-http-solver-wq9vf';
const CERT = 'web-tls';
const CR = 'web-tls-1';
const ORDER = 'web-tls-1-3041263410';
const CHALLENGE = 'web-tls-1-3041263410-1650462416';

function node(name: string): KubeObject {
  return obj('v1', 'Node', meta(name, undefined, { labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'node-role.kubernetes.io/worker': '' } }), {
    spec: { podCIDR: name === 'node-a' ? '10.244.1.0/24' : '10.244.2.0/24' },
    status: {
      conditions: [
        { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
        { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
      ],
      addresses: [
        { type: 'InternalIP', address: name === 'node-a' ? '10.0.0.11' : '10.0.0.12' },
        { type: 'Hostname', address: name },
      ],
    },
  });
}

export function clusterObjects(s: ClusterSpec): KubeObject[] {
  const host = INGRESS_LAB.host;
  const o: KubeObject[] = [];
  o.push(node('node-a'), node('node-b'));
  o.push(
    obj('networking.k8s.io/v1', 'IngressClass', meta('nginx', undefined, { annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' }, labels: { 'app.kubernetes.io/name': 'ingress-nginx' } }), { spec: { controller: 'k8s.io/ingress-nginx' } }),
    obj('networking.k8s.io/v1', 'IngressClass', meta('nginx-internal', undefined, { labels: { 'app.kubernetes.io/name': 'ingress-nginx-internal' } }), { spec: { controller: 'k8s.io/ingress-nginx-internal' } }),
  );
  // the controller and its LoadBalancer Service
  o.push(
    obj('v1', 'Service', meta(CTRL, CTRL_NS, { labels: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } }), {
      spec: {
        type: 'LoadBalancer',
        selector: { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' },
        ports: [
          { name: 'http', port: 80, protocol: 'TCP', targetPort: 'http', nodePort: 31080 },
          { name: 'https', port: 443, protocol: 'TCP', targetPort: 'https', nodePort: 31443 },
        ],
        clusterIP: '10.96.120.15',
        externalTrafficPolicy: s.policy,
        healthCheckNodePort: s.policy === 'Local' ? 32150 : undefined,
        ipFamilies: ['IPv4'],
        sessionAffinity: 'None',
      },
      status: { loadBalancer: { ingress: [{ ip: s.lb, ipMode: 'VIP' }] } },
    }),
    obj('discovery.k8s.io/v1', 'EndpointSlice', meta(`${CTRL}-8fz2q`, CTRL_NS, { labels: { 'kubernetes.io/service-name': CTRL, 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } }), {
      addressType: 'IPv4',
      endpoints: [
        { addresses: ['10.244.1.10'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-a', targetRef: { kind: 'Pod', name: `${CTRL}-5d8f7c9b6-x2k4j`, namespace: CTRL_NS } },
      ],
      ports: [
        { name: 'http', port: 80, protocol: 'TCP' },
        { name: 'https', port: 443, protocol: 'TCP' },
      ],
    }),
    event(CTRL_NS, 'Service', CTRL, 'Normal', 'IPAllocated', `Assigned IP ["${s.lb}"]`, 'metallb-controller'),
  );
  if (s.announcer) o.push(event(CTRL_NS, 'Service', CTRL, 'Normal', 'nodeAssigned', `announcing from node "${s.announcer}" with protocol "layer2"`, 'metallb-speaker'));
  // MetalLB
  o.push(obj('metallb.io/v1beta1', 'IPAddressPool', meta('public-pool', 'metallb-system'), { spec: { addresses: [`${s.lb}/32`], autoAssign: true, avoidBuggyIPs: false } }));
  if (s.l2) {
    const nodeSelectors = s.l2Nodes?.map((n) => ({ matchLabels: { 'kubernetes.io/hostname': n } }));
    o.push(obj('metallb.io/v1beta1', 'L2Advertisement', meta('public-l2', 'metallb-system'), { spec: { ipAddressPools: ['public-pool'], ...(nodeSelectors ? { nodeSelectors } : {}) } }));
  }
  if (s.bgp) {
    o.push(
      obj('metallb.io/v1beta2', 'BGPPeer', meta('tor-router', 'metallb-system'), { spec: { myASN: 64512, peerASN: 64501, peerAddress: '10.0.0.1' } }),
      obj('metallb.io/v1beta1', 'BGPAdvertisement', meta('public-bgp', 'metallb-system'), { spec: { ipAddressPools: ['public-pool'], aggregationLength: 32, localPref: 100 } }),
    );
  }
  // the application
  const annotations: Record<string, string> = { ...(s.annotations ?? {}) };
  const namespacedIssuer = s.issuerKind === 'Issuer';
  if (s.issuer !== 'none') annotations[namespacedIssuer ? 'cert-manager.io/issuer' : 'cert-manager.io/cluster-issuer'] = s.issuer === 'staging' ? 'letsencrypt-staging' : 'letsencrypt-prod';
  o.push(
    obj('v1', 'Service', meta('web', NS, { labels: { app: 'web' } }), { spec: { type: 'ClusterIP', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }], clusterIP: '10.96.44.7' } }),
    obj('discovery.k8s.io/v1', 'EndpointSlice', meta('web-7tq9m', NS, { labels: { 'kubernetes.io/service-name': 'web' } }), {
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.2.21'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-b', targetRef: { kind: 'Pod', name: 'web-6b9f5d7c8-q7wzt', namespace: NS } }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }),
    obj('networking.k8s.io/v1', 'Ingress', meta('web', NS, { annotations }), {
      spec: {
        ingressClassName: 'nginx',
        tls: [{ hosts: [host], secretName: CERT }],
        rules: [{ host, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }],
      },
      status: { loadBalancer: { ingress: [{ ip: s.lb }] } },
    }),
    obj('v1', 'Secret', meta('web-db', NS), { type: 'Opaque', data: { password: Buffer.from('lab-db-password-not-real').toString('base64') } }),
  );
  if (s.secret) {
    const pem = s.tlsCert!;
    o.push(obj('v1', 'Secret', meta(CERT, NS, { annotations: { 'cert-manager.io/certificate-name': CERT } }), { type: 'kubernetes.io/tls', data: { 'tls.crt': Buffer.from(pem.cert).toString('base64'), 'tls.key': Buffer.from(pem.key).toString('base64') } }));
  }
  if (s.issuer === 'none') return o;
  // cert-manager
  const staging = s.issuer === 'staging';
  const issuerName = staging ? 'letsencrypt-staging' : 'letsencrypt-prod';
  const server = staging ? 'https://acme-staging-v02.api.letsencrypt.org/directory' : 'https://acme-v02.api.letsencrypt.org/directory';
  const solver = { http01: { ingress: { ingressClassName: s.solverClass } } };
  o.push(
    obj('cert-manager.io/v1', namespacedIssuer ? 'Issuer' : 'ClusterIssuer', meta(issuerName, namespacedIssuer ? NS : undefined), {
      spec: { acme: { server, email: 'ops@lab.test', privateKeySecretRef: { name: `${issuerName}-account-key` }, solvers: [solver] } },
      status: {
        acme: { uri: `${server.replace('/directory', '')}/acme/acct/123456789`, lastRegisteredEmail: 'ops@lab.test' },
        conditions: [{ type: 'Ready', status: 'True', reason: 'ACMEAccountRegistered', message: 'The ACME account was registered with the ACME server', lastTransitionTime: T0, observedGeneration: 1 }],
      },
    }),
  );
  const certRef = { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', name: 'web', uid: 'web-uid', controller: true, blockOwnerDeletion: true };
  const issuerRef = { name: issuerName, kind: namespacedIssuer ? 'Issuer' : 'ClusterIssuer', group: 'cert-manager.io' };
  if (s.certificate === 'ready') {
    o.push(
      obj('cert-manager.io/v1', 'Certificate', meta(CERT, NS, { ownerReferences: [certRef] }), {
        spec: { secretName: CERT, dnsNames: [host], issuerRef, usages: ['digital signature', 'key encipherment'] },
        status: {
          conditions: [{ type: 'Ready', status: 'True', reason: 'Ready', message: 'Certificate is up to date and has not expired', lastTransitionTime: T1, observedGeneration: 1 }],
          notBefore: new Date(monthStart() - DAY).toISOString().replace(/\.\d+Z$/, 'Z'),
          notAfter: new Date(monthStart() + 89 * DAY).toISOString().replace(/\.\d+Z$/, 'Z'),
          renewalTime: new Date(monthStart() + 59 * DAY).toISOString().replace(/\.\d+Z$/, 'Z'),
          revision: 1,
        },
      }),
    );
    return o;
  }
  if (s.certificate === 'none') return o;
  const invalid = s.certificate === 'invalid-timeout';
  const url = `http://${host}/.well-known/acme-challenge/${TOKEN}`;
  const challengeReason =
    s.certificate === 'invalid-timeout'
      ? `Error accepting authorization: acme: authorization error for ${host}: 400 urn:ietf:params:acme:error:connection: ${s.lb}: Fetching ${url}: Timeout during connect (likely firewall problem)`
      : s.certificate === 'pending-404'
        ? `Waiting for HTTP-01 challenge propagation: wrong status code '404', expected '200'`
        : s.certificate === 'pending-presented'
          ? '' // the self-check passed; waiting for the ACME server to validate
          : `Waiting for HTTP-01 challenge propagation: failed to perform self check GET request '${url}': Get "https://${host}/.well-known/acme-challenge/${TOKEN}": tls: failed to verify certificate: x509: certificate is valid for ingress.local, not ${host}`;
  o.push(
    obj('cert-manager.io/v1', 'Certificate', meta(CERT, NS, { ownerReferences: [certRef], generation: 1 }), {
      spec: { secretName: CERT, dnsNames: [host], issuerRef, usages: ['digital signature', 'key encipherment'] },
      status: invalid
        ? {
            conditions: [
              { type: 'Ready', status: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist', lastTransitionTime: T0, observedGeneration: 1 },
              { type: 'Issuing', status: 'False', reason: 'Failed', message: `The certificate request has failed to complete and will be retried: Failed to wait for order resource "${ORDER}" to become ready: order is in "invalid" state: `, lastTransitionTime: T1, observedGeneration: 1 },
            ],
            failedIssuanceAttempts: 1,
            lastFailureTime: T1,
          }
        : {
            conditions: [
              { type: 'Ready', status: 'False', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist', lastTransitionTime: T0, observedGeneration: 1 },
              { type: 'Issuing', status: 'True', reason: 'DoesNotExist', message: 'Issuing certificate as Secret does not exist', lastTransitionTime: T0, observedGeneration: 1 },
            ],
          },
    }),
    obj('cert-manager.io/v1', 'CertificateRequest', meta(CR, NS, {
      annotations: { 'cert-manager.io/certificate-name': CERT, 'cert-manager.io/certificate-revision': '1', 'cert-manager.io/private-key-secret-name': `${CERT}-7hx9d` },
      ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: CERT, uid: `${CERT}-uid`, controller: true, blockOwnerDeletion: true }],
    }), {
      spec: { issuerRef, request: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K', usages: ['digital signature', 'key encipherment'] },
      status: {
        conditions: [
          { type: 'Approved', status: 'True', reason: 'cert-manager.io', message: 'Certificate request has been approved by cert-manager.io', lastTransitionTime: T0 },
          invalid
            ? { type: 'Ready', status: 'False', reason: 'Failed', message: `Failed to wait for order resource "${ORDER}" to become ready: order is in "invalid" state: `, lastTransitionTime: T1 }
            : { type: 'Ready', status: 'False', reason: 'Pending', message: `Waiting on certificate issuance from order ${NS}/${ORDER}: "pending"`, lastTransitionTime: T0 },
        ],
        ...(invalid ? { failureTime: T1 } : {}),
      },
    }),
    obj('acme.cert-manager.io/v1', 'Order', meta(ORDER, NS, {
      ownerReferences: [{ apiVersion: 'cert-manager.io/v1', kind: 'CertificateRequest', name: CR, uid: `${CR}-uid`, controller: true, blockOwnerDeletion: true }],
    }), {
      spec: { dnsNames: [host], issuerRef, request: 'LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0K' },
      status: {
        state: invalid ? 'invalid' : 'pending',
        url: 'https://acme-v02.api.letsencrypt.org/acme/order/123456789/987654321',
        finalizeURL: 'https://acme-v02.api.letsencrypt.org/acme/finalize/123456789/987654321',
        authorizations: [{ url: 'https://acme-v02.api.letsencrypt.org/acme/authz-v3/111222333', identifier: host, initialState: 'pending', wildcard: false, challenges: [{ type: 'http-01', token: TOKEN, url: 'https://acme-v02.api.letsencrypt.org/acme/chall-v3/111222333/AbCdEf' }] }],
        ...(invalid ? { failureTime: T1 } : {}),
      },
    }),
    obj('acme.cert-manager.io/v1', 'Challenge', meta(CHALLENGE, NS, {
      ownerReferences: [{ apiVersion: 'acme.cert-manager.io/v1', kind: 'Order', name: ORDER, uid: `${ORDER}-uid`, controller: true, blockOwnerDeletion: true }],
      finalizers: ['finalizer.acme.cert-manager.io'],
    }), {
      spec: {
        authorizationURL: 'https://acme-v02.api.letsencrypt.org/acme/authz-v3/111222333',
        dnsName: host,
        issuerRef,
        key: CHALLENGE_KEY,
        solver,
        token: TOKEN,
        type: 'HTTP-01',
        url: 'https://acme-v02.api.letsencrypt.org/acme/chall-v3/111222333/AbCdEf',
        wildcard: false,
      },
      status: { presented: !invalid, processing: !invalid, reason: challengeReason, state: invalid ? 'invalid' : 'pending' },
    }),
    event(NS, 'Challenge', CHALLENGE, 'Normal', 'Started', 'Challenge scheduled for processing', 'cert-manager-challenges', 'acme.cert-manager.io/v1'),
    event(NS, 'Challenge', CHALLENGE, 'Normal', 'Presented', 'Presented challenge using HTTP-01 challenge mechanism', 'cert-manager-challenges', 'acme.cert-manager.io/v1'),
  );
  if (invalid) {
    o.push(event(NS, 'Challenge', CHALLENGE, 'Warning', 'Failed', `Accepting challenge authorization failed: ${challengeReason.replace('Error accepting authorization: ', '')}`, 'cert-manager-challenges', 'acme.cert-manager.io/v1'));
  }
  // the solver's Service and Ingress (cert-manager creates them while the Challenge is presented)
  const solverLabels = { 'acme.cert-manager.io/http-domain': '1650462416', 'acme.cert-manager.io/http-token': '1178392754', 'acme.cert-manager.io/http01-solver': 'true' };
  const chOwner = [{ apiVersion: 'acme.cert-manager.io/v1', kind: 'Challenge', name: CHALLENGE, uid: `${CHALLENGE}-uid`, controller: true, blockOwnerDeletion: true }];
  o.push(
    obj('v1', 'Service', meta(SOLVER_SVC, NS, { labels: solverLabels, annotations: { 'auth.istio.io/8089': 'NONE' }, ownerReferences: chOwner }), {
      spec: { type: 'NodePort', selector: solverLabels, ports: [{ name: 'http', port: 8089, targetPort: 8089, protocol: 'TCP', nodePort: 30215 }], clusterIP: '10.96.200.31' },
    }),
    obj('v1', 'Pod', meta('cm-acme-http-solver-9c4hz', NS, { labels: solverLabels, annotations: { 'sidecar.istio.io/inject': 'false' }, ownerReferences: chOwner }), {
      spec: {
        nodeName: 'node-b',
        containers: [{ name: 'acmesolver', image: 'quay.io/jetstack/cert-manager-acmesolver:v1.16.2', args: ['--listen-port=8089', `--domain=${host}`, `--token=${TOKEN}`, `--key=${CHALLENGE_KEY}`], ports: [{ name: 'http', containerPort: 8089, protocol: 'TCP' }] }],
      },
      status: {
        phase: 'Running',
        podIP: '10.244.2.33',
        hostIP: '10.0.0.12',
        conditions: [
          { type: 'Initialized', status: 'True' },
          { type: 'Ready', status: 'True' },
          { type: 'ContainersReady', status: 'True' },
          { type: 'PodScheduled', status: 'True' },
        ],
      },
    }),
    obj('discovery.k8s.io/v1', 'EndpointSlice', meta(`${SOLVER_SVC}-m2x8v`, NS, { labels: { 'kubernetes.io/service-name': SOLVER_SVC } }), {
      addressType: 'IPv4',
      endpoints: [{ addresses: ['10.244.2.33'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-b', targetRef: { kind: 'Pod', name: 'cm-acme-http-solver-9c4hz', namespace: NS } }],
      ports: [{ name: 'http', port: 8089, protocol: 'TCP' }],
    }),
    obj('networking.k8s.io/v1', 'Ingress', meta(SOLVER_ING, NS, { labels: solverLabels, annotations: { 'nginx.ingress.kubernetes.io/whitelist-source-range': '0.0.0.0/0,::/0' }, ownerReferences: chOwner }), {
      spec: {
        ingressClassName: s.solverClass,
        rules: [{ host, http: { paths: [{ path: `/.well-known/acme-challenge/${TOKEN}`, pathType: 'ImplementationSpecific', backend: { service: { name: SOLVER_SVC, port: { number: 8089 } } } }] } }],
      },
      status: { loadBalancer: s.solverClass === 'nginx' ? { ingress: [{ ip: s.lb }] } : {} },
    }),
  );
  return o;
}

// ---------------------------------------------------------------------------------- cluster setup

const PROXY = /^\/api\/v1\/namespaces\/([^/]+)\/services\/([^/:]+)(?::([^/]+))?\/proxy(\/.*)?$/;

/** Start the fake API server with the objects, the service proxy and a kubeconfig. */
async function cluster(ctx: ScenarioContext, spec: ClusterSpec): Promise<ScenarioSetup> {
  const objects = clusterObjects(spec);
  // what the service proxy reaches: "ns/name:port" → an address in the lab namespace
  const targets: Record<string, { host: string; port: number }> = {
    [`${NS}/${SOLVER_SVC}:8089`]: { host: INGRESS_LAB.solver, port: 8089 },
    [`${NS}/${SOLVER_SVC}:http`]: { host: INGRESS_LAB.solver, port: 8089 },
    [`${CTRL_NS}/${CTRL}:80`]: { host: INGRESS_LAB.controllerPod, port: 80 },
    [`${CTRL_NS}/${CTRL}:http`]: { host: INGRESS_LAB.controllerPod, port: 80 },
  };
  // pods the user may exec into: network namespaces in the lab (kube-dns is the lab DNS)
  const pods = new Map<string, PodNet>();
  if (spec.exec) {
    const specs = [
      { key: `${CTRL_NS}/${CTRL}-5d8f7c9b6-x2k4j`, ip: '10.244.0.10' },
      { key: `${NS}/web-6b9f5d7c8-q7wzt`, ip: '10.244.0.21' },
    ];
    for (const p of specs) {
      const pod = createPodNet({ ...p, tools: spec.exec.tools }, ctx.tmp);
      ctx.onClose(() => pod.close());
      pods.set(p.key, pod);
      // kubectl exec reads the pod first
      const [ns, name] = p.key.split('/') as [string, string];
      const controllerPod = ns === CTRL_NS;
      objects.push(
        obj('v1', 'Pod', meta(name, ns, { labels: controllerPod ? { 'app.kubernetes.io/name': 'ingress-nginx', 'app.kubernetes.io/component': 'controller' } : { app: 'web' } }), {
          spec: {
            nodeName: controllerPod ? 'node-a' : 'node-b',
            containers: [controllerPod ? { name: 'controller', image: 'registry.k8s.io/ingress-nginx/controller:v1.11.3' } : { name: 'web', image: 'registry.example/web:1.4.2' }],
          },
          status: { phase: 'Running', podIP: p.ip, conditions: [{ type: 'Ready', status: 'True' }] },
        }),
      );
    }
  }
  await startLabApi(ctx, {
    ...(spec.exec
      ? {
          onUpgrade: execUpgradeHandler({
            tokens: Object.fromEntries(Object.entries(ctx.tokens).map(([k, v]) => [k, { user: v.user }])),
            pods,
            allowedNamespaces: spec.exec.namespaces,
            log: (l) => process.stderr.write(`[exec] ${l}\n`),
          }),
        }
      : {}),
    store: {
      objects,
      forbidden: spec.forbidden,
      // the CRDs installed: MetalLB always, cert-manager with an issuer; their lists are empty, not 404, when no object exists
      installed: [
        ...['ipaddresspools', 'l2advertisements', 'bgpadvertisements', 'bgppeers', 'servicel2statuses'].map((p) => `${p}.metallb.io`),
        ...(spec.issuer === 'none' ? [] : [...['certificates', 'certificaterequests', 'issuers', 'clusterissuers'].map((p) => `${p}.cert-manager.io`), 'orders.acme.cert-manager.io', 'challenges.acme.cert-manager.io']),
      ],
    },
    async extraRoute(req) {
      if (spec.namespaceOnly && req.method === 'GET') {
        // RBAC of a developer with a Role in namespace web: resources elsewhere are forbidden
        const r = /^\/(?:api\/v1|apis\/([^/]+)\/[^/]+)\/(?:namespaces\/([^/]+)\/)?([^/]+)(?:\/([^/]+))?/.exec(req.url.pathname);
        if (r && r[3] !== 'namespaces' && r[2] !== NS) {
          const [, group = '', ns, plural, name] = r;
          const gr = group ? `${plural}.${group}` : plural!;
          const scope = ns ? `in the namespace "${ns}"` : 'at the cluster scope';
          const message = `${name ? `${gr} "${name}"` : gr} is forbidden: User "${req.user}" cannot ${name ? 'get' : 'list'} resource "${plural}" in API group "${group}" ${scope}`;
          return {
            status: 403,
            contentType: 'application/json',
            body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason: 'Forbidden', details: { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: plural }, code: 403 }) + '\n',
          };
        }
      }
      const m = PROXY.exec(req.url.pathname);
      if (!m || req.method !== 'GET') return undefined;
      const [, ns, name, port = '', rest = '/'] = m;
      const statusJson = (code: number, reason: string, message: string) => ({
        status: code,
        contentType: 'application/json',
        body: JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code }) + '\n',
      });
      if (!req.admin || spec.proxyForbidden) {
        return statusJson(403, 'Forbidden', `services "${name}" is forbidden: User "${req.user}" cannot get resource "services/proxy" in API group "" in the namespace "${ns}"`);
      }
      if (!objects.some((o) => o.kind === 'Service' && o.metadata.name === name && o.metadata.namespace === ns)) {
        return statusJson(404, 'NotFound', `services "${name}" not found`);
      }
      const t = targets[`${ns}/${name}:${port}`];
      if (!t) return statusJson(503, 'ServiceUnavailable', `no endpoints available for service "${name}${port ? `:${port}` : ''}"`);
      return new Promise((resolve) => {
        const r = http.get({ host: t.host, port: t.port, path: rest + req.url.search, timeout: 3000 }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 502, body: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? 'text/plain') }));
        });
        r.on('timeout', () => r.destroy(new Error('timeout')));
        r.on('error', (e) => resolve(statusJson(503, 'ServiceUnavailable', `error trying to reach service: ${e.message}`)));
      });
    },
  });
  // in-cluster pods: the solver, and the controller as the service proxy reaches it
  await httpServer(ctx, INGRESS_LAB.solver, 8089, solverHandler);
  await httpServer(ctx, INGRESS_LAB.controllerPod, 80, spec.solverClass === 'nginx' ? solverHandler : defaultBackend);
  const path = writeKubeconfig(ctx, spec.namespaceOnly ? NS : 'default');
  ctx.info.server = `https://${LAB.api}:6443`;
  ctx.info.token = ctx.adminToken;
  ctx.info.host = INGRESS_LAB.host;
  ctx.info.challengeToken = TOKEN;
  return { kubeconfig: path, env: { KUBECONFIG: path }, args: [] };
}

function writeKubeconfig(ctx: ScenarioContext, namespace = 'default'): string {
  const path = join(ctx.tmp, 'kubeconfig');
  const kc = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: 'lab', cluster: { server: `https://${LAB.api}:6443`, 'certificate-authority-data': Buffer.from(ctx.pki.ca.cert).toString('base64') } }],
    users: [{ name: 'lab-admin', user: { token: ctx.adminToken } }],
    contexts: [{ name: 'lab-admin@lab', context: { cluster: 'lab', user: 'lab-admin', namespace } }],
    'current-context': 'lab-admin@lab',
  };
  writeFileSync(path, dump(kc, { lineWidth: -1 }), { mode: 0o600 });
  return path;
}

/** The ingress controller as the outside sees it on 198.51.100.80. */
async function publicController(ctx: ScenarioContext, opts: { https: Pem; chain: Pem[]; http: Handler }): Promise<void> {
  await httpServer(ctx, INGRESS_LAB.lb, 80, opts.http);
  await httpsServer(ctx, INGRESS_LAB.lb, 443, opts.https, opts.chain);
}

const redirectAll: Handler = (req, res) => {
  res.writeHead(308, { Location: `https://${req.headers.host ?? INGRESS_LAB.host}${req.url ?? '/'}`, 'Content-Type': 'text/html' });
  res.end('<html>\r\n<head><title>308 Permanent Redirect</title></head>\r\n<body>\r\n<center><h1>308 Permanent Redirect</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n');
};

function writeFiles(ctx: ScenarioContext, p: IngressPki): void {
  ctx.files.stagingCa = join(ctx.tmp, 'staging-root.crt');
  writeFileSync(ctx.files.stagingCa, p.stagingRoot.cert);
}

const DNS_HOLE = { [INGRESS_LAB.host]: { A: [INGRESS_LAB.hole] } };
const DNS_LB = { [INGRESS_LAB.host]: { A: [INGRESS_LAB.lb] }, [INGRESS_LAB.certHost]: { A: [INGRESS_LAB.lb] } };

const BASE: ClusterSpec = { lb: INGRESS_LAB.lb, policy: 'Cluster', announcer: 'node-a', l2: true, solverClass: 'nginx', issuer: 'prod', certificate: 'ready', secret: true };
/** SPEC §1 incident 3: Local policy, announced from node-b (no controller pod), the Challenge invalid (timeout) */
const INCIDENT_3: ClusterSpec = { ...BASE, lb: INGRESS_LAB.hole, policy: 'Local', announcer: 'node-b', certificate: 'invalid-timeout', secret: false };

export const INGRESS_SCENARIOS: Scenario[] = [
  {
    name: 'cert-servers',
    description: `no cluster; HTTPS servers on ${INGRESS_LAB.lb} (${INGRESS_LAB.certHost}): 443 RSA, 8443 ECDSA, 8444 missing intermediate, 8445 expired, 8446 LE staging, 8447 fake ingress cert, 8448 self-signed`,
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      writeFiles(ctx, p);
      addAddresses(INGRESS_LAB.lb);
      const inter = [p.intermediate];
      await httpsServer(ctx, INGRESS_LAB.lb, CERT_PORTS.rsa, p.rsa, inter);
      await httpsServer(ctx, INGRESS_LAB.lb, CERT_PORTS.ecdsa, p.ecdsa, inter);
      await httpsServer(ctx, INGRESS_LAB.lb, CERT_PORTS.missingIntermediate, p.rsaAia, []);
      await httpsServer(ctx, INGRESS_LAB.lb, CERT_PORTS.expired, p.expired, inter);
      await httpsServer(ctx, INGRESS_LAB.lb, CERT_PORTS.staging, p.staging, [p.stagingIntermediate]);
      await httpsServer(ctx, INGRESS_LAB.lb, CERT_PORTS.fake, p.fake, []);
      await httpsServer(ctx, INGRESS_LAB.lb, CERT_PORTS.selfSigned, p.selfSigned, []);
      ctx.info.ports = CERT_PORTS;
      ctx.info.host = INGRESS_LAB.certHost;
      // `cert` runs without any kubeconfig: HOME is empty and KUBECONFIG is not set. The file
      // below (a cluster nobody serves) exists only for tests that run every scenario with
      // --kubeconfig (e.g. the secrets test).
      const kc = writeKubeconfig(ctx);
      return { kubeconfig: kc, env: {}, args: [] };
    },
  },
  {
    name: 'cert-proxies',
    description: `no cluster; ${INGRESS_LAB.certHost}:443 (RSA + intermediate, lab CA) reached through proxies: real tinyproxy ${LAB.tinyproxy}:8888 (HTTPS_PROXY by default), real mitmdump ${LAB.mitmdump}:8080 (intercepting), and a proxy on ${LAB.failingProxy}:3128 that answers 403 with a policy page`,
    external: ['tinyproxy', 'mitmdump'],
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      addAddresses(INGRESS_LAB.lb);
      await httpsServer(ctx, INGRESS_LAB.lb, CERT_PORTS.rsa, p.rsa, [p.intermediate]);
      const { startTinyproxy, startMitmdump } = await import('./scenarios.ts');
      const { startFailingProxy } = await import('./proxies.ts');
      await startTinyproxy(ctx);
      ctx.files.mitmproxyCa = await startMitmdump(ctx);
      const deny = await startFailingProxy({ host: LAB.failingProxy, port: 3128, status: 403, body: '<html><body><h1>Access denied</h1><p>Access denied by corporate policy: category "uncategorized" (rule 42)</p></body></html>', headers: { 'content-type': 'text/html' } });
      ctx.onClose(() => deny.close());
      ctx.info.host = INGRESS_LAB.certHost;
      ctx.info.proxies = { tinyproxy: `http://${LAB.tinyproxy}:8888`, mitmdump: `http://${LAB.mitmdump}:8080`, deny: `http://${LAB.failingProxy}:3128` };
      return { kubeconfig: writeKubeconfig(ctx), env: { HTTPS_PROXY: `http://${LAB.tinyproxy}:8888` }, args: [] };
    },
  },
  {
    name: 'ingress-incident-3',
    description: `SPEC §1 incident 3: ${INGRESS_LAB.host} → ${INGRESS_LAB.hole} (outside: timeout); externalTrafficPolicy Local, MetalLB announces from node-b, the only ready controller pod is on node-a; Challenge invalid "Timeout during connect (likely firewall problem)"; inside (service proxy) works`,
    dns: DNS_HOLE,
    async setup(ctx) {
      addAddresses(INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      return cluster(ctx, INCIDENT_3);
    },
  },
  {
    name: 'ingress-firewall',
    description: `${INGRESS_LAB.host} → ${INGRESS_LAB.hole}: announced (L2Advertisement), externalTrafficPolicy Cluster, and still the outside times out: something in front drops port 80; inside works`,
    dns: DNS_HOLE,
    async setup(ctx) {
      addAddresses(INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      return cluster(ctx, { ...BASE, lb: INGRESS_LAB.hole, certificate: 'invalid-timeout', secret: false });
    },
  },
  {
    name: 'ingress-namespaced',
    description: `incident 3 seen by a developer whose Role covers namespace web only (context namespace web): Ingress, Service, Certificate chain readable; the controller Service, MetalLB, nodes and the ClusterIssuer are forbidden`,
    dns: DNS_HOLE,
    async setup(ctx) {
      addAddresses(INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      return cluster(ctx, { ...INCIDENT_3, namespaceOnly: true });
    },
  },
  {
    name: 'ingress-exec-inside',
    description: `incident 3 for a user without services/proxy (403 everywhere) who may exec only in namespace web: the inside request runs over pods/exec, in the web pod (curl), after exec in the controller pod is refused`,
    dns: { ...DNS_HOLE, [`${SOLVER_SVC}.${NS}.svc`]: { A: [INGRESS_LAB.solver] } },
    async setup(ctx) {
      addAddresses(INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      return cluster(ctx, { ...INCIDENT_3, proxyForbidden: true, exec: { namespaces: [NS], tools: ['sh', 'curl'] } });
    },
  },
  {
    name: 'ingress-no-inside',
    description: `incident 3 for a user who may neither use the service proxy nor exec anywhere: the inside request cannot be made`,
    dns: DNS_HOLE,
    async setup(ctx) {
      addAddresses(INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      return cluster(ctx, { ...INCIDENT_3, proxyForbidden: true, exec: { namespaces: [], tools: ['sh', 'curl'] } });
    },
  },
  {
    name: 'ingress-no-l2',
    description: `${INGRESS_LAB.hole} is in IPAddressPool public-pool but no L2Advertisement or BGPAdvertisement announces it; Challenge invalid (timeout)`,
    dns: DNS_HOLE,
    async setup(ctx) {
      addAddresses(INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      return cluster(ctx, { ...BASE, lb: INGRESS_LAB.hole, l2: false, announcer: undefined, certificate: 'invalid-timeout', secret: false });
    },
  },
  {
    name: 'ingress-ssl-redirect',
    description: `force-ssl-redirect on the Ingress: http://${INGRESS_LAB.host}/ answers 308 to https for the challenge path too; 443 serves the fake certificate; self-check fails`,
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      addAddresses(INGRESS_LAB.lb, INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      await publicController(ctx, { https: p.fake, chain: [], http: redirectAll });
      return cluster(ctx, { ...BASE, certificate: 'pending-self-check-tls', secret: false, annotations: { 'nginx.ingress.kubernetes.io/force-ssl-redirect': 'true' } });
    },
  },
  {
    name: 'ingress-ssl-redirect-exempt',
    description: `ssl-redirect and ssl-passthrough on the Ingress; the controller redirects http://${INGRESS_LAB.host}/ to https but not the solver's /.well-known/acme-challenge/<token> location (ingress-nginx's no-tls-redirect-locations): the token answers the key outside; the Challenge is presented and pending`,
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      addAddresses(INGRESS_LAB.lb, INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      await publicController(ctx, { https: p.fake, chain: [], http: (req, res) => ((req.url ?? '').startsWith(`/.well-known/acme-challenge/${TOKEN}`) ? solverHandler(req, res) : redirectAll(req, res)) });
      return cluster(ctx, {
        ...BASE,
        certificate: 'pending-presented',
        secret: false,
        annotations: { 'nginx.ingress.kubernetes.io/ssl-redirect': 'true', 'nginx.ingress.kubernetes.io/ssl-passthrough': 'true' },
      });
    },
  },
  {
    name: 'ingress-class-mismatch',
    description: `the ClusterIssuer's HTTP-01 solver uses ingress class nginx-internal; ${INGRESS_LAB.host} is served by class nginx: the token answers 404 outside, 200 inside`,
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      addAddresses(INGRESS_LAB.lb, INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      await publicController(ctx, { https: p.fake, chain: [], http: defaultBackend });
      return cluster(ctx, { ...BASE, solverClass: 'nginx-internal', certificate: 'pending-404', secret: false });
    },
  },
  {
    name: 'ingress-staging',
    description: `the ClusterIssuer uses the Let's Encrypt STAGING server; the Certificate is Ready and ${INGRESS_LAB.host}:443 serves a "(STAGING)" chain`,
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      writeFiles(ctx, p);
      addAddresses(INGRESS_LAB.lb, INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      await publicController(ctx, { https: p.staging, chain: [p.stagingIntermediate], http: defaultBackend });
      return cluster(ctx, { ...BASE, issuer: 'staging', tlsCert: p.staging });
    },
  },
  {
    name: 'ingress-no-secret',
    description: `the Ingress names TLS secret web/web-tls, which does not exist (no cert-manager); 443 serves ingress-nginx's fake certificate`,
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      addAddresses(INGRESS_LAB.lb, INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      await publicController(ctx, { https: p.fake, chain: [], http: defaultBackend });
      return cluster(ctx, { ...BASE, issuer: 'none', certificate: 'none', secret: false });
    },
  },
  {
    name: 'ingress-healthy',
    description: `everything works: ${INGRESS_LAB.host} → ${INGRESS_LAB.lb}, announced by L2Advertisement, Certificate Ready, lab CA chain (use --ca-file ca.crt)`,
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      addAddresses(INGRESS_LAB.lb, INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      await publicController(ctx, { https: p.rsa, chain: [p.intermediate], http: defaultBackend });
      return cluster(ctx, { ...BASE, tlsCert: p.rsa });
    },
  },
  {
    name: 'ingress-local-selected',
    description: `incident 3 fixed the third way: externalTrafficPolicy Local, and the L2Advertisement's nodeSelectors keep the announcement on node-a, which runs the controller; everything works`,
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      addAddresses(INGRESS_LAB.lb, INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      await publicController(ctx, { https: p.rsa, chain: [p.intermediate], http: defaultBackend });
      return cluster(ctx, { ...BASE, tlsCert: p.rsa, policy: 'Local', announcer: 'node-a', l2Nodes: ['node-a'] });
    },
  },
  {
    name: 'ingress-local-partial',
    description: `externalTrafficPolicy Local, MetalLB announces from node-a (which runs the controller) today, but the L2Advertisement lets node-b announce too, and node-b has no controller pod: works now, breaks on failover`,
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      addAddresses(INGRESS_LAB.lb, INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      await publicController(ctx, { https: p.rsa, chain: [p.intermediate], http: defaultBackend });
      return cluster(ctx, { ...BASE, tlsCert: p.rsa, policy: 'Local', announcer: 'node-a' });
    },
  },
  {
    name: 'ingress-bgp-issuer',
    description: `everything works, another way: MetalLB announces ${INGRESS_LAB.lb} over BGP (BGPAdvertisement, no L2Advertisement), and the Certificate's issuer is the namespaced Issuer web/letsencrypt-prod`,
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      addAddresses(INGRESS_LAB.lb, INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      await publicController(ctx, { https: p.rsa, chain: [p.intermediate], http: defaultBackend });
      return cluster(ctx, { ...BASE, tlsCert: p.rsa, l2: false, bgp: true, announcer: undefined, issuerKind: 'Issuer' });
    },
  },
  {
    name: 'ingress-rbac',
    description: 'ingress-healthy, but the user may not read any cert-manager resource (403 for certificates, certificaterequests, orders, challenges, issuers, clusterissuers)',
    dns: DNS_LB,
    async setup(ctx) {
      const p = ingressPki(ctx);
      addAddresses(INGRESS_LAB.lb, INGRESS_LAB.solver, INGRESS_LAB.controllerPod);
      await publicController(ctx, { https: p.rsa, chain: [p.intermediate], http: defaultBackend });
      return cluster(ctx, {
        ...BASE,
        tlsCert: p.rsa,
        forbidden: [
          'certificates.cert-manager.io',
          'certificaterequests.cert-manager.io',
          'issuers.cert-manager.io',
          'clusterissuers.cert-manager.io',
          'orders.acme.cert-manager.io',
          'challenges.acme.cert-manager.io',
        ],
      });
    },
  },
];
