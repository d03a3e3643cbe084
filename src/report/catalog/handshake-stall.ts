// The fixes for a TLS handshake that stalls ("net/http: TLS handshake timeout"), the same for every
// diagnosis that tells its causes apart (api.tls, server.connection, server.endpoints: src/kube/handshake-stall.ts).

export const STALL_REMEDIATION = {
  mtuBlackhole: [
    'Confirm it: `ping -M do -s 1472 HOST` fails while `ping -M do -s 1200 HOST` works; `tracepath HOST` shows the hop where the MTU drops.',
    'Clamp TCP MSS to the path MTU on the VPN or router (`iptables -t mangle -A FORWARD -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu`), or lower the MTU of the tunnel interface (e.g. `ip link set dev wg0 mtu 1380`).',
    'Or let ICMP "fragmentation needed" (type 3 code 4) through the firewalls on the path.',
  ],
  noAnswer: [
    'Check what accepts the connection: a TCP load balancer with no healthy backend (its target group / health checks), a port forward whose target is gone, or a hung API server (`crictl ps`, its logs).',
  ],
  slow: [
    'Find out why the server is slow to handshake (an overloaded API server or load balancer, a slow link); meanwhile raise --timeout here (kubectl itself waits up to 10 s).',
  ],
} as const;

export const STALL_TITLES = {
  mtuBlackhole: 'The TLS handshake stalls while small packets pass: a path-MTU black hole',
  noAnswer: 'The server accepts TCP and never answers',
  slow: 'The TLS handshake completes, but slower than the deadline',
} as const;
