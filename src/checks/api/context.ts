// The shared state of one `api` diagnosis: the API client (kubeconfig, proxy, TLS, credentials:
// src/kube/client.ts, whose memoised DNS lookup, TCP probes and handshake feed every check) and
// the options only `api` has.
import { KubeClient, type ClientOptions } from '../../kube/client.ts';

export type { Dialled, TlsOutcome } from '../../kube/client.ts';

export interface ApiOptions extends ClientOptions {
  /** Extra addresses of the API server to probe (--endpoint). */
  endpoints: string[];
  /** An unrelated HTTPS host whose issuer is compared with the API server's (--compare-host HOST[:PORT]). */
  compareHost?: string;
}

export class ApiContext extends KubeClient {
  readonly options: ApiOptions;

  constructor(options: ApiOptions) {
    super(options);
    this.options = options;
  }
}
