// kubectl netdiag server, end to end through the built executable: in the lab (SPEC §1 incident 4)
// and with --local on fixture roots (--root DIR).
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/netns.ts';
import type { Report } from '../../src/report/types.ts';
import { makeLocalRoot } from '../unit/server/local-root.ts';
import { EXE, requireBuild, statuses } from './harness.ts';

beforeAll(() => requireBuild());

const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) rmSync(d, { recursive: true, force: true });
});

interface Served {
  code: number | null;
  stdout: string;
  stderr: string;
  report: Report;
  check(id: string): Report['checks'][number];
  codes(id: string): string[];
}

function parse(r: { code: number | null; stdout: string; stderr: string }): Served {
  let report: Report;
  try {
    report = JSON.parse(r.stdout) as Report;
  } catch {
    throw new Error(`no JSON report (exit ${r.code}):\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  }
  const check = (id: string) => {
    const c = report.checks.find((x) => x.id === id);
    if (!c) throw new Error(`no check ${id}`);
    return c;
  };
  return { ...r, report, check, codes: (id) => check(id).findings.map((f) => f.code) };
}

async function serverIn(lab: Lab, args: string[] = [], env: Record<string, string> = {}): Promise<Served> {
  const r = await lab.exec(EXE, ['server', '--kubeconfig', lab.kubeconfig, '-o', 'json', ...args], { env: { ...lab.baseEnv(), ...env }, timeoutMs: 30_000 });
  return parse(r);
}

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const home = mkdtempSync(join(tmpdir(), 'netdiag-e2e-home-'));
  cleanup.push(home);
  return new Promise((resolve) => {
    execFile(EXE, args, { env: { PATH: '/usr/bin:/bin', HOME: home, KUBECONFIG: join(home, 'none'), ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

/** A PATH directory with nsenter (lab.exec needs it) and nothing else. */
function bareBin(): string {
  const dir = mkdtempSync(join(tmpdir(), 'netdiag-bin-'));
  cleanup.push(dir);
  for (const d of ['/usr/bin', '/bin', '/usr/sbin']) {
    if (existsSync(join(d, 'nsenter'))) {
      symlinkSync(join(d, 'nsenter'), join(dir, 'nsenter'));
      break;
    }
  }
  return dir;
}

/** A PATH directory holding a fake kubectl that reports `version` (and nsenter). */
function fakeKubectl(version: string): string {
  const dir = bareBin();
  const [maj, min] = version.replace(/^v/, '').split('.');
  writeFileSync(join(dir, 'kubectl'), `#!/bin/sh\necho '{"clientVersion":{"major":"${maj}","minor":"${min}","gitVersion":"${version}","platform":"linux/amd64"}}'\n`);
  chmodSync(join(dir, 'kubectl'), 0o755);
  return dir;
}

describe('server in the lab: SPEC §1 incident 4', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab('server-incident');
  });
  afterAll(async () => {
    await lab?.stop();
  });

  it('names the unavailable APIServices, the failing readyz check, the address the certificate does not cover, and the expiry', async () => {
    const d = await serverIn(lab);
    expect(d.code).toBe(1);
    expect(statuses(d.report)).toEqual({
      'server.connection': 'pass',
      'server.apiservices': 'fail',
      'server.health': 'fail',
      'server.endpoints': 'fail',
      'server.certs': 'warn',
      'server.version': expect.stringMatching(/pass|warn/),
    });
    const apis = d.check('server.apiservices');
    expect(d.codes('server.apiservices')).toEqual(['server.apiservices.unavailable', 'server.apiservices.unavailable']);
    expect(apis.summary).toMatch(/2 of 33 APIServices not Available: v1beta1\.custom\.metrics\.k8s\.io \(MissingEndpoints\), v1beta1\.metrics\.k8s\.io \(FailedDiscoveryCheck\)/);
    const metrics = apis.findings.find((f) => f.message.includes('v1beta1.metrics.k8s.io'))!;
    expect(metrics.message).toMatch(/connect: connection refused/);
    expect(metrics.message).toMatch(/kubectl commands still work, but print "couldn't get resource list for metrics\.k8s\.io\/v1beta1: the server is currently unable to handle the request/);

    expect(d.codes('server.health')).toEqual(['server.health.not-ready']);
    expect(d.check('server.health').findings[0]!.message).toMatch(/failing checks: etcd \(\[-\]etcd failed: reason withheld\)/);

    const ep = d.check('server.endpoints');
    expect(d.codes('server.endpoints')).toEqual(['server.endpoints.san-missing']);
    expect(ep.findings[0]!.message).toMatch(/served at 198\.51\.100\.11:6443 .* does not cover 198\.51\.100\.11, which clients dial \(EndpointSlice default\/kubernetes\)/);
    expect(ep.findings[0]!.message).toMatch(/x509: certificate is valid for 10\.96\.0\.1, 198\.51\.100\.10, not 198\.51\.100\.11/);
    expect(ep.findings[0]!.remediation.join(' ')).toMatch(/--apiserver-cert-extra-sans=198\.51\.100\.11/);
    expect(ep.findings[0]!.remediation.join(' ')).toMatch(/tls-san: \["198\.51\.100\.11"\]/);
    expect((ep.evidence as { clusterIP: string }).clusterIP).toBe('10.96.0.1');

    expect(d.codes('server.certs')).toEqual(['server.certs.expiring-soon']);
    expect(d.check('server.certs').findings[0]!.message).toMatch(/CN=kube-apiserver served at 198\.51\.100\.10:6443, 198\.51\.100\.11:6443 expires on .*, in (19|20) days/);

    expect(d.report.diagnosis.status).toBe('fail');
    expect(d.report.diagnosis.rootCause).toMatch(/^The API server https:\/\/198\.51\.100\.10:6443 has 4 problems on its own side/);
    expect(d.report.diagnosis.rootCause).toMatch(/etcd/);
    expect(d.report.diagnosis.rootCause).toMatch(/kubectl commands still work, but print/);
  });

  it('version skew: kubectl two minors older than the server is a warning', async () => {
    const d = await serverIn(lab, [], { PATH: fakeKubectl('v1.29.4') });
    const v = d.check('server.version');
    expect(v.status).toBe('warn');
    expect(d.codes('server.version')).toEqual(['server.version.skew']);
    expect(v.summary).toBe('server v1.31.0, kubectl v1.29.4: kubectl is 2 minor versions older');
    expect(v.findings[0]!.message).toMatch(/exceeds the supported minor version skew of \+\/-1/);
  });

  it('version skew: no kubectl on PATH is said plainly', async () => {
    const d = await serverIn(lab, [], { PATH: bareBin() });
    expect(d.check('server.version').status).toBe('pass');
    expect(d.codes('server.version')).toEqual(['server.version.no-kubectl']);
    expect(d.check('server.version').summary).toMatch(/kubectl is not on PATH/);
  });

  it('the bearer token never reaches any output, -v included', async () => {
    const token = String(lab.info.token);
    expect(token).toMatch(/^lab-admin-token-/);
    for (const fmt of ['text', 'json', 'yaml', 'markdown']) {
      const r = await lab.exec(EXE, ['server', '--kubeconfig', lab.kubeconfig, '-v', '-o', fmt], { env: lab.baseEnv(), timeoutMs: 30_000 });
      expect(r.stdout.length, fmt).toBeGreaterThan(500);
      expect(r.stdout, fmt).not.toContain(token);
      expect(r.stderr, fmt).not.toContain(token);
    }
  });

  it('markdown names the findings for the incident report', async () => {
    const r = await lab.exec(EXE, ['server', '--kubeconfig', lab.kubeconfig, '-o', 'markdown'], { env: lab.baseEnv(), timeoutMs: 30_000 });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/server\.endpoints\.san-missing/);
    expect(r.stdout).toMatch(/v1beta1\.metrics\.k8s\.io/);
  });
});

describe('server in the healthy lab', () => {
  it('every check passes, exit 0', async () => {
    const lab = await startLab('healthy');
    try {
      const d = await serverIn(lab, [], { PATH: fakeKubectl('v1.31.2') });
      expect(d.code).toBe(0);
      expect(statuses(d.report)).toEqual({
        'server.connection': 'pass',
        'server.apiservices': 'pass',
        'server.health': 'pass',
        'server.endpoints': 'pass',
        'server.certs': 'pass',
        'server.version': 'pass',
      });
      expect(d.check('server.apiservices').summary).toBe('all 31 APIServices Available');
      expect(d.check('server.version').summary).toBe('server v1.31.0, kubectl v1.31.2: same minor version');
      expect(d.report.diagnosis.rootCause).toMatch(/looks healthy from its own side/);
    } finally {
      await lab.stop();
    }
  });

  it('HA: each endpoint serves its own certificate and the kubeconfig dials one endpoint directly: no SAN finding', async () => {
    const lab = await startLab('server-ha');
    try {
      const d = await serverIn(lab, [], { PATH: fakeKubectl('v1.31.2') });
      const ep = d.check('server.endpoints');
      expect(ep.status).toBe('pass');
      expect(ep.summary).toBe('2 addresses (2 endpoints, ClusterIP 10.96.0.1) serve certificates that cover every address clients dial');
      expect(ep.evidence).toMatchObject({ kubeconfigServerIsEndpoint: true });
      const served = (ep.evidence as { served: { address: string; certificate: { sans: string[]; sha256: string } }[] }).served;
      expect(served.map((x) => x.address)).toEqual(['198.51.100.10:6443', '198.51.100.11:6443']);
      expect(served[0]!.certificate.sha256).not.toBe(served[1]!.certificate.sha256);
      expect(served[1]!.certificate.sans).toContain('IP:198.51.100.11');
      expect(served[1]!.certificate.sans).not.toContain('IP:198.51.100.10');
      expect(d.check('server.certs').summary).toMatch(/^2 serving certificates;/);
      expect(d.code).toBe(0);
    } finally {
      await lab.stop();
    }
  });

  it('behind the TLS-intercepting proxy (incident-1) the server checks stop at the connection and point at `netdiag api`', async () => {
    const lab = await startLab('incident-1');
    try {
      const d = await serverIn(lab);
      expect(d.code).toBe(1);
      expect(d.check('server.connection').status).toBe('fail');
      expect(d.codes('server.connection')).toEqual(['server.connection.untrusted']);
      expect(d.check('server.connection').findings[0]!.message).toMatch(/CN=egress-proxy.*kubectl netdiag api/);
      expect(d.check('server.apiservices').summary).toBe('skipped because server.connection failed');
    } finally {
      await lab.stop();
    }
  });
});

describe('server --local with --root fixtures', () => {
  it('kubeadm node: listener on loopback only, DROP before ACCEPT, expired and expiring certificates; exit 1', async () => {
    const root = makeLocalRoot('kubeadm');
    cleanup.push(root);
    const d = parse(await run(['server', '--root', root, '-o', 'json']));
    expect(d.code).toBe(1);
    expect(statuses(d.report)).toMatchObject({
      'server.connection': 'skip',
      'server.local.listen': 'fail',
      'server.local.firewall': 'fail',
      'server.local.logs': 'warn',
      'server.local.pki': 'fail',
    });
    expect(d.codes('server.local.listen')).toEqual(['server.local.listen.loopback-only']);
    expect(d.codes('server.local.firewall')).toEqual(['server.local.firewall.drop-before-accept']);
    expect(d.codes('server.local.pki')).toEqual(['server.local.pki.expired', 'server.local.pki.expiring-soon']);
    expect(d.report.target.local).toBe(`--root ${root}`);
  });

  it('k3s node: ufw DENY before ALLOW and a tls-san missing from the serving certificate; text output', async () => {
    const root = makeLocalRoot('k3s');
    cleanup.push(root);
    const r = await run(['server', '--local', '--root', root]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ fail {2}server\.local\.firewall/);
    expect(r.stdout).toMatch(/ufw rule 2 .* is evaluated before ufw rule 3/);
    expect(r.stdout).toMatch(/does not cover\s+203\.0\.113\.50/);
    expect(r.stdout).toMatch(/✔ pass {2}server\.local\.listen .*\[::\] port 6443/);
  });

  it('without --local and without a kubeconfig: server.connection fails and names the localhost fallback (exit 1), as `api` does', async () => {
    const d = parse(await run(['server', '-o', 'json']));
    expect(d.code).toBe(1);
    expect(d.codes('server.connection')).toEqual(['server.connection.kubeconfig']);
    expect(d.check('server.connection').summary).toMatch(/http:\/\/localhost:8080/);
    expect(d.check('server.apiservices').status).toBe('skip');
  });

  it('an unreadable kubeconfig is a configuration error (exit 2)', async () => {
    const r = await run(['server', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*nonexistent/);
  });
});
