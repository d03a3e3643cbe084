// Platform semantics decided by a platform value: Windows environment names, KUBECONFIG's
// separator, client-go's home directory, on recorded Windows-style environments.
import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeHomeDir, lookupEnv, platformEnv, splitPathList, type HomeProbe } from '../../../src/net/platform.ts';
import { defaultKubeconfigFiles } from '../../../src/kube/kubeconfig-files.ts';
import { loadKubeconfig } from '../../../src/kube/kubeconfig.ts';
import { proxyEnvironment } from '../../../src/kube/environment.ts';
import { selectProxy } from '../../../src/net/proxy.ts';

// What `Get-ChildItem env:` shows on a corporate Windows 11 laptop (names as Windows keeps them).
const WINDOWS_ENV = {
  ALLUSERSPROFILE: 'C:\\ProgramData',
  HOMEDRIVE: 'C:',
  HOMEPATH: '\\Users\\alice',
  https_proxy: 'http://alice:s3cret@proxy.corp:8080',
  No_Proxy: '.corp,10.0.0.0/8',
  Path: 'C:\\Windows\\system32;C:\\Windows',
  USERPROFILE: 'C:\\Users\\alice',
};

describe('environment variable names on Windows', () => {
  it('one variable whatever the case: HTTPS_PROXY finds https_proxy, and Go\'s precedence collapses', () => {
    const env = platformEnv(WINDOWS_ENV, 'win32');
    expect(env.HTTPS_PROXY).toBe('http://alice:s3cret@proxy.corp:8080');
    expect(env.NO_PROXY).toBe('.corp,10.0.0.0/8');
    expect(env.PATH).toBe('C:\\Windows\\system32;C:\\Windows');
    expect('https_PROXY' in env).toBe(true);
    const d = selectProxy(new URL('https://api.corp.example:6443'), env);
    expect(String(d.proxy)).toBe('http://alice:s3cret@proxy.corp:8080/');
    expect(d.source).toBe('HTTPS_PROXY');
    // NO_PROXY spelt No_Proxy still applies
    expect(selectProxy(new URL('https://k8s.corp:6443'), env).proxy).toBeUndefined();
  });

  it('on Linux the same object is case-sensitive: https_proxy is only the lower-case name', () => {
    const env = platformEnv(WINDOWS_ENV, 'linux');
    expect(env.HTTPS_PROXY).toBeUndefined();
    expect(String(selectProxy(new URL('https://k8s.corp:6443'), env).proxy)).toBe('http://alice:s3cret@proxy.corp:8080/');
  });

  it('two spellings in one recorded block are one variable on Windows: the first answers to both', () => {
    const env = platformEnv({ HTTPS_PROXY: 'http://upper:3128', https_proxy: 'http://lower:3128' }, 'win32');
    expect(env.https_proxy).toBe('http://upper:3128');
    expect(Object.keys(env)).toEqual(['HTTPS_PROXY']);
    expect(lookupEnv({ https_proxy: 'x' }, 'HTTPS_PROXY', 'win32')).toEqual({ name: 'https_proxy', value: 'x' });
    expect(lookupEnv({ https_proxy: 'x' }, 'HTTPS_PROXY', 'darwin')).toBeUndefined();
  });

  it('the report lists a Windows proxy variable once, under the name it was set with, password redacted', () => {
    expect(proxyEnvironment(WINDOWS_ENV, 'win32')).toEqual({ https_proxy: 'http://alice:REDACTED@proxy.corp:8080', No_Proxy: '.corp,10.0.0.0/8' });
    // process.env on Windows answers every spelling: still one entry
    const caseInsensitive = platformEnv({ HTTPS_PROXY: 'http://p:1' }, 'win32');
    expect(proxyEnvironment(caseInsensitive, 'win32')).toEqual({ HTTPS_PROXY: 'http://p:1' });
    expect(proxyEnvironment({ HTTPS_PROXY: 'http://p:1', https_proxy: 'http://q:2' }, 'linux')).toEqual({ HTTPS_PROXY: 'http://p:1', https_proxy: 'http://q:2' });
  });
});

describe('KUBECONFIG list and home directory', () => {
  it('splits KUBECONFIG on ";" on Windows (quotes group, drive colons stay) and on ":" elsewhere', () => {
    expect(splitPathList('C:\\Users\\alice\\.kube\\config;D:\\kube\\dev.yaml', 'win32')).toEqual(['C:\\Users\\alice\\.kube\\config', 'D:\\kube\\dev.yaml']);
    expect(splitPathList('"C:\\a;b\\config";D:\\c', 'win32')).toEqual(['C:\\a;b\\config', 'D:\\c']);
    expect(splitPathList('/a:/b', 'linux')).toEqual(['/a', '/b']);
    const f = defaultKubeconfigFiles({ env: { kubeconfig: 'C:\\k\\a;;C:\\k\\b;C:\\k\\a' }, homeDir: 'unused', platform: 'win32' });
    expect(f).toEqual({ from: 'KUBECONFIG', paths: ['C:\\k\\a', 'C:\\k\\b'] });
    expect(defaultKubeconfigFiles({ env: { KUBECONFIG: '/k/a:/k/b' }, homeDir: '/h', platform: 'darwin' }).paths).toEqual(['/k/a', '/k/b']);
  });

  it('client-go homedir on Windows: the first of HOME, HOMEDRIVE+HOMEPATH, USERPROFILE with .kube\\config, else the first writable of HOME, USERPROFILE, HOMEDRIVE+HOMEPATH', () => {
    const fsOf = (entries: Record<string, { isDirectory: boolean; ownerWritable: boolean }>): HomeProbe => ({ stat: (p) => entries[p] });
    const dir = { isDirectory: true, ownerWritable: true };
    const file = { isDirectory: false, ownerWritable: true };
    // .kube\config only under the profile on a network home: the profile wins
    expect(kubeHomeDir(WINDOWS_ENV, 'win32', fsOf({ 'C:\\Users\\alice\\.kube\\config': file }))).toBe('C:\\Users\\alice');
    // HOMEDRIVE+HOMEPATH holding the config is preferred over USERPROFILE
    const roaming = { ...WINDOWS_ENV, HOMEDRIVE: 'H:', HOMEPATH: '\\' };
    expect(kubeHomeDir(roaming, 'win32', fsOf({ 'H:\\.kube\\config': file, 'C:\\Users\\alice\\.kube\\config': file }))).toBe('H:\\');
    // no config anywhere: USERPROFILE before HOMEDRIVE+HOMEPATH when writable
    expect(kubeHomeDir(roaming, 'win32', fsOf({ 'H:\\': dir, 'C:\\Users\\alice': dir }))).toBe('C:\\Users\\alice');
    // nothing exists: the first that is set
    expect(kubeHomeDir(roaming, 'win32', fsOf({}))).toBe('C:\\Users\\alice');
    expect(kubeHomeDir({ HOME: 'C:\\msys\\home\\a', ...WINDOWS_ENV }, 'win32', fsOf({}))).toBe('C:\\msys\\home\\a');
    // the default kubeconfig path uses Windows separators
    expect(defaultKubeconfigFiles({ env: WINDOWS_ENV, homeDir: '/ignored', platform: 'win32' }, fsOf({ 'C:\\Users\\alice\\.kube\\config': file }))).toEqual({
      from: 'default',
      paths: ['C:\\Users\\alice\\.kube\\config'],
    });
    expect(defaultKubeconfigFiles({ env: WINDOWS_ENV, homeDir: '/home/alice', platform: 'linux' }).paths).toEqual(['/home/alice/.kube/config']);
  });

  it('loadKubeconfig reads a ";"-separated KUBECONFIG as Windows kubectl does (the second file is found)', () => {
    const d = mkdtempSync(join(tmpdir(), 'netdiag-win-'));
    try {
      mkdirSync(join(d, 'k'));
      const cfg = { apiVersion: 'v1', kind: 'Config', 'current-context': 'c', contexts: [{ name: 'c', context: { cluster: 'x', user: 'u' } }], clusters: [{ name: 'x', cluster: { server: 'https://win.example:6443' } }], users: [{ name: 'u', user: {} }] };
      writeFileSync(join(d, 'k', 'b.yaml'), JSON.stringify(cfg));
      const list = `${join(d, 'k', 'missing.yaml')};${join(d, 'k', 'b.yaml')}`;
      const win = loadKubeconfig({ env: { KubeConfig: list }, homeDir: d, platform: 'win32', inClusterRoot: join(d, 'none') });
      expect(win.cluster.server).toBe('https://win.example:6443');
      expect(win.files.map((f) => f.loaded)).toEqual([false, true]);
      // on Linux the same value is ONE path (with a ';' in it), and the variable name is case-sensitive
      const lin = loadKubeconfig({ env: { KUBECONFIG: list }, homeDir: d, platform: 'linux', inClusterRoot: join(d, 'none') });
      expect(lin.files).toHaveLength(1);
      expect(lin.localhostFallback).toBe(true);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
