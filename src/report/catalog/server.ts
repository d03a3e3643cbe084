// Finding codes of the `server` diagnosis (SPEC §5 server, and the codes it adds).
import type { CatalogEntry } from '../types.ts';
import { STALL_REMEDIATION, STALL_TITLES } from './handshake-stall.ts';

const e = (severity: CatalogEntry['severity'], title: string, remediation: string[] = []): CatalogEntry => ({ severity, title, remediation });

export const SERVER_CODES: Record<string, CatalogEntry> = {
  // server.connection
  'server.connection.kubeconfig': e('fail', 'No usable kubeconfig', ['Run `kubectl netdiag api` for the kubeconfig details, or use --local on a control-plane node.']),
  'server.connection.credentials': e('fail', 'kubectl gets no credentials: the exec plugin fails before it connects', ["Run the plugin command by hand to see its error; log in again with the provider's CLI."]),
  'server.connection.failed': e('fail', 'This machine cannot reach the API server', ['Run `kubectl netdiag api` to find the broken layer (DNS, proxy, TCP, TLS).']),
  'server.connection.mtu-blackhole': e('fail', STALL_TITLES.mtuBlackhole, [...STALL_REMEDIATION.mtuBlackhole]),
  'server.connection.no-answer': e('fail', STALL_TITLES.noAnswer, [...STALL_REMEDIATION.noAnswer]),
  'server.connection.slow-handshake': e('fail', STALL_TITLES.slow, [...STALL_REMEDIATION.slow]),
  'server.connection.untrusted': e('fail', 'The API server certificate does not verify against the kubeconfig CA', ['Run `kubectl netdiag api`: it names interception, a wrong CA or a name mismatch.']),

  // server.apiservices
  'server.apiservices.unavailable': e('fail', 'An APIService (aggregated API) is not Available: kubectl still works but prints discovery errors; api-resources, namespace deletion and garbage collection fail', [
    '`kubectl describe apiservice NAME` and check the Service, endpoints and pods behind it.',
    'If the API is not needed any more, delete the APIService registration.',
  ]),
  'server.apiservices.forbidden': e('warn', 'RBAC forbids listing APIServices', ['Rerun with a context allowed to list apiservices.apiregistration.k8s.io.']),
  'server.apiservices.error': e('fail', 'Listing APIServices failed', ['`kubectl get apiservices -v=6` shows the request and the answer.']),

  // server.health
  'server.health.not-ready': e('fail', '/readyz reports failing checks', ['`kubectl get --raw "/readyz?verbose"` names them; check etcd and the API server log.']),
  'server.health.not-live': e('fail', '/livez reports failing checks', ['`kubectl get --raw "/livez?verbose"` names them; the kubelet restarts a static-pod API server that stays not-live.']),

  // server.endpoints
  'server.endpoints.san-missing': e('fail', 'An address clients dial is not in the SANs of the certificate served there', [
    'kubeadm: add the address to apiServer.certSANs and reissue apiserver.crt with `kubeadm init phase certs apiserver --apiserver-cert-extra-sans=ADDRESS`.',
    'k3s/rke2: add it to `tls-san` in /etc/rancher/k3s/config.yaml (rke2: /etc/rancher/rke2/config.yaml) and restart.',
  ]),
  'server.endpoints.unreachable': e('warn', 'An API server address does not answer TCP+TLS from here', ['Open the path (firewall, routes); an address in default/kubernetes is an API server\'s own --advertise-address (fix it on that server), an address behind a load balancer or DNS name is removed there.']),
  'server.endpoints.mtu-blackhole': e('warn', 'The TLS handshake with an API server address stalls while small packets pass: a path-MTU black hole on the path from here', [...STALL_REMEDIATION.mtuBlackhole]),
  'server.endpoints.no-answer': e('warn', 'An API server address accepts TCP and never answers', [...STALL_REMEDIATION.noAnswer]),
  'server.endpoints.slow-handshake': e('warn', 'An API server address completes the TLS handshake, but slower than the deadline', [...STALL_REMEDIATION.slow]),
  'server.endpoints.advertised-dead': e('fail', 'No endpoint of default/kubernetes answers: every in-cluster client fails (--advertise-address is not an address the server listens on)', ['Make --advertise-address an address the API server listens on (or bind it to 0.0.0.0) and restart it; `kubectl netdiag server --local` on the control-plane node shows both flags.']),
  'server.endpoints.not-written': e('warn', 'default/kubernetes has no endpoints: the API server advertises a loopback address, which it never writes', ['Set --advertise-address to a non-loopback address the API server listens on.']),
  'server.endpoints.untrusted': e('fail', 'An API server endpoint serves a certificate not issued by the kubeconfig CA', ['Check what answers at that address (another cluster, an interceptor, a stale certificate).']),
  'server.endpoints.unknown': e('warn', 'The default/kubernetes endpoints could not be read by this identity (401/403): only the kubeconfig address is checked', ['Rerun with a context allowed to list endpointslices.discovery.k8s.io in namespace default.']),

  // server.certs
  'server.certs.expired': e('fail', 'The serving certificate has expired', ['`kubeadm certs renew apiserver` (k3s/rke2: `k3s certificate rotate`) and restart the API server.']),
  'server.certs.expiring-soon': e('warn', 'The serving certificate expires within 30 days', ['Renew it now: `kubeadm certs renew apiserver` (k3s/rke2: `k3s certificate rotate`).']),

  // server.version
  'server.version.skew': e('warn', 'kubectl is more than one minor version away from the server', ['Install a kubectl within one minor version of the server.']),
  'server.version.no-kubectl': e('info', 'kubectl is not on PATH here', []),
  'server.version.unknown': e('info', 'A version could not be determined', []),

  // server.local.listen
  'server.local.listen.absent': e('fail', 'Nothing listens on the API port on this node', ['Check the API server pod or service and its log.']),
  'server.local.listen.loopback-only': e('fail', 'The API server listens on loopback only', ['Set the bind address to 0.0.0.0 or the node address.']),
  'server.local.listen.not-advertised': e('fail', 'The API server does not listen on the address it advertises', ['Make the bind address and the advertise address agree.']),
  'server.local.listen.single-address': e('info', 'The API server listens on one address only', []),
  'server.local.listen.config-unreadable': e('warn', 'The API server configuration could not be read', ['Rerun as root, or with --root pointing at a copy of the node files.']),

  // server.local.firewall
  'server.local.firewall.drop-before-accept': e('fail', 'A DROP/REJECT rule on the API port comes before its ACCEPT', ['Move the ACCEPT above the DROP/REJECT (iptables -I, nft insert rule, ufw insert 1 allow PORT/tcp), or narrow the DROP.']),
  'server.local.firewall.blocked': e('fail', 'A firewall rule drops or rejects the API port', ['Remove the rule or add an ACCEPT before it for the clients that need the API.']),
  'server.local.firewall.policy-drop': e('warn', 'The input chain drops by default and no rule in it accepts the API port', ['Add an ACCEPT for the API port (or check the chains it jumps to).']),
  'server.local.firewall.unreadable': e('warn', 'The firewall rules could not be read', ['Rerun as root (iptables-save, nft and ufw need CAP_NET_ADMIN).']),

  // server.local.logs
  'server.local.logs.tls-handshake-errors': e('warn', 'Clients fail the TLS handshake with the API server', ['Match the remote addresses to clients; "bad certificate" means the client does not accept the certificate (CA, SANs).']),
  'server.local.logs.etcd-errors': e('warn', 'The API server reports etcd errors', ['Check etcd: `etcdctl endpoint health --cluster`, its log, disk latency, and the etcd client certificates.']),
  'server.local.logs.auth-errors': e('warn', 'The API server rejects client credentials', ['Find the clients (expired tokens or certificates, a rotated CA) and renew their credentials.']),
  'server.local.logs.unreadable': e('warn', 'The API server logs could not be read', ['Rerun as root (or in the systemd-journal group).']),

  // server.local.pki
  'server.local.pki.expired': e('fail', 'A control-plane certificate has expired', ['`kubeadm certs renew all` (k3s/rke2: `k3s certificate rotate`), then restart the control-plane components.']),
  'server.local.pki.expiring-soon': e('warn', 'A control-plane certificate expires within 30 days', ['`kubeadm certs renew all` (k3s/rke2: `k3s certificate rotate`).']),
  'server.local.pki.san-missing': e('fail', 'The API server certificate does not cover an address the API server is configured with', ['Reissue it with the address as a SAN (kubeadm --apiserver-cert-extra-sans, k3s/rke2 tls-san).']),
  'server.local.pki.unreadable': e('warn', 'The control-plane certificates could not be read', ['Rerun as root.']),
};
