// Credentials compared with what kubectl 1.32 actually sends to an https
// server (the oracle server records Authorization headers and client certs).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { loadKubeconfig, type KubeconfigOptions, type ResolvedKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { ExecPluginError, getCredentials, redactSecrets } from '../../../src/kube/credentials.ts';
import {
  BASE_PATH, b64, cleanupTempDirs, kubectlAsync, kubectlRequest, pems, startOracleServer, tempDir, write,
  type KubectlEnv, type OracleServer,
} from './helpers.ts';

const kc = (o: unknown) => JSON.stringify(o, null, 2);
const V1 = 'client.authentication.k8s.io/v1';
const SECRET = 'tok-SECRET-1234';

let srv: OracleServer;
let home: string;
let file: string;
let env: KubectlEnv;
let dump: string;
let pem: ReturnType<typeof pems>;

function load(extra: Partial<KubeconfigOptions> = {}): ResolvedKubeconfig {
  return loadKubeconfig({ env: { HOME: home, KUBECONFIG: file }, homeDir: home, inClusterRoot: join(home, 'none'), ...extra });
}

const creds = (r: ResolvedKubeconfig, timeoutMs = 5000, signal?: AbortSignal) => getCredentials(r, { timeoutMs, env: { PATH: BASE_PATH, HOME: home }, signal });

function execUser(name: string, command: string, extra: Record<string, unknown> = {}) {
  return { name, user: { exec: { apiVersion: V1, command, interactiveMode: 'IfAvailable', ...extra } } };
}

async function catchExec(p: Promise<unknown>): Promise<ExecPluginError> {
  let caught: unknown;
  try {
    await p;
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(ExecPluginError);
  const err = caught as ExecPluginError;
  expect(err.message).not.toMatch(/[\r\n]/);
  expect(err.message).not.toContain(SECRET);
  expect(err.stderr).not.toContain(SECRET);
  return err;
}

beforeAll(async () => {
  pem = pems();
  srv = await startOracleServer();
  home = tempDir();
  dump = join(home, 'dump');
  const dir = join(home, 'kube');
  write(join(dir, 'tokens', 'file-token'), 'token-from-file\n');
  write(join(dir, 'bin', 'token-plugin.sh'), [
    '#!/bin/sh',
    'printf "%s" "$KUBERNETES_EXEC_INFO" > "$DUMP.info"',
    'printf "%s\\n" "$@" > "$DUMP.args"',
    'printf "%s" "$PLUGIN_GREETING" > "$DUMP.env"',
    `echo '{"apiVersion":"${V1}","kind":"ExecCredential","status":{"token":"exec-token-777","expirationTimestamp":"2030-01-01T00:00:00Z"}}'`,
    '',
  ].join('\n'), 0o755);
  write(join(dir, 'bin', 'cert.json'), JSON.stringify({ apiVersion: V1, kind: 'ExecCredential', status: { clientCertificateData: pem.clientCert, clientKeyData: pem.clientKey } }));
  write(join(dir, 'bin', 'cert-plugin.sh'), `#!/bin/sh\ncat "$(dirname "$0")/cert.json"\n`, 0o755);
  write(join(dir, 'bin', 'beta-plugin.sh'), `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"beta-token"}}'\n`, 0o755);
  write(join(dir, 'bin', 'fail-plugin.sh'), `#!/bin/sh\necho "oops: token=${SECRET} was rejected by the identity provider" >&2\nexit 3\n`, 0o755);
  write(join(dir, 'bin', 'slow-plugin.sh'), `#!/bin/sh\nsleep 20\necho '{}'\n`, 0o755);
  write(join(dir, 'bin', 'garbage-plugin.sh'), `#!/bin/sh\necho "hello ${SECRET} this is not json"\n`, 0o755);
  write(join(dir, 'bin', 'nostatus-plugin.sh'), `#!/bin/sh\necho '{"apiVersion":"${V1}","kind":"ExecCredential"}'\n`, 0o755);
  write(join(dir, 'bin', 'wrongversion-plugin.sh'), `#!/bin/sh\necho '{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"${SECRET}"}}'\n`, 0o755);
  write(join(dir, 'bin', 'interactive-plugin.sh'), `#!/bin/sh\ntouch "${dump}.interactive-ran"\necho '{}'\n`, 0o755);

  const ca = b64(pem.serverCert);
  const ctx = (name: string, user: string, cluster = 'oracle') => ({ name, context: { cluster, user } });
  file = write(join(dir, 'config'), kc({
    'current-context': 'token',
    clusters: [
      { name: 'oracle', cluster: { server: srv.url, 'certificate-authority-data': ca, 'tls-server-name': 'api.internal' } },
      { name: 'plain', cluster: { server: 'http://127.0.0.1:1' } },
    ],
    contexts: [
      ctx('token', 'token'), ctx('tokenfile', 'tokenfile'), ctx('both', 'both'), ctx('basic', 'basic'),
      ctx('cert-data', 'cert-data'), ctx('cert-files', 'cert-files'), ctx('cert-and-token', 'cert-and-token'),
      ctx('exec', 'exec'), ctx('exec-cert', 'exec-cert'), ctx('exec-beta', 'exec-beta'), ctx('exec-fail', 'exec-fail'),
      ctx('exec-slow', 'exec-slow'), ctx('exec-garbage', 'exec-garbage'), ctx('exec-nostatus', 'exec-nostatus'),
      ctx('exec-wrongversion', 'exec-wrongversion'), ctx('exec-missing', 'exec-missing'), ctx('exec-missing-path', 'exec-missing-path'), ctx('exec-interactive', 'exec-interactive'),
      ctx('exec-and-token', 'exec-and-token'), ctx('plain', 'token', 'plain'),
    ],
    users: [
      { name: 'token', user: { token: 'static-token-1' } },
      { name: 'tokenfile', user: { tokenFile: 'tokens/file-token' } },
      { name: 'both', user: { token: 'inline-loses', tokenFile: 'tokens/file-token' } },
      { name: 'basic', user: { username: 'alice', password: 'pa:ss word' } },
      { name: 'cert-data', user: { 'client-certificate-data': b64(pem.clientCert), 'client-key-data': b64(pem.clientKey) } },
      { name: 'cert-files', user: { 'client-certificate': write(join(dir, 'pki', 'c.crt'), pem.clientCert), 'client-key': write(join(dir, 'pki', 'c.key'), pem.clientKey) } },
      { name: 'cert-and-token', user: { token: 'with-cert-token', 'client-certificate-data': b64(pem.clientCert), 'client-key-data': b64(pem.clientKey) } },
      execUser('exec', './bin/token-plugin.sh', {
        args: ['--flag', 'two words'],
        env: [{ name: 'DUMP', value: dump }, { name: 'PLUGIN_GREETING', value: 'hello from kubeconfig' }],
        provideClusterInfo: true,
      }),
      execUser('exec-cert', './bin/cert-plugin.sh'),
      { name: 'exec-beta', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: './bin/beta-plugin.sh' } } },
      execUser('exec-fail', './bin/fail-plugin.sh'),
      execUser('exec-slow', './bin/slow-plugin.sh'),
      execUser('exec-garbage', './bin/garbage-plugin.sh'),
      execUser('exec-nostatus', './bin/nostatus-plugin.sh'),
      execUser('exec-wrongversion', './bin/wrongversion-plugin.sh'),
      execUser('exec-missing', 'netdiag-no-such-credential-plugin', { installHint: 'Install it with:\n  brew install netdiag-plugin' }),
      execUser('exec-missing-path', '/nonexistent/netdiag-plugin'),
      execUser('exec-interactive', './bin/interactive-plugin.sh', { interactiveMode: 'Always' }),
      { name: 'exec-and-token', user: { token: 'token-beats-exec', exec: { apiVersion: V1, command: './bin/interactive-plugin.sh', interactiveMode: 'Never' } } },
    ],
  }));
  env = { HOME: home, KUBECONFIG: file };
});

afterAll(async () => {
  await srv.close();
  cleanupTempDirs();
});

describe('credentials match what kubectl sends', () => {
  it.each([
    ['token', 'Bearer static-token-1', 'token'],
    ['tokenfile', 'Bearer token-from-file', 'tokenFile'],
    ['both', 'Bearer token-from-file', 'tokenFile'],
    ['basic', `Basic ${Buffer.from('alice:pa:ss word').toString('base64')}`, 'basic'],
    ['exec-beta', 'Bearer beta-token', 'exec'],
    ['exec-and-token', 'Bearer token-beats-exec', 'token'],
  ])('%s', async (context, header, kind) => {
    const r = load({ context });
    expect(r.user.authKind).toBe(kind);
    const ours = await creds(r);
    expect(ours.headers.Authorization).toBe(header);
    const { result, request } = await kubectlRequest(srv, env, ['--context', context], '/');
    expect(result.stderr).toBe('');
    expect(request?.authorization).toBe(ours.headers.Authorization);
  });

  it.each(['cert-data', 'cert-files', 'cert-and-token'])('client certificate: %s', async (context) => {
    const r = load({ context });
    const ours = await creds(r);
    expect(ours.clientCertPem).toBe(pem.clientCert);
    expect(ours.clientKeyPem).toBe(pem.clientKey);
    const { result, request } = await kubectlRequest(srv, env, ['--context', context], '/');
    expect(result.status).toBe(0);
    expect(request?.clientCertFingerprint).toBe(new X509Certificate(ours.clientCertPem!).fingerprint256);
    expect(request?.clientCertFingerprint).toBe(pem.clientFingerprint);
    expect(request?.authorization).toBe(ours.headers.Authorization);
    expect(ours.kind).toBe(context === 'cert-and-token' ? 'token' : 'client-certificate');
  });

  it('exec plugin: relative command, args, env and KUBERNETES_EXEC_INFO exactly as kubectl passes them', async () => {
    const r = load({ context: 'exec' });
    expect(r.user.authKind).toBe('exec');
    expect(r.user.exec).toEqual({
      command: join(home, 'kube', 'bin', 'token-plugin.sh'),
      args: ['--flag', 'two words'],
      env: [{ name: 'DUMP', value: dump }, { name: 'PLUGIN_GREETING', value: 'hello from kubeconfig' }],
      apiVersion: V1,
      provideClusterInfo: true,
      interactiveMode: 'IfAvailable',
    });
    // kubectl, run from another directory
    const { result, request } = await kubectlRequest(srv, env, ['--context', 'exec'], '/');
    expect(result.status).toBe(0);
    const theirs = {
      info: JSON.parse(readFileSync(`${dump}.info`, 'utf8')) as unknown,
      args: readFileSync(`${dump}.args`, 'utf8'),
      env: readFileSync(`${dump}.env`, 'utf8'),
    };
    const ours = await creds(r);
    expect(ours.headers.Authorization).toBe('Bearer exec-token-777');
    expect(ours.expiresAt).toBe('2030-01-01T00:00:00Z');
    expect(ours.kind).toBe('exec');
    expect(request?.authorization).toBe(ours.headers.Authorization);
    expect(JSON.parse(readFileSync(`${dump}.info`, 'utf8'))).toEqual(theirs.info);
    expect(readFileSync(`${dump}.args`, 'utf8')).toBe(theirs.args);
    expect(readFileSync(`${dump}.env`, 'utf8')).toBe(theirs.env);
    expect(theirs.info).toMatchObject({ kind: 'ExecCredential', apiVersion: V1, spec: { interactive: false, cluster: { server: srv.url, 'tls-server-name': 'api.internal' } } });
  });

  it('exec plugin returning a client certificate', async () => {
    const ours = await creds(load({ context: 'exec-cert' }));
    expect(ours.clientCertPem).toBe(pem.clientCert);
    expect(ours.clientKeyPem).toBe(pem.clientKey);
    expect(ours.headers).toEqual({});
    const { result, request } = await kubectlRequest(srv, env, ['--context', 'exec-cert'], '/');
    expect(result.status).toBe(0);
    expect(request?.clientCertFingerprint).toBe(pem.clientFingerprint);
  });

  it('the token file is read at call time', async () => {
    const home2 = tempDir();
    const tok = write(join(home2, 'tok'), 'first');
    const f = write(join(home2, 'config'), kc({
      'current-context': 'c', clusters: [{ name: 'c', cluster: { server: 'https://x.example' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], users: [{ name: 'u', user: { tokenFile: tok } }],
    }));
    const r = loadKubeconfig({ env: { KUBECONFIG: f }, homeDir: home2, inClusterRoot: join(home2, 'none') });
    expect((await creds(r)).headers.Authorization).toBe('Bearer first');
    write(tok, 'second\n');
    expect((await creds(r)).headers.Authorization).toBe('Bearer second');
  });

  it('plain http server: kubectl sends no credentials, neither do we', async () => {
    const r = load({ context: 'plain' });
    expect(r.cluster.scheme).toBe('http');
    expect(await creds(r)).toEqual({ headers: {}, kind: 'none' });
  });
});

describe('exec plugin failures', () => {
  it('non-zero exit: names the command and status, stderr excerpt redacted', async () => {
    const err = await catchExec(creds(load({ context: 'exec-fail' })));
    expect(err.exitCode).toBe(3);
    expect(err.message).toMatch(/^exec plugin ".*fail-plugin\.sh" failed with exit code 3; stderr: oops: token=REDACTED was rejected/);
    const k = await kubectlAsync(env, ['get', '--raw', '/version', '--context', 'exec-fail']);
    expect(k.status).not.toBe(0);
    expect(k.stderr).toContain('failed with exit code 3');
  });

  it('slow plugin: killed at the timeout', async () => {
    const started = Date.now();
    const err = await catchExec(creds(load({ context: 'exec-slow' }), 300));
    expect(err.message).toMatch(/slow-plugin\.sh" timed out after 300 ms and was killed/);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('garbage on stdout: invalid JSON, output not echoed', async () => {
    const err = await catchExec(creds(load({ context: 'exec-garbage' })));
    expect(err.message).toMatch(/did not print an ExecCredential: stdout \(\d+ bytes\) is not valid JSON/);
    const k = await kubectlAsync(env, ['get', '--raw', '/version', '--context', 'exec-garbage']);
    expect(k.status).not.toBe(0);
  });

  it('missing status', async () => {
    const err = await catchExec(creds(load({ context: 'exec-nostatus' })));
    expect(err.message).toMatch(/didn't return a status field/);
    const k = await kubectlAsync(env, ['get', '--raw', '/version', '--context', 'exec-nostatus']);
    expect(k.stderr).toContain("didn't return a status field");
  });

  it('wrong apiVersion in the response', async () => {
    const err = await catchExec(creds(load({ context: 'exec-wrongversion' })));
    expect(err.message).toMatch(/configured to use API version client\.authentication\.k8s\.io\/v1, plugin returned version client\.authentication\.k8s\.io\/v1beta1/);
    const k = await kubectlAsync(env, ['get', '--raw', '/version', '--context', 'exec-wrongversion']);
    expect(k.stderr).toContain('plugin returned version client.authentication.k8s.io/v1beta1');
  });

  it('command not found: includes the install hint', async () => {
    const err = await catchExec(creds(load({ context: 'exec-missing' })));
    expect(err.message).toMatch(/executable netdiag-no-such-credential-plugin not found.*Install it with: brew install netdiag-plugin$/);
    const k = await kubectlAsync(env, ['get', '--raw', '/version', '--context', 'exec-missing']);
    expect(k.stderr).toContain('executable netdiag-no-such-credential-plugin not found');
    expect(k.stderr).toContain('brew install netdiag-plugin');
  });

  it('a plugin path that does not exist: Go\'s start error, no PATH hint (kubectl\'s words)', async () => {
    const err = await catchExec(creds(load({ context: 'exec-missing-path' })));
    expect(err.message).toMatch(/exec: fork\/exec \/nonexistent\/netdiag-plugin: no such file or directory$/);
    expect(err.message).not.toMatch(/It looks like/);
    const k = await kubectlAsync(env, ['get', '--raw', '/version', '--context', 'exec-missing-path']);
    expect(k.stderr).toContain('getting credentials: exec: fork/exec /nonexistent/netdiag-plugin: no such file or directory');
  });

  it('interactiveMode Always: refused without running the plugin (kubectl fails too)', async () => {
    const r = load({ context: 'exec-interactive' });
    expect(r.warnings.join(' ')).toMatch(/interactiveMode Always/);
    const err = await catchExec(creds(r));
    expect(err.message).toMatch(/interactiveMode Always: it needs a terminal/);
    expect(existsSync(`${dump}.interactive-ran`)).toBe(false);
    const k = await kubectlAsync(env, ['get', '--raw', '/version', '--context', 'exec-interactive']);
    expect(k.status).not.toBe(0);
    expect(k.stderr).toContain('standard input is not a terminal');
  });

  it('an aborted signal kills the plugin', async () => {
    const ac = new AbortController();
    const p = creds(load({ context: 'exec-slow' }), 10_000, ac.signal);
    setTimeout(() => ac.abort(), 100);
    const err = await catchExec(p);
    expect(err.message).toMatch(/aborted/);
  });
});

describe('redaction', () => {
  it('scrubs known secrets, bearer tokens, JWTs, key=value secrets, PEM blocks and long opaque strings', () => {
    const text = [
      `Authorization: Bearer abc.def`,
      'jwt eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
      'password=hunter2 "token": "zzz"',
      pem.clientKey,
      'opaque AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA end',
      `known ${SECRET}`,
    ].join('\n');
    const out = redactSecrets(text, [SECRET]);
    for (const s of ['abc.def', 'eyJhbGci', 'hunter2', 'zzz', 'PRIVATE KEY', 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', SECRET]) expect(out).not.toContain(s);
    expect(out).toContain('opaque REDACTED end');
  });
});
