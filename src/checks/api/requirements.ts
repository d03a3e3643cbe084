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
