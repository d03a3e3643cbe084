// In-cluster service account config (client-go rest.InClusterConfig and
// clientcmd's in-cluster fallback). kubectl cannot be pointed at another
// service-account directory, so these follow client-go's source rather than
// the kubectl binary.
import { afterAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { describeMerge, loadKubeconfig, SERVICE_ACCOUNT_DIR, type KubeconfigOptions } from '../../../src/kube/kubeconfig.ts';
import { getCredentials } from '../../../src/kube/credentials.ts';
import { cleanupTempDirs, pems, tempDir, write } from './helpers.ts';

const kc = (o: unknown) => JSON.stringify(o, null, 2);
afterAll(() => cleanupTempDirs());

function serviceAccount(files: { token?: string; ca?: string; namespace?: string } = {}): string {
  const root = tempDir('netdiag-sa-');
  const dir = join(root, SERVICE_ACCOUNT_DIR);
  mkdirSync(dir, { recursive: true });
  if (files.token !== undefined) write(join(dir, 'token'), files.token);
  if (files.ca !== undefined) write(join(dir, 'ca.crt'), files.ca);
  if (files.namespace !== undefined) write(join(dir, 'namespace'), files.namespace);
  return root;
}

function opts(root: string, extra: Partial<KubeconfigOptions> = {}, env: Record<string, string | undefined> = {}): KubeconfigOptions {
  const home = tempDir();
  return {
    env: { HOME: home, KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', ...env },
    homeDir: home,
    inClusterRoot: root,
    ...extra,
  };
}

describe('in-cluster', () => {
  it('no kubeconfig + service account: https://HOST:PORT, ca.crt, token file, namespace file', async () => {
    const p = pems();
    const root = serviceAccount({ token: 'sa-token-v1\n', ca: p.serverCert, namespace: 'team-x\n' });
    const r = loadKubeconfig(opts(root));
    expect(r.source).toBe('in-cluster');
    expect(r.cluster.server).toBe('https://10.96.0.1:443');
    expect(r.cluster.caSource).toBe('in-cluster');
    expect(r.cluster.caPem).toBe(p.serverCert);
    expect(r.user.authKind).toBe('tokenFile');
    expect(r.user.tokenFile).toBe(join(root, SERVICE_ACCOUNT_DIR, 'token'));
    expect(r.user.token).toBeUndefined();
    expect([r.namespace, r.namespaceSource]).toEqual(['team-x', 'in-cluster']);
    expect(r.localhostFallback).toBe(false);
    expect(r.contextName).toBeUndefined();
    expect(describeMerge(r)).toMatch(/^in-cluster service account \(https:\/\/10\.96\.0\.1:443, token .*\/token\); ~\/\.kube\/config: .* \(missing, skipped\)$/);

    // The token is read at call time (projected tokens rotate).
    expect((await getCredentials(r, { timeoutMs: 1000, env: {} })).headers.Authorization).toBe('Bearer sa-token-v1');
    write(join(root, SERVICE_ACCOUNT_DIR, 'token'), 'sa-token-v2');
    expect((await getCredentials(r, { timeoutMs: 1000, env: {} })).headers.Authorization).toBe('Bearer sa-token-v2');
  });

  it('IPv6 service host is bracketed', () => {
    const root = serviceAccount({ token: 't', ca: pems().serverCert });
    const r = loadKubeconfig(opts(root, {}, { KUBERNETES_SERVICE_HOST: 'fd00::1', KUBERNETES_SERVICE_PORT: '6443' }));
    expect(r.cluster.server).toBe('https://[fd00::1]:6443');
  });

  it('namespace: -n > POD_NAMESPACE > namespace file > default', () => {
    const root = serviceAccount({ token: 't', ca: pems().serverCert, namespace: 'from-file' });
    expect(loadKubeconfig(opts(root, { namespace: 'flag-ns' })).namespace).toBe('flag-ns');
    const viaEnv = loadKubeconfig(opts(root, {}, { POD_NAMESPACE: 'from-env' }));
    expect([viaEnv.namespace, viaEnv.namespaceSource]).toEqual(['from-env', 'in-cluster']);
    const noFile = loadKubeconfig(opts(serviceAccount({ token: 't', ca: pems().serverCert })));
    expect([noFile.namespace, noFile.namespaceSource]).toEqual(['default', 'default']);
  });

  it('a usable kubeconfig wins over in-cluster, but the pod namespace still applies when its context has none (client-go)', () => {
    const root = serviceAccount({ token: 't', ca: pems().serverCert, namespace: 'pod-ns' });
    const o = opts(root);
    write(join(o.homeDir, '.kube', 'config'), kc({
      'current-context': 'a',
      clusters: [{ name: 'c', cluster: { server: 'https://kc.example' } }],
      contexts: [{ name: 'a', context: { cluster: 'c' } }, { name: 'b', context: { cluster: 'c', namespace: 'ctx-ns' } }],
    }));
    const a = loadKubeconfig(o);
    expect(a.source).toBe('default');
    expect(a.cluster.server).toBe('https://kc.example');
    expect([a.namespace, a.namespaceSource]).toEqual(['pod-ns', 'in-cluster']);
    const b = loadKubeconfig({ ...o, context: 'b' });
    expect([b.namespace, b.namespaceSource]).toEqual(['ctx-ns', 'context']);
  });

  it('a kubeconfig that only leads to localhost:8080 gives way to in-cluster', () => {
    const root = serviceAccount({ token: 't', ca: pems().serverCert });
    const o = opts(root);
    write(join(o.homeDir, '.kube', 'config'), kc({ 'current-context': 'g', contexts: [{ name: 'g', context: { cluster: 'missing' } }] }));
    const r = loadKubeconfig(o);
    expect(r.source).toBe('in-cluster');
    expect(r.files[0]?.loaded).toBe(true);
  });

  it('not possible without both env vars or without the token file: localhost fallback', () => {
    const root = serviceAccount({ token: 't', ca: pems().serverCert });
    const noPort = loadKubeconfig(opts(root, {}, { KUBERNETES_SERVICE_PORT: undefined }));
    expect([noPort.source, noPort.localhostFallback]).toEqual(['none', true]);
    const noToken = loadKubeconfig(opts(serviceAccount({ ca: pems().serverCert })));
    expect([noToken.source, noToken.localhostFallback]).toEqual(['none', true]);
  });

  it('an unreadable or non-PEM ca.crt falls back to the system roots with a warning (client-go logs and continues)', () => {
    const r1 = loadKubeconfig(opts(serviceAccount({ token: 't' })));
    expect(r1.cluster.caSource).toBe('system');
    expect(r1.warnings.join(' ')).toMatch(/ca\.crt cannot be read/);
    const r2 = loadKubeconfig(opts(serviceAccount({ token: 't', ca: 'garbage' })));
    expect(r2.cluster.caSource).toBe('system');
    expect(r2.warnings.join(' ')).toMatch(/holds no PEM certificate/);
  });

  it('--insecure-skip-tls-verify and --tls-server-name are ignored in-cluster, with a warning', () => {
    const r = loadKubeconfig(opts(serviceAccount({ token: 't', ca: pems().serverCert }), { insecureSkipTlsVerify: true, tlsServerName: 'x' }));
    expect(r.source).toBe('in-cluster');
    expect(r.cluster.insecureSkipTlsVerify).toBe(false);
    expect(r.cluster.tlsServerName).toBeUndefined();
    expect(r.warnings.join(' ')).toMatch(/ignored by kubectl for the in-cluster configuration/);
  });

  it('--server with no kubeconfig is not the default config: kubectl uses it without in-cluster credentials', () => {
    const r = loadKubeconfig(opts(serviceAccount({ token: 't', ca: pems().serverCert }), { server: 'https://elsewhere:6443' }));
    expect(r.source).toBe('none');
    expect(r.cluster.server).toBe('https://elsewhere:6443');
    expect(r.user.authKind).toBe('none');
    expect(r.localhostFallback).toBe(false);
  });
});
