// What a diagnosis reports about where it ran: this host, the proxy variables (credentials
// redacted) and the kubeconfig files the client read.
import { arch, hostname, platform } from 'node:os';
import { redactUrl } from '../report/redact.ts';
import type { KubeClient } from './client.ts';

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/** The proxy variables that are set, with any password in them redacted. */
export function proxyEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PROXY_VARS) {
    const v = env[name];
    if (v !== undefined) out[name] = name.toLowerCase() === 'no_proxy' ? v : redactUrl(v);
  }
  return out;
}

/** The `environment` block of a report for a diagnosis that talks to the API server. */
export function clientEnvironment(client: KubeClient): Record<string, unknown> {
  return {
    host: { name: hostname(), platform: `${platform()} ${arch()}` },
    proxy: proxyEnvironment(client.clientOptions.env),
    kubeconfig: client.kube?.files.map((f) => f.path),
  };
}
