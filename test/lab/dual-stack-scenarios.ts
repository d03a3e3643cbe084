/**
 * Issue 12 §5: a server name with several addresses (dual-stack: A and AAAA in the lab DNS). The
 * lab namespace has no IPv6 route, so the AAAA address fails at once (ENETUNREACH); the A address
 * either works (the lab API) or is black-holed (a timeout): every attempt must be reported with
 * its own result, not only the first (Go's) or the last error.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { API_PORT, startLabApi } from './lab-api.ts';
import { LAB } from './netns.ts';
import { kubeconfigYaml, type Scenario, type ScenarioContext, type ScenarioSetup } from './scenarios.ts';

/** documentation prefix, no route in the lab: connect() fails with ENETUNREACH */
export const DUAL_V6 = '2001:db8:6::10';

async function setup(ctx: ScenarioContext, name: string): Promise<ScenarioSetup> {
  await startLabApi(ctx, {});
  const server = `https://${name}:${API_PORT}`;
  // the lab certificate names api.lab.test, not the dual-stack names
  const path = join(ctx.tmp, 'kubeconfig');
  writeFileSync(path, kubeconfigYaml({ server, ca: ctx.pki.ca.cert, token: ctx.adminToken, tlsServerName: 'api.lab.test' }), { mode: 0o600 });
  ctx.info.server = server;
  ctx.info.token = ctx.adminToken;
  ctx.info.addresses6 = [DUAL_V6];
  return { kubeconfig: path, env: { KUBECONFIG: path }, args: [] };
}

export const DUAL_STACK_SCENARIOS: Scenario[] = [
  {
    name: 'dual-stack',
    description: `server https://dual6.lab.test:${API_PORT}: A ${LAB.api} (the API) and AAAA ${DUAL_V6} (no IPv6 route): one address works`,
    dns: { 'dual6.lab.test': { A: [LAB.api], AAAA: [DUAL_V6] } },
    setup: (ctx) => setup(ctx, 'dual6.lab.test'),
  },
  {
    name: 'dual-stack-down',
    description: `server https://dual6-down.lab.test:${API_PORT}: A ${LAB.blackhole} (black-holed: timeout) and AAAA ${DUAL_V6} (no IPv6 route: unreachable): every address fails, each differently`,
    dns: { 'dual6-down.lab.test': { A: [LAB.blackhole], AAAA: [DUAL_V6] } },
    setup: (ctx) => setup(ctx, 'dual6-down.lab.test'),
  },
];
