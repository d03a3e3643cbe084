// The proxy the operating system is configured with: what browsers and most desktop programs use,
// and what kubectl ignores (Go's ProxyFromEnvironment reads only HTTPS_PROXY/HTTP_PROXY/NO_PROXY).
// One parser per source, each tested on recorded output (test/fixtures/os-proxy/):
// - macOS: `scutil --proxy` (the SCDynamicStore proxies dictionary);
// - Windows: `reg query "HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"` (WinINet);
// - GNOME: `gsettings list-recursively org.gnome.system.proxy`.
// The live read runs only on its own OS, with a deadline, and yields undefined when the command is
// missing or fails: it never fails a run. PAC scripts are reported, never evaluated.
import { execFile } from 'node:child_process';
import type { Env, Platform } from './platform.ts';

export interface OsProxySettings {
  /** where the settings come from, for people: "macOS system settings (scutil --proxy)" */
  source: string;
  /** the command that prints them, for reproduce lines */
  command: string;
  /** the proxy for https:// URLs as "host:port" (undefined: none configured) */
  https?: string;
  /** the proxy for http:// URLs as "host:port" */
  http?: string;
  /** the proxy auto-config (PAC) URL, when one is set */
  pac?: string;
  /** hosts that bypass the proxy, as the OS writes them */
  bypass: string[];
  /** names without a dot bypass the proxy (macOS ExcludeSimpleHostnames, Windows <local>) */
  bypassSimpleNames: boolean;
}

function hostPort(host: string | undefined, port: string | number | undefined, defaultPort: number): string | undefined {
  const h = host?.trim();
  if (!h) return undefined;
  const p = port === undefined || port === '' || Number(port) === 0 ? defaultPort : Number(port);
  return `${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${p}`;
}

// ---------------------------------------------------------------------------------------------
// macOS: scutil --proxy

/** The top-level keys of `scutil --proxy` (the per-interface `__SCOPED__` copies are skipped). */
export function parseScutilProxy(text: string): OsProxySettings | undefined {
  if (!/^\s*<dictionary>\s*\{/.test(text)) return undefined;
  const values = new Map<string, string>();
  const arrays = new Map<string, string[]>();
  let depth = 0;
  let array: string[] | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '') continue;
    if (line === '}') {
      depth--;
      if (depth === 1) array = undefined;
      continue;
    }
    const m = /^(\S+)\s*:\s*(.*)$/.exec(line);
    if (!m) {
      if (line.endsWith('{')) depth++;
      continue;
    }
    const [, key, value] = m as unknown as [string, string, string];
    if (value.endsWith('{')) {
      depth++;
      if (depth === 2 && value.startsWith('<array>')) arrays.set(key, (array = []));
      continue;
    }
    if (depth === 1) values.set(key, value);
    else if (depth === 2 && array) array.push(value);
  }
  const on = (k: string) => values.get(k) === '1';
  return {
    source: 'macOS system settings (scutil --proxy)',
    command: 'scutil --proxy',
    https: on('HTTPSEnable') ? hostPort(values.get('HTTPSProxy'), values.get('HTTPSPort'), 443) : undefined,
    http: on('HTTPEnable') ? hostPort(values.get('HTTPProxy'), values.get('HTTPPort'), 80) : undefined,
    pac: on('ProxyAutoConfigEnable') ? values.get('ProxyAutoConfigURLString') || undefined : undefined,
    bypass: arrays.get('ExceptionsList') ?? [],
    bypassSimpleNames: on('ExcludeSimpleHostnames'),
  };
}

// ---------------------------------------------------------------------------------------------
// Windows: reg query "HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings"

export const WINDOWS_INTERNET_SETTINGS = 'HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Internet Settings';

/** The values of the queried key (not of its subkeys): name → [type, value]. */
export function parseRegQuery(text: string): Map<string, { type: string; value: string }> {
  const out = new Map<string, { type: string; value: string }>();
  let inKey = 0;
  for (const raw of text.split(/\r?\n/)) {
    if (/^HKEY_/.test(raw)) {
      inKey++;
      continue;
    }
    if (inKey !== 1) continue;
    const m = /^ {4}(.+?) {4}(REG_[A-Z_]+)(?: {4}(.*))?$/.exec(raw);
    if (m) out.set(m[1]!.toLowerCase(), { type: m[2]!, value: m[3] ?? '' });
  }
  return out;
}

/** WinINet's ProxyServer: "host:port" for every protocol, or "http=h:p;https=h:p;…" (a scheme:// prefix may precede the host). */
export function parseProxyServer(value: string): { http?: string; https?: string } {
  const strip = (s: string) => s.trim().replace(/^[a-z0-9]+:\/\//i, '').replace(/\/+$/, '');
  const v = value.trim();
  if (v === '') return {};
  if (!v.includes('=')) {
    const all = hostPort(strip(v).replace(/:(\d+)$/, ''), /:(\d+)$/.exec(strip(v))?.[1], 80);
    return { http: all, https: all };
  }
  const out: { http?: string; https?: string } = {};
  for (const part of v.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const proto = part.slice(0, i).trim().toLowerCase();
    const addr = strip(part.slice(i + 1));
    if (addr === '') continue;
    const hp = hostPort(addr.replace(/:(\d+)$/, ''), /:(\d+)$/.exec(addr)?.[1], 80);
    if (proto === 'http') out.http = hp;
    else if (proto === 'https') out.https = hp;
  }
  return out;
}

export function parseWindowsInternetSettings(text: string): OsProxySettings | undefined {
  const v = parseRegQuery(text);
  if (v.size === 0) return undefined;
  const enabled = /^0x0*1$/i.test(v.get('proxyenable')?.value ?? '');
  const servers = enabled ? parseProxyServer(v.get('proxyserver')?.value ?? '') : {};
  const override = (v.get('proxyoverride')?.value ?? '').split(';').map((s) => s.trim()).filter((s) => s !== '');
  return {
    source: 'Windows Internet Settings (HKCU, reg query)',
    command: `reg query "${WINDOWS_INTERNET_SETTINGS}"`,
    https: servers.https,
    http: servers.http,
    pac: v.get('autoconfigurl')?.value.trim() || undefined,
    bypass: override.filter((s) => s.toLowerCase() !== '<local>'),
    bypassSimpleNames: override.some((s) => s.toLowerCase() === '<local>'),
  };
}

// ---------------------------------------------------------------------------------------------
// GNOME: gsettings list-recursively org.gnome.system.proxy

/** A GVariant text value as gsettings prints it: 'string', number, true/false, ['a', 'b'] or @as []. */
function gvariant(text: string): string | number | boolean | string[] {
  const t = text.trim();
  if (t === 'true' || t === 'false') return t === 'true';
  if (/^-?\d+$/.test(t)) return Number(t);
  if (t.startsWith('@as') || t.startsWith('[')) {
    const items: string[] = [];
    for (const m of t.matchAll(/'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)"/g)) items.push((m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'));
    return items;
  }
  const q = /^'((?:[^'\\]|\\.)*)'$|^"((?:[^"\\]|\\.)*)"$/.exec(t);
  return q ? (q[1] ?? q[2] ?? '').replace(/\\(.)/g, '$1') : t;
}

export function parseGsettingsProxy(text: string): OsProxySettings | undefined {
  const v = new Map<string, string | number | boolean | string[]>();
  for (const line of text.split(/\r?\n/)) {
    const m = /^(org\.gnome\.system\.proxy(?:\.\w+)?) (\S+) (.*)$/.exec(line);
    if (m) v.set(`${m[1]!.replace(/^org\.gnome\.system\.proxy\.?/, '')}/${m[2]}`, gvariant(m[3]!));
  }
  if (!v.has('/mode')) return undefined;
  const mode = String(v.get('/mode'));
  const str = (k: string) => (typeof v.get(k) === 'string' ? (v.get(k) as string) : undefined);
  const num = (k: string) => (typeof v.get(k) === 'number' ? (v.get(k) as number) : undefined);
  const http = mode === 'manual' ? hostPort(str('http/host'), num('http/port'), 8080) : undefined;
  // GLib's GNOME resolver: https falls back to the http proxy when no https host is set
  const https = mode === 'manual' ? (hostPort(str('https/host'), num('https/port'), 0) ?? http) : undefined;
  const ignore = v.get('/ignore-hosts');
  return {
    source: 'GNOME proxy settings (gsettings org.gnome.system.proxy)',
    command: 'gsettings list-recursively org.gnome.system.proxy',
    https,
    http,
    pac: mode === 'auto' ? str('/autoconfig-url') || 'automatic (WPAD)' : undefined,
    bypass: Array.isArray(ignore) ? ignore : [],
    bypassSimpleNames: false,
  };
}

// ---------------------------------------------------------------------------------------------
// Live read

export type RunCommand = (argv: readonly string[], timeoutMs: number) => Promise<string | undefined>;

const runCommand: RunCommand = (argv, timeoutMs) =>
  new Promise((resolve) => {
    try {
      execFile(argv[0]!, argv.slice(1), { timeout: timeoutMs, maxBuffer: 1024 * 1024, windowsHide: true }, (err, stdout) => resolve(err ? undefined : String(stdout)));
    } catch {
      resolve(undefined);
    }
  });

/** A GNOME-family desktop session (gsettings' proxy schema is what it uses). */
function gnomeSession(env: Env): boolean {
  return /gnome|unity|budgie|cinnamon|pantheon|ubuntu/i.test(`${env.XDG_CURRENT_DESKTOP ?? ''}:${env.DESKTOP_SESSION ?? ''}`);
}

/**
 * The OS proxy settings of `platform`, read live (only call it for the host's own platform): macOS
 * scutil, Windows reg query, GNOME gsettings inside a GNOME-family session; undefined elsewhere,
 * when the command is missing, fails, or misses its deadline.
 */
export async function readOsProxy(platform: Platform, env: Env, opts: { timeoutMs?: number; run?: RunCommand } = {}): Promise<OsProxySettings | undefined> {
  const run = opts.run ?? runCommand;
  const timeoutMs = opts.timeoutMs ?? 1500;
  if (platform === 'darwin') {
    const out = await run(['scutil', '--proxy'], timeoutMs);
    return out === undefined ? undefined : parseScutilProxy(out);
  }
  if (platform === 'win32') {
    const out = await run(['reg', 'query', WINDOWS_INTERNET_SETTINGS], timeoutMs);
    return out === undefined ? undefined : parseWindowsInternetSettings(out);
  }
  if (platform === 'linux' && gnomeSession(env)) {
    const out = await run(['gsettings', 'list-recursively', 'org.gnome.system.proxy'], timeoutMs);
    return out === undefined ? undefined : parseGsettingsProxy(out);
  }
  return undefined;
}
