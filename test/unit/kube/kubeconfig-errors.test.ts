// Every configuration error kubectl refuses is a KubeconfigError with the right
// code and one clear line; no secret value ever appears in a message or warning.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { KubeconfigError, loadKubeconfig, type KubeconfigOptions } from '../../../src/kube/kubeconfig.ts';
import { b64, cleanupTempDirs, kubectlClientConfig, kubectlSync, pems, tempDir, write } from './helpers.ts';

const kc = (o: unknown) => JSON.stringify(o, null, 2);

// Secret values used in the fixtures: none may appear in any message or warning.
const SECRETS = ['tok-SECRET-1234', 'pw-SECRET-5678', 'proxy-SECRET-pass', 'env-SECRET-value'];
const seenMessages: string[] = [];

afterAll(() => cleanupTempDirs());

function opts(home: string, kubeconfigEnv: string | undefined, extra: Partial<KubeconfigOptions> = {}): KubeconfigOptions {
  return { env: { HOME: home, KUBECONFIG: kubeconfigEnv }, homeDir: home, inClusterRoot: join(home, 'none'), ...extra };
}

function expectKubeconfigError(fn: () => unknown, code: KubeconfigError['code'], pattern: RegExp): KubeconfigError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(KubeconfigError);
  const err = caught as KubeconfigError;
  seenMessages.push(err.message);
  expect(err.code).toBe(code);
  expect(err.message).toMatch(pattern);
  expect(err.message).not.toMatch(/[\r\n]/);
  for (const s of SECRETS) expect(err.message).not.toContain(s);
  return err;
}

/** A valid user so kubectl never prompts for credentials. */
const tokenUser = { name: 'u', user: { token: 'tok-SECRET-1234' } };

function fixture(config: unknown): { home: string; file: string } {
  const home = tempDir();
  const file = write(join(home, 'config'), typeof config === 'string' ? config : kc(config));
  return { home, file };
}

describe('errors (kubectl fails too)', () => {
  it('bad YAML: invalid, naming the file', () => {
    const { home, file } = fixture('apiVersion: v1\nclusters: [\n  - foo: : bar\n');
    const err = expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /^error loading config file ".*config": yaml: line \d+: \S/);
    expect(err.path).toBe(file);
    const k = kubectlClientConfig({ HOME: home, KUBECONFIG: file });
    expect(k.status).not.toBe(0);
    // Both name the file and a line (the parsers may point at different lines).
    expect(k.stderr).toContain(`error loading config file "${file}": yaml: line `);
  });

  it('bad YAML in a later KUBECONFIG file is still fatal', () => {
    const home = tempDir();
    const good = write(join(home, 'good'), kc({ 'current-context': 'c', contexts: [{ name: 'c', context: {} }] }));
    const bad = write(join(home, 'bad'), 'clusters:\n\t- x\n');
    const list = `${good}:${bad}`;
    expectKubeconfigError(() => loadKubeconfig(opts(home, list)), 'invalid', /bad": yaml: line 2/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: list }).status).not.toBe(0);
  });

  it('--kubeconfig naming a missing file: missing', () => {
    const home = tempDir();
    const missing = join(home, 'nope.yaml');
    expectKubeconfigError(() => loadKubeconfig(opts(home, undefined, { kubeconfig: missing })), 'missing', /stat .*nope\.yaml: no such file or directory/);
    const k = kubectlClientConfig({ HOME: home }, ['--kubeconfig', missing]);
    expect(k.status).not.toBe(0);
    expect(k.stderr).toContain(`stat ${missing}: no such file or directory`);
  });

  it('a directory listed in KUBECONFIG: unreadable, fatal', () => {
    const home = tempDir();
    const dir = join(home, 'adir');
    mkdirSync(dir);
    expectKubeconfigError(() => loadKubeconfig(opts(home, dir)), 'missing', /adir: is a directory/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: dir }).stderr).toContain('is a directory');
  });

  it('unknown --context: same message as kubectl', () => {
    const { home, file } = fixture({ 'current-context': 'c', clusters: [{ name: 'c', cluster: { server: 'https://c' } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], users: [tokenUser] });
    const err = expectKubeconfigError(() => loadKubeconfig(opts(home, file, { context: 'nope' })), 'unknown-context', /^context "nope" does not exist$/);
    const k = kubectlClientConfig({ HOME: home, KUBECONFIG: file }, ['--context', 'nope']);
    expect(k.status).not.toBe(0);
    expect(k.stderr.trim()).toBe(`error: ${err.message}`);
  });

  it('current-context naming a missing context: unknown-context', () => {
    const { home, file } = fixture({ 'current-context': 'gone', contexts: [{ name: 'c', context: {} }] });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'unknown-context', /context was not found for specified context: gone/);
    const k = kubectlClientConfig({ HOME: home, KUBECONFIG: file });
    expect(k.status).not.toBe(0);
    expect(k.stderr).toContain('context was not found for specified context: gone');
  });

  it('unknown --cluster and --user: same messages as kubectl', () => {
    const { home, file } = fixture({ 'current-context': 'c', clusters: [{ name: 'c', cluster: { server: 'https://c' } }], contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], users: [tokenUser] });
    const e1 = expectKubeconfigError(() => loadKubeconfig(opts(home, file, { cluster: 'zz' })), 'unknown-cluster', /^cluster "zz" does not exist$/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }, ['--cluster', 'zz']).stderr.trim()).toBe(`error: ${e1.message}`);
    const e2 = expectKubeconfigError(() => loadKubeconfig(opts(home, file, { user: 'zz' })), 'unknown-user', /^auth info "zz" does not exist$/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }, ['--user', 'zz']).stderr.trim()).toBe(`error: ${e2.message}`);
  });

  it('bad base64 in certificate-authority-data, even of an unused cluster: invalid, naming field and file', () => {
    const { home, file } = fixture({
      'current-context': 'c',
      clusters: [
        { name: 'c', cluster: { server: 'https://c' } },
        { name: 'other', cluster: { server: 'https://o', 'certificate-authority-data': 'not*base64' } },
      ],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], users: [tokenUser],
    });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid',
      /config".*clusters\[1\] \("other"\)\.cluster\.certificate-authority-data: is not valid base64 \(illegal base64 data at input byte 3\)/);
    const k = kubectlClientConfig({ HOME: home, KUBECONFIG: file });
    expect(k.stderr).toContain('illegal base64 data at input byte 3');
  });

  it('unpadded base64 is rejected like Go does', () => {
    const { home, file } = fixture({ clusters: [{ name: 'o', cluster: { server: 'https://o', 'certificate-authority-data': 'QUJDRA' } }] });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /input byte 4/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).stderr).toContain('illegal base64 data at input byte 4');
  });

  it('bad base64 in client-key-data: invalid, without echoing the data', () => {
    const { home, file } = fixture({ users: [{ name: 'k', user: { 'client-certificate-data': b64('x'), 'client-key-data': 'tok-SECRET-1234!' } }] });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /users\[0\] \("k"\)\.user\.client-key-data: is not valid base64/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).status).not.toBe(0);
  });

  it('decoded CA data that is not PEM: invalid', () => {
    const { home, file } = fixture({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': b64('hello, not a certificate') } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], users: [tokenUser],
    });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /unable to load root certificates for cluster "c": certificate-authority-data .* is not a PEM/);
    const k = kubectlSync({ HOME: home, KUBECONFIG: file }, ['get', '--raw', '/version', '--request-timeout=1s']);
    expect(k.stderr).toContain('unable to load root certificates');
  });

  it('missing client-key file: missing, with the path (kubectl wording)', () => {
    const home = tempDir();
    const p = pems();
    write(join(home, 'pki', 'client.crt'), p.clientCert);
    const file = write(join(home, 'config'), kc({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://c' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'cu' } }],
      users: [{ name: 'cu', user: { 'client-certificate': 'pki/client.crt', 'client-key': 'pki/missing.key' } }],
    }));
    const keyPath = join(home, 'pki', 'missing.key');
    const err = expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'missing',
      new RegExp(`^unable to read client-key ${keyPath} for cu via ${file} due to open ${keyPath}: no such file or directory$`));
    expect(err.path).toBe(keyPath);
    const k = kubectlClientConfig({ HOME: home, KUBECONFIG: file });
    expect(k.stderr).toContain(`unable to read client-key ${keyPath} for cu due to open ${keyPath}: no such file or directory`);
  });

  it('missing certificate-authority file: missing', () => {
    const { home, file } = fixture({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://c', 'certificate-authority': 'nope/ca.crt' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], users: [tokenUser],
    });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'missing', /unable to read certificate-authority .*nope\/ca\.crt for c .*no such file or directory/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).stderr).toContain('unable to read certificate-authority');
  });

  it('missing tokenFile for an https server: missing', () => {
    const { home, file } = fixture({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://c' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'tf' } }],
      users: [{ name: 'tf', user: { tokenFile: 'secrets/token' } }],
    });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'missing', /unable to read tokenFile .*secrets\/token for user "tf".*no such file or directory/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).stderr).toMatch(/open .*secrets\/token: no such file or directory/);
  });

  it('certificate-authority and certificate-authority-data both set: invalid', () => {
    const p = pems();
    const home = tempDir();
    const ca = write(join(home, 'ca.crt'), p.serverCert);
    const file = write(join(home, 'config'), kc({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://c', 'certificate-authority': ca, 'certificate-authority-data': b64(p.serverCert) } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], users: [tokenUser],
    }));
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /certificate-authority-data and certificate-authority are both specified for c/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).stderr).toContain('certificate-authority-data and certificate-authority are both specified for c');
  });

  it('insecure-skip-tls-verify together with a CA in the kubeconfig: invalid (kubectl refuses)', () => {
    const p = pems();
    const { home, file } = fixture({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority-data': b64(p.serverCert), 'insecure-skip-tls-verify': true } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], users: [tokenUser],
    });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /specifying a root certificates file with the insecure flag is not allowed/);
    const k = kubectlSync({ HOME: home, KUBECONFIG: file }, ['get', '--raw', '/version', '--request-timeout=1s']);
    expect(k.stderr).toContain('specifying a root certificates file with the insecure flag is not allowed');
    // ...but the --insecure-skip-tls-verify flag clears the CA, so that works.
    expect(loadKubeconfig(opts(home, file, { insecureSkipTlsVerify: true })).cluster.caPem).toBeUndefined();
  });

  it('duplicate names inside one file: invalid', () => {
    const { home, file } = fixture({ clusters: [{ name: 'c', cluster: { server: 'https://x' } }, { name: 'c', cluster: { server: 'https://y' } }] });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /clusters: duplicate name "c" in list/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).stderr).toContain('duplicate name "c" in list');
  });

  it.each([
    ['a number where a string is expected', 'clusters:\n- name: c\n  cluster:\n    server: 123\n', /clusters\[0\] \("c"\)\.cluster\.server: must be a string, not a number/, 'cannot unmarshal number'],
    ['a quoted boolean', 'clusters:\n- name: c\n  cluster:\n    insecure-skip-tls-verify: "true"\n', /insecure-skip-tls-verify: must be a boolean, not a string/, 'cannot unmarshal string'],
    ['a YAML 1.1 boolean where a string is expected', 'contexts:\n- name: c\n  context:\n    namespace: yes\n', /namespace: must be a string, not a boolean/, 'cannot unmarshal bool'],
    ['a top-level list', '- a\n- b\n', /top level: must be a mapping/, 'cannot unmarshal array'],
    ['a map instead of a list', 'contexts:\n  c: {namespace: x}\n', /contexts: must be a list, not a mapping/, 'cannot unmarshal object'],
    ['another kind', 'apiVersion: v1\nkind: Pod\n', /no kind "Pod" is registered for version "v1"/, 'no kind "Pod" is registered'],
  ])('type errors like client-go: %s', (_name, text, ours, theirs) => {
    const { home, file } = fixture(text);
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', ours);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).stderr).toContain(theirs);
  });

  it('a proxy-url with an unsupported scheme: invalid, password redacted', () => {
    const { home, file } = fixture({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://c', 'proxy-url': 'ftp://user:proxy-SECRET-pass@proxy:21' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }], users: [tokenUser],
    });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /invalid 'proxy-url' "ftp:\/\/user:REDACTED@proxy:21" for cluster "c".*unsupported scheme "ftp", must be http, https, or socks5/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).stderr).toContain('unsupported scheme "ftp"');
  });

  it('exec apiVersion v1 without interactiveMode: invalid', () => {
    const { home, file } = fixture({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://c' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'ex' } }],
      users: [{ name: 'ex', user: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'plugin', env: [{ name: 'K', value: 'env-SECRET-value' }] } } }],
    });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /interactiveMode must be specified for ex/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).stderr).toContain('interactiveMode must be specified for ex');
  });

  it('token together with username/password: invalid', () => {
    const { home, file } = fixture({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://c' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'tb' } }],
      users: [{ name: 'tb', user: { token: 'tok-SECRET-1234', username: 'admin', password: 'pw-SECRET-5678' } }],
    });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /more than one authentication method found for tb/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).stderr).toContain('more than one authentication method found for tb');
  });

  it('client certificate without a key: invalid', () => {
    const p = pems();
    const { home, file } = fixture({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://c' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'nokey' } }],
      users: [{ name: 'nokey', user: { 'client-certificate-data': b64(p.clientCert) } }],
    });
    expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /client-key-data or client-key must be specified for nokey/);
    expect(kubectlClientConfig({ HOME: home, KUBECONFIG: file }).stderr).toContain('client-key-data or client-key must be specified for nokey');
  });

  it('a client key that does not match the certificate: invalid', () => {
    const p = pems();
    const { home, file } = fixture({
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'mm' } }],
      users: [{ name: 'mm', user: { 'client-certificate-data': b64(p.clientCert), 'client-key-data': b64(p.serverKey) } }],
    });
    const err = expectKubeconfigError(() => loadKubeconfig(opts(home, file)), 'invalid', /private key does not match public key/);
    expect(err.message).not.toContain('PRIVATE KEY');
    const k = kubectlSync({ HOME: home, KUBECONFIG: file }, ['get', '--raw', '/version', '--request-timeout=1s']);
    expect(k.stderr).toContain('private key does not match public key');
  });
});

describe('no secrets in messages or warnings', () => {
  it('warnings of configurations that carry every kind of secret', () => {
    const p = pems();
    const { home, file } = fixture({
      'current-context': 'http',
      clusters: [
        { name: 'plain', cluster: { server: 'http://127.0.0.1:1', 'proxy-url': 'http://u:proxy-SECRET-pass@proxy:3128' } },
        { name: 'tls', cluster: { server: 'https://127.0.0.1:1', 'insecure-skip-tls-verify': true } },
      ],
      contexts: [
        { name: 'http', context: { cluster: 'plain', user: 'basic' } },
        { name: 'ghost', context: { cluster: 'nope', user: 'nobody' } },
        { name: 'exec', context: { cluster: 'tls', user: 'ex' } },
        { name: 'tokcert', context: { cluster: 'tls', user: 'tokcert' } },
      ],
      users: [
        { name: 'basic', user: { username: 'admin', password: 'pw-SECRET-5678' } },
        { name: 'ex', user: { token: 'tok-SECRET-1234', exec: { apiVersion: 'client.authentication.k8s.io/v1', command: 'p', interactiveMode: 'Always', env: [{ name: 'X', value: 'env-SECRET-value' }] } } },
        { name: 'tokcert', user: { token: 'tok-SECRET-1234', 'client-certificate-data': b64(p.clientCert), 'client-key-data': b64(p.clientKey) } },
      ],
    });
    const warnings: string[] = [];
    for (const context of ['http', 'ghost', 'exec', 'tokcert']) {
      const r = loadKubeconfig(opts(home, file, { context }));
      expect(r.warnings.length).toBeGreaterThan(0);
      warnings.push(...r.warnings);
    }
    const all = [...warnings, ...seenMessages].join('\n');
    for (const s of [...SECRETS, 'PRIVATE KEY', b64(p.clientKey).slice(0, 40)]) expect(all).not.toContain(s);
  });
});
