// kubeconfig resolution compared with kubectl 1.32 (the oracle).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import { describeMerge, loadKubeconfig, type KubeconfigOptions, type ResolvedKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { getCredentials } from '../../../src/kube/credentials.ts';
import {
  b64, cleanupTempDirs, decode64, kubectlClientConfig, kubectlRequest, kubectlSync, kubectlView, pems, startOracleServer,
  tempDir, write, type KubectlEnv, type MinifiedView, type OracleServer,
} from './helpers.ts';

const kc = (o: unknown) => JSON.stringify(o, null, 2);

function opts(home: string, kubeconfigEnv: string | undefined, extra: Partial<KubeconfigOptions> = {}): KubeconfigOptions {
  return { env: { HOME: home, KUBECONFIG: kubeconfigEnv }, homeDir: home, inClusterRoot: join(home, 'no-such-root'), ...extra };
}

/** Compares our resolution with kubectl's minified, flattened view (which reflects --context only). */
function expectSameAsKubectl(r: ResolvedKubeconfig, view: MinifiedView, definingFile?: string): void {
  const ctx = view.contexts?.[0];
  const cluster = view.clusters?.[0];
  const user = view.users?.[0];
  expect(r.contextName).toBe(view['current-context'] || undefined);
  expect(r.clusterName).toBe(ctx?.context.cluster || undefined);
  expect(r.userName).toBe(ctx?.context.user || undefined);
  expect(r.namespace).toBe(ctx?.context.namespace || 'default');
  expect(cluster?.name).toBe(r.clusterName);
  const c = cluster!.cluster;
  expect(r.cluster.server).toBe(c.server);
  expect(r.cluster.caPem).toBe(c['certificate-authority-data'] === undefined ? undefined : decode64(c['certificate-authority-data']));
  expect(r.cluster.proxyUrl).toBe(c['proxy-url']);
  expect(r.cluster.tlsServerName).toBe(c['tls-server-name']);
  expect(r.cluster.insecureSkipTlsVerify).toBe(c['insecure-skip-tls-verify'] === true);
  const u = user?.user ?? {};
  expect(r.user.token).toBe(u.token);
  expect(r.user.clientCertPem).toBe(u['client-certificate-data'] === undefined ? undefined : decode64(u['client-certificate-data']));
  expect(r.user.clientKeyPem).toBe(u['client-key-data'] === undefined ? undefined : decode64(u['client-key-data']));
  expect(r.user.username).toBe(u.username);
  expect(r.user.password).toBe(u.password);
  if (u.tokenFile !== undefined) {
    // --flatten keeps tokenFile as written; it is relative to the file that defined the user.
    const tf = String(u.tokenFile);
    expect(r.user.tokenFile).toBe(isAbsolute(tf) ? tf : resolve(dirname(definingFile!), tf));
  } else {
    expect(r.user.tokenFile).toBeUndefined();
  }
}

let pem: ReturnType<typeof pems>;
let srv: OracleServer;

beforeAll(async () => {
  pem = pems();
  srv = await startOracleServer();
});
afterAll(async () => {
  await srv.close();
  cleanupTempDirs();
});

describe('KUBECONFIG merge (first file wins)', () => {
  let home: string;
  let a: string;
  let b: string;
  let missing: string;
  let env: KubectlEnv;

  beforeAll(() => {
    home = tempDir();
    a = write(join(home, 'a.yaml'), kc({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'ctx-a',
      clusters: [{ name: 'shared', cluster: { server: 'https://a.example:6443', 'certificate-authority-data': b64(pem.serverCert) } }],
      contexts: [
        { name: 'ctx-a', context: { cluster: 'shared', user: 'ua', namespace: 'team-a' } },
        { name: 'dup', context: { cluster: 'shared', user: 'ua' } },
      ],
      users: [{ name: 'ua', user: { token: 'token-from-a' } }],
    }));
    b = write(join(home, 'b.yaml'), kc({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'ctx-b',
      clusters: [
        { name: 'shared', cluster: { server: 'https://b.example:6443', 'proxy-url': 'http://proxy.b:3128', 'tls-server-name': 'b.internal' } },
        { name: 'cb', cluster: { server: 'https://cb.example:6443', 'insecure-skip-tls-verify': true } },
      ],
      contexts: [
        { name: 'ctx-b', context: { cluster: 'cb', user: 'ub', namespace: 'team-b' } },
        { name: 'dup', context: { cluster: 'cb', user: 'ub' } },
      ],
      users: [
        { name: 'ua', user: { token: 'token-from-b' } },
        { name: 'ub', user: { username: 'bob', password: 'b-password-9' } },
      ],
    }));
    missing = join(home, 'missing.yaml');
    env = { HOME: home, KUBECONFIG: `${a}::${missing}:${b}:${a}` };
  });

  it('uses the first current-context and the first definition of every name, like kubectl', async () => {
    const r = loadKubeconfig(opts(home, env.KUBECONFIG));
    expectSameAsKubectl(r, await kubectlView(env));
    expect(r.contextName).toBe('ctx-a');
    expect(r.cluster.server).toBe('https://a.example:6443');
    expect(r.cluster.proxyUrl).toBeUndefined(); // b's "shared" stanza does not leak fields into a's
    expect(r.user.token).toBe('token-from-a');
    expect(r.user.authKind).toBe('token');
    expect(r.cluster.caSource).toBe('certificate-authority-data');
    expect(r.source).toBe('KUBECONFIG');
    expect(r.namespace).toBe('team-a');
    expect(r.namespaceSource).toBe('context');
  });

  it('skips a missing listed file, ignores empty entries and duplicates, and says so', async () => {
    const r = loadKubeconfig(opts(home, env.KUBECONFIG));
    expect(r.files).toEqual([
      { path: a, loaded: true },
      { path: missing, loaded: false, error: 'not found' },
      { path: b, loaded: true },
    ]);
    expect(describeMerge(r)).toBe(`KUBECONFIG: ${a} (loaded), ${missing} (missing, skipped), ${b} (loaded)`);
    // kubectl loads the same files
    const v = kubectlSync(env, ['config', 'view', '-o', 'json', '-v=6']);
    expect(v.status).toBe(0);
  });

  it.each(['dup', 'ctx-b', 'ctx-a'])('--context %s matches kubectl', async (context) => {
    const r = loadKubeconfig(opts(home, env.KUBECONFIG, { context }));
    expectSameAsKubectl(r, await kubectlView(env, ['--context', context]));
  });

  it('--context dup: the duplicate context comes from the first file', async () => {
    const r = loadKubeconfig(opts(home, env.KUBECONFIG, { context: 'dup' }));
    expect(r.clusterName).toBe('shared');
    expect(r.userName).toBe('ua');
  });

  it('the second file provides current-context when the first sets none', async () => {
    const first = write(join(home, 'no-current.yaml'), kc({ clusters: [{ name: 'cb', cluster: { server: 'https://first-cb:1' } }] }));
    const e = { HOME: home, KUBECONFIG: `${first}:${b}` };
    const r = loadKubeconfig(opts(home, e.KUBECONFIG));
    expectSameAsKubectl(r, await kubectlView(e));
    expect(r.contextName).toBe('ctx-b');
    expect(r.cluster.server).toBe('https://first-cb:1');
  });

  it('basic auth, proxy-url, tls-server-name and insecure-skip-tls-verify match kubectl', async () => {
    const e = { HOME: home, KUBECONFIG: `${b}` };
    const r = loadKubeconfig(opts(home, e.KUBECONFIG));
    expectSameAsKubectl(r, await kubectlView(e));
    expect(r.user.authKind).toBe('basic');
    expect(r.cluster.insecureSkipTlsVerify).toBe(true);
    const r2 = loadKubeconfig(opts(home, e.KUBECONFIG, { context: 'dup', cluster: 'shared' }));
    expect(r2.cluster.proxyUrl).toBe('http://proxy.b:3128');
    expect(r2.cluster.tlsServerName).toBe('b.internal');
  });
});

describe('file selection', () => {
  it('uses ~/.kube/config when KUBECONFIG is unset or empty', async () => {
    const home = tempDir();
    const cfg = write(join(home, '.kube', 'config'), kc({
      'current-context': 'home',
      clusters: [{ name: 'hc', cluster: { server: 'https://home.example:443' } }],
      contexts: [{ name: 'home', context: { cluster: 'hc', user: 'hu', namespace: 'home-ns' } }],
      users: [{ name: 'hu', user: { token: 'home-token' } }],
    }));
    for (const kubeconfigEnv of [undefined, ''] as const) {
      const r = loadKubeconfig(opts(home, kubeconfigEnv));
      expectSameAsKubectl(r, await kubectlView({ HOME: home, KUBECONFIG: kubeconfigEnv }));
      expect(r.source).toBe('default');
      expect(r.files).toEqual([{ path: cfg, loaded: true }]);
      expect(describeMerge(r)).toBe(`~/.kube/config: ${cfg} (loaded)`);
    }
  });

  it('--kubeconfig alone wins over KUBECONFIG and ~/.kube/config', async () => {
    const home = tempDir();
    write(join(home, '.kube', 'config'), kc({ 'current-context': 'x', contexts: [{ name: 'x', context: {} }] }));
    const other = write(join(home, 'env.yaml'), kc({ 'current-context': 'y', contexts: [{ name: 'y', context: {} }] }));
    const flag = write(join(home, 'flag.yaml'), kc({
      'current-context': 'f',
      clusters: [{ name: 'fc', cluster: { server: 'https://flag.example' } }],
      contexts: [{ name: 'f', context: { cluster: 'fc' } }],
    }));
    const r = loadKubeconfig(opts(home, other, { kubeconfig: flag }));
    const view = await kubectlView({ HOME: home, KUBECONFIG: other }, ['--kubeconfig', flag]);
    expectSameAsKubectl(r, view);
    expect(r.source).toBe('flag');
    expect(r.files).toEqual([{ path: flag, loaded: true }]);
    expect(describeMerge(r)).toBe(`--kubeconfig: ${flag} (loaded)`);
  });

  it('no config at all: localhost fallback, as kubectl silently does', async () => {
    const home = tempDir();
    const r = loadKubeconfig(opts(home, undefined));
    expect(r.source).toBe('none');
    expect(r.localhostFallback).toBe(true);
    expect(r.cluster.server).toBe('http://localhost:8080');
    expect(r.cluster.scheme).toBe('http');
    expect(r.user.authKind).toBe('none');
    expect(r.files).toEqual([{ path: join(home, '.kube', 'config'), loaded: false, error: 'not found' }]);
    expect(r.warnings.join(' ')).toMatch(/localhost:8080/);
    expect(describeMerge(r)).toMatch(/missing, skipped.*localhost:8080/);
    const k = kubectlSync({ HOME: home }, ['get', '--raw', '/version', '-v=6', '--request-timeout=1s']);
    expect(k.stderr).toContain('http://localhost:8080/version');
  });

  it('every KUBECONFIG file missing: localhost fallback (no ~/.kube/config either)', async () => {
    const home = tempDir();
    write(join(home, '.kube', 'config'), kc({ 'current-context': 'x', contexts: [{ name: 'x', context: {} }] }));
    const list = `${join(home, 'n1')}:${join(home, 'n2')}`;
    const r = loadKubeconfig(opts(home, list));
    expect(r.source).toBe('none');
    expect(r.localhostFallback).toBe(true);
    expect(r.files.map((f) => f.loaded)).toEqual([false, false]);
    expect(r.warnings.some((w) => w.startsWith('Config not found'))).toBe(true);
    const k = kubectlSync({ HOME: home, KUBECONFIG: list }, ['get', '--raw', '/version', '-v=6', '--request-timeout=1s']);
    expect(k.stderr).toContain('http://localhost:8080/version');
  });

  it('a context naming an undefined cluster and user falls back to localhost:8080, as kubectl does', async () => {
    const home = tempDir();
    const f = write(join(home, 'ghost.yaml'), kc({ 'current-context': 'g', contexts: [{ name: 'g', context: { cluster: 'nowhere', user: 'nobody' } }] }));
    const r = loadKubeconfig(opts(home, f));
    expect(r.localhostFallback).toBe(true);
    expect(r.source).toBe('KUBECONFIG');
    expect(r.cluster.server).toBe('http://localhost:8080');
    expect(r.warnings.join('\n')).toMatch(/cluster "nowhere", which is not defined/);
    expect(r.warnings.join('\n')).toMatch(/user "nobody", which is not defined/);
    const k = kubectlSync({ HOME: home, KUBECONFIG: f }, ['get', '--raw', '/version', '-v=6', '--request-timeout=1s']);
    expect(k.stderr).toContain('http://localhost:8080/version');
  });

  it('a server without a scheme is dialled as plain http (kubectl too)', async () => {
    const home = tempDir();
    const f = write(join(home, 'c.yaml'), kc({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: '127.0.0.1:1' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      users: [{ name: 'u', user: { token: 'not-sent-token' } }],
    }));
    const r = loadKubeconfig(opts(home, f));
    expect(r.cluster.scheme).toBe('http');
    expect(r.warnings.join(' ')).toMatch(/no scheme/);
    expect(r.warnings.join(' ')).toMatch(/not https: kubectl sends no credentials/);
    const k = kubectlSync({ HOME: home, KUBECONFIG: f }, ['get', '--raw', '/version', '-v=6', '--request-timeout=1s']);
    expect(k.stderr).toContain('http://127.0.0.1:1/version');
  });
});

describe('relative paths resolve against the defining file', () => {
  let home: string;
  let cfg: string;
  let env: KubectlEnv;
  beforeAll(() => {
    home = tempDir();
    const dir = join(home, 'conf', 'nested');
    write(join(dir, 'pki', 'ca.crt'), pem.serverCert);
    write(join(dir, 'pki', 'client.crt'), pem.clientCert);
    write(join(dir, 'pki', 'client.key'), pem.clientKey);
    write(join(dir, 'pki', 'token'), 'relative-file-token\n');
    cfg = write(join(dir, 'config'), kc({
      'current-context': 'cert',
      clusters: [{ name: 'rel', cluster: { server: srv.url, 'certificate-authority': 'pki/ca.crt' } }],
      contexts: [
        { name: 'cert', context: { cluster: 'rel', user: 'cert-user' } },
        { name: 'tokfile', context: { cluster: 'rel', user: 'file-user', namespace: 'files' } },
      ],
      users: [
        { name: 'cert-user', user: { 'client-certificate': 'pki/client.crt', 'client-key': './pki/client.key' } },
        { name: 'file-user', user: { tokenFile: 'pki/token' } },
      ],
    }));
    // A first file in another directory, so "relative to the defining file" is not "relative to the first file".
    const first = write(join(home, 'first.yaml'), kc({ clusters: [{ name: 'unused', cluster: { server: 'https://unused' } }] }));
    env = { HOME: home, KUBECONFIG: `${first}:${cfg}` };
  });

  it('certificate-authority, client-certificate and client-key: same bytes as kubectl --flatten', async () => {
    const r = loadKubeconfig(opts(home, env.KUBECONFIG));
    expectSameAsKubectl(r, await kubectlView(env), cfg);
    expect(r.cluster.caSource).toBe(`file:${join(dirname(cfg), 'pki', 'ca.crt')}`);
    expect(r.user.clientCertSource).toBe(`file:${join(dirname(cfg), 'pki', 'client.crt')}`);
    expect(r.user.authKind).toBe('client-certificate');
    expect(r.user.clientCertPem).toBe(pem.clientCert);
  });

  it('tokenFile: same path as kubectl, and kubectl sends the file content', async () => {
    const r = loadKubeconfig(opts(home, env.KUBECONFIG, { context: 'tokfile' }));
    expectSameAsKubectl(r, await kubectlView(env, ['--context', 'tokfile']), cfg);
    expect(r.user.authKind).toBe('tokenFile');
    const { result, request } = await kubectlRequest(srv, env, ['--context', 'tokfile'], '/');
    expect(result.status).toBe(0);
    const ours = await getCredentials(r, { timeoutMs: 5000, env: {} });
    expect(ours.headers.Authorization).toBe('Bearer relative-file-token');
    expect(request?.authorization).toBe(ours.headers.Authorization);
  });
});

describe('--context / --cluster / --user and server overrides', () => {
  let home: string;
  let f: string;
  let env: KubectlEnv;
  beforeAll(() => {
    home = tempDir();
    f = write(join(home, 'config'), kc({
      'current-context': 'main',
      clusters: [
        { name: 'dead', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': b64(pem.otherCa), 'tls-server-name': 'dead.internal' } },
        { name: 'live', cluster: { server: srv.url, 'certificate-authority-data': b64(pem.serverCert) } },
        { name: 'live-wrong-name', cluster: { server: srv.url, 'certificate-authority-data': b64(pem.serverCert), 'tls-server-name': 'wrong.example' } },
      ],
      contexts: [
        { name: 'main', context: { cluster: 'dead', user: 'alice', namespace: 'main-ns' } },
        { name: 'live', context: { cluster: 'live', user: 'alice' } },
        { name: 'wrong-name', context: { cluster: 'live-wrong-name', user: 'alice' } },
      ],
      users: [
        { name: 'alice', user: { token: 'alice-token-1' } },
        { name: 'bob', user: { token: 'bob-token-2' } },
      ],
    }));
    env = { HOME: home, KUBECONFIG: f };
  });

  it('--cluster and --user replace the context\'s: kubectl reaches the same server with the same token', async () => {
    const r = loadKubeconfig(opts(home, f, { cluster: 'live', user: 'bob' }));
    expect(r.contextName).toBe('main');
    expect(r.clusterName).toBe('live');
    expect(r.userName).toBe('bob');
    expect(r.namespace).toBe('main-ns');
    expect(r.cluster.server).toBe(srv.url);
    const { result, request } = await kubectlRequest(srv, env, ['--cluster', 'live', '--user', 'bob']);
    expect(result.status).toBe(0);
    const ours = await getCredentials(r, { timeoutMs: 5000, env: {} });
    expect(request?.authorization).toBe('Bearer bob-token-2');
    expect(ours.headers.Authorization).toBe(request?.authorization);
  });

  it('--context picks the context (kubectl view agrees)', async () => {
    const r = loadKubeconfig(opts(home, f, { context: 'live' }));
    expectSameAsKubectl(r, await kubectlView(env, ['--context', 'live']));
  });

  it('--server overrides the server and clears the kubeconfig tls-server-name (kubectl connects)', async () => {
    const r = loadKubeconfig(opts(home, f, { context: 'wrong-name', server: srv.url }));
    expect(r.cluster.server).toBe(srv.url);
    expect(r.cluster.tlsServerName).toBeUndefined();
    // Without --server, the wrong tls-server-name makes kubectl fail verification...
    const bad = await kubectlRequest(srv, env, ['--context', 'wrong-name']);
    expect(bad.result.status).not.toBe(0);
    expect(bad.result.stderr).toMatch(/wrong\.example/);
    // ...with --server it is cleared, so the request succeeds.
    const good = await kubectlRequest(srv, env, ['--context', 'wrong-name', '--server', srv.url]);
    expect(good.result.status).toBe(0);
  });

  it('--tls-server-name overrides the kubeconfig value (kubectl connects)', async () => {
    const r = loadKubeconfig(opts(home, f, { context: 'wrong-name', tlsServerName: 'api.internal' }));
    expect(r.cluster.tlsServerName).toBe('api.internal');
    const good = await kubectlRequest(srv, env, ['--context', 'wrong-name', '--tls-server-name', 'api.internal']);
    expect(good.result.status).toBe(0);
  });

  it('--insecure-skip-tls-verify clears the CA (kubectl then accepts a wrong CA)', async () => {
    const home2 = tempDir();
    const f2 = write(join(home2, 'config'), kc({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: srv.url, 'certificate-authority-data': b64(pem.otherCa) } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
      users: [{ name: 'u', user: { token: 'insecure-token' } }],
    }));
    const e = { HOME: home2, KUBECONFIG: f2 };
    const r = loadKubeconfig(opts(home2, f2, { insecureSkipTlsVerify: true }));
    expect(r.cluster.insecureSkipTlsVerify).toBe(true);
    expect(r.cluster.caPem).toBeUndefined();
    expect(r.cluster.caSource).toBe('system');
    expect(r.warnings.join(' ')).toMatch(/TLS verification is disabled/);
    expect((await kubectlRequest(srv, e)).result.status).not.toBe(0);
    expect((await kubectlRequest(srv, e, ['--insecure-skip-tls-verify'])).result.status).toBe(0);
  });
});

describe('namespace precedence', () => {
  let home: string;
  let f: string;
  beforeAll(() => {
    home = tempDir();
    f = write(join(home, 'config'), kc({
      'current-context': 'with-ns',
      clusters: [{ name: 'c', cluster: { server: 'https://c.example' } }],
      contexts: [
        { name: 'with-ns', context: { cluster: 'c', user: 'u', namespace: 'ctx-ns' } },
        { name: 'without-ns', context: { cluster: 'c', user: 'u' } },
      ],
      users: [{ name: 'u', user: { token: 'ns-token' } }],
    }));
  });

  it('context namespace (kubectl view agrees)', async () => {
    const r = loadKubeconfig(opts(home, f));
    expect([r.namespace, r.namespaceSource]).toEqual(['ctx-ns', 'context']);
    expect((await kubectlView({ HOME: home, KUBECONFIG: f })).contexts?.[0]?.context.namespace).toBe('ctx-ns');
  });

  it('-n beats the context namespace (kubectl uses it too)', async () => {
    const r = loadKubeconfig(opts(home, f, { namespace: 'flag-ns' }));
    expect([r.namespace, r.namespaceSource]).toEqual(['flag-ns', 'flag']);
    const k = kubectlClientConfig({ HOME: home, KUBECONFIG: f }, ['-n', 'flag-ns', '-o', 'jsonpath={.metadata.namespace}']);
    expect(k.stdout).toBe('flag-ns');
  });

  it('no namespace anywhere: default', async () => {
    const r = loadKubeconfig(opts(home, f, { context: 'without-ns' }));
    expect([r.namespace, r.namespaceSource]).toEqual(['default', 'default']);
    expect((await kubectlView({ HOME: home, KUBECONFIG: f }, ['--context', 'without-ns'])).contexts?.[0]?.context.namespace).toBeUndefined();
  });
});

describe('YAML decoding like client-go', () => {
  it('accepts YAML 1.1 booleans, anchors and a second document, like kubectl', async () => {
    const home = tempDir();
    const f = write(join(home, 'config'), [
      'current-context: c',
      'base: &base',
      '  server: https://anchored.example',
      '  insecure-skip-tls-verify: yes',
      'clusters:',
      '- name: c',
      '  cluster: *base',
      'contexts:',
      '- name: c',
      '  context: {cluster: c, namespace: "2024-01-01"}',
      '---',
      'current-context: ignored',
      '',
    ].join('\n'));
    const r = loadKubeconfig(opts(home, f));
    expectSameAsKubectl(r, await kubectlView({ HOME: home, KUBECONFIG: f }));
    expect(r.cluster.insecureSkipTlsVerify).toBe(true);
    expect(r.namespace).toBe('2024-01-01');
  });

  it('an empty file and a comment-only file are empty configs', async () => {
    const home = tempDir();
    const e1 = write(join(home, 'empty'), '');
    const e2 = write(join(home, 'comment'), '# nothing here\n');
    const real = write(join(home, 'real'), kc({ 'current-context': 'x', clusters: [{ name: 'x', cluster: { server: 'https://x.example' } }], contexts: [{ name: 'x', context: { cluster: 'x' } }] }));
    const list = `${e1}:${e2}:${real}`;
    const r = loadKubeconfig(opts(home, list));
    expectSameAsKubectl(r, await kubectlView({ HOME: home, KUBECONFIG: list }));
    expect(r.files.every((x) => x.loaded)).toBe(true);
  });

  it('reads exactly the CA bytes kubectl inlines', async () => {
    const home = tempDir();
    const caPath = write(join(home, 'ca.pem'), pem.serverCert + pem.otherCa);
    const f = write(join(home, 'config'), kc({ 'current-context': 'x', clusters: [{ name: 'x', cluster: { server: 'https://x.example', 'certificate-authority': caPath } }], contexts: [{ name: 'x', context: { cluster: 'x' } }] }));
    const r = loadKubeconfig(opts(home, f));
    expectSameAsKubectl(r, await kubectlView({ HOME: home, KUBECONFIG: f }));
    expect(r.cluster.caPem).toBe(readFileSync(caPath, 'utf8'));
  });
});

describe('a server without a scheme (client-go DefaultServerURL), kubectl the oracle', () => {
  // port 1 on loopback: nothing listens, kubectl's request is refused at once
  const fixture = (server: string) => {
    const home = tempDir();
    const file = write(join(home, 'config'), kc({ 'current-context': 'x', clusters: [{ name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } }], users: [{ name: 'u', user: { token: 'tok' } }], contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }] }));
    return { home, file };
  };

  it.each(['127.0.0.1:1', 'localhost:1'])('%s is dialled as http://%s, as kubectl dials it', (server) => {
    const { home, file } = fixture(server);
    const r = loadKubeconfig(opts(home, file));
    expect(r.cluster.server).toBe(`http://${server}`);
    expect(r.cluster.scheme).toBe('http');
    expect(r.warnings).toContain(`server "${server}" has no scheme: kubectl dials it as plain http://${server}`);
    const k = kubectlSync({ HOME: home, KUBECONFIG: file }, ['get', '--raw', '/version', '-v=6']);
    expect(k.stderr).toContain(`GET http://${server}/version`);
  });

  it('with a path it is refused, in kubectl\'s words', () => {
    const { home, file } = fixture('127.0.0.1:1/prefix');
    expect(() => loadKubeconfig(opts(home, file))).toThrow(/^host must be a URL or a host:port pair: "127\.0\.0\.1:1\/prefix" \(the server of cluster "c" in /);
    const k = kubectlSync({ HOME: home, KUBECONFIG: file }, ['get', '--raw', '/version']);
    expect(k.status).not.toBe(0);
    expect(k.stderr).toContain('host must be a URL or a host:port pair: "127.0.0.1:1/prefix"');
  });
});
