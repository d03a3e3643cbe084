// The API server's configuration on this node (kubeadm static pod, k3s or rke2 config), read under
// --root: the port, bind and advertise addresses and SANs the --local checks judge against.
import type { ServerContext } from '../context.ts';
import { parseCommandLine, parseManifest, parseRancherConfig, type ApiServerConfig } from '../parse.ts';

export const MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';
export const K3S_CONFIG = '/etc/rancher/k3s/config.yaml';
export const RKE2_CONFIG = '/etc/rancher/rke2/config.yaml';
/** rke2 runs kube-apiserver as a static pod; its flags are the truth where config.yaml is silent */
export const RKE2_MANIFEST = '/var/lib/rancher/rke2/agent/pod-manifests/kube-apiserver.yaml';

function withRke2Manifest(ctx: ServerContext, cfg: ApiServerConfig): ApiServerConfig {
  if (cfg.flavour !== 'rke2') return cfg;
  const m = ctx.read(RKE2_MANIFEST);
  if (!m.ok) return cfg;
  try {
    const pod = parseManifest(m.text, RKE2_MANIFEST);
    return {
      ...cfg,
      source: `${cfg.source} + ${RKE2_MANIFEST}`,
      bindAddress: cfg.bindAddress ?? pod.bindAddress,
      advertiseAddress: cfg.advertiseAddress ?? pod.advertiseAddress,
      port: pod.port,
      certFile: pod.certFile,
      etcdServers: pod.etcdServers,
    };
  } catch {
    return cfg;
  }
}

export interface ConfigFacts {
  config?: ApiServerConfig;
  /** what was tried and why it failed */
  notes: string[];
  needsRoot: boolean;
}

/** The API server's configuration on this node: kubeadm static pod, k3s or rke2. */
export function apiServerConfig(ctx: ServerContext): ConfigFacts {
  const notes: string[] = [];
  let needsRoot = false;
  const m = ctx.read(MANIFEST);
  if (m.ok) {
    try {
      return { config: parseManifest(m.text, MANIFEST), notes, needsRoot };
    } catch (e) {
      notes.push(`${MANIFEST}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
    }
  } else if (m.needsRoot) {
    needsRoot = true;
    notes.push(m.error);
  }
  for (const [path, flavour, dir] of [
    [K3S_CONFIG, 'k3s', '/var/lib/rancher/k3s/server'],
    [RKE2_CONFIG, 'rke2', '/var/lib/rancher/rke2/server'],
  ] as const) {
    const r = ctx.read(path);
    if (r.ok) {
      try {
        return { config: withRke2Manifest(ctx, parseRancherConfig(r.text, flavour, path)), notes, needsRoot };
      } catch (e) {
        notes.push(`${path}: not valid YAML (${(e as Error).message.split('\n')[0]})`);
      }
    } else if (r.needsRoot) {
      needsRoot = true;
      notes.push(r.error);
    } else if (ctx.exists(dir)) {
      // k3s/rke2 without a config file: the defaults
      return { config: withRke2Manifest(ctx, { flavour, source: `${dir} (no ${path}: defaults)`, port: 6443, tlsSans: [] }), notes, needsRoot };
    }
  }
  // no kubeadm/k3s/rke2 file: the flags of a running kube-apiserver process (systemd unit, script)
  const proc = processConfig(ctx);
  if (proc) return { config: proc, notes, needsRoot };
  if (notes.length === 0) notes.push(`neither ${MANIFEST} nor ${K3S_CONFIG} nor ${RKE2_CONFIG} exists, and no kube-apiserver process runs: is this a control-plane node?`);
  return { notes, needsRoot };
}

/**
 * A kube-apiserver process on this node (/proc/PID/cmdline, under --root too). With several, the
 * one whose bind or advertise address is the kubeconfig's host, else the one on the kubeconfig's
 * port, else the first.
 */
export function processConfig(ctx: ServerContext): ApiServerConfig | undefined {
  const found: ApiServerConfig[] = [];
  for (const pid of ctx.list('/proc').filter((d) => /^\d+$/.test(d))) {
    const r = ctx.read(`/proc/${pid}/cmdline`);
    if (!r.ok) continue;
    const argv0 = r.text.split('\0')[0] ?? '';
    if (!/(^|\/)kube-apiserver[^/]*$/.test(argv0)) continue;
    found.push(parseCommandLine(r.text, `/proc/${pid}/cmdline`));
  }
  if (found.length <= 1) return found[0];
  const host = ctx.hasCluster ? ctx.api.host : undefined;
  const port = ctx.hasCluster ? ctx.api.port : undefined;
  return found.find((c) => host && (c.bindAddress === host || c.advertiseAddress === host)) ?? found.find((c) => c.port === port) ?? found[0];
}

/** The API port: from the configuration, else the kubeconfig's, else 6443. */
export function apiPort(ctx: ServerContext): number {
  return apiServerConfig(ctx).config?.port ?? (ctx.hasCluster ? ctx.api.port : 6443);
}
