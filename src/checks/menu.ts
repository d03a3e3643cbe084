// Every diagnosis the tool has, as the TUI menu shows it: command, title, description and the inputs
// its form asks for, without loading any check. DIAGNOSES (./index.ts) loads every check and with
// them most of Node's network built-ins (tls, dns, crypto: ~40 ms here), which the menu's first
// paint does not need; the diagnosis itself is loaded through its command module when it runs.
//
// This list is the one source of these fields: each DiagnosisDefinition spreads its entry
// (`...menuEntry('api')`). test/unit/tui/first-paint.test.ts fails when a diagnosis is added to
// DIAGNOSES without an entry here, or in another order.
import type { DiagnosisMeta } from '../engine/definitions.ts';

export const DIAGNOSIS_MENU: readonly DiagnosisMeta[] = [
  {
    command: 'api',
    title: 'API server',
    description: 'this machine → API server: kubeconfig, DNS, proxy, TCP, TLS, HTTP, health, auth, every endpoint',
  },
  {
    command: 'server',
    title: 'API server side',
    description: 'the API server itself: APIServices, readyz/livez, endpoints vs certificate SANs, expiry, version skew; --local: listeners, firewall, logs, PKI',
  },
  {
    command: 'cert',
    title: 'Served certificate',
    description: 'the TLS certificate served at HOST[:PORT]: chain, names, validity, trust, staging/fake/self-signed; with a cluster: cert-manager and the ingress path',
    inputs: [{ name: 'host', label: 'Host', required: true, placeholder: 'example.com[:443]', kind: 'host' }],
  },
  {
    command: 'ingress',
    title: 'Ingress and certificate',
    description: 'external path to an Ingress host: Ingress → Service → LB address → MetalLB → traffic policy → DNS → HTTP-01 → cert-manager → served certificate',
    inputs: [{ name: 'host', label: 'Host', required: true, placeholder: 'test.example.io', kind: 'host' }],
  },
  {
    command: 'egress',
    title: 'Pod egress',
    description: 'pod → host: DNS and TCP from inside the pod, NetworkPolicies and Cilium policies with the exact rule, owners and drift, logs',
    inputs: [
      { name: 'namespace', label: 'Namespace', required: true, placeholder: 'ml', kind: 'namespace' },
      { name: 'pod', label: 'Pod', required: true, placeholder: 'training-7f9c', kind: 'pod' },
      { name: 'target', label: 'Target', required: true, placeholder: 'storage.example.net:443, https://…, 203.0.113.7, svc/NAME.NS', kind: 'host' },
    ],
  },
];

/** A diagnosis's menu fields, for its DiagnosisDefinition to spread. */
export function menuEntry(command: string): DiagnosisMeta {
  const entry = DIAGNOSIS_MENU.find((d) => d.command === command);
  if (!entry) throw new Error(`no menu entry for diagnosis ${command}`);
  return entry;
}
