// What a diagnosis reports about where it ran: this host, the proxy variables (credentials
// redacted) and the kubeconfig files the client read.
import { arch, hostname, platform } from 'node:os';
import { redactUrl } from '../net/proxy.ts';
import type { KubeClient } from './client.ts';

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/** The proxy variables that are set, with any password in them redacted. */
export function proxyEnvironment(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PROXY_VARS) {
    const v = env[name];
    if (v !== undefined) out[name] = name.toLowerCase() === 'no_proxy' ? v : redactProxySetting(v);
  }
  return out;
}

/** A proxy URL as set (environment, kubeconfig proxy-url) with its password redacted, also when it does not parse. */
export function redactProxySetting(v: string): string {
  try {
    return redactUrl(v);
  } catch {
    return v.replace(/:[^:@/]+@/, ':REDACTED@');
  }
}

/** The `environment` block of a report for a diagnosis that talks to the API server. */
export function clientEnvironment(client: KubeClient): Record<string, unknown> {
  return {
    host: { name: hostname(), platform: `${platform()} ${arch()}` },
    proxy: proxyEnvironment(client.clientOptions.env),
    kubeconfig: client.kube?.files.map((f) => f.path),
  };
}
