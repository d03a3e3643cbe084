// `kubectl netdiag cert` decides "no kubeconfig resolves" without loading one (start-up time); it
// must agree with loadKubeconfig(): true only where that yields kubectl's localhost fallback.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { noKubeconfig } from '../../../src/checks/cert/prepare.ts';
import { loadKubeconfig, type KubeconfigOptions } from '../../../src/kube/kubeconfig.ts';

const home = mkdtempSync(join(tmpdir(), 'netdiag-nokube-'));
const opts = (o: Partial<KubeconfigOptions> = {}, env: Record<string, string> = {}): KubeconfigOptions => ({ env, homeDir: home, ...o });

function fallback(k: KubeconfigOptions): boolean {
  try {
    return loadKubeconfig(k).localhostFallback;
  } catch {
    return false;
  }
}

describe('noKubeconfig', () => {
  it('no file anywhere: no cluster, like loadKubeconfig', () => {
    const k = opts();
    expect(noKubeconfig(k)).toBe(true);
    expect(fallback(k)).toBe(true);
    const missing = opts({}, { KUBECONFIG: `${join(home, 'a')}:${join(home, 'b')}` });
    expect(noKubeconfig(missing)).toBe(true);
    expect(fallback(missing)).toBe(true);
  });
  it('a kubeconfig file that exists, a flag or in-cluster variables: the full path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-kube-'));
    const file = join(dir, 'config');
    writeFileSync(file, 'apiVersion: v1\nkind: Config\nclusters: []\ncontexts: []\nusers: []\n');
    expect(noKubeconfig(opts({}, { KUBECONFIG: `${join(home, 'none')}:${file}` }))).toBe(false);
    expect(noKubeconfig(opts({ kubeconfig: join(home, 'none') }))).toBe(false);
    expect(noKubeconfig(opts({ server: 'https://198.51.100.10:6443' }))).toBe(false);
    expect(noKubeconfig(opts({ context: 'x' }))).toBe(false);
    expect(noKubeconfig(opts({}, { KUBERNETES_SERVICE_HOST: '10.0.0.1', KUBERNETES_SERVICE_PORT: '443' }))).toBe(false);
    mkdirSync(join(dir, '.kube'));
    writeFileSync(join(dir, '.kube', 'config'), 'apiVersion: v1\nkind: Config\n');
    expect(noKubeconfig({ env: {}, homeDir: dir })).toBe(false);
  });
});
