// The `api` diagnosis: this machine → API server, layer by layer.
import { menuEntry } from '../menu.ts';
import { arch, hostname, platform } from 'node:os';
import type { DiagnosisDefinition } from '../../engine/definitions.ts';
import { ApiContext, type ApiOptions } from './context.ts';
import { diagnoseApi } from './diagnosis.ts';
import { endpointsCheck } from './endpoints.ts';
import { authCheck, healthCheck, httpCheck } from './http.ts';
import { kubeconfigCheck } from './kubeconfig.ts';
import { dnsCheck, proxyCheck, proxyConnectCheck, proxyEnvironment, tcpCheck } from './network.ts';
import { tlsCheck } from './tls.ts';

export const API_CHECKS = [
  kubeconfigCheck,
  dnsCheck,
  proxyCheck,
  tcpCheck,
  proxyConnectCheck,
  tlsCheck,
  httpCheck,
  healthCheck,
  authCheck,
  endpointsCheck,
];

export const apiDiagnosis: DiagnosisDefinition<ApiOptions, ApiContext> = {
  ...menuEntry('api'),
  checks: API_CHECKS,
  createContext: (options) => new ApiContext(options),
  diagnose: diagnoseApi,
  target(ctx) {
    const k = ctx.kube;
    return {
      context: k?.contextName,
      cluster: k?.clusterName,
      user: k?.userName,
      namespace: k?.namespace,
      server: k?.cluster.server,
    };
  },
  configError: (ctx) => ctx.kubeError?.message,
  environment(ctx) {
    return {
      host: { name: hostname(), platform: `${platform()} ${arch()}` },
      proxy: proxyEnvironment(ctx.options.env),
      kubeconfig: ctx.kube?.files.map((f) => f.path),
    };
  },
};
