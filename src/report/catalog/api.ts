// Finding codes of the `api` diagnosis (SPEC §5 api table, and the codes it adds).
import type { CatalogEntry } from '../types.ts';
import { STALL_REMEDIATION, STALL_TITLES } from './handshake-stall.ts';

export const API_CODES: Record<string, CatalogEntry> = {
  // api.kubeconfig
  'api.kubeconfig.missing': {
    severity: 'fail',
    title: 'A kubeconfig file or a file it references cannot be read',
    remediation: ['Check the path given by --kubeconfig or KUBECONFIG, and the certificate/token paths inside it.'],
  },
  'api.kubeconfig.unknown-context': {
    severity: 'fail',
    title: 'The requested context, cluster or user is not in the kubeconfig',
    remediation: ['List the contexts with `kubectl config get-contexts` and pass one with --context.'],
  },
  'api.kubeconfig.invalid': {
    severity: 'fail',
    title: 'The kubeconfig cannot be parsed',
    remediation: ['Validate it with `kubectl config view`; fix the YAML or the base64 data it names.'],
  },
  'api.kubeconfig.localhost-fallback': {
    severity: 'fail',
    title: 'No kubeconfig resolved: kubectl would silently dial http://localhost:8080',
    remediation: [
      'Point KUBECONFIG or --kubeconfig at the cluster\'s kubeconfig, or create ~/.kube/config.',
      'Check with `kubectl config view --minify` that a current context is set (`kubectl config use-context NAME`, or pass --context), and that its cluster has a server.',
    ],
  },
  'api.kubeconfig.insecure': {
    severity: 'warn',
    title: 'TLS verification is disabled (insecure-skip-tls-verify)',
    remediation: ['Set certificate-authority-data to the cluster CA instead of disabling verification.'],
  },
  'api.kubeconfig.files-skipped': {
    severity: 'info',
    title: 'Some files listed in KUBECONFIG do not exist and were skipped',
    remediation: [],
  },

  // api.dns
  'api.dns.nxdomain': {
    severity: 'fail',
    title: 'The API server name does not exist in DNS',
    remediation: ['Check the server name in the kubeconfig and the DNS servers in /etc/resolv.conf (VPN split DNS?).'],
  },
  'api.dns.timeout': {
    severity: 'fail',
    title: 'DNS servers did not answer for the API server name',
    remediation: ['Check that the DNS servers in /etc/resolv.conf are reachable (VPN, firewall on port 53).'],
  },
  'api.dns.unreachable': {
    severity: 'fail',
    title: 'The DNS query could not be sent: no route to the DNS server',
    remediation: ['Check the route to the DNS servers in /etc/resolv.conf (`ip route get SERVER`): a VPN that is down, or a resolv.conf it left behind.'],
  },
  'api.dns.error': {
    severity: 'fail',
    title: 'DNS resolution of the API server name failed',
    remediation: ['Query the name with `dig` against each server in /etc/resolv.conf.'],
  },
  'api.dns.hosts-override': {
    severity: 'info',
    title: '/etc/hosts overrides DNS for the API server name',
    remediation: ['Make sure the /etc/hosts entry is still the right address; remove it if the cluster moved.'],
  },
  'api.dns.proxy-resolves': {
    severity: 'info',
    title: 'The name does not resolve here, but a proxy resolves it',
    remediation: [],
  },

  // api.proxy
  'api.proxy.in-use': {
    severity: 'info',
    title: 'Traffic to the API server goes through a proxy',
    remediation: [],
  },
  'api.proxy.no-proxy-miss': {
    severity: 'warn',
    title: 'NO_PROXY has an entry meant for this server that does not match it',
    remediation: ['Write NO_PROXY entries as Go matches them: exact hosts, .suffix or suffix domains, IPs, CIDRs; no * globs inside names.'],
  },
  'api.proxy.bad-url': {
    severity: 'fail',
    title: 'The proxy URL cannot be parsed',
    remediation: ['Fix the proxy variable: it must be host:port or a URL such as http://proxy:8080.'],
  },
  'api.proxy.malformed-url': {
    severity: 'fail',
    title: "Go (kubectl) reads the proxy URL differently from what it says: a raw '#', '%', '?' or '/' in the password",
    remediation: [
      "Percent-encode the user name and password in the proxy URL ('#' → %23, '@' → %40, ':' → %3A, '%' → %25, '?' → %3F, '/' → %2F), in HTTPS_PROXY and in the kubeconfig proxy-url alike.",
    ],
  },

  // api.tcp
  'api.tcp.unreachable': {
    severity: 'fail',
    title: 'No route to the API server address',
    remediation: ['Check the routing table (`ip route get ADDR`), the VPN, or whether a proxy or jump host is required.'],
  },
  'api.tcp.refused': {
    severity: 'fail',
    title: 'The API server address refuses connections on that port',
    remediation: ['Check the port in the kubeconfig server URL and that the API server listens there.'],
  },
  'api.tcp.timeout': {
    severity: 'fail',
    title: 'TCP connect timed out: packets are dropped (firewall or black hole)',
    remediation: ['Ask the network team whether a firewall drops traffic to the address and port; test with `nc -vz ADDR PORT`.'],
  },
  'api.tcp.reset': {
    severity: 'fail',
    title: 'The connection was reset',
    remediation: ['Something between here and the server resets connections: a firewall, or a load balancer without backends.'],
  },
  'api.tcp.error': {
    severity: 'fail',
    title: 'TCP connect failed',
    remediation: [],
  },
  'api.tcp.direct-failed': {
    severity: 'info',
    title: 'Without the proxy, the API server cannot be reached directly',
    remediation: [],
  },
  'api.tcp.every-address-failed': {
    severity: 'fail',
    title: 'The API server name has several addresses and every one of them fails',
    remediation: ['Each address fails for its own reason (listed): fix the one kubectl should use, or remove the dead records from DNS.'],
  },

  'api.proxy.os-differs': {
    severity: 'warn',
    title: 'The system proxy settings (what browsers use) and the proxy kubectl uses differ',
    remediation: [
      'kubectl (Go) reads only HTTPS_PROXY, HTTP_PROXY and NO_PROXY, never the macOS, Windows or GNOME proxy settings: set the variables to what the system uses (the finding gives the exact line for your shell).',
      'If the API server must be reached directly, add it to the system bypass list instead.',
    ],
  },
  'api.proxy.os-pac': {
    severity: 'info',
    title: 'The system proxy is a PAC script, which kubectl ignores (netdiag does not evaluate PAC JavaScript)',
    remediation: ['Open the PAC URL, find the proxy FindProxyForURL returns for the API server, and set HTTPS_PROXY to it if it is not DIRECT.'],
  },

  // api.proxy.connect
  'api.proxy.unreachable': {
    severity: 'fail',
    title: 'The proxy itself cannot be reached',
    remediation: ['Check the proxy address and port in the proxy variables; test with `nc -vz PROXY PORT`.'],
  },
  'api.proxy.denied': {
    severity: 'fail',
    title: 'The proxy forbids CONNECT to the API server (403)',
    remediation: ['Ask the network team to allow CONNECT to the API server address and port, or add it to NO_PROXY.'],
  },
  'api.proxy.auth-required': {
    severity: 'fail',
    title: 'The proxy requires authentication (407)',
    remediation: ['Put credentials in the proxy URL (http://user:password@proxy:port) or add the server to NO_PROXY.'],
  },
  'api.proxy.upstream-failed': {
    severity: 'fail',
    title: 'The proxy cannot reach the API server either',
    remediation: ['The proxy\'s network has no path to the API server: bypass it with NO_PROXY, or ask the network team to open it.'],
  },
  'api.proxy.connect-error': {
    severity: 'fail',
    title: 'The proxy answered CONNECT with an unexpected status',
    remediation: [],
  },

  // api.tls
  'api.tls.intercepted': {
    severity: 'fail',
    title: 'TLS is intercepted: the certificate is not from the cluster CA',
    remediation: [
      'Bypass the intercepting proxy for the API server (NO_PROXY), or ask the network team to exempt the address from TLS inspection.',
      'Without a proxy setting (a transparent middlebox): ask for an exemption from inspection for the API server address, or reach it through a tunnel (VPN, SSH, bastion) or a network path without the middlebox.',
      "Never add the interceptor's CA to the kubeconfig: kubectl would then send its token or client certificate to the middlebox.",
    ],
  },
  'api.tls.no-ip-san': {
    severity: 'fail',
    title: 'The server URL is an IP address and the certificate has no IP SANs',
    remediation: ['Use a DNS name the certificate carries (or tls-server-name), or reissue the certificate with the IP as a SAN.'],
  },
  'api.tls.name-mismatch': {
    severity: 'fail',
    title: 'The certificate does not cover the name or address dialled',
    remediation: ['Dial an address the certificate covers, set tls-server-name, or add the address to the certificate SANs (kubeadm --apiserver-cert-extra-sans, k3s tls-san).'],
  },
  'api.tls.unknown-authority': {
    severity: 'fail',
    title: 'The certificate is not signed by the kubeconfig CA',
    remediation: ['Refresh the kubeconfig\'s certificate-authority-data from the cluster (the CA may have been rotated).'],
  },
  'api.tls.expired': {
    severity: 'fail',
    title: 'The certificate has expired',
    remediation: ['Renew the API server certificate (kubeadm: `kubeadm certs renew apiserver`; k3s rotates on restart).'],
  },
  'api.tls.not-yet-valid': {
    severity: 'fail',
    title: 'The certificate is not valid yet (clock skew?)',
    remediation: ['Check the clocks of this machine and of the server (NTP).'],
  },
  'api.tls.expiring-soon': {
    severity: 'warn',
    title: 'The certificate expires within 30 days',
    remediation: ['Plan the renewal: `kubeadm certs check-expiration` on a control-plane node.'],
  },
  'api.tls.ca-invalid': {
    severity: 'fail',
    title: 'The kubeconfig CA data is not a usable certificate',
    remediation: ['Replace certificate-authority-data with the base64 of the cluster CA PEM.'],
  },
  'api.tls.handshake-failed': {
    severity: 'fail',
    title: 'The TLS handshake failed',
    remediation: ['Check that the port speaks TLS (`openssl s_client`), and that no middlebox resets TLS.'],
  },
  'api.tls.mtu-blackhole': { severity: 'fail', title: STALL_TITLES.mtuBlackhole, remediation: [...STALL_REMEDIATION.mtuBlackhole] },
  'api.tls.no-answer': { severity: 'fail', title: STALL_TITLES.noAnswer, remediation: [...STALL_REMEDIATION.noAnswer] },
  'api.tls.slow-handshake': { severity: 'fail', title: STALL_TITLES.slow, remediation: [...STALL_REMEDIATION.slow] },
  'api.tls.legacy-cn': {
    severity: 'fail',
    title: 'The certificate has no SANs and relies on the legacy Common Name',
    remediation: ['Reissue the certificate with subjectAltName entries.'],
  },
  'api.tls.verification-disabled': {
    severity: 'warn',
    title: 'Verification is disabled, and the certificate would not pass it',
    remediation: ['Fix the certificate problem, then remove insecure-skip-tls-verify.'],
  },

  // api.http
  'api.http.error': {
    severity: 'fail',
    title: 'GET /version did not succeed',
    remediation: [],
  },
  'api.http.tls-port': {
    severity: 'fail',
    title: 'The server URL says http://, but the port speaks TLS',
    remediation: ['Write https:// in the kubeconfig\'s server URL (`kubectl config set-cluster NAME --server=https://HOST:PORT`) and give the cluster its CA.'],
  },
  'api.http.clock-skew': {
    severity: 'warn',
    title: 'This machine\'s clock differs from the server\'s',
    remediation: ['Synchronise the clock (timedatectl / chrony); tokens and certificates depend on it.'],
  },

  // api.health
  'api.health.not-ready': {
    severity: 'fail',
    title: 'The API server reports failing health checks',
    remediation: ['Inspect the failing checks on the control plane (`kubectl get --raw "/readyz?verbose"`).'],
  },
  'api.health.not-live': {
    severity: 'fail',
    title: 'The API server reports it is not live',
    remediation: [],
  },

  // api.auth
  'api.auth.unauthorized': {
    severity: 'fail',
    title: 'The server rejects the credentials (401)',
    remediation: ['Get a fresh token or client certificate for this user; check its expiry.'],
  },
  'api.auth.forbidden': {
    severity: 'warn',
    title: 'Authenticated, but RBAC forbids the request (403)',
    remediation: ['Ask a cluster admin for a RoleBinding; check with `kubectl auth can-i --list`.'],
  },
  'api.auth.exec-plugin-failed': {
    severity: 'fail',
    title: 'The exec credential plugin failed',
    remediation: ['Run the plugin command by hand to see its error; log in again with the provider\'s CLI.'],
  },
  'api.auth.anonymous': {
    severity: 'fail',
    title: 'No credentials are configured: kubectl prompts for a username instead of sending a request',
    remediation: ['Add a user with a token, client certificate or exec plugin to the kubeconfig context.'],
  },

  // api.endpoints
  'api.endpoints.partial': {
    severity: 'warn',
    title: 'Some addresses of the API server cannot be reached from here',
    remediation: [],
  },
  // api.discovery (issue 11, point 3)
  'api.discovery.unavailable': {
    severity: 'warn',
    title: 'An aggregated API fails discovery: kubectl still works but prints discovery errors; api-resources fails',
    remediation: [],
  },
  // api.endpoints (issue 11, points 5 and 6)
  'api.endpoints.unreadable': {
    severity: 'warn',
    title: 'The default/kubernetes endpoints could not be read by this identity: only the kubeconfig address is checked',
    remediation: [],
  },
  'api.endpoints.advertised-dead': {
    severity: 'warn',
    title: 'No address the API server advertises (default/kubernetes) works: every in-cluster client fails',
    remediation: [],
  },
  'api.endpoints.not-written': {
    severity: 'info',
    title: 'default/kubernetes has no endpoints: the API server advertises a loopback address and never writes them',
    remediation: [],
  },
};
