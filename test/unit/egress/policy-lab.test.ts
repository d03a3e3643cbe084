// The lab scenarios of test/lab/policy-scenarios-2.ts checked with real third-party clients,
// independently of netdiag: kubectl (exec into the pod's network namespace, get --raw for the
// objects), python3's socket and getent inside the pod, and the lab's real dnsmasq.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/netns.ts';
import { POLICY_SCENARIOS_2 } from '../../lab/policy-scenarios-2.ts';

const canRun = process.getuid?.() === 0 && spawnSync('unshare', ['--net', '--', 'true']).status === 0;

const kubectl = (lab: Lab, ...args: string[]) => lab.exec('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { env: lab.baseEnv(), timeoutMs: 30_000 });
const connect = async (lab: Lab, ip: string, port = 443) =>
  (await kubectl(lab, 'exec', '-n', 'ml', 'training-7f9c', '--', 'python3', '-c', `import socket; s=socket.socket(); s.settimeout(1); print(s.connect_ex(('${ip}', ${port})))`)).stdout.trim();

async function inLab(name: string, body: (lab: Lab) => Promise<void>) {
  const lab = await startLab(name);
  try {
    await body(lab);
  } finally {
    await lab.stop();
  }
}

describe.skipIf(!canRun)('issue 14 lab scenarios, checked with kubectl, python3 and dnsmasq', () => {
  it('egress-ns-labels: namespaces and pods as described; the pod reaches pay/api-0, not shop/web-0', () =>
    inLab('egress-ns-labels', async (lab) => {
      const nss = JSON.parse((await kubectl(lab, 'get', '--raw', '/api/v1/namespaces')).stdout);
      const labels = Object.fromEntries(nss.items.map((n: { metadata: { name: string; labels: Record<string, string> } }) => [n.metadata.name, n.metadata.labels.team]));
      expect(labels).toMatchObject({ pay: 'payments', shop: 'shop' });
      expect(await connect(lab, '198.51.100.62')).toBe('0');
      expect(await connect(lab, '198.51.100.61')).not.toBe('0');
    }));

  it('egress-fqdn-match-all: nothing dropped, both names resolve in the pod', () =>
    inLab('egress-fqdn-match-all', async (lab) => {
      const r = await kubectl(lab, 'exec', '-n', 'ml', 'training-7f9c', '--', 'getent', 'ahostsv4', 'mlstore.blob.core.windows.net');
      expect(r.stdout).toContain('198.51.100.61');
      expect(await connect(lab, '198.51.100.61')).toBe('0');
      expect(await connect(lab, '198.51.100.60')).toBe('0');
    }));

  it('egress-node-entities: the nodes carry the addresses described; the API server answers, the own node is dropped', () =>
    inLab('egress-node-entities', async (lab) => {
      const nodes = JSON.parse((await kubectl(lab, 'get', '--raw', '/api/v1/nodes')).stdout);
      expect(nodes.items.map((n: { metadata: { name: string }; status: { addresses: { address: string }[] } }) => `${n.metadata.name}=${n.status.addresses[0]!.address}`).sort()).toEqual(['control-plane-1=198.51.100.10', 'worker-2=198.51.100.61']);
      expect(await connect(lab, '198.51.100.10')).toBe('0');
      expect(await connect(lab, '198.51.100.61')).not.toBe('0');
    }));

  it('egress-to-services: Node, Service and EndpointSlice objects are served; the drops are as described', () =>
    inLab('egress-to-services', async (lab) => {
      const nodes = JSON.parse((await kubectl(lab, 'get', '--raw', '/api/v1/nodes')).stdout);
      expect(nodes.items[0].status.addresses[0]).toEqual({ type: 'InternalIP', address: '198.51.100.10' });
      const svc = JSON.parse((await kubectl(lab, 'get', '--raw', '/api/v1/namespaces/ml/services/partner-api')).stdout);
      expect(svc.spec.selector).toBeUndefined();
      expect(await connect(lab, '198.51.100.60')).toBe('0');
      expect(await connect(lab, '198.51.100.61')).not.toBe('0');
    }));

  it('egress-cidr-group-l7: the CiliumCIDRGroup is served', () =>
    inLab('egress-cidr-group-l7', async (lab) => {
      const g = JSON.parse((await kubectl(lab, 'get', '--raw', '/apis/cilium.io/v2alpha1/ciliumcidrgroups')).stdout);
      expect(g.items[0].spec.externalCIDRs).toEqual(['198.51.100.61/32']);
      expect(await connect(lab, '198.51.100.61')).toBe('0');
      expect(await connect(lab, '198.51.100.60')).not.toBe('0');
    }));

  it('egress-dns-ingress: lookups from the pod time out; from the lab namespace they answer', () =>
    inLab('egress-dns-ingress', async (lab) => {
      const inPod = await kubectl(lab, 'exec', '-n', 'ml', 'training-7f9c', '--', 'getent', 'hosts', 'api.example.net');
      expect(inPod.code).not.toBe(0);
      expect((await lab.exec('getent', ['hosts', 'api.example.net'])).stdout).toContain('198.51.100.60');
    }));

  it('egress-cname-alias: the real dnsmasq answers the CNAME chain inside the pod', () =>
    inLab('egress-cname-alias', async (lab) => {
      const r = await kubectl(lab, 'exec', '-n', 'ml', 'training-7f9c', '--', 'getent', 'ahostsv4', 'storage.example.net');
      expect(r.stdout).toMatch(/^198\.51\.100\.61\s+STREAM mlstore\.blob\.core\.windows\.net$/m);
      expect(readFileSync(lab.files.dnsmasqLog!, 'utf8')).toContain('storage.example.net is <CNAME>');
    }));
});

it('every scenario of policy-scenarios-2.ts has an end-to-end test', () => {
  const e2e = readFileSync(new URL('../../e2e/egress-policy.test.ts', import.meta.url), 'utf8');
  for (const s of POLICY_SCENARIOS_2) expect(e2e, s.name).toContain(`withLab('${s.name}'`);
});
