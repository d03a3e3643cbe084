// When the `api` checks apply (declared with `appliesWhen`; the engine skips the check with
// "not applicable: <why>" otherwise). Each is evaluated after the check's `requires` settled.
import type { Requirement } from '../../engine/definitions.ts';
import type { ApiContext } from './context.ts';

/** The server URL names a host (an IP address needs no DNS). */
export const nameServer: Requirement<ApiContext> = {
  name: 'server is a name',
  unmet: (ctx) => (ctx.isIpServer ? `the server ${ctx.host} is an IP address` : undefined),
};

/** The server's name resolves here (through a proxy it may not: the proxy resolves it). */
export const resolvesLocally: Requirement<ApiContext> = {
  name: 'resolves locally',
  unmet: async (ctx) => ((await ctx.dns()).addresses.length === 0 ? `${ctx.host} has no local address; the proxy resolves it` : undefined),
};

/** A proxy applies to the server URL. */
export const proxyApplies: Requirement<ApiContext> = {
  name: 'proxy',
  unmet: (ctx) => (ctx.proxy().proxy ? undefined : 'no proxy applies to the server URL'),
};

/** The server URL is https:// (kubectl speaks plain HTTP to an http:// server: no TLS, no CONNECT). */
export const httpsServer: Requirement<ApiContext> = {
  name: 'https server',
  unmet: (ctx) => (ctx.plainHttp ? `the server URL ${ctx.config.cluster.server} is plain http://: kubectl makes no TLS handshake${ctx.proxy().proxy ? ' and sends its requests to the proxy as they are (no CONNECT)' : ''}` : undefined),
};
