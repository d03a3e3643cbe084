// server.local.listen: what listens on the API port on this node (/proc/net/tcp{,6}) against the
// bind and advertise addresses the API server is configured with.
import type { CheckDefinition, FindingInput } from '../../../engine/definitions.ts';
import type { ServerContext } from '../context.ts';
import { isLoopbackAddress, isWildcard, parseProcNetTcp, type Listener } from '../parse.ts';
import { local } from '../requirements.ts';
import { apiPort, apiServerConfig, K3S_CONFIG, MANIFEST } from './config.ts';

export const listenCheck: CheckDefinition<ServerContext> = {
  id: 'server.local.listen',
  title: 'Listener on the API port (this node)',
  appliesWhen: [local],
  codes: ['server.local.listen.absent', 'server.local.listen.loopback-only', 'server.local.listen.not-advertised', 'server.local.listen.single-address', 'server.local.listen.config-unreadable'],
  async run(ctx) {
    const facts = apiServerConfig(ctx);
    const cfg = facts.config;
    const port = apiPort(ctx);
    const reproduce = [`ss -ltnp 'sport = :${port}'`, `grep -E -- '--(bind|advertise)-address|--secure-port' ${MANIFEST}`];
    const findings: FindingInput[] = [];
    if (!cfg) {
      findings.push({
        code: 'server.local.listen.config-unreadable',
        message: `The API server configuration could not be read: ${facts.notes.join('; ').replace(/[?.]$/, '')}${facts.needsRoot && !ctx.isRoot ? ' (reading it needs root: rerun with sudo)' : ''}. The port is assumed to be ${port}.`,
        // already root (or reading fixtures): rerunning as root changes nothing
        ...(ctx.isRoot || ctx.fixtureMode ? { remediation: [`Pass --root DIR pointing at a copy of the node's files (${MANIFEST}, /proc/PID/cmdline of kube-apiserver), or run on the control-plane node.`] } : {}),
      });
    }
    const listeners: Listener[] = [];
    const sources: string[] = [];
    for (const [path, fam] of [
      ['/proc/net/tcp', 4],
      ['/proc/net/tcp6', 6],
    ] as const) {
      const r = ctx.read(path);
      if (r.ok) {
        sources.push(path);
        listeners.push(...parseProcNetTcp(r.text, fam).filter((l) => l.port === port));
      }
    }
    const addresses = [...new Set(listeners.map((l) => l.address))];
    const evidence: Record<string, unknown> = {
      port,
      listeners: addresses,
      read: sources,
      config: cfg ? { flavour: cfg.flavour, source: cfg.source, bindAddress: cfg.bindAddress ?? null, advertiseAddress: cfg.advertiseAddress ?? null, securePort: cfg.port } : null,
      notes: facts.notes,
    };
    if (sources.length === 0) {
      return { summary: 'cannot read /proc/net/tcp or /proc/net/tcp6', findings, evidence, reproduce };
    }
    const cfgText = cfg ? ` (${cfg.source}: --bind-address ${cfg.bindAddress ?? 'default 0.0.0.0'}, --advertise-address ${cfg.advertiseAddress ?? 'default: the first non-loopback address'})` : '';
    if (addresses.length === 0) {
      findings.push({
        code: 'server.local.listen.absent',
        message: `Nothing listens on TCP port ${port} on this node${cfgText}: the API server is not running here, or listens on another port. Clients get "connection refused".`,
        remediation: cfg?.flavour === 'process'
          ? [`Check the kube-apiserver process (${cfg.source}) and its log: it may have exited, or listen on another --secure-port.`]
          : cfg?.flavour === 'kubeadm'
          ? ['Check the static pod: `crictl ps -a --name kube-apiserver` and `crictl logs $(crictl ps -a --name kube-apiserver -q | head -1)`; the kubelet log: `journalctl -u kubelet -n 200`.']
          : cfg
          ? [`Check the service: \`systemctl status ${cfg.flavour === 'rke2' ? 'rke2-server' : 'k3s'}\` and \`journalctl -u ${cfg.flavour === 'rke2' ? 'rke2-server' : 'k3s'} -n 200\`.`]
          : // nothing on this node says how an API server would run here: no one service to name
            ['Nothing on this node says how an API server runs here (no kubeadm manifest, k3s or rke2 config, or kube-apiserver process): run this on a control-plane node, or check the one you expected: kubeadm `crictl ps -a --name kube-apiserver`, k3s `systemctl status k3s`, rke2 `systemctl status rke2-server`.'],
      });
      return { summary: `nothing listens on port ${port}${cfgText}`, findings, evidence, reproduce };
    }
    const wildcard = addresses.some(isWildcard);
    if (!wildcard && addresses.every(isLoopbackAddress)) {
      findings.push({
        code: 'server.local.listen.loopback-only',
        message: `The API server listens on ${addresses.join(', ')} port ${port} only: loopback, unreachable from any other machine${cfgText}.`,
        remediation: [
          cfg?.flavour === 'kubeadm'
            ? `Set --bind-address to 0.0.0.0 (or the node address) in ${MANIFEST}; the kubelet restarts the pod.`
            : cfg?.flavour === 'process'
              ? `Set --bind-address to 0.0.0.0 (or the node address) where the kube-apiserver process is started (its systemd unit or script; the command line it runs with: ${cfg.source}) and restart it.`
              : `Set bind-address in ${cfg?.source ?? K3S_CONFIG} to 0.0.0.0 (or the node address) and restart the service.`,
        ],
      });
    } else if (!wildcard) {
      const adv = cfg?.advertiseAddress;
      if (adv && !addresses.includes(adv)) {
        findings.push({
          code: 'server.local.listen.not-advertised',
          message: `The API server listens on ${addresses.join(', ')} port ${port}, but advertises ${adv} (the address in the kubernetes EndpointSlice that in-cluster clients dial)${cfgText}: connections to ${adv}:${port} are refused.`,
          remediation: [
            `Make --bind-address${cfg?.bindAddress ? ` (${cfg.bindAddress})` : ''} and --advertise-address (${adv}) agree, or bind to 0.0.0.0, ${
              cfg?.flavour === 'kubeadm' ? `in ${MANIFEST} (the kubelet restarts the pod)` : cfg?.flavour === 'process' ? `where the kube-apiserver process is started (its systemd unit or script; the command line it runs with: ${cfg.source})` : `in ${cfg?.source ?? 'the API server configuration'}`
            }. The API server writes --advertise-address into default/kubernetes itself: every in-cluster client dials it.`,
          ],
        });
      } else {
        findings.push({
          code: 'server.local.listen.single-address',
          message: `The API server listens on ${addresses.join(', ')} port ${port} only, not on every address of this node${cfgText}: clients that dial another address of the node are refused.`,
        });
      }
    }
    return { summary: `listening on ${addresses.map((a) => (a.includes(':') ? `[${a}]` : a)).join(', ')} port ${port}${wildcard ? ' (all addresses)' : ''}${cfgText}`, findings, evidence, reproduce };
  },
};
