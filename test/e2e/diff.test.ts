// kubectl netdiag diff on reports the built CLI wrote in the lab (healthy vs incident-1), both
// ways round, on identical reports, and on files it must refuse.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../lab/netns.ts';
import { EXE, requireBuild } from './harness.ts';

const dir = mkdtempSync(join(tmpdir(), 'netdiag-diff-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Run `kubectl netdiag <command> -o json` in a scenario and save the report. */
async function reportOf(scenario: string, file: string, command = 'api'): Promise<string> {
  const lab = await startLab(scenario);
  try {
    const r = await lab.exec(EXE, [command, '--kubeconfig', lab.kubeconfig, '-o', 'json'], { env: lab.baseEnv(), timeoutMs: 30_000 });
    JSON.parse(r.stdout); // a report, or the test fails here
    const path = join(dir, file);
    writeFileSync(path, r.stdout);
    return path;
  } finally {
    await lab.stop();
  }
}

function diff(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(EXE, ['diff', ...args], { cwd: dir, env: { PATH: '/usr/bin:/bin', HOME: dir }, timeout: 20_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
    );
  });
}

let healthy: string;
let healthy2: string;
let incident: string;
let server: string;
let serverIncident: string;
beforeAll(async () => {
  requireBuild();
  healthy = await reportOf('healthy', 'healthy.json');
  healthy2 = await reportOf('healthy', 'healthy-again.json');
  incident = await reportOf('incident-1', 'incident-1.json');
  server = await reportOf('healthy', 'server.json', 'server');
  serverIncident = await reportOf('server-incident', 'server-incident.json', 'server');
}, 60_000);

describe('diff healthy vs incident-1', () => {
  it('JSON: diverges first at kubeconfig (different server), then proxy, TCP, TLS; exit 1', async () => {
    const r = await diff(healthy, incident, '-o', 'json');
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ kind: 'netdiag-diff', command: 'api', identical: false, firstDivergence: 'kubeconfig' });
    const layers = Object.fromEntries(d.layers.map((l: { layer: string; same: boolean }) => [l.layer, l.same]));
    expect(layers).toMatchObject({ kubeconfig: false, DNS: true, proxy: false, TCP: false, TLS: false, HTTP: false, auth: false });
    const tls = d.layers.find((l: { layer: string }) => l.layer === 'TLS');
    const cert = tls.differences.find((x: { what: string }) => x.what === 'certificate');
    expect(cert.a).toMatch(/^CN=kube-apiserver issued by CN=lab-ca/);
    expect(cert.b).toBe('CN=egress-proxy issued by CN=egress-proxy');
    const fp = tls.differences.find((x: { what: string }) => x.what === 'fingerprint');
    expect(fp.a).not.toBe(fp.b);
    const proxy = d.layers.find((l: { layer: string }) => l.layer === 'proxy');
    expect(proxy.differences.find((x: { what: string }) => x.what === 'proxy variables')).toMatchObject({ a: '—', b: 'HTTPS_PROXY=http://198.51.100.21:3128' });
    const tcp = d.layers.find((l: { layer: string }) => l.layer === 'TCP');
    expect(tcp.differences.find((x: { what: string }) => x.what === 'connect')).toMatchObject({ a: '198.51.100.10:6443 connected', b: '203.0.113.10:10443 network is unreachable (no route)' });
    const text = d.explanation.join('\n');
    expect(text).toMatch(/TLS is intercepted between B \(incident-1\.json\) and the cluster/);
    expect(text).toMatch(/A \(healthy\.json\) has a route to the API server and B \(incident-1\.json\) has none/);
  });

  it('the other way round: the same layer, the interception on the A side', async () => {
    const r = await diff(incident, healthy, '-o', 'json');
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.firstDivergence).toBe('kubeconfig');
    expect(d.explanation.join('\n')).toMatch(/TLS is intercepted between A \(incident-1\.json\) and the cluster/);
    expect(d.explanation.join('\n')).toMatch(/B \(healthy\.json\) has a route to the API server and A \(incident-1\.json\) has none/);
  });

  it('markdown is the message for the network team', async () => {
    const out = join(dir, 'diff.md');
    const r = await diff(healthy, incident, '-o', 'markdown', '--output-file', out);
    expect(r.code).toBe(1);
    const md = readFileSync(out, 'utf8');
    expect(md).toBe(r.stdout);
    expect(md).toMatch(/^# Network diagnosis compared/);
    expect(md).toMatch(/\*\*Result: the two machines diverge first at the kubeconfig layer\.\*\*/);
    expect(md).toMatch(/From A \(healthy\.json\) the API presents CN=kube-apiserver issued by CN=lab-ca,O=kubectl-netdiag lab, which verifies against the cluster CA in the kubeconfig; from B \(incident-1\.json\) its API server address presents CN=egress-proxy issued by CN=egress-proxy, which does not verify against the kubeconfig CA: TLS is intercepted between B \(incident-1\.json\) and the cluster\./);
    expect(md).toMatch(/\| TLS \| tls pass \| tls fail \| differs \|/);
    expect(md).toMatch(/503 Service Unavailable/);
  });

  it('text output names the first divergence', async () => {
    const r = await diff(healthy, incident);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/≠ kubeconfig/);
    expect(r.stdout).toMatch(/← first divergence/);
    expect(r.stdout).toMatch(/Diverges at: kubeconfig/);
  });
});

describe('diff of two `server` reports', () => {
  it('healthy vs server-incident: the serving certificate (TLS layer) differs first, then health, APIServices, endpoints', async () => {
    const r = await diff(server, serverIncident, '-o', 'json');
    expect(r.code).toBe(1);
    const d = JSON.parse(r.stdout);
    expect(d.command).toBe('server');
    expect(d.layers.map((l: { layer: string; same: boolean }) => `${l.layer}:${l.same ? '=' : '≠'}`)).toEqual([
      'kubeconfig:=',
      'TLS:≠',
      'HTTP:≠',
      'server.apiservices:≠',
      'server.endpoints:≠',
      'server.version:=',
    ]);
    expect(d.firstDivergence).toBe('TLS');
    const apis = d.layers.find((l: { layer: string }) => l.layer === 'server.apiservices');
    expect(apis.differences.find((x: { what: string }) => x.what === 'not Available')).toMatchObject({ a: '—', b: 'v1beta1.custom.metrics.k8s.io (MissingEndpoints), v1beta1.metrics.k8s.io (FailedDiscoveryCheck)' });
  });
});

describe('diff on identical reports', () => {
  it('the same file twice: exit 0', async () => {
    const r = await diff(healthy, healthy, '-o', 'json');
    expect(r.code).toBe(0);
    const d = JSON.parse(r.stdout);
    expect(d).toMatchObject({ identical: true, firstDivergence: null });
    expect(d.layers.every((l: { same: boolean }) => l.same)).toBe(true);
  });

  it('two runs of the healthy scenario (other temp paths, ports, timings): exit 0', async () => {
    const r = await diff(healthy, healthy2);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Same$/m);
  });
});

describe('diff refuses what it cannot compare (exit 2)', () => {
  it('a missing file', async () => {
    const r = await diff(healthy, join(dir, 'missing.json'));
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot read .*missing\.json: no such file/);
  });
  it('a file that is not a report', async () => {
    writeFileSync(join(dir, 'not.json'), '{"hello": 1}');
    writeFileSync(join(dir, 'text.txt'), 'kubectl netdiag api · PASS');
    expect((await diff(healthy, 'not.json')).stderr).toMatch(/not\.json is not a kubectl-netdiag report/);
    const t = await diff('text.txt', healthy);
    expect(t.code).toBe(2);
    expect(t.stderr).toMatch(/text\.txt is not JSON/);
  });
  it('reports of different commands', async () => {
    const r = await diff(healthy, server);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/different commands: .*healthy\.json is `api`, .*server\.json is `server`/);
  });
});

describe('the same server seen from two machines: direct vs through an intercepting mitmproxy', () => {
  it('diverges first at the proxy layer and says TLS is intercepted between B and the cluster', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-diff-peer-'));
    const files: string[] = [];
    for (const s of ['healthy', 'mitmdump']) {
      const lab = await startLab(s);
      try {
        const r = await lab.exec(EXE, ['api', '--kubeconfig', lab.kubeconfig, '-o', 'json'], { env: lab.baseEnv() });
        const f = join(dir, `${s}.json`);
        writeFileSync(f, r.stdout);
        files.push(f);
      } finally {
        await lab.stop();
      }
    }
    const r = spawnSync(EXE, ['diff', files[0]!, files[1]!, '-o', 'markdown'], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('**Result: the two machines diverge first at the proxy layer.**');
    expect(r.stdout).toMatch(/issued by O=mitmproxy,CN=mitmproxy, which does not verify against the kubeconfig CA: TLS is intercepted between B \(mitmdump\.json\) and the cluster/);
    expect(r.stdout).not.toContain('Inside the tunnel');
  }, 60_000);
});
