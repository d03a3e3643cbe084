import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from './run-main.ts';

const run = runMain;

describe('kubectl netdiag (command layer)', () => {
  it('version prints the version', async () => {
    expect(await run(['version'])).toMatchObject({ code: 0, stdout: expect.stringMatching(/^kubectl-netdiag 0\.1\.0\n/), stderr: '' });
    expect(JSON.parse((await run(['version', '-o', 'json'])).stdout)).toMatchObject({ name: 'kubectl-netdiag', version: '0.1.0' });
  });

  it('--help lists the commands, the flags and the exit codes on stdout', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    for (const s of ['kubectl netdiag api', '--kubeconfig', '--context', '--request-timeout', '--insecure-skip-tls-verify', '--tls-server-name', '--output-file', '--timeout', '--color', 'Exit codes']) {
      expect(r.stdout).toContain(s);
    }
  });

  it('a command\'s --help shows its own positionals and flags, and the flags every command shares', async () => {
    const r = await run(['cert', '--help']);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    for (const s of ['kubectl netdiag cert', '--sni', '--ca-file', '--kubeconfig', '--output']) expect(r.stdout).toContain(s);
    // the same after a usage error was parsed in this process (yargs keeps state per parser)
    expect((await run(['cert'])).code).toBe(2);
    expect((await run(['cert', 'x.test', '--help'])).stdout).toContain('--sni');
  });

  it.each([
    [['api', '--bogus'], /^error: Unknown argument: bogus/],
    [['api', '-o', 'xml'], /^error: Invalid values:/],
    [['api', '--timeout', '5x'], /^error: invalid duration "5x"/],
    [['nope'], /^error: Unknown argument: nope/],
  ])('usage error %j exits 2 with one error line', async (argv, re) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(re);
  });

  it('a missing --kubeconfig file exits 2 with one clear line and no report on stdout', async () => {
    const r = await run(['api', '--kubeconfig', '/nonexistent/kubeconfig']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: .*\/nonexistent\/kubeconfig/);
  });

  it('with -o json a configuration error still prints the report: api.kubeconfig fails, the rest is skipped', async () => {
    const r = await run(['api', '--kubeconfig', '/nonexistent/kubeconfig', '-o', 'json']);
    expect(r.code).toBe(2);
    const report = JSON.parse(r.stdout);
    expect(report.checks[0]).toMatchObject({ id: 'api.kubeconfig', status: 'fail' });
    expect(report.checks[0].findings[0].code).toBe('api.kubeconfig.missing');
    for (const c of report.checks.slice(1)) expect(c).toMatchObject({ status: 'skip', summary: 'skipped because api.kubeconfig failed' });
  });

  it('an unknown context and bad YAML exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-kc-'));
    const good = join(dir, 'good');
    writeFileSync(good, 'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://198.51.100.10:6443"}}]\nusers: [{name: u, user: {token: abcdefgh}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n');
    const unknown = await run(['api', '--kubeconfig', good, '--context', 'nope']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^error: context "nope" does not exist/);
    const bad = join(dir, 'bad');
    writeFileSync(bad, 'apiVersion: v1\nclusters: [\n  - {name: c\n');
    const r = await run(['api', '--kubeconfig', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*bad/);
  });

  it('no kubeconfig anywhere: reports the localhost:8080 fallback instead of dialling it, exit 1', async () => {
    const r = await run(['api', '-o', 'json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout);
    expect(report.checks[0].findings.map((f: { code: string }) => f.code)).toEqual(['api.kubeconfig.localhost-fallback']);
    expect(report.diagnosis.rootCause).toMatch(/localhost:8080/);
  });

  it('--output-file writes the report in the format of its extension', async () => {
    const r = await run(['api', '--output-file', 'report.md']);
    const { readFileSync } = await import('node:fs');
    const md = readFileSync(join(r.home, 'report.md'), 'utf8');
    expect(md).toMatch(/^# Network diagnosis/);
    expect(r.stdout).toMatch(/api\.kubeconfig/);
  });
});

describe('broken kubeconfigs exit 2 with one clear line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'netdiag-broken-'));
  const write = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const base = (cluster: string, user: string) =>
    `apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://198.51.100.10:6443", ${cluster}}}]\nusers: [{name: u, user: {${user}}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n`;

  it.each([
    ['bad base64 CA', () => write('b64', base('certificate-authority-data: "not*base64!"', 'token: abcdefgh')), /certificate-authority-data/],
    ['missing client-key file', () => write('nokey', base('insecure-skip-tls-verify: true', 'client-certificate: /nonexistent/c.crt, client-key: /nonexistent/c.key')), /\/nonexistent\/c\.(crt|key)/],
  ])('%s', async (_name, make, re) => {
    const r = await run(['api', '--kubeconfig', make()]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^error: /);
    expect(r.stderr).toMatch(re);
  });
});

describe('repeated flags', () => {
  it('the last value of a repeated flag wins, like kubectl; --endpoint accumulates', async () => {
    const r = await run(['api', '--kubeconfig', '/nonexistent/first', '--kubeconfig', '/nonexistent/second', '--endpoint', 'a:1', '--endpoint', 'b:2']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\/nonexistent\/second/);
    expect(r.stderr).not.toMatch(/internal error/);
  });
});
