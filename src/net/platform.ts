// What differs between the platforms kubectl runs on, decided by a platform VALUE that is read from
// the running process in one place (hostPlatform) and passed down everywhere else, so that tests
// can reason as Windows or macOS on this Linux machine:
// - Windows environment variable names are case-insensitive (HTTPS_PROXY and https_proxy are one
//   variable, so Go's "HTTPS_PROXY, else https_proxy" precedence collapses);
// - KUBECONFIG is a filepath.SplitList: ';' on Windows (double quotes group), ':' elsewhere;
// - the home of ~/.kube/config is client-go's homedir.HomeDir (util/homedir/homedir.go): on
//   Windows the first of %HOME%, %HOMEDRIVE%%HOMEPATH%, %USERPROFILE% holding .kube\config, else
//   the first of %HOME%, %USERPROFILE%, %HOMEDRIVE%%HOMEPATH% that is a writable directory, else the
//   first that exists, else the first that is set; elsewhere $HOME.
import { statSync } from 'node:fs';
import { posix, win32 } from 'node:path';

export type Platform = NodeJS.Platform;
export type Env = Record<string, string | undefined>;

/** The platform this process runs on: the one place that reads it. */
export function hostPlatform(): Platform {
  return process.platform;
}

/** node:path of the platform (win32 paths on Windows even when reasoning about it from Linux). */
export function pathsOf(platform: Platform): typeof posix {
  return platform === 'win32' ? win32 : posix;
}

const VIEWS = new WeakSet<object>();

/**
 * The environment as a program on `platform` sees it. On Windows a lookup ignores case: the first
 * name in the object that matches case-insensitively answers (Windows keeps one variable per
 * case-folded name; its environment block is sorted case-insensitively, so the first is the one).
 * Elsewhere the object itself. Keys list each variable once, under the name it was set with.
 */
export function platformEnv(env: Env, platform: Platform): Env {
  if (platform !== 'win32' || VIEWS.has(env)) return env;
  const find = (name: string): string | undefined => {
    const upper = name.toUpperCase();
    return Object.keys(env).find((k) => k.toUpperCase() === upper);
  };
  const keys = (): string[] => {
    const seen = new Set<string>();
    const out: string[] = [];
    for (const k of Object.keys(env)) {
      const u = k.toUpperCase();
      if (seen.has(u)) continue;
      seen.add(u);
      out.push(k);
    }
    return out;
  };
  const view = new Proxy(env, {
    get(target, p) {
      if (typeof p !== 'string') return Reflect.get(target, p);
      const k = find(p);
      return k === undefined ? undefined : target[k];
    },
    has(target, p) {
      return typeof p === 'string' ? find(p) !== undefined : Reflect.has(target, p);
    },
    ownKeys: () => keys(),
    getOwnPropertyDescriptor(target, p) {
      if (typeof p !== 'string') return Reflect.getOwnPropertyDescriptor(target, p);
      const k = find(p);
      if (k === undefined || !keys().includes(k)) return undefined;
      return { value: target[k], writable: true, enumerable: true, configurable: true };
    },
  });
  VIEWS.add(view);
  return view;
}

/** The one value of a variable on `platform` and the name it was set under. */
export function lookupEnv(env: Env, name: string, platform: Platform): { name: string; value: string } | undefined {
  if (platform !== 'win32') {
    const v = env[name];
    return v === undefined ? undefined : { name, value: v };
  }
  const upper = name.toUpperCase();
  const k = Object.keys(env).find((key) => key.toUpperCase() === upper);
  const v = k === undefined ? undefined : env[k];
  return k === undefined || v === undefined ? undefined : { name: k, value: v };
}

/** Go's filepath.SplitList: ';' on Windows, where double quotes group (and are removed); ':' elsewhere. Empty entries stay. */
export function splitPathList(value: string, platform: Platform): string[] {
  if (value === '') return [];
  if (platform !== 'win32') return value.split(':');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (const c of value) {
    if (c === '"') quoted = !quoted;
    else if (c === ';' && !quoted) {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

export interface HomeProbe {
  /** undefined when the path does not exist */
  stat(path: string): { isDirectory: boolean; ownerWritable: boolean } | undefined;
}

const fsProbe: HomeProbe = {
  stat(path) {
    try {
      const s = statSync(path);
      return { isDirectory: s.isDirectory(), ownerWritable: (s.mode & 0o200) !== 0 };
    } catch {
      return undefined;
    }
  },
};

/**
 * client-go's homedir.HomeDir() for `platform` (see the top of this file); undefined when it finds
 * nothing (the caller keeps its own home). `probe` stats paths (tests record a file system).
 */
export function kubeHomeDir(env: Env, platform: Platform, probe: HomeProbe = fsProbe): string | undefined {
  if (platform !== 'win32') return env.HOME || undefined;
  const e = platformEnv(env, platform);
  const home = e.HOME ?? '';
  const drive = e.HOMEDRIVE ?? '';
  const path = e.HOMEPATH ?? '';
  const driveHome = drive !== '' && path !== '' ? drive + path : '';
  const profile = e.USERPROFILE ?? '';
  for (const p of [home, driveHome, profile]) {
    if (p !== '' && probe.stat(win32.join(p, '.kube', 'config'))) return p;
  }
  let firstSet = '';
  let firstExisting = '';
  for (const p of [home, profile, driveHome]) {
    if (p === '') continue;
    if (firstSet === '') firstSet = p;
    const s = probe.stat(p);
    if (!s) continue;
    if (firstExisting === '') firstExisting = p;
    if (s.isDirectory && s.ownerWritable) return p;
  }
  return firstExisting || firstSet || undefined;
}

/** The hosts file the resolver reads on `platform` when it is not /etc/hosts: %SystemRoot%\System32\drivers\etc\hosts on Windows. */
export function hostsFileOf(platform: Platform, env: Env): string | undefined {
  if (platform !== 'win32') return undefined;
  const root = platformEnv(env, platform).SYSTEMROOT || 'C:\\Windows';
  return win32.join(root, 'System32', 'drivers', 'etc', 'hosts');
}
