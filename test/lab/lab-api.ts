// The lab's fake API server as every scenario starts it: the lab CA's serving certificate,
// client certificates from the lab CA, the scenario's tokens, 1.31, its own address in the
// default/kubernetes EndpointSlice, one log line per request on stderr, closed with the scenario.
import { startApiServer, type ApiServer, type ApiServerOptions } from './apiserver.ts';
import { LAB } from './netns.ts';
import type { ScenarioContext } from './scenarios.ts';

export const API_PORT = 6443;

export async function startLabApi(ctx: ScenarioContext, o: Partial<ApiServerOptions> = {}): Promise<ApiServer> {
  const host = o.host ?? LAB.api;
  const port = o.port ?? API_PORT;
  const s = await startApiServer({
    host,
    port,
    tls: ctx.pki.server,
    clientCa: ctx.pki.ca.cert,
    tokens: ctx.tokens,
    version: '1.31',
    endpointSlice: { addresses: [host], port },
    log: (line) => process.stderr.write(`[api ${host}:${port}] ${line}\n`),
    ...o,
  });
  ctx.onClose(() => s.close());
  ((ctx.info.apiServers ??= []) as string[]).push(s.url);
  return s;
}
