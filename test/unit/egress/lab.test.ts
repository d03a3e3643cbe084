// The egress lab checked with real third-party clients: kubectl exec (WebSocket v5) against the
// fake API server's pods/exec, running in the pod's network namespace; curl for the objects;
// iptables drops and the lab DNS (CNAMEs) as the pod sees them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../../lab/netns.ts';
import { EGRESS_SCENARIOS } from '../../lab/egress-scenarios.ts';

async function kubectl(lab: Lab, ...args: string[]) {
  return lab.exec('kubectl', ['--kubeconfig', lab.kubeconfig, ...args], { env: lab.baseEnv(), timeoutMs: 30_000 });
}

describe('egress lab: egress-incident-2', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab('egress-incident-2');
  });
  afterAll(async () => lab?.stop());

  it('kubectl exec runs in the pod over WebSocket v5, with exit codes and stderr', async () => {
    const r = await kubectl(lab, 'exec', '-n', 'ml', 'training-7f9c', '--', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toContain('err\ncommand terminated with exit code 3');
    expect(lab.log()).toMatch(/\[exec\] EXEC ml\/training-7f9c v5\.channel\.k8s\.io sh/);
  });

  it('the pod sees the lab DNS (CNAME chain) and its own drops; the lab namespace does not have them', async () => {
    const dns = await kubectl(lab, 'exec', '-n', 'ml', 'training-7f9c', '--', 'getent', 'ahostsv4', 'storage.example.net');
    expect(dns.stdout).toMatch(/^198\.51\.100\.61\s+STREAM mlstore\.blob\.core\.windows\.net$/m);
    const probe = (ip: string) =>
      kubectl(lab, 'exec', '-n', 'ml', 'training-7f9c', '--', 'python3', '-c', `import socket; s=socket.socket(); s.settimeout(1); print(s.connect_ex(('${ip}', 443)))`);
    expect((await probe('198.51.100.60')).stdout.trim()).toBe('0');
    expect((await probe('198.51.100.61')).stdout.trim()).not.toBe('0'); // dropped in the pod
    const fromLab = await lab.exec('curl', ['-s', '-m', '2', '-o', '/dev/null', '-w', '%{http_code}', 'telnet://198.51.100.61:443'], { timeoutMs: 5000 });
    expect(fromLab.code).not.toBe(28); // not dropped outside the pod
  });

  it('a tool the container lacks is the runtime error on the error channel', async () => {
    const r = await kubectl(lab, 'exec', '-n', 'ml', 'training-7f9c', '--', 'curl', 'x');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('exec: "curl": executable file not found in $PATH');
  });

  it('serves policies and logs like the API server', async () => {
    const cnp = await kubectl(lab, 'get', '--raw', '/apis/cilium.io/v2/namespaces/ml/ciliumnetworkpolicies?limit=1');
    expect(JSON.parse(cnp.stdout).items[0].metadata.name).toBe('training-egress');
    const logs = await kubectl(lab, 'logs', '-n', 'ml', 'training-7f9c', '--tail', '1');
    expect(logs.stdout).toContain('Max retries exceeded');
  });
});

describe('egress lab: egress-exec-forbidden', () => {
  it('kubectl exec gets the real 403', async () => {
    const lab = await startLab('egress-exec-forbidden');
    try {
      const r = await kubectl(lab, 'exec', '-n', 'ml', 'training-7f9c', '--', 'sh', '-c', 'true');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain('cannot create resource "pods/exec" in API group "" in the namespace "ml"');
    } finally {
      await lab.stop();
    }
  });
});

it('every egress scenario has an end-to-end test', async () => {
  const { readFileSync } = await import('node:fs');
  const e2e = readFileSync(new URL('../../e2e/egress.test.ts', import.meta.url), 'utf8');
  for (const s of EGRESS_SCENARIOS) expect(e2e, s.name).toContain(`withLab('${s.name}'`);
});
