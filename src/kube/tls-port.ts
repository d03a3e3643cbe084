// A kubeconfig that says http:// for a port that speaks TLS, judged once: `api.http` and
// `server.connection` both use this. kubectl sends plain HTTP there; Go's server (kube-apiserver)
// answers 400 "Client sent an HTTP request to an HTTPS server.", other TLS servers close the
// connection or send a TLS alert, which a handshake on the same address then tells apart from a
// plain server that is just broken.
import type { KubeClient } from './client.ts';

/** What Go's http.Server writes to a plain HTTP request on its TLS port (net/http server.go). */
export const GO_HTTP_ON_TLS_PORT = 'Client sent an HTTP request to an HTTPS server.';

export interface TlsBehindHttp {
  /** the server answered with Go's 400 text */
  goSays: boolean;
  /** the TLS version the handshake on the same address completed with (when probed) */
  protocol?: string;
  /** evidence: the handshake probe, or why there was none */
  probe: unknown;
}

/**
 * `answer`: the status and text of a plain request (GET /version), or undefined when nothing that
 * parses as HTTP came back. Undefined: not a plain http:// server, or nothing says its port is TLS.
 */
export async function tlsBehindHttp(client: KubeClient, answer: { status: number; text: string } | undefined): Promise<TlsBehindHttp | undefined> {
  if (!client.plainHttp || (answer && answer.status !== 400)) return undefined;
  const goSays = answer?.text.includes(GO_HTTP_ON_TLS_PORT) === true;
  const probe = await client.speaksTls();
  if (!goSays && !probe?.tls) return undefined;
  return { goSays, ...(probe?.protocol ? { protocol: probe.protocol } : {}), probe: probe ?? { tls: 'not probed (through a proxy)' } };
}
