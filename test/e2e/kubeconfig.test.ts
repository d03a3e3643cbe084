// Kubeconfig features end to end: tls-server-name, proxy-url, exec plugins, --endpoint,
// insecure-skip-tls-verify and KUBECONFIG lists, each against a running lab.
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/netns.ts';
import { EXE, diagnoseIn, readReport, requireBuild } from './harness.ts';

beforeAll(() => requireBuild());

type Kc = { clusters: { cluster: Record<string, unknown> }[]; users: { user: Record<string, unknown> }[] };

/** Write a variant of the lab's kubeconfig and return its path. */
function variant(lab: Lab, name: string, edit: (kc: Kc) => void): string {
  const kc = load(readFileSync(lab.kubeconfig, 'utf8')) as Kc;
  edit(kc);
  const path = join(lab.tmpdir, name);
  writeFileSync(path, dump(kc), { mode: 0o600 });
  return path;
}

function withoutKubeconfigEnv(lab: Lab): Record<string, string> {
  const env = { ...lab.baseEnv() };
  delete env.KUBECONFIG;
  return env;
}

describe('tls-server-name', () => {
  let lab: Lab;
  beforeAll(async () => (lab = await startLab('no-ip-san')));
  afterAll(async () => lab?.stop());

  it('an IP URL against a certificate with DNS SANs only fails with api.tls.no-ip-san (not interception)', async () => {
    const d = await diagnoseIn(lab);
    expect(d.code).toBe(1);
    expect(d.check('api.tls').findings.map((f) => f.code)).toEqual(['api.tls.no-ip-san']);
  });

  it('--tls-server-name kubernetes makes it verify, and is sent as SNI', async () => {
    const d = await diagnoseIn(lab, ['--tls-server-name', 'kubernetes']);
    expect(d.code).toBe(0);
    expect(d.check('api.tls').evidence).toMatchObject({ sni: 'kubernetes', verifiedName: 'kubernetes' });
  });

  it('tls-server-name in the kubeconfig does the same', async () => {
    const path = variant(lab, 'kc-tsn', (kc) => (kc.clusters[0]!.cluster['tls-server-name'] = 'kubernetes'));
    const d = await diagnoseIn(lab, ['--kubeconfig', path]);
    expect(d.code).toBe(0);
    expect(d.check('api.kubeconfig').evidence).toMatchObject({ tlsServerName: 'kubernetes' });
  });
});

describe('proxy-url in the kubeconfig', () => {
  let lab: Lab;
  beforeAll(async () => (lab = await startLab('connect-proxy')));
  afterAll(async () => lab?.stop());

  it('is used instead of the environment, and NO_PROXY does not apply to it (client-go)', async () => {
    const path = variant(lab, 'kc-proxy', (kc) => (kc.clusters[0]!.cluster['proxy-url'] = 'http://198.51.100.20:3128'));
    const env: Record<string, string> = { ...withoutKubeconfigEnv(lab), NO_PROXY: '198.51.100.0/24' };
    delete env.HTTPS_PROXY;
    const r = await lab.exec(EXE, ['api', '--kubeconfig', path, '-o', 'json'], { env });
    const report = JSON.parse(r.stdout);
    expect(r.code).toBe(0);
    const proxy = report.checks.find((c: { id: string }) => c.id === 'api.proxy');
    expect(proxy.summary).toBe('via http://198.51.100.20:3128 (kubeconfig proxy-url)');
    expect(report.checks.find((c: { id: string }) => c.id === 'api.proxy.connect').status).toBe('pass');
  });
});

describe('exec credential plugins', () => {
  let lab: Lab;
  beforeAll(async () => (lab = await startLab('healthy')));
  afterAll(async () => lab?.stop());

  function plugin(name: string, script: string): string {
    const path = join(lab.tmpdir, name);
    writeFileSync(path, `#!/bin/sh\n${script}\n`);
    chmodSync(path, 0o755);
    return path;
  }

  it('a working plugin authenticates', async () => {
    const token = String(lab.info.token);
    const cmd = plugin('good-plugin', `echo '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"${token}"}}'`);
    const path = variant(lab, 'kc-exec', (kc) => (kc.users[0]!.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: cmd, interactiveMode: 'Never' } }));
    const d = await diagnoseIn(lab, ['--kubeconfig', path]);
    expect(d.code).toBe(0);
    expect(d.check('api.auth').summary).toMatch(/authenticated as lab-admin .* via exec plugin .*good-plugin/);
    expect(d.stdout).not.toContain(token);
  });

  it('a failing plugin: api.auth.exec-plugin-failed with its exit status, the rest of the path still checked', async () => {
    const cmd = plugin('bad-plugin', `echo "error: token expired, run 'corp-login'" >&2; exit 3`);
    const path = variant(lab, 'kc-exec-bad', (kc) => (kc.users[0]!.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: cmd, interactiveMode: 'Never' } }));
    const d = await diagnoseIn(lab, ['--kubeconfig', path]);
    expect(d.code).toBe(1);
    const f = d.check('api.auth').findings[0]!;
    expect(f.code).toBe('api.auth.exec-plugin-failed');
    expect(f.message).toMatch(/bad-plugin/);
    expect(f.message).toMatch(/exit code 3/);
    expect(f.message).toMatch(/token expired/);
    expect(d.check('api.tls').status).toBe('pass');
    expect(d.report.diagnosis.rootCause).toMatch(/authentication fails/);
  });

  it('a plugin path that does not exist and a refused port: the credentials lead, as kubectl fails on them first (kubectl the oracle)', async () => {
    const missing = join(lab.tmpdir, 'no-such-plugin');
    const path = variant(lab, 'kc-exec-missing', (kc) => {
      kc.users[0]!.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: missing, interactiveMode: 'Never' } };
      kc.clusters[0]!.cluster.server = String(kc.clusters[0]!.cluster.server).replace(/:\d+$/, ':1');
    });
    const d = await diagnoseIn(lab, ['--kubeconfig', path]);
    expect(d.code).toBe(1);
    expect(d.check('api.tcp').findings.map((f) => f.code)).toEqual(['api.tcp.refused']);
    const auth = d.check('api.auth');
    expect(auth.findings.map((f) => f.code)).toEqual(['api.auth.exec-plugin-failed']);
    expect(auth.findings[0]!.message).toContain(`exec: fork/exec ${missing}: no such file or directory`);
    expect(d.report.diagnosis.rootCause).toMatch(/^kubectl fails before it connects to \S+:1: .*fork\/exec .* The connection fails too: kubectl cannot open a TCP connection to /);
    const k = await lab.exec('kubectl', ['--kubeconfig', path, 'get', '--raw', '/version'], { env: lab.baseEnv() });
    expect(k.code).not.toBe(0);
    expect(k.stderr).toContain(`getting credentials: exec: fork/exec ${missing}: no such file or directory`);
  });

  it('server: a plugin path that does not exist on a reachable server is the client\'s problem, not RBAC of system:anonymous (kubectl the oracle)', async () => {
    const missing = join(lab.tmpdir, 'no-such-plugin');
    const path = variant(lab, 'kc-exec-missing-up', (kc) => {
      kc.users[0]!.user = { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: missing, interactiveMode: 'Never' } };
    });
    const r = await lab.exec(EXE, ['server', '--kubeconfig', path, '-o', 'json'], { env: lab.baseEnv(), timeoutMs: 30_000 });
    const d = readReport(r, lab);
    expect(r.code).toBe(1);
    expect(d.check('server.connection').findings.map((f) => f.code)).toEqual(['server.connection.credentials']);
    expect(d.codes).not.toContain('server.apiservices.forbidden');
    expect(d.report.diagnosis.rootCause).toMatch(/^The problem is on this client's side, not the server's: kubectl runs the exec credential plugin before it connects/);
    expect(d.report.diagnosis.rootCause).toContain(`exec: fork/exec ${missing}: no such file or directory`);
    const k = await lab.exec('kubectl', ['--kubeconfig', path, 'get', 'apiservices'], { env: lab.baseEnv() });
    expect(k.code).not.toBe(0);
    expect(k.stderr).toContain(`getting credentials: exec: fork/exec ${missing}: no such file or directory`);
  });
});

describe('--endpoint and KUBECONFIG lists', () => {
  let lab: Lab;
  beforeAll(async () => (lab = await startLab('healthy')));
  afterAll(async () => lab?.stop());

  it('--endpoint extras are probed in parallel: one black hole costs one timeout', async () => {
    const d = await diagnoseIn(lab, ['--timeout', '1s', '--endpoint', 'https://192.0.2.77:6443', '--endpoint', '192.0.2.78:6443', '--endpoint', '198.51.100.10:6443']);
    const e = d.check('api.endpoints');
    expect(e.status).toBe('warn');
    expect(e.summary).toBe('1 of 3 addresses work; failing: 192.0.2.77:6443, 192.0.2.78:6443');
    expect(e.durationMs).toBeLessThan(1900);
    expect(d.code).toBe(0);
  });

  it('a kubeconfig without current-context: api and server name the file and the reason, not "no kubeconfig" (kubectl falls back to localhost:8080)', async () => {
    const path = join(lab.tmpdir, 'kc-no-current');
    const kc = load(readFileSync(lab.kubeconfig, 'utf8')) as Record<string, unknown>;
    delete kc['current-context'];
    writeFileSync(path, dump(kc), { mode: 0o600 });
    const want = `The kubeconfig ${path} was read, but no current-context is set and no --context was given: kubectl would silently dial http://localhost:8080.`;
    const api = await lab.exec(EXE, ['api', '--kubeconfig', path, '-o', 'json'], { env: withoutKubeconfigEnv(lab) });
    expect(api.code).toBe(1);
    const r = JSON.parse(api.stdout);
    expect(r.checks[0].findings.find((f: { code: string }) => f.code === 'api.kubeconfig.localhost-fallback').message).toBe(want);
    const server = await lab.exec(EXE, ['server', '--kubeconfig', path, '-o', 'json'], { env: withoutKubeconfigEnv(lab) });
    expect(server.code).toBe(1);
    const conn = JSON.parse(server.stdout).checks.find((c: { id: string }) => c.id === 'server.connection');
    expect(conn.findings).toMatchObject([{ code: 'server.connection.kubeconfig', message: want }]);
    const k = await lab.exec('kubectl', ['--kubeconfig', path, 'get', '--raw', '/version'], { env: withoutKubeconfigEnv(lab) });
    expect(k.stderr).toContain('localhost:8080');
  });

  it('a KUBECONFIG list with a missing file: skipped (info), the rest merged, first file wins', async () => {
    const env = { ...lab.baseEnv(), KUBECONFIG: `${join(lab.tmpdir, 'missing')}:${lab.kubeconfig}` };
    const r = await lab.exec(EXE, ['api', '-o', 'json'], { env });
    expect(r.code).toBe(0);
    const kc = JSON.parse(r.stdout).checks[0];
    expect(kc.findings).toMatchObject([{ code: 'api.kubeconfig.files-skipped', severity: 'info' }]);
  });
});

describe('insecure-skip-tls-verify', () => {
  let lab: Lab;
  beforeAll(async () => (lab = await startLab('other-ca')));
  afterAll(async () => lab?.stop());

  it('the path works, so warnings only; the report still says what verification would find', async () => {
    const d = await diagnoseIn(lab, ['--insecure-skip-tls-verify']);
    expect(d.code).toBe(0);
    expect(d.check('api.kubeconfig').findings.map((f) => f.code)).toEqual(['api.kubeconfig.insecure']);
    expect(d.check('api.tls').status).toBe('warn');
    expect(d.check('api.tls').findings.map((f) => f.code)).toContain('api.tls.verification-disabled');
    expect(d.check('api.auth').status).toBe('pass');
  });
});
