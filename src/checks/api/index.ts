// The `api` diagnosis: this machine → API server, layer by layer.
import { menuEntry } from '../menu.ts';
import type { DiagnosisDefinition } from '../../engine/definitions.ts';
import { clientEnvironment } from '../../kube/environment.ts';
import { authCheck } from './auth.ts';
import { ApiContext, type ApiOptions } from './context.ts';
import { diagnoseApi } from './diagnosis.ts';
import { discoveryCheck } from './discovery.ts';
import { dnsCheck } from './dns.ts';
import { endpointsCheck } from './endpoints.ts';
import { healthCheck } from './health.ts';
import { httpCheck } from './http.ts';
import { kubeconfigCheck } from './kubeconfig.ts';
import { proxyConnectCheck } from './proxy-connect.ts';
import { proxyCheck } from './proxy.ts';
import { tcpCheck } from './tcp.ts';
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
  discoveryCheck,
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
  environment: clientEnvironment,
};
