// Finding codes of the `ingress` checks (SPEC §5 "cert and ingress": ingress.*).
import type { CatalogEntry } from '../types.ts';

const e = (severity: CatalogEntry['severity'], title: string, remediation: string[] = []): CatalogEntry => ({ severity, title, remediation });

export const INGRESS_CODES: Record<string, CatalogEntry> = {
  // ingress.resource
  'ingress.resource.not-found': e('fail', 'No Ingress serves the host', ['Create an Ingress with a rule for the host, or check the spelling of the host.']),
  'ingress.resource.tls-secret-missing': e('fail', 'The TLS secret named by the Ingress does not exist', [
    'Create the secret (with cert-manager: make the Certificate for it Ready; ingress-shim creates it from the Ingress annotation cert-manager.io/cluster-issuer).',
  ]),
  'ingress.resource.no-tls': e('warn', 'The Ingress has no TLS entry for the host', ['Add spec.tls with the host and a secretName (and a cert-manager issuer annotation).']),
  'ingress.resource.class-unknown': e('fail', 'The Ingress names an ingress class that does not exist', ['Set spec.ingressClassName to the class of the installed controller (`kubectl get ingressclass`).']),
  'ingress.resource.no-class': e('warn', 'The Ingress has no class and there is no default IngressClass', ['Set spec.ingressClassName, or mark one IngressClass as default (ingressclass.kubernetes.io/is-default-class: "true").']),
  'ingress.resource.api-unreachable': e('fail', 'The cluster API cannot be used', ['Run `kubectl netdiag api` to find out why.']),

  // ingress.backend
  'ingress.backend.service-missing': e('fail', 'The backend Service does not exist', ['Create the Service, or fix the backend service name in the Ingress.']),
  'ingress.backend.port-missing': e('fail', 'The backend Service has no such port', ['Point the Ingress backend at a port the Service exposes.']),
  'ingress.backend.no-ready-endpoints': e('fail', 'The backend Service has no ready endpoints', ['Check the pods behind the Service: selector, readiness probes (`kubectl get pods -l ...`).']),

  // ingress.lb
  'ingress.lb.pending': e('fail', 'The controller Service has no external address', ['Check the load balancer implementation (MetalLB: an IPAddressPool with free addresses; `kubectl describe service`).']),
  'ingress.lb.controller-not-found': e('warn', "The ingress controller's LoadBalancer Service was not found", ['Check that the ingress controller is installed and exposed by a Service of type LoadBalancer.']),
  'ingress.lb.not-in-pool': e('fail', 'No MetalLB IPAddressPool contains the address', ['Add the address to an IPAddressPool, or let MetalLB assign one from a pool.']),
  'ingress.lb.no-advertisement': e('fail', 'No L2Advertisement or BGPAdvertisement announces the pool', [
    'Create an L2Advertisement for the pool: `kubectl apply -f -` with apiVersion metallb.io/v1beta1, kind L2Advertisement, metadata.namespace metallb-system, spec.ipAddressPools: [POOL].',
  ]),
  'ingress.lb.metallb-absent': e('info', 'MetalLB is not installed; another load balancer provides the address'),

  // ingress.dns
  'ingress.dns.nxdomain': e('fail', 'The host does not resolve', ['Create the DNS record for the host pointing at the load balancer address.']),
  'ingress.dns.timeout': e('fail', 'DNS servers did not answer for the host', ['Check the resolvers in /etc/resolv.conf.']),
  'ingress.dns.error': e('fail', 'DNS resolution of the host failed', ['Query the name with `dig` against each resolver.']),
  'ingress.dns.mismatch': e('fail', 'The host resolves to another address than the load balancer', ['Point the DNS record of the host at the load balancer address (or wait for the old record to expire).']),

  // ingress.traffic-policy
  'ingress.traffic-policy.announcer-without-endpoint': e('fail', 'externalTrafficPolicy: Local and the announcing node has no ready controller pod', [
    'Set externalTrafficPolicy: Cluster on the controller Service.',
    'Or run the controller on every node MetalLB may announce from, or restrict the L2Advertisement nodeSelectors to nodes that run it.',
  ]),
  'ingress.traffic-policy.local-partial': e('warn', 'externalTrafficPolicy: Local and some announcing candidates have no controller pod', [
    'Restrict the L2Advertisement nodeSelectors to nodes that run the controller, or run it as a DaemonSet.',
  ]),
  'ingress.traffic-policy.local': e('info', 'externalTrafficPolicy: Local, and every candidate node runs a controller pod'),

  // ingress.http01
  'ingress.http01.timeout': e('fail', 'The challenge URL times out from this machine', ['Find what drops port 80 on the way to the load balancer address: firewall, MetalLB announcement, traffic policy.']),
  'ingress.http01.refused': e('fail', 'The challenge URL is refused from this machine', ['Make the ingress controller listen on port 80 of the public address (the Service must expose port 80).']),
  'ingress.http01.reset': e('fail', 'The connection to the challenge URL is reset', ['Look for a firewall or proxy that resets port 80.']),
  'ingress.http01.unreachable': e('fail', 'No route to the address of the host', ['Check the routes to the load balancer address.']),
  'ingress.http01.redirect': e('fail', 'The challenge path is redirected', ['Remove the ssl-redirect / force-ssl-redirect annotations from Ingresses for the host while the challenge runs (or exempt /.well-known/acme-challenge).']),
  'ingress.http01.token-not-found': e('fail', "The challenge URL answers 404 for the pending Challenge's token", ['Make the solver Ingress use the class of the controller that receives the traffic.']),
  'ingress.http01.wrong-key': e('fail', "The challenge URL answers, but not with the Challenge's key", ['Find the other server answering for the host (DNS, another Ingress with the same host).']),
  'ingress.http01.http-error': e('fail', 'The challenge URL answers with a server error', ["Check the solver pod and the controller's logs."]),
  'ingress.http01.inside-failed': e('warn', 'The challenge URL fails from inside the cluster too', ['Check the solver pod and Service: `kubectl get pods,svc -A -l acme.cert-manager.io/http01-solver=true`.']),

  // ingress.annotations
  'ingress.annotations.ssl-redirect': e('warn', 'ssl-redirect redirects HTTP requests for the host to HTTPS', [
    'Set nginx.ingress.kubernetes.io/ssl-redirect: "false" on the Ingress until the certificate is issued (ingress-nginx exempts /.well-known/acme-challenge only when no-tls-redirect-locations keeps its default).',
  ]),
  'ingress.annotations.force-ssl-redirect': e('warn', 'force-ssl-redirect redirects every HTTP request, the challenge path included', [
    'Remove nginx.ingress.kubernetes.io/force-ssl-redirect (or set it to "false") while the HTTP-01 challenge runs: `kubectl annotate ingress -n NS NAME nginx.ingress.kubernetes.io/force-ssl-redirect-`.',
  ]),
  'ingress.annotations.ssl-passthrough': e('warn', 'ssl-passthrough: the controller does not terminate TLS for this Ingress', ['Remove ssl-passthrough, or terminate TLS (and use the certificate) in the backend.']),
  'ingress.annotations.class-mismatch': e('fail', "The HTTP-01 solver's ingress class differs from the controller's", [
    'Set the issuer solver to the class the controller serves: spec.acme.solvers[].http01.ingress.ingressClassName (or .class) = the class of the Ingress for the host.',
  ]),
};
