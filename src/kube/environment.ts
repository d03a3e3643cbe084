// What a diagnosis reports about where it ran: this host, the proxy variables (credentials
// redacted) and the kubeconfig files the client read.
import { arch, hostname, platform } from 'node:os';
import { redactUrl } from '../report/redact.ts';
import { hostPlatform, lookupEnv, type Platform } from '../net/platform.ts';
import type { KubeClient } from './client.ts';

const PROXY_VARS = ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy'];

/**
 * The proxy variables that are set, with any password in them redacted. On Windows a name is one
 * variable whatever its case (HTTPS_PROXY and https_proxy are the same): listed once, under the
 * name it was set with.
 */
export function proxyEnvironment(env: Record<string, string | undefined>, platform: Platform = hostPlatform()): Record<string, string> {
  const out: Record<string, string> = {};
  const seen = new Set<string>();
  for (const name of PROXY_VARS) {
    const v = lookupEnv(env, name, platform);
    if (v === undefined || seen.has(v.name)) continue;
    seen.add(v.name);
    out[v.name] = name.toLowerCase() === 'no_proxy' ? v.value : redactUrl(v.value);
  }
  return out;
}

/** The `environment` block of a report for a diagnosis that talks to the API server. */
export function clientEnvironment(client: KubeClient): Record<string, unknown> {
  return {
    host: { name: hostname(), platform: `${platform()} ${arch()}` },
    proxy: proxyEnvironment(client.clientOptions.env, client.platform),
    kubeconfig: client.kube?.files.map((f) => f.path),
  };
}
