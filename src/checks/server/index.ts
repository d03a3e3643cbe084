// The `server` diagnosis: the API server's own side (APIServices, readyz/livez, endpoints vs
// certificate SANs, serving-certificate expiry, version skew) and, with --local on a
// control-plane node, listeners, firewall, logs and PKI.
import { hostname } from 'node:os';
import { menuEntry } from '../menu.ts';
import type { DiagnosisDefinition } from '../../engine/definitions.ts';
import { clientEnvironment } from '../../kube/environment.ts';
import { apiservicesCheck } from './apiservices.ts';
import { certsCheck } from './certs.ts';
import { connectionCheck } from './connection.ts';
import { ServerContext, type ServerOptions } from './context.ts';
import { diagnoseServer } from './diagnosis.ts';
import { endpointsCheck } from './endpoints.ts';
import { healthCheck } from './health.ts';
import { firewallCheck } from './local/firewall.ts';
import { listenCheck } from './local/listen.ts';
import { logsCheck } from './local/logs.ts';
import { pkiCheck } from './local/pki.ts';
import { versionCheck } from './version.ts';

export const SERVER_REMOTE_CHECKS = [connectionCheck, apiservicesCheck, healthCheck, endpointsCheck, certsCheck, versionCheck];
export const SERVER_LOCAL_CHECKS = [listenCheck, firewallCheck, logsCheck, pkiCheck];

export const serverDiagnosis: DiagnosisDefinition<ServerOptions, ServerContext> = {
  ...menuEntry('server'),
  checks: [...SERVER_REMOTE_CHECKS, ...SERVER_LOCAL_CHECKS],
  createContext: (options) => new ServerContext(options),
  diagnose: diagnoseServer,
  target(ctx) {
    const k = ctx.api.kube;
    const t: Record<string, unknown> = { context: k?.contextName, cluster: k?.clusterName, user: k?.userName, server: k?.cluster.server };
    if (ctx.local) t.local = ctx.fixtureMode ? `--root ${ctx.root}` : hostname();
    return t;
  },
  // without --local a kubeconfig is required; with --local the remote checks are skipped instead
  configError: (ctx) => (ctx.local ? undefined : ctx.api.kubeError?.message),
  environment(ctx) {
    return {
      ...clientEnvironment(ctx.api),
      local: ctx.local ? { root: ctx.root, fixtures: ctx.fixtureMode, asRoot: ctx.isRoot } : undefined,
    };
  },
};
