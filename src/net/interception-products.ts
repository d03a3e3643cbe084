// TLS-interception products as data: who re-signs server certificates with its own CA, and the
// issuer (or CA subject) names it signs with, as Chromium keeps such a list for its interstitials
// ("your connection is being intercepted by …"). Enterprise gateways and secure web gateways first,
// then developer proxies and endpoint security suites. A pattern is matched against the issuer,
// then the subject, of every certificate of a presented chain (RFC 4514 text: 'CN=…,O=…').
// Adding a product is adding an entry here (and a line to its unit test).

export interface InterceptionProduct {
  /** the name a finding shows, e.g. 'Zscaler' */
  product: string;
  kind: 'gateway' | 'developer-proxy' | 'endpoint-security';
  /** issuer or CA-subject text it signs with */
  patterns: RegExp[];
}

export const INTERCEPTION_PRODUCTS: readonly InterceptionProduct[] = [
  { product: 'mitmproxy', kind: 'developer-proxy', patterns: [/mitmproxy/i] },
  { product: 'Zscaler', kind: 'gateway', patterns: [/zscaler/i] },
  { product: 'Netskope', kind: 'gateway', patterns: [/netskope/i, /goskope/i] },
  { product: 'Palo Alto Networks', kind: 'gateway', patterns: [/palo ?alto/i, /pan-?os/i, /paloaltonetworks/i] },
  { product: 'Fortinet FortiGate', kind: 'gateway', patterns: [/fortinet/i, /fortigate/i, /fortiproxy/i] },
  {
    product: 'Blue Coat / Symantec ProxySG',
    kind: 'gateway',
    patterns: [/blue ?coat/i, /proxysg/i, /ssl ?visibility/i, /symantec web (security|gateway)/i, /symantec.*proxy/i],
  },
  { product: 'Cisco Umbrella', kind: 'gateway', patterns: [/cisco umbrella/i, /opendns/i, /umbrella secondary/i, /umbrella root/i] },
  { product: 'Forcepoint', kind: 'gateway', patterns: [/forcepoint/i, /websense/i] },
  { product: 'Sophos', kind: 'gateway', patterns: [/sophos/i] },
  { product: 'Squid', kind: 'gateway', patterns: [/squid/i] },
  { product: 'Charles Proxy', kind: 'developer-proxy', patterns: [/charles ?proxy/i, /charlesproxy/i, /O=XK72/i] },
  { product: 'Fiddler', kind: 'developer-proxy', patterns: [/DO_NOT_TRUST/i, /fiddler/i] },
  { product: 'Burp Suite (PortSwigger)', kind: 'developer-proxy', patterns: [/portswigger/i, /burp/i] },
  { product: 'Check Point', kind: 'gateway', patterns: [/check ?point/i] },
  { product: 'McAfee / Skyhigh Security', kind: 'gateway', patterns: [/mcafee/i, /skyhigh/i] },
  { product: 'Kaspersky', kind: 'endpoint-security', patterns: [/kaspersky/i] },
  { product: 'ESET', kind: 'endpoint-security', patterns: [/\beset\b/i] },
  { product: 'Avast / AVG', kind: 'endpoint-security', patterns: [/avast/i, /\bavg\b/i] },
  { product: 'Bitdefender', kind: 'endpoint-security', patterns: [/bitdefender/i] },
  { product: 'Cloudflare Gateway', kind: 'gateway', patterns: [/cloudflare (gateway|managed)/i, /gateway ca - cloudflare/i] },
  { product: 'SonicWall', kind: 'gateway', patterns: [/sonicwall/i] },
  { product: 'WatchGuard', kind: 'gateway', patterns: [/watchguard/i] },
  { product: 'Barracuda', kind: 'gateway', patterns: [/barracuda/i] },
  { product: 'iboss', kind: 'gateway', patterns: [/\biboss\b/i] },
  { product: 'Menlo Security', kind: 'gateway', patterns: [/menlo security/i] },
  { product: 'Trend Micro', kind: 'gateway', patterns: [/trend ?micro/i, /interscan/i] },
  { product: 'Smoothwall', kind: 'gateway', patterns: [/smoothwall/i] },
  { product: 'Lightspeed Systems', kind: 'gateway', patterns: [/lightspeed systems/i] },
  { product: 'Securly', kind: 'gateway', patterns: [/securly/i] },
  { product: 'HTTP Toolkit', kind: 'developer-proxy', patterns: [/http ?toolkit/i] },
  { product: 'Proxyman', kind: 'developer-proxy', patterns: [/proxyman/i] },
];
