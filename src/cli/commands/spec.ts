// The commands as data: name, usage and their own flags, for the parser, --help and completion.
// What runs each command is in ./index.ts (loaded only when that command runs); a new command
// adds its entry here and its loader there.
import type { Argv } from 'yargs';

export interface CommandSpec {
  /** yargs command string, e.g. 'api' or 'egress <pod> <target>' */
  command: string;
  describe: string;
  builder?: (y: Argv) => Argv;
  /** flags that accumulate when repeated; every other repeated flag keeps its last value */
  listFlags?: string[];
}

/** The fleet flags api and server take: many contexts at once (issue 15). */
export const FLEET_LIST_FLAGS = ['contexts', 'context-pattern'];
export function withFleetOptions(y: Argv): Argv {
  return y
    .option('all-contexts', { type: 'boolean', describe: 'diagnose every context of the kubeconfig, in parallel, grouped by root cause' })
    .option('contexts', { type: 'string', array: true, describe: 'diagnose these contexts (comma separated or repeated), in parallel' })
    .option('context-pattern', { type: 'string', array: true, describe: "diagnose the contexts whose name matches this glob (e.g. 'prod-*'), in parallel" })
    .option('parallel', { type: 'number', default: 16, describe: 'contexts diagnosed at once with --all-contexts/--contexts/--context-pattern' });
}

/** The command's name: the first word of its yargs command string. */
export function commandName(c: CommandSpec): string {
  return c.command.split(' ')[0]!;
}

export const COMMAND_SPECS: CommandSpec[] = [
  {
    command: 'api',
    describe: 'diagnose this machine → API server (kubeconfig, DNS, proxy, TCP, TLS, HTTP, health, auth, endpoints)',
    builder: (y) =>
      withFleetOptions(
        y.option('endpoint', {
          type: 'string',
          array: true,
          describe: 'another address of the API server to probe (URL or host:port; repeatable)',
        }).option('compare-host', {
          type: 'string',
          describe: 'an unrelated HTTPS host (HOST[:PORT]): the same issuer on both shows a TLS-intercepting middlebox',
        }),
      ),
    listFlags: ['endpoint', ...FLEET_LIST_FLAGS],
  },
  {
    command: 'server',
    describe: "diagnose the API server's own side (APIServices, readyz/livez, endpoints vs certificate SANs, expiry, version skew; --local: listeners, firewall, logs, PKI)",
    builder: (y) =>
      withFleetOptions(
        y
          .option('local', { type: 'boolean', describe: 'also check this machine as a control-plane node (read-only; some parts need root)' })
          .option('root', { type: 'string', describe: 'read the --local files under DIR instead of / (implies --local; see README for the layout)' }),
      ),
    listFlags: FLEET_LIST_FLAGS,
  },
  {
    command: 'diff <a> <b>',
    describe: 'compare two reports (-o json) of the same command, layer by layer; exit 1 when they diverge',
  },
  {
    command: 'open <report> [other]',
    describe: 'look at a saved report (-o json) in the terminal UI; with two, compare them layer by layer (also: --open FILE)',
  },
  // egress (issue 4)
  {
    command: 'egress [pod] [target]',
    describe: 'why a pod cannot reach a host: DNS and TCP from inside the pod, NetworkPolicies and Cilium policies (the exact rule), owners and drift, logs',
    builder: (y) =>
      y
        .positional('pod', { type: 'string', describe: 'the pod (with -n NS); omit with --selector' })
        .positional('target', { type: 'string', describe: 'HOST, HOST:PORT, IP, URL or svc/NAME.NS[:PORT]' })
        .option('selector', { alias: 'l', type: 'string', describe: 'run the flow for every pod matching this label selector (then the first argument is the target)' })
        .option('container', { alias: 'c', type: 'string', describe: 'the container to probe from (default: the first)' })
        .option('control', { type: 'string', default: 'kubernetes.default.svc:443', describe: 'a known-good endpoint, to tell "this endpoint" from "all egress"' })
        .option('from-logs', { type: 'boolean', describe: "take the hosts from the pod's recent logs" })
        .option('source', { type: 'string', describe: 'a directory of manifests (the GitOps source) to compare the live policies with' })
        .option('debug-image', { type: 'string', describe: 'probe from an ephemeral debug container of IMAGE when the container has no tools (the only flag that adds anything to a pod)' }),
  },
  // cert / ingress (issue 5)
  {
    command: 'cert <host>',
    describe: 'the TLS certificate served at HOST[:PORT]: chain, names, validity, trust, staging/fake/self-signed; through HTTPS_PROXY unless NO_PROXY excludes the host; no cluster needed (with one: cert-manager and the ingress path)',
    builder: (y) =>
      y
        .option('sni', { type: 'string', describe: 'the server name to send (SNI) and check the certificate against (default: HOST)' })
        .option('ca-file', { type: 'string', describe: 'a PEM bundle of CAs to trust as well as the system store' }),
  },
  {
    command: 'ingress <host>',
    describe: 'the external path to an Ingress host: Ingress → Service → LB address → MetalLB → traffic policy → DNS → HTTP-01 → cert-manager → served certificate',
    builder: (y) =>
      y
        .option('sni', { type: 'string', describe: 'the server name to send (SNI) for the certificate check (default: HOST)' })
        .option('ca-file', { type: 'string', describe: 'a PEM bundle of CAs to trust as well as the system store' }),
  },
  // release (issue 13)
  {
    command: 'version',
    describe: 'print the version, commit, build date, Node version and os/arch (-o json)',
  },
  {
    command: 'completion <shell>',
    describe: 'print the shell completion script: bash, zsh, fish or powershell (see README)',
    builder: (y) => y.positional('shell', { choices: ['bash', 'zsh', 'fish', 'powershell'] as const }),
  },
];
