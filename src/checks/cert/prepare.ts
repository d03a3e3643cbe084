// How a `cert` run starts, fast: which `cert` diagnosis applies (the served certificate alone when
// no kubeconfig resolves, decided without loading one), with the TLS handshake already under way
// while the caller loads the report code. Without a kubeconfig nothing of the cluster loads.
import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { DiagnosisDefinition } from '../../engine/definitions.ts';
import type { KubeconfigOptions } from '../../kube/kubeconfig.ts';
import { defaultKubeconfigFiles } from '../../kube/kubeconfig-files.ts';
import type { HostClusterOptions } from '../served-host/cluster-context.ts';
import { ServedHostContext } from '../served-host/context.ts';

/**
 * True when no kubeconfig can resolve, decided without loading one: no connection flag that names
 * a file, server, context, cluster or user; no in-cluster service account environment; and every
 * file kubectl would read (KUBECONFIG's list, else ~/.kube/config) is absent. loadKubeconfig() then
 * yields kubectl's localhost:8080 fallback, i.e. no cluster. Anything else takes the full path.
 */
export function noKubeconfig(k: KubeconfigOptions): boolean {
  if (k.kubeconfig || k.server || k.context || k.cluster || k.user) return false;
  if (k.env.KUBERNETES_SERVICE_HOST || k.env.KUBERNETES_SERVICE_PORT) return false;
  const list = defaultKubeconfigFiles(k).paths;
  for (const p of list) {
    try {
      statSync(resolve(p));
      return false;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') return false;
    }
  }
  return true;
}

/** Runs a diagnosis as the command does (runReportCommand), whatever its context type. */
export type RunDiagnosis = <C>(def: DiagnosisDefinition<HostClusterOptions, C>) => Promise<number>;

/** The context, its handshake under way: cert.tls awaits the same one (and sees any failure). */
function withHandshakeStarted<C extends ServedHostContext>(ctx: C): C {
  ctx.tls().catch(() => {});
  return ctx;
}

/**
 * Run the `cert` diagnosis that applies to these options, its context made and its handshake
 * started before anything else loads: without a kubeconfig, cert.tls alone (./without-cluster.ts);
 * with one that resolves to kubectl's localhost fallback, cert.tls alone too; otherwise the full
 * diagnosis (./index.ts), whose cluster checks say themselves why they do not apply (an unreadable
 * kubeconfig, an unreachable API server, a host the cluster does not know).
 */
export async function prepareCert(o: HostClusterOptions, run: RunDiagnosis): Promise<number> {
  if (noKubeconfig(o.kubeconfig)) {
    const ctx = withHandshakeStarted(new ServedHostContext(o));
    const { certWithoutClusterDiagnosis: def } = await import('./without-cluster.ts');
    return run({ ...def, createContext: () => ctx });
  }
  const { certDiagnosis: def } = await import('./index.ts');
  const ctx = withHandshakeStarted(def.createContext(o));
  return run({ ...def, checks: ctx.client.kube?.localhostFallback ? def.checks.filter((c) => c.id === 'cert.tls') : def.checks, createContext: () => ctx });
}
