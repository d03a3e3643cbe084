// Finding codes of the `cert` checks (SPEC §5 "cert and ingress": cert.tls, cert.certmanager).
import type { CatalogEntry } from '../types.ts';

const e = (severity: CatalogEntry['severity'], title: string, remediation: string[] = []): CatalogEntry => ({ severity, title, remediation });

export const CERT_CODES: Record<string, CatalogEntry> = {
  // cert.tls
  'cert.tls.connect-failed': e('fail', 'No TCP connection to the HTTPS port', ['Check DNS, the address and the firewall in front of it: `nc -vz HOST 443`.']),
  'cert.tls.handshake-failed': e('fail', 'The TLS handshake failed', ['Run the openssl command below to see the alert; check the SNI name (--sni) and that the port speaks TLS.']),
  'cert.tls.name-mismatch': e('fail', 'The certificate does not cover the host name', ['Reissue the certificate with the host in its SANs (cert-manager: spec.dnsNames of the Certificate, or the Ingress spec.tls hosts).']),
  'cert.tls.untrusted': e('fail', 'The chain does not end at a trusted root', ['Serve a certificate from a public CA, or give clients the CA (--ca-file to check it here).']),
  'cert.tls.self-signed': e('fail', 'The certificate is self-signed', ['Issue the certificate from a CA (cert-manager with an ACME or CA issuer) instead of a self-signed one.']),
  'cert.tls.missing-intermediate': e('fail', 'The server does not send the intermediate certificate', [
    'Serve the full chain: leaf first, then the intermediate(s) (for a Kubernetes TLS secret, tls.crt must hold the leaf followed by the intermediate).',
    'With cert-manager the secret holds the full chain: check that the Ingress uses the cert-manager secret and not a hand-made one.',
  ]),
  'cert.tls.expired': e('fail', 'A certificate in the chain has expired', ['Renew the certificate (cert-manager: `cmctl renew -n NS NAME`; check why automatic renewal failed).']),
  'cert.tls.not-yet-valid': e('fail', 'A certificate in the chain is not valid yet', ["Check this machine's clock (`timedatectl`), or wait until notBefore."]),
  'cert.tls.expiring-soon': e('warn', 'The certificate expires within 30 days', ['Renew it now; with cert-manager check that renewal is not failing (`cmctl status certificate`).']),
  'cert.tls.staging': e('fail', "The certificate comes from Let's Encrypt STAGING", [
    "Switch the issuer to the production ACME server https://acme-v02.api.letsencrypt.org/directory, then let cert-manager reissue: delete the secret or run `cmctl renew`.",
  ]),
  'cert.tls.fake-certificate': e('fail', "The ingress controller serves its fake default certificate", [
    'Make the TLS secret named in the Ingress exist and hold a certificate for the host (with cert-manager: fix the Certificate so it becomes Ready).',
  ]),
  'cert.tls.letsencrypt': e('info', "Issued by Let's Encrypt (production)"),
  'cert.tls.private-ca': e('info', 'Trusted only by the --ca-file CA, not by the system store'),
  'cert.tls.ca-file-invalid': e('fail', '--ca-file cannot be read or holds no certificate', ['Pass a PEM file with one or more CERTIFICATE blocks.']),
  'cert.tls.proxy-refused': e('fail', 'The proxy (HTTPS_PROXY) refused to CONNECT to the host', [
    'Ask the proxy team to allow CONNECT to HOST:PORT (quote the status line and body above), or, when the host is reachable without the proxy, add it to NO_PROXY.',
  ]),
  'cert.tls.proxy-intercepted': e('fail', 'Through the proxy, the chain is not trusted by the system store: the proxy intercepts TLS', [
    "Check the server's certificate from a machine without the proxy, or add the host to NO_PROXY when it is reachable directly.",
    "If the issuer is your organisation's proxy CA, check with it: `--ca-file PROXY-CA.pem` (and install that CA where clients run).",
  ]),
  'cert.tls.intercepted': e('warn', 'A middlebox intercepts TLS without any proxy setting (transparent interception)', [
    'Ask the network team to exempt the host from TLS inspection, or reach it through a tunnel or a network path without the middlebox.',
    "Never add the interceptor's CA to a kubeconfig: kubectl would then send its credentials to the middlebox.",
  ]),
  'cert.tls.kubeconfig-ca': e('info', "The host is the kubeconfig's API server: verified against the kubeconfig CA"),

  // cert.certmanager
  'cert.certmanager.no-certificate': e('warn', 'No cert-manager Certificate covers the host', ['Add the annotation cert-manager.io/cluster-issuer (or cert-manager.io/issuer) to the Ingress, or create a Certificate for the host.']),
  'cert.certmanager.not-ready': e('fail', 'The Certificate is not Ready', ['Follow the chain with `cmctl status certificate -n NS NAME` and fix the first failing step.']),
  'cert.certmanager.acme-timeout': e('fail', 'The ACME server timed out connecting to port 80 of the host', ['Make http://HOST/.well-known/acme-challenge/ reachable from the internet on port 80 (firewall, load balancer announcement, traffic policy).']),
  'cert.certmanager.acme-refused': e('fail', 'The ACME server was refused on port 80', ['Make the ingress controller listen on port 80 of the public address.']),
  'cert.certmanager.acme-dns': e('fail', 'The ACME server cannot resolve the host', ['Create the public DNS record for the host, pointing at the load balancer address.']),
  'cert.certmanager.acme-rate-limited': e('fail', "Let's Encrypt's rate limit was hit", ['Wait for the rate-limit window (see the error text), and use the staging server while testing.']),
  'cert.certmanager.acme-404': e('fail', 'The challenge URL answers 404', ['Make the request for the token reach the solver: check the ingress class of the solver and the annotations of the Ingress.']),
  'cert.certmanager.self-check': e('fail', "cert-manager's self-check of the challenge URL fails", ['Fetch the challenge URL from inside the cluster and from outside (this report does both) and fix the path that fails.']),
  'cert.certmanager.acme-other': e('fail', 'The ACME server rejected the challenge', ['Read the Challenge reason with `kubectl describe challenge -n NS`.']),
  'cert.certmanager.solver-missing': e('fail', "The HTTP-01 solver (pod, Service, Ingress) of a presented Challenge is incomplete", ['Describe the Challenge and read the cert-manager logs; deleting the Challenge makes cert-manager present it again.']),
  'cert.certmanager.issuer-not-ready': e('fail', 'The Issuer or ClusterIssuer is not Ready', ['`kubectl describe clusterissuer NAME`: fix the ACME account (email, server URL, private key secret).']),
  'cert.certmanager.issuer-missing': e('fail', 'The Issuer or ClusterIssuer the Certificate names cannot be read', ['Create the issuer, or fix issuerRef (name and kind: Issuer is namespaced, ClusterIssuer is not).']),
  'cert.certmanager.staging-issuer': e('warn', "The issuer uses Let's Encrypt STAGING", [
    "Set spec.acme.server to https://acme-v02.api.letsencrypt.org/directory (a new privateKeySecretRef name too), then reissue: `cmctl renew -n NS NAME`.",
  ]),
};
