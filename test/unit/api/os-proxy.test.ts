// The OS proxy settings (macOS scutil, Windows reg query, GNOME gsettings) parsed from recorded
// outputs (test/fixtures/os-proxy/, README there says where each comes from), and api.proxy's
// comparison with what kubectl uses: api.proxy.os-differs, api.proxy.os-pac.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseGsettingsProxy, parseProxyServer, parseScutilProxy, parseWindowsInternetSettings, readOsProxy, type OsProxySettings } from '../../../src/net/os-proxy.ts';
import { judgeOsProxy, noProxyFromBypass, osBypassEntry } from '../../../src/checks/api/os-proxy.ts';
import { proxyCheck } from '../../../src/checks/api/proxy.ts';
import { selectProxy } from '../../../src/net/proxy.ts';
import { cleanupTempDirs } from '../kube/helpers.ts';
import { ApiContext } from '../../../src/checks/api/context.ts';
import { apiContext, clientOptions, codes, runOne, seed } from './helpers.ts';

afterAll(cleanupTempDirs);

const fixture = (name: string) => readFileSync(join(import.meta.dirname, '../../fixtures/os-proxy', name), 'utf8');
const API = new URL('https://api.prod.example.com:6443');

describe('parsers, on recorded outputs', () => {
  it('macOS scutil --proxy: HTTP/HTTPS proxies, PAC, exceptions; the __SCOPED__ copies are not read twice', () => {
    expect(parseScutilProxy(fixture('macos-manual.txt'))).toEqual({
      source: 'macOS system settings (scutil --proxy)',
      command: 'scutil --proxy',
      https: 'proxy.corp:8080',
      http: 'proxy.corp:8080',
      pac: 'http://pac.corp/proxy.pac',
      bypass: ['*.local', '169.254/16', '*.corp'],
      bypassSimpleNames: true,
    });
    expect(parseScutilProxy(fixture('macos-pac.txt'))).toMatchObject({ https: undefined, http: undefined, pac: 'http://pac.corp/proxy.pac', bypassSimpleNames: false });
    expect(parseScutilProxy(fixture('macos-none.txt'))).toMatchObject({ https: undefined, http: undefined, pac: undefined, bypass: ['*.local', '169.254/16'] });
    expect(parseScutilProxy('scutil: command not found')).toBeUndefined();
  });

  it('Windows reg query: ProxyEnable, ProxyServer (one for all, or http=…;https=…), ProxyOverride with <local>, AutoConfigURL', () => {
    expect(parseWindowsInternetSettings(fixture('windows-manual.txt'))).toEqual({
      source: 'Windows Internet Settings (HKCU, reg query)',
      command: 'reg query "HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings"',
      https: 'proxy.corp:8080',
      http: 'proxy.corp:8080',
      pac: 'http://pac.corp/proxy.pac',
      bypass: ['*.corp'],
      bypassSimpleNames: true,
    });
    expect(parseWindowsInternetSettings(fixture('windows-per-protocol.txt'))).toMatchObject({ https: 'proxy.corp:8443', http: 'proxy.corp:8080', pac: undefined, bypass: ['*.corp', '10.*'] });
    expect(parseWindowsInternetSettings(fixture('windows-pac.txt'))).toMatchObject({ https: undefined, pac: 'http://pac.corp/proxy.pac' });
    // ProxyEnable 0: the ProxyServer left behind is not used
    expect(parseWindowsInternetSettings(fixture('windows-disabled.txt'))).toMatchObject({ https: undefined, http: undefined, pac: undefined });
    expect(parseProxyServer('http=http://p:3128;https=https://q:3129/')).toEqual({ http: 'p:3128', https: 'q:3129' });
    expect(parseProxyServer('http=p:3128')).toEqual({ http: 'p:3128' });
    expect(parseProxyServer('proxy.corp')).toEqual({ http: 'proxy.corp:80', https: 'proxy.corp:80' });
  });

  it('GNOME gsettings list-recursively: manual, auto (PAC) and none (the schema defaults)', () => {
    expect(parseGsettingsProxy(fixture('gnome-manual.txt'))).toEqual({
      source: 'GNOME proxy settings (gsettings org.gnome.system.proxy)',
      command: 'gsettings list-recursively org.gnome.system.proxy',
      https: 'proxy.corp:8080',
      http: 'proxy.corp:8080',
      pac: undefined,
      bypass: ['localhost', '127.0.0.0/8', '::1', '*.corp', '10.0.0.0/8'],
      bypassSimpleNames: false,
    });
    expect(parseGsettingsProxy(fixture('gnome-pac.txt'))).toMatchObject({ https: undefined, pac: 'http://pac.corp/proxy.pac' });
    expect(parseGsettingsProxy(fixture('gnome-none.txt'))).toMatchObject({ https: undefined, http: undefined, pac: undefined });
    // https host empty, http set: GLib uses the http proxy for https too
    const httpOnly = fixture('gnome-manual.txt').replace("org.gnome.system.proxy.https host 'proxy.corp'", "org.gnome.system.proxy.https host ''");
    expect(parseGsettingsProxy(httpOnly)?.https).toBe('proxy.corp:8080');
  });

  it('the live read runs only the command of its own OS, and a missing command is no settings, not an error', async () => {
    const ran: string[] = [];
    const run = async (argv: readonly string[]) => {
      ran.push(argv[0]!);
      return undefined;
    };
    expect(await readOsProxy('darwin', {}, { run })).toBeUndefined();
    expect(await readOsProxy('win32', {}, { run })).toBeUndefined();
    expect(await readOsProxy('linux', {}, { run })).toBeUndefined(); // no desktop session: nothing run
    expect(await readOsProxy('linux', { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }, { run })).toBeUndefined();
    expect(ran).toEqual(['scutil', 'reg', 'gsettings']);
    // the real command, missing on this machine under that name: undefined, no throw
    expect(await readOsProxy('darwin', {})).toBeUndefined();
  });

  it('bypass lists: globs, macOS short CIDRs, Windows "10.*", <local>; and as NO_PROXY', () => {
    const mac = parseScutilProxy(fixture('macos-manual.txt'))!;
    expect(osBypassEntry(mac, 'api.k8s.corp')).toBe('*.corp');
    expect(osBypassEntry(mac, '169.254.10.1')).toBe('169.254/16');
    expect(osBypassEntry(mac, 'kubernetes')).toBe('ExcludeSimpleHostnames');
    expect(osBypassEntry(mac, 'api.prod.example.com')).toBeUndefined();
    const win = parseWindowsInternetSettings(fixture('windows-per-protocol.txt'))!;
    expect(osBypassEntry(win, '10.20.30.40')).toBe('10.*');
    expect(osBypassEntry(win, 'kubernetes')).toBe('<local>');
    expect(noProxyFromBypass(win)).toBe('.corp,10.0.0.0/8');
    expect(noProxyFromBypass(mac)).toBe('.local,169.254.0.0/16,.corp');
  });
});

describe('judgeOsProxy: the OS proxy against kubectl', () => {
  const mac = () => parseScutilProxy(fixture('macos-manual.txt'))!;

  it('api.proxy.os-differs: the browser uses proxy.corp:8080 (PAC too), kubectl connects directly: the exact export line', () => {
    const d = selectProxy(API, {});
    const r = judgeOsProxy(mac(), d, API, 'darwin');
    expect(r.findings.map((f) => f.code)).toEqual(['api.proxy.os-differs']);
    expect(r.findings[0]!.message).toBe(
      'The browser goes through http://proxy.corp:8080 (PAC http://pac.corp/proxy.pac) for https://api.prod.example.com (macOS system settings (scutil --proxy)); kubectl connects directly because no proxy variable is set. kubectl (Go) reads only the proxy variables, never the system settings.',
    );
    expect(r.findings[0]!.remediation).toEqual([
      'To make kubectl use the system proxy, set HTTPS_PROXY in the shell that runs kubectl: `export HTTPS_PROXY=http://proxy.corp:8080`.',
      'The system bypass list as NO_PROXY: `export NO_PROXY=.local,169.254.0.0/16,.corp`.',
    ]);
    expect(r.evidence).toMatchObject({ https: 'http://proxy.corp:8080', pac: 'http://pac.corp/proxy.pac' });
  });

  it('on Windows the line is PowerShell and cmd, not export', () => {
    const win = parseWindowsInternetSettings(fixture('windows-per-protocol.txt'))!;
    const r = judgeOsProxy(win, selectProxy(API, {}), API, 'win32');
    expect(r.findings.map((f) => f.code)).toEqual(['api.proxy.os-differs']);
    expect(r.findings[0]!.message).toContain('The browser goes through http://proxy.corp:8443 for https://api.prod.example.com (Windows Internet Settings (HKCU, reg query)); kubectl connects directly');
    expect(r.findings[0]!.remediation![0]).toBe(
      'To make kubectl use the system proxy, set HTTPS_PROXY in the shell that runs kubectl: (PowerShell: `$env:HTTPS_PROXY = "http://proxy.corp:8443"`; cmd: `set HTTPS_PROXY=http://proxy.corp:8443`).',
    );
    expect(r.findings[0]!.remediation!.join(' ')).not.toContain('export ');
  });

  it('another proxy in the environment differs too; the same proxy agrees (no finding); a password is redacted', () => {
    const other = judgeOsProxy(mac(), selectProxy(API, { HTTPS_PROXY: 'http://bob:hunter2@old-proxy.corp:3128' }), API, 'darwin');
    expect(other.findings.map((f) => f.code)).toEqual(['api.proxy.os-differs']);
    expect(other.findings[0]!.message).toContain('kubectl goes through http://bob:REDACTED@old-proxy.corp:3128 (from HTTPS_PROXY)');
    expect(JSON.stringify(other)).not.toContain('hunter2');
    expect(judgeOsProxy(mac(), selectProxy(API, { HTTPS_PROXY: 'http://proxy.corp:8080' }), API, 'darwin').findings).toEqual([]);
    // GNOME manual with the same proxy in https_proxy: agree
    const gnome = parseGsettingsProxy(fixture('gnome-manual.txt'))!;
    expect(judgeOsProxy(gnome, selectProxy(API, { https_proxy: 'proxy.corp:8080' }), API, 'linux').findings).toEqual([]);
  });

  it('a host the system bypasses: no finding when kubectl goes direct too, os-differs when kubectl uses a proxy', () => {
    const corp = new URL('https://api.k8s.corp:6443');
    expect(judgeOsProxy(mac(), selectProxy(corp, {}), corp, 'darwin').findings).toEqual([]);
    const r = judgeOsProxy(mac(), selectProxy(corp, { HTTPS_PROXY: 'http://proxy.corp:8080' }), corp, 'darwin');
    expect(r.findings.map((f) => f.code)).toEqual(['api.proxy.os-differs']);
    expect(r.findings[0]!.message).toBe('The browser connects directly to api.k8s.corp (the system bypass entry "*.corp", macOS system settings (scutil --proxy)); kubectl goes through http://proxy.corp:8080 (from HTTPS_PROXY).');
    expect(r.findings[0]!.remediation![0]).toBe('To make kubectl connect directly too, add api.k8s.corp to NO_PROXY: `export NO_PROXY=api.k8s.corp`.');
  });

  it('api.proxy.os-pac: a PAC only is an info note that says the PAC is not evaluated', () => {
    for (const [os, platform] of [[parseScutilProxy(fixture('macos-pac.txt')), 'darwin'], [parseWindowsInternetSettings(fixture('windows-pac.txt')), 'win32'], [parseGsettingsProxy(fixture('gnome-pac.txt')), 'linux']] as [OsProxySettings, NodeJS.Platform][]) {
      const r = judgeOsProxy(os, selectProxy(API, {}), API, platform);
      expect(r.findings.map((f) => f.code)).toEqual(['api.proxy.os-pac']);
      expect(r.findings[0]!.message).toContain('The system proxy is a PAC script, http://pac.corp/proxy.pac');
      expect(r.findings[0]!.message).toContain('kubectl ignores it and connects directly (no proxy variable is set)');
      expect(r.findings[0]!.message).toContain('netdiag does not evaluate PAC JavaScript');
    }
  });

  it('no finding when the OS has no proxy, when nothing was read, or when the kubeconfig names a proxy-url', () => {
    expect(judgeOsProxy(parseScutilProxy(fixture('macos-none.txt')), selectProxy(API, { HTTPS_PROXY: 'http://p:3128' }), API, 'darwin').findings).toEqual([]);
    expect(judgeOsProxy(parseWindowsInternetSettings(fixture('windows-disabled.txt')), selectProxy(API, {}), API, 'win32').findings).toEqual([]);
    expect(judgeOsProxy(undefined, selectProxy(API, {}), API, 'darwin')).toEqual({ findings: [] });
    expect(judgeOsProxy(mac(), selectProxy(API, {}, 'http://explicit:3128'), API, 'darwin').findings).toEqual([]);
  });
});

describe('api.proxy with recorded OS settings', () => {
  it('reports the OS proxy next to the environment and warns when they differ (Windows, https_proxy spelt in lower case)', async () => {
    const o = clientOptions({ env: { https_proxy: 'http://old-proxy.corp:3128' } });
    const ctx = new ApiContext({ ...o, kubeconfig: { ...o.kubeconfig, platform: 'win32' } });
    seed(ctx, 'os-proxy', parseWindowsInternetSettings(fixture('windows-manual.txt')));
    const r = await runOne(proxyCheck, ctx);
    expect(r.status).toBe('warn');
    expect(codes(r)).toEqual(['api.proxy.in-use', 'api.proxy.os-differs']);
    expect(r.evidence).toMatchObject({ environment: { https_proxy: 'http://old-proxy.corp:3128' }, osProxy: { https: 'http://proxy.corp:8080', pac: 'http://pac.corp/proxy.pac' } });
    expect(r.findings[1]!.remediation[0]).toContain('`$env:HTTPS_PROXY = "http://proxy.corp:8080"`');
  });

  it('no OS settings (this Linux host without a desktop session): api.proxy is what it was', async () => {
    const ctx = apiContext({ env: {} });
    const r = await runOne(proxyCheck, ctx);
    expect(codes(r)).toEqual([]);
    expect(r.evidence).not.toHaveProperty('osProxy');
  });
});
