// Parses one kubeconfig file the way client-go's clientcmd.LoadFromFile does:
// YAML 1.1 (go-yaml v2), first document only, strict JSON-like field types,
// base64 []byte fields, duplicate names in one list rejected, and relative file
// references resolved against the directory of the file.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { loadAll, Schema, YAML11_SCHEMA, timestampTag, YAMLException } from 'js-yaml';
import { KubeconfigError } from './errors.ts';
import { decodeStdBase64 } from './encoding.ts';

export interface RawExec {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  installHint?: string;
  provideClusterInfo: boolean;
  interactiveMode: string;
}

export interface RawCluster {
  origin: string;
  server?: string;
  tlsServerName?: string;
  insecureSkipTlsVerify: boolean;
  certificateAuthority?: string;
  certificateAuthorityData?: Buffer;
  proxyUrl?: string;
  disableCompression: boolean;
}

export interface RawUser {
  origin: string;
  clientCertificate?: string;
  clientCertificateData?: Buffer;
  clientKey?: string;
  clientKeyData?: Buffer;
  token?: string;
  tokenFile?: string;
  impersonate?: string;
  impersonateUid?: string;
  impersonateGroups: string[];
  impersonateUserExtra: Record<string, string[]>;
  username?: string;
  password?: string;
  authProviderName?: string;
  hasAuthProvider: boolean;
  exec?: RawExec;
}

export interface RawContext {
  origin: string;
  cluster?: string;
  user?: string;
  namespace?: string;
}

export interface RawConfig {
  path: string;
  currentContext?: string;
  clusters: Map<string, RawCluster>;
  users: Map<string, RawUser>;
  contexts: Map<string, RawContext>;
}

// go-yaml v2 resolves YAML 1.1 scalars (yes/no/on/off are booleans) but keeps
// timestamp-looking values as strings when decoding into interface{}.
const KUBECONFIG_YAML_SCHEMA = new Schema(YAML11_SCHEMA.tags.filter((t) => t !== timestampTag));

type Obj = Record<string, unknown>;

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'binary';
  if (typeof v === 'object') return 'mapping';
  return typeof v; // string, number, boolean, bigint
}

function isObj(v: unknown): v is Obj {
  return kindOf(v) === 'mapping';
}

/** Reads typed fields and throws KubeconfigError('invalid') naming the file and field. */
class Fields {
  readonly file: string;
  constructor(file: string) {
    this.file = file;
  }

  fail(where: string, message: string): never {
    throw new KubeconfigError('invalid', `error loading config file "${this.file}": ${where}: ${message}`, { path: this.file });
  }

  private typeError(where: string, want: string, got: unknown): never {
    this.fail(where, `must be ${want}, not ${article(kindOf(got))}`);
  }

  str(o: Obj, key: string, where: string): string | undefined {
    const v = o[key];
    if (v === null || v === undefined) return undefined;
    if (typeof v !== 'string') this.typeError(`${where}.${key}`, 'a string', v);
    return v === '' ? undefined : v;
  }

  bool(o: Obj, key: string, where: string): boolean {
    const v = o[key];
    if (v === null || v === undefined) return false;
    if (typeof v !== 'boolean') this.typeError(`${where}.${key}`, 'a boolean', v);
    return v;
  }

  bytes(o: Obj, key: string, where: string): Buffer | undefined {
    const v = o[key];
    if (v === null || v === undefined) return undefined;
    if (typeof v !== 'string') this.typeError(`${where}.${key}`, 'a base64 string', v);
    const decoded = decodeStdBase64(v);
    if (!decoded.ok) this.fail(`${where}.${key}`, `is not valid base64 (illegal base64 data at input byte ${decoded.offset})`);
    return decoded.data.length === 0 ? undefined : decoded.data;
  }

  strList(o: Obj, key: string, where: string): string[] {
    const v = o[key];
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) this.typeError(`${where}.${key}`, 'a list of strings', v);
    return v.map((item, i) => {
      if (item === null || item === undefined) return '';
      if (typeof item !== 'string') this.typeError(`${where}.${key}[${i}]`, 'a string', item);
      return item;
    });
  }

  obj(o: Obj, key: string, where: string): Obj | undefined {
    const v = o[key];
    if (v === null || v === undefined) return undefined;
    if (!isObj(v)) this.typeError(`${where}.${key}`, 'a mapping', v);
    return v;
  }

  list(o: Obj, key: string, where: string): unknown[] {
    const v = o[key];
    if (v === null || v === undefined) return [];
    if (!Array.isArray(v)) this.typeError(`${where}.${key}`, 'a list', v);
    return v;
  }
}

function article(kind: string): string {
  return /^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`;
}

function resolveRef(base: string, p: string | undefined): string | undefined {
  if (p === undefined || p === '') return undefined;
  return isAbsolute(p) ? p : resolve(base, p);
}

/**
 * Reads and parses one kubeconfig file. Throws a NodeJS errno error (untouched)
 * when the file cannot be read, so callers can tell "missing" from "unreadable".
 */
/**
 * The last parse of each file, reused while the file is unchanged (--all-contexts resolves one
 * context at a time from the same file): the same inode, size and modification time skip even the
 * read (200 reads of a 300 kB kubeconfig were ~250 ms of a fleet run); else the same text skips the parse.
 */
const parsed = new Map<string, { text: string; cfg: RawConfig; stamp?: string }>();

function stampOf(path: string): string | undefined {
  try {
    const st = statSync(path, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return undefined;
  }
}

export function readKubeconfigFile(path: string): RawConfig {
  const stamp = stampOf(path);
  const hit = parsed.get(path);
  if (hit && stamp !== undefined && hit.stamp === stamp) return hit.cfg;
  const text = readFileSync(path, 'utf8');
  if (hit && hit.text === text) {
    hit.stamp = stamp;
    return hit.cfg;
  }
  const cfg = parseKubeconfig(path, text);
  parsed.set(path, { text, cfg, stamp });
  return cfg;
}

export function parseKubeconfig(path: string, text: string): RawConfig {
  const f: Fields = new Fields(path);
  let docs: unknown[];
  try {
    docs = loadAll(text.replace(/^\uFEFF/, ''), { schema: KUBECONFIG_YAML_SCHEMA, json: true, filename: path });
  } catch (err) {
    if (err instanceof YAMLException) {
      const line = err.mark ? `line ${err.mark.line + 1}: ` : '';
      throw new KubeconfigError('invalid', `error loading config file "${path}": yaml: ${line}${err.reason}`, { path, cause: err });
    }
    throw new KubeconfigError('invalid', `error loading config file "${path}": ${err instanceof Error ? err.message : String(err)}`, { path, cause: err });
  }
  const doc = docs[0];
  const base = dirname(resolve(path));
  const cfg: RawConfig = { path, clusters: new Map(), users: new Map(), contexts: new Map() };
  if (doc === null || doc === undefined) return cfg;
  if (!isObj(doc)) f.fail('top level', `must be a mapping (a Config object), not ${article(kindOf(doc))}`);
  const top: Obj = doc;

  const apiVersion = f.str(top, 'apiVersion', 'Config') ?? 'v1';
  const kind = f.str(top, 'kind', 'Config') ?? 'Config';
  if (apiVersion !== 'v1' || kind !== 'Config') {
    f.fail('Config', `no kind "${kind}" is registered for version "${apiVersion}" (expected apiVersion: v1, kind: Config)`);
  }
  cfg.currentContext = f.str(top, 'current-context', 'Config');
  f.obj(top, 'preferences', 'Config');

  const named = (listKey: string, itemKey: string, each: (name: string, body: Obj, where: string) => void) => {
    const seen = new Set<string>();
    f.list(top, listKey, 'Config').forEach((item, i) => {
      const where = `${listKey}[${i}]`;
      if (item !== null && item !== undefined && !isObj(item)) f.fail(where, `must be a mapping, not ${article(kindOf(item))}`);
      const entry: Obj = item ?? {};
      const name = f.str(entry, 'name', where) ?? '';
      if (seen.has(name)) f.fail(listKey, `duplicate name "${name}" in list`);
      seen.add(name);
      const label = `${where} ("${name}")`;
      const body = f.obj(entry, itemKey, label) ?? {};
      each(name, body, `${label}.${itemKey}`);
    });
  };

  named('clusters', 'cluster', (name, c, where) => {
    const cluster: RawCluster = {
      origin: path,
      server: f.str(c, 'server', where),
      tlsServerName: f.str(c, 'tls-server-name', where),
      insecureSkipTlsVerify: f.bool(c, 'insecure-skip-tls-verify', where),
      certificateAuthority: resolveRef(base, f.str(c, 'certificate-authority', where)),
      certificateAuthorityData: f.bytes(c, 'certificate-authority-data', where),
      proxyUrl: f.str(c, 'proxy-url', where),
      disableCompression: f.bool(c, 'disable-compression', where),
    };
    f.list(c, 'extensions', where);
    cfg.clusters.set(name, cluster);
  });

  named('users', 'user', (name, u, where) => {
    const user: RawUser = {
      origin: path,
      clientCertificate: resolveRef(base, f.str(u, 'client-certificate', where)),
      clientCertificateData: f.bytes(u, 'client-certificate-data', where),
      clientKey: resolveRef(base, f.str(u, 'client-key', where)),
      clientKeyData: f.bytes(u, 'client-key-data', where),
      token: f.str(u, 'token', where),
      tokenFile: resolveRef(base, f.str(u, 'tokenFile', where)),
      impersonate: f.str(u, 'as', where),
      impersonateUid: f.str(u, 'as-uid', where),
      impersonateGroups: f.strList(u, 'as-groups', where),
      impersonateUserExtra: {},
      username: f.str(u, 'username', where),
      password: f.str(u, 'password', where),
      hasAuthProvider: false,
    };
    const extra = f.obj(u, 'as-user-extra', where);
    if (extra) for (const k of Object.keys(extra)) user.impersonateUserExtra[k] = f.strList(extra, k, `${where}.as-user-extra`);
    const ap = f.obj(u, 'auth-provider', where);
    if (ap) {
      user.hasAuthProvider = true;
      user.authProviderName = f.str(ap, 'name', `${where}.auth-provider`);
      const conf = f.obj(ap, 'config', `${where}.auth-provider`);
      // Values are checked for type only; they often hold tokens and are never kept.
      if (conf) for (const k of Object.keys(conf)) f.str(conf, k, `${where}.auth-provider.config`);
    }
    const ex = f.obj(u, 'exec', where);
    if (ex) {
      const w = `${where}.exec`;
      const apiVersion = f.str(ex, 'apiVersion', w) ?? '';
      let interactiveMode = f.str(ex, 'interactiveMode', w) ?? '';
      // client-go defaults interactiveMode to IfAvailable for the beta/alpha APIs only.
      if (interactiveMode === '' && (apiVersion === 'client.authentication.k8s.io/v1beta1' || apiVersion === 'client.authentication.k8s.io/v1alpha1')) {
        interactiveMode = 'IfAvailable';
      }
      let command = f.str(ex, 'command', w) ?? '';
      // Only a command containing a path separator is resolved relative to the file.
      if (command.includes('/')) command = resolveRef(base, command) ?? command;
      const env = f.list(ex, 'env', w).map((item, i) => {
        if (!isObj(item)) f.fail(`${w}.env[${i}]`, `must be a mapping, not ${article(kindOf(item))}`);
        return { name: f.str(item, 'name', `${w}.env[${i}]`) ?? '', value: f.str(item, 'value', `${w}.env[${i}]`) ?? '' };
      });
      user.exec = {
        command,
        args: f.strList(ex, 'args', w),
        env,
        apiVersion,
        installHint: f.str(ex, 'installHint', w),
        provideClusterInfo: f.bool(ex, 'provideClusterInfo', w),
        interactiveMode,
      };
    }
    cfg.users.set(name, user);
  });

  named('contexts', 'context', (name, c, where) => {
    cfg.contexts.set(name, {
      origin: path,
      cluster: f.str(c, 'cluster', where),
      user: f.str(c, 'user', where),
      namespace: f.str(c, 'namespace', where),
    });
  });

  return cfg;
}
