// The built artefacts as a user meets them: the single executable, kubectl's plugin discovery,
// text output in a pipe, colour rules.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLab, type Lab } from '../lab/netns.ts';
import { EXE, requireBuild } from './harness.ts';

beforeAll(() => requireBuild());

describe('the single executable', () => {
  it('runs from an empty directory with no node_modules and no node on PATH', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-sea-'));
    copyFileSync(EXE, join(dir, 'kubectl-netdiag'));
    const r = spawnSync(join(dir, 'kubectl-netdiag'), ['version'], { cwd: dir, env: { PATH: dir }, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^kubectl-netdiag 0\.1\.0\n/);
    expect(r.status).toBe(0);
  });

  it('V8 accepts the code cache built with it (a rejected one would only make every start slower)', () => {
    const r = spawnSync(EXE, ['version'], { env: { PATH: '/usr/bin:/bin', NETDIAG_DEBUG_CODE_CACHE: '1' }, encoding: 'utf8' });
    expect(r.stderr).toBe('code cache: accepted\n');
    expect(r.stdout).toMatch(/^kubectl-netdiag 0\.1\.0\n/);
  });

  it('`cert` runs from its own bundle, whose code cache V8 accepts; a line that bundle does not take goes to the whole program', () => {
    const env = { PATH: '/usr/bin:/bin', HOME: tmpdir(), NETDIAG_DEBUG_CODE_CACHE: '1' };
    // nothing listens on port 1 of the loopback: refused at once
    const own = spawnSync(EXE, ['cert', '127.0.0.1:1', '-o', 'json', '--timeout', '2s'], { env, encoding: 'utf8' });
    expect(own.stderr).toBe('code cache (cert): accepted\n');
    expect(JSON.parse(own.stdout)).toMatchObject({ command: 'cert', target: { host: '127.0.0.1', port: 1 } });
    expect(own.status).toBe(1);
    const help = spawnSync(EXE, ['cert', '--help'], { env, encoding: 'utf8' });
    expect(help.stderr).toBe('code cache (cert): accepted\ncode cache: accepted\n');
    expect(help.stdout).toContain('--ca-file');
    expect(help.status).toBe(0);
    const usage = spawnSync(EXE, ['cert', '127.0.0.1:1', '--bogus'], { env, encoding: 'utf8' });
    expect(usage.stderr).toBe("code cache (cert): accepted\ncode cache: accepted\nerror: Unknown argument: bogus\nSee 'kubectl netdiag --help' for usage.\n");
    expect(usage.status).toBe(2);
  });

  it('kubectl discovers it as a plugin', () => {
    const out = execFileSync('kubectl', ['plugin', 'list'], { env: { PATH: `${dirname(EXE)}:/usr/bin:/bin`, HOME: tmpdir() }, encoding: 'utf8' });
    expect(out).toContain(EXE);
    expect(execFileSync('kubectl', ['netdiag', 'version'], { env: { PATH: `${dirname(EXE)}:/usr/bin:/bin`, HOME: tmpdir() }, encoding: 'utf8' })).toMatch(
      /^kubectl-netdiag 0\.1\.0\n/,
    );
  });

  it('exits 2 on a usage error with one line on stderr', () => {
    const r = spawnSync(EXE, ['api', '--no-such-flag'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^error: Unknown argument: no-such-flag\n/);
  });
});

describe('text output through kubectl, in a pipe', () => {
  let lab: Lab;
  beforeAll(async () => {
    lab = await startLab('incident-1');
  });
  afterAll(async () => lab?.stop());

  const run = (args: string[], env: Record<string, string> = {}) =>
    lab.exec('kubectl', ['netdiag', 'api', '--kubeconfig', lab.kubeconfig, ...args], {
      env: { ...lab.baseEnv(), PATH: `${dirname(EXE)}:${lab.baseEnv().PATH}`, ...env },
    });

  it('`kubectl netdiag api` prints the text report with the root cause and the fix; exit 1', async () => {
    const r = await run([]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✖ fail {2}api\.tls/);
    expect(r.stdout).toMatch(/Root cause\n {2}Traffic from this machine to the API server https:\/\/203\.0\.113\.10:10443 is sent through the proxy/);
    expect(r.stdout).toMatch(/Fix\n {2}1\. Add the API server to NO_PROXY/);
    expect(r.stdout).toMatch(/\nFAIL · 11 checks: /);
  });

  it('piped output has no ANSI escape codes and no cursor movement', async () => {
    const r = await run([]);
    expect(r.stdout).not.toMatch(/\u001b/);
    expect(r.stderr).not.toMatch(/\u001b/);
  });

  it('--color=always colours; NO_COLOR wins', async () => {
    expect((await run(['--color', 'always'])).stdout).toMatch(/\u001b\[31m/);
    expect((await run(['--color', 'always'], { NO_COLOR: '1' })).stdout).not.toMatch(/\u001b/);
  });

  it('-o markdown is an incident report', async () => {
    const r = await run(['-o', 'markdown']);
    expect(r.stdout).toMatch(/^# Network diagnosis: this machine to the Kubernetes API server/);
    expect(r.stdout).toContain('| HTTPS_PROXY | `http://198.51.100.21:3128` |');
    expect(r.stdout).toMatch(/\| \d+ \| TLS handshake \(`api\.tls`\) \| `openssl s_client -connect 203\.0\.113\.10:10443 -proxy 198\.51\.100\.21:3128 -showcerts <\/dev\/null`/);
  });
});
