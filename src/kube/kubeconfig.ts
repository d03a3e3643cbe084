// kubectl's kubeconfig loading rules (client-go clientcmd: loader.go, merged
// config, client_config.go, validation.go, in-cluster config), done without
// client-node's loadFromDefault, which throws on duplicate names across files,
// fails on a missing listed file, lets the last current-context win and
// ignores proxy-url.
//
// Behaviour verified against kubectl 1.32 (see test/unit/kube):
// - --kubeconfig alone wins and must exist; else KUBECONFIG (':'-separated, ';' on Windows,
//   empty entries ignored, duplicates dropped, missing files skipped, other
//   read or parse errors fatal); else ~/.kube/config (missing is fine).
// - Maps merge by name with the FIRST file winning the whole stanza;
//   current-context: first file that sets it.
// - Relative certificate-authority, client-certificate, client-key, tokenFile
//   and exec command (if it contains '/') resolve against the defining file.
// - A context/cluster/user reference that does not exist (without a flag) is
//   not an error: kubectl silently falls back to http://localhost:8080.
// - If the result equals that default, and the in-cluster service account is
//   present, the in-cluster config is used instead.
// - Credentials and TLS settings are only used for https servers.
import { statSync, readFileSync, openSync, closeSync } from 'node:fs';
import { join, resolve as resolvePath } from 'node:path';
import { KubeconfigError, describeFsError, oneLine } from './errors.ts';
import type { KubeconfigErrorCode } from './errors.ts';
import { parseCertificates, parsePrivateKey, pemBlocks } from './encoding.ts';
import { readKubeconfigFile } from './parse.ts';
import type { RawCluster, RawConfig, RawContext, RawUser } from './parse.ts';
import { joinHostPort } from '../net/ip.ts';
import { redactUrl } from '../report/redact.ts';
import type { Platform } from '../net/platform.ts';
import { defaultKubeconfigFiles } from './kubeconfig-files.ts';

export { KubeconfigError, defaultKubeconfigFiles };
export type { KubeconfigErrorCode };

export interface KubeconfigOptions {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  env: Record<string, string | undefined>;
  homeDir: string;
  inClusterRoot?: string;
  /** The platform whose rules apply (KUBECONFIG separator, home, variable-name case); default: this host's. */
  platform?: Platform;
}

export type KubeconfigSource = 'flag' | 'KUBECONFIG' | 'default' | 'in-cluster' | 'none';
export interface KubeconfigFile { path: string; loaded: boolean; error?: string }
export type AuthKind = 'token' | 'tokenFile' | 'client-certificate' | 'exec' | 'basic' | 'auth-provider' | 'none';
export interface ExecConfig {
  command: string;
  args: string[];
  env: { name: string; value: string }[];
  apiVersion: string;
  installHint?: string;
  provideClusterInfo?: boolean;
  interactiveMode?: string;
}

export interface ResolvedKubeconfig {
  source: KubeconfigSource;
  /** Where kubeconfig files were looked for (even when none loaded or in-cluster won). */
  filesFrom: 'flag' | 'KUBECONFIG' | 'default';
  files: KubeconfigFile[];
  contextName?: string;
  clusterName?: string;
  userName?: string;
  namespace: string;
  namespaceSource: 'flag' | 'context' | 'in-cluster' | 'default';
  cluster: {
    server: string;
    /** The scheme kubectl will dial: a server without a scheme is plain http. Credentials and TLS settings apply to https only. */
    scheme: 'https' | 'http';
    caPem?: string;
    caSource: 'certificate-authority-data' | `file:${string}` | 'in-cluster' | 'system';
    insecureSkipTlsVerify: boolean;
    tlsServerName?: string;
    proxyUrl?: string;
    disableCompression?: boolean;
  };
  user: {
    authKind: AuthKind;
    token?: string;
    tokenFile?: string;
    clientCertPem?: string;
    clientKeyPem?: string;
    clientCertSource?: string;
    clientKeySource?: string;
    exec?: ExecConfig;
    username?: string;
    password?: string;
    authProviderName?: string;
    impersonate?: { user: string; uid?: string; groups: string[]; extra: Record<string, string[]> };
  };
  /** The in-cluster service account files, when in-cluster config was used. */
  inCluster?: { tokenPath: string; caPath: string; namespacePath: string };
  localhostFallback: boolean;
  /** with localhostFallback, when a kubeconfig was read: why it selects no server */
  fallbackReason?: string;
  warnings: string[];
}

export const DEFAULT_SERVER = 'http://localhost:8080';
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const EXEC_API_VERSIONS = ['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'];

interface Merged {
  currentContext?: string;
  currentContextOrigin?: string;
  clusters: Map<string, RawCluster>;
  users: Map<string, RawUser>;
  contexts: Map<string, RawContext>;
}

function nonEmpty(s: string | undefined): string | undefined {
  return s === undefined || s === '' ? undefined : s;
}

function isNotExist(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}

/** Lists the files kubectl would consider, in order. */
function candidateFiles(opts: KubeconfigOptions): { from: 'flag' | 'KUBECONFIG' | 'default'; paths: string[] } {
  const flag = nonEmpty(opts.kubeconfig);
  if (flag) return { from: 'flag', paths: [flag] };
  return defaultKubeconfigFiles(opts);
}

function loadFiles(opts: KubeconfigOptions): { from: 'flag' | 'KUBECONFIG' | 'default'; files: KubeconfigFile[]; configs: RawConfig[] } {
  const { from, paths } = candidateFiles(opts);
  const files: KubeconfigFile[] = [];
  const configs: RawConfig[] = [];
  for (const given of paths) {
    const path = resolvePath(given);
    if (from === 'flag') {
      // kubectl: os.Stat on the explicit path; a missing file is an error.
      try {
        statSync(path);
      } catch (err) {
        throw new KubeconfigError('missing', `kubeconfig file given with --kubeconfig cannot be read: ${describeFsError('stat', path, err)}`, { path, cause: err });
      }
    }
    let cfg: RawConfig;
    try {
      cfg = readKubeconfigFile(path);
    } catch (err) {
      if (err instanceof KubeconfigError) throw err;
      if (isNotExist(err) && from !== 'flag') {
        files.push({ path, loaded: false, error: 'not found' });
        continue;
      }
      throw new KubeconfigError('missing', `error loading config file "${path}": ${describeFsError('read', path, err)}`, { path, cause: err });
    }
    files.push({ path, loaded: true });
    configs.push(cfg);
  }
  return { from, files, configs };
}

/** The last merge, reused for the same parsed files (a fleet resolves every context from them). */
let lastMerge: { configs: RawConfig[]; merged: Merged } | undefined;

/** First file wins, for every map entry as a whole and for current-context. */
function merge(configs: RawConfig[]): Merged {
  const last = lastMerge;
  if (last && last.configs.length === configs.length && last.configs.every((c, i) => c === configs[i])) return last.merged;
  const merged = mergeNow(configs);
  lastMerge = { configs, merged };
  return merged;
}

function mergeNow(configs: RawConfig[]): Merged {
  const m: Merged = { clusters: new Map(), users: new Map(), contexts: new Map() };
  for (const c of configs) {
    if (m.currentContext === undefined && c.currentContext) {
      m.currentContext = c.currentContext;
      m.currentContextOrigin = c.path;
    }
    for (const [k, v] of c.clusters) if (!m.clusters.has(k)) m.clusters.set(k, v);
    for (const [k, v] of c.users) if (!m.users.has(k)) m.users.set(k, v);
    for (const [k, v] of c.contexts) if (!m.contexts.has(k)) m.contexts.set(k, v);
  }
  return m;
}

function fail(code: KubeconfigErrorCode, message: string, path?: string, cause?: unknown): never {
  throw new KubeconfigError(code, message, { path, cause });
}

/** Go's url.Parse is lenient; this mirrors what matters: a scheme followed by ':'. */
function urlScheme(u: string): string | undefined {
  const m = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(u);
  return m ? m[1]!.toLowerCase() : undefined;
}

/**
 * The URL kubectl dials for a cluster's server (client-go's DefaultServerURL): one without
 * "scheme://" ("10.0.0.1:6443", "localhost:6443") gets http:// in front (kubectl 1.32 dials http
 * even when the cluster sets a CA or insecure-skip-tls-verify: checked), and then may not have a path.
 */
function dialledServer(raw: string, clusterName: string, origin: string): string {
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(raw)) return raw;
  const candidate = `http://${raw}`;
  // unparsable, or with a path: client-go refuses both (a parse error, or these words)
  if (!URL.canParse(candidate) || new URL(candidate).pathname !== '/') {
    fail('invalid', `host must be a URL or a host:port pair: "${redactUrl(raw)}" (the server of cluster "${clusterName}" in ${origin})`, origin);
  }
  return candidate;
}

function checkReadable(path: string): unknown {
  try {
    closeSync(openSync(path, 'r'));
    return undefined;
  } catch (err) {
    return err;
  }
}

function readFileText(path: string, what: string, owner: string, origin: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    fail('missing', `unable to read ${what} ${path} for ${owner} (from ${origin}): ${describeFsError('open', path, err)}`, path, err);
  }
}

// --- validation, as client-go's ConfirmUsable does for the selected cluster and user ---

function validateCluster(name: string, c: EffectiveCluster): void {
  const label = name === '' ? 'the default cluster' : `cluster "${name}"`;
  if (c.proxyUrl) {
    const scheme = urlScheme(c.proxyUrl);
    if (!scheme || !['http', 'https', 'socks5'].includes(scheme)) {
      fail('invalid', `invalid 'proxy-url' "${redactUrl(c.proxyUrl)}" for ${label} (in ${c.origin}): unsupported scheme "${scheme ?? ''}", must be http, https, or socks5`, c.origin);
    }
  }
  if (c.caFile && c.caData) {
    fail('invalid', `certificate-authority-data and certificate-authority are both specified for ${name} (in ${c.origin}). certificate-authority-data will override.`, c.origin);
  }
  if (c.caFile) {
    const err = checkReadable(c.caFile);
    if (err) fail('missing', `unable to read certificate-authority ${c.caFile} for ${name} (from ${c.origin}) due to ${describeFsError('open', c.caFile, err)}`, c.caFile, err);
  }
}

function validateUser(name: string, u: RawUser | undefined): void {
  if (!u) return;
  const where = `${name} (in ${u.origin})`;
  if (u.clientCertificate || u.clientCertificateData) {
    if (u.clientCertificate && u.clientCertificateData) {
      fail('invalid', `client-cert-data and client-cert are both specified for ${where}. client-cert-data will override.`, u.origin);
    }
    if (u.clientKey && u.clientKeyData) {
      fail('invalid', `client-key-data and client-key are both specified for ${where}; client-key-data will override`, u.origin);
    }
    if (!u.clientKey && !u.clientKeyData) {
      fail('invalid', `client-key-data or client-key must be specified for ${where} to use the clientCert authentication method.`, u.origin);
    }
    if (u.clientCertificate) {
      const err = checkReadable(u.clientCertificate);
      if (err) fail('missing', `unable to read client-cert ${u.clientCertificate} for ${name} via ${u.origin} due to ${describeFsError('open', u.clientCertificate, err)}`, u.clientCertificate, err);
    }
    if (u.clientKey) {
      const err = checkReadable(u.clientKey);
      if (err) fail('missing', `unable to read client-key ${u.clientKey} for ${name} via ${u.origin} due to ${describeFsError('open', u.clientKey, err)}`, u.clientKey, err);
    }
  }
  if (u.exec) {
    if (u.hasAuthProvider) fail('invalid', `authProvider cannot be provided in combination with an exec plugin for ${where}`, u.origin);
    if (!u.exec.command) fail('invalid', `command must be specified for ${where} to use exec authentication plugin`, u.origin);
    if (!u.exec.apiVersion) fail('invalid', `apiVersion must be specified for ${where} to use exec authentication plugin`, u.origin);
    if (u.exec.env.some((e) => e.name === '')) fail('invalid', `env variable name must be specified for ${where} to use exec authentication plugin`, u.origin);
    const mode = u.exec.interactiveMode;
    if (mode === '') fail('invalid', `interactiveMode must be specified for ${where} to use exec authentication plugin`, u.origin);
    if (!['Never', 'IfAvailable', 'Always'].includes(mode)) fail('invalid', `invalid interactiveMode for ${where}: "${mode}"`, u.origin);
  }
  if ((u.token || u.tokenFile) && (u.username || u.password)) {
    fail('invalid', `more than one authentication method found for ${where}; found [token basicAuth], only one is allowed`, u.origin);
  }
  if (!u.impersonate && (u.impersonateUid || u.impersonateGroups.length > 0 || Object.keys(u.impersonateUserExtra).length > 0)) {
    fail('invalid', `requesting uid, groups or user-extra for ${where} without impersonating a user`, u.origin);
  }
}

interface EffectiveCluster {
  origin: string;
  server?: string;
  tlsServerName?: string;
  insecure: boolean;
  caFile?: string;
  caData?: Buffer;
  proxyUrl?: string;
  disableCompression: boolean;
}

function effectiveCluster(raw: RawCluster | undefined, opts: KubeconfigOptions, fallbackOrigin: string): EffectiveCluster {
  const c: EffectiveCluster = {
    origin: raw?.origin ?? fallbackOrigin,
    server: raw?.server,
    tlsServerName: raw?.tlsServerName,
    insecure: raw?.insecureSkipTlsVerify ?? false,
    caFile: raw?.certificateAuthority,
    caData: raw?.certificateAuthorityData,
    proxyUrl: raw?.proxyUrl,
    disableCompression: raw?.disableCompression ?? false,
  };
  const server = nonEmpty(opts.server);
  if (server) c.server = server;
  // --insecure-skip-tls-verify clears any CA (otherwise kubectl would refuse "CA and insecure").
  if (opts.insecureSkipTlsVerify) {
    c.insecure = true;
    c.caFile = undefined;
    c.caData = undefined;
  }
  // --server without --tls-server-name also clears the kubeconfig's tls-server-name.
  const tsn = nonEmpty(opts.tlsServerName);
  if (tsn || server) c.tlsServerName = tsn;
  return c;
}

function schemeOf(server: string): 'https' | 'http' {
  return urlScheme(server) === 'https' ? 'https' : 'http';
}

function inClusterPaths(root: string): { tokenPath: string; caPath: string; namespacePath: string } {
  const dir = join(root, SERVICE_ACCOUNT_DIR);
  return { tokenPath: join(dir, 'token'), caPath: join(dir, 'ca.crt'), namespacePath: join(dir, 'namespace') };
}

function inClusterPossible(opts: KubeconfigOptions): boolean {
  if (!opts.env.KUBERNETES_SERVICE_HOST || !opts.env.KUBERNETES_SERVICE_PORT) return false;
  try {
    return !statSync(inClusterPaths(opts.inClusterRoot ?? '/').tokenPath).isDirectory();
  } catch {
    return false;
  }
}

/** The namespace of the pod: POD_NAMESPACE, else the service account namespace file, else undefined. */
function inClusterNamespace(opts: KubeconfigOptions): string | undefined {
  const env = nonEmpty(opts.env.POD_NAMESPACE);
  if (env) return env;
  try {
    return nonEmpty(readFileSync(inClusterPaths(opts.inClusterRoot ?? '/').namespacePath, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** CA texts already seen to hold a certificate (a fleet resolves the same CA for many contexts). */
const validCaPems = new Set<string>();

function loadCaPem(pem: string, source: string, label: string): string {
  if (validCaPems.has(pem)) return pem;
  if (parseCertificates(pem).length > 0) {
    if (validCaPems.size < 256) validCaPems.add(pem);
    return pem;
  }
  fail('invalid', `unable to load root certificates for ${label}: ${source} is not a PEM certificate bundle (unable to parse bytes as PEM block)`);
}

export function loadKubeconfig(opts: KubeconfigOptions): ResolvedKubeconfig {
  const warnings: string[] = [];
  const { from, files, configs } = loadFiles(opts);
  const merged = merge(configs);
  if (from === 'KUBECONFIG' && configs.length === 0 && files.length > 0) {
    warnings.push(`Config not found: ${files.map((f) => f.path).join(', ')} (every file listed in KUBECONFIG is missing)`);
  }

  // Selection, in client-go's order: auth info, context, cluster.
  const contextFlag = nonEmpty(opts.context);
  const contextName = contextFlag ?? merged.currentContext ?? '';
  const context = merged.contexts.get(contextName);

  const userFlag = nonEmpty(opts.user);
  const userName = userFlag ?? context?.user ?? '';
  const rawUser = merged.users.get(userName);
  if (!rawUser && userFlag) fail('unknown-user', `auth info "${userName}" does not exist`);

  if (!context && contextFlag) fail('unknown-context', `context "${contextName}" does not exist`);

  const clusterFlag = nonEmpty(opts.cluster);
  const clusterName = clusterFlag ?? context?.cluster ?? '';
  const rawCluster = merged.clusters.get(clusterName);
  if (!rawCluster && clusterFlag) fail('unknown-cluster', `cluster "${clusterName}" does not exist`);

  // ConfirmUsable
  if (contextName !== '' && !context) {
    fail('unknown-context', `context was not found for specified context: ${contextName} (current-context in ${merged.currentContextOrigin ?? 'kubeconfig'})`, merged.currentContextOrigin);
  }
  const fallbackOrigin = files.find((f) => f.loaded)?.path ?? 'kubeconfig';
  const eff = effectiveCluster(rawCluster, opts, fallbackOrigin);
  validateUser(userName, rawUser);
  validateCluster(clusterName, eff);

  const serverFromDefault = !eff.server;
  const server = eff.server === undefined ? DEFAULT_SERVER : dialledServer(eff.server, clusterName, eff.origin);

  // Equal to client-go's default config (only the host matters for an http server) => try in-cluster.
  const isDefault = server === DEFAULT_SERVER && !eff.proxyUrl && !eff.disableCompression && !rawUser?.impersonate;
  const icPossible = inClusterPossible(opts);

  // Namespace: -n > context > in-cluster (POD_NAMESPACE, namespace file) > default.
  let namespace = 'default';
  let namespaceSource: ResolvedKubeconfig['namespaceSource'] = 'default';
  const nsFlag = nonEmpty(opts.namespace);
  if (nsFlag) {
    namespace = nsFlag;
    namespaceSource = 'flag';
  } else if (context?.namespace) {
    namespace = context.namespace;
    namespaceSource = 'context';
  } else if (icPossible) {
    const ns = inClusterNamespace(opts);
    if (ns) {
      namespace = ns;
      namespaceSource = 'in-cluster';
    }
  }

  if (isDefault && icPossible) {
    return resolveInCluster(opts, from, files, namespace, namespaceSource, warnings);
  }

  const scheme = schemeOf(server);
  const resolved: ResolvedKubeconfig = {
    source: configs.length > 0 ? from : 'none',
    filesFrom: from,
    files,
    namespace,
    namespaceSource,
    cluster: {
      server,
      scheme,
      caSource: 'system',
      insecureSkipTlsVerify: eff.insecure,
    },
    user: { authKind: 'none' },
    localhostFallback: serverFromDefault,
    warnings,
  };
  if (contextName) resolved.contextName = contextName;
  if (clusterName) resolved.clusterName = clusterName;
  if (userName) resolved.userName = userName;
  if (eff.tlsServerName) resolved.cluster.tlsServerName = eff.tlsServerName;
  if (eff.proxyUrl) resolved.cluster.proxyUrl = eff.proxyUrl;
  if (eff.disableCompression) resolved.cluster.disableCompression = true;

  // Why kubectl would dial localhost:8080.
  if (serverFromDefault) {
    const reason =
      configs.length === 0
        ? undefined
        : contextName === ''
          ? 'no current-context is set and no --context was given'
          : clusterName === ''
            ? `context "${contextName}" names no cluster`
            : !rawCluster
              ? `context "${contextName}" refers to cluster "${clusterName}", which is not defined in any kubeconfig file`
              : `cluster "${clusterName}" has no server`;
    if (reason) resolved.fallbackReason = reason;
    warnings.push(`${reason ?? `no kubeconfig found (${describeFiles(files)}) and no in-cluster service account`}: kubectl would silently use ${DEFAULT_SERVER}`);
  }
  if (context && userName !== '' && !rawUser) {
    warnings.push(`context "${contextName}" refers to user "${userName}", which is not defined in any kubeconfig file: no credentials will be sent`);
  }
  if (!serverFromDefault && server !== eff.server) {
    const shown = redactUrl(eff.server!);
    warnings.push(`server "${shown}" has no scheme: kubectl dials it as plain http://${shown}`);
  }

  const https = scheme === 'https';
  const clusterLabel = clusterName === '' ? 'the default cluster' : `cluster "${clusterName}"`;

  // Cluster CA.
  if (eff.caData) {
    resolved.cluster.caSource = 'certificate-authority-data';
    const pem = eff.caData.toString('utf8');
    resolved.cluster.caPem = https ? loadCaPem(pem, `certificate-authority-data (in ${eff.origin})`, clusterLabel) : pem;
  } else if (eff.caFile) {
    resolved.cluster.caSource = `file:${eff.caFile}`;
    const pem = readFileText(eff.caFile, 'certificate-authority', clusterLabel, eff.origin);
    resolved.cluster.caPem = https ? loadCaPem(pem, `certificate-authority file ${eff.caFile}`, clusterLabel) : pem;
  }
  if (https && eff.insecure && resolved.cluster.caPem !== undefined) {
    fail('invalid', `specifying a root certificates file with the insecure flag is not allowed: ${clusterLabel} (in ${eff.origin}) sets both insecure-skip-tls-verify and a certificate authority`, eff.origin);
  }
  if (https && eff.insecure) {
    warnings.push(`TLS verification is disabled for ${clusterLabel} (insecure-skip-tls-verify${opts.insecureSkipTlsVerify ? ' flag' : ''})`);
  }

  // User.
  if (rawUser) fillUser(resolved, userName, rawUser, https, warnings);
  return resolved;
}

function fillUser(resolved: ResolvedKubeconfig, userName: string, u: RawUser, https: boolean, warnings: string[]): void {
  const out = resolved.user;
  const label = `user "${userName}"`;
  if (u.token) out.token = u.token;
  if (u.tokenFile) out.tokenFile = u.tokenFile;
  if (u.username) out.username = u.username;
  if (u.password) out.password = u.password;
  if (u.authProviderName) out.authProviderName = u.authProviderName;
  if (u.impersonate) out.impersonate = { user: u.impersonate, groups: u.impersonateGroups, extra: u.impersonateUserExtra, ...(u.impersonateUid ? { uid: u.impersonateUid } : {}) };
  if (u.exec) {
    const e = u.exec;
    out.exec = { command: e.command, args: e.args, env: e.env, apiVersion: e.apiVersion, provideClusterInfo: e.provideClusterInfo, interactiveMode: e.interactiveMode };
    if (e.installHint) out.exec.installHint = e.installHint;
  }

  const hasCert = Boolean(u.clientCertificate || u.clientCertificateData);
  if (hasCert) {
    out.clientCertSource = u.clientCertificateData ? 'client-certificate-data' : `file:${u.clientCertificate}`;
    out.clientKeySource = u.clientKeyData ? 'client-key-data' : `file:${u.clientKey}`;
    const certPem = u.clientCertificateData ? u.clientCertificateData.toString('utf8') : readFileText(u.clientCertificate!, 'client-cert', label, u.origin);
    const keyPem = u.clientKeyData ? u.clientKeyData.toString('utf8') : readFileText(u.clientKey!, 'client-key', label, u.origin);
    if (https) validateKeyPair(certPem, keyPem, out.clientCertSource, out.clientKeySource, label, u.origin);
    out.clientCertPem = certPem;
    out.clientKeyPem = keyPem;
  }

  if (u.token || u.tokenFile) out.authKind = u.tokenFile ? 'tokenFile' : 'token';
  else if (hasCert) out.authKind = 'client-certificate';
  else if (u.username || u.password) out.authKind = 'basic';
  else if (u.exec) out.authKind = 'exec';
  else if (u.hasAuthProvider) out.authKind = 'auth-provider';

  // kubectl reads a token file when building the client (https only) and fails if it cannot.
  if (https && u.tokenFile && !u.token) {
    const err = checkReadable(u.tokenFile);
    if (err) fail('missing', `unable to read tokenFile ${u.tokenFile} for ${label} via ${u.origin}: ${describeFsError('open', u.tokenFile, err)}`, u.tokenFile, err);
  }

  if (!https && out.authKind !== 'none') {
    warnings.push(`server ${redactUrl(resolved.cluster.server)} is not https: kubectl sends no credentials (${out.authKind} of ${label} is ignored)`);
  }
  if (u.exec && out.authKind !== 'exec') {
    warnings.push(`${label} has an exec plugin but also ${out.authKind} credentials: kubectl does not run the plugin`);
  }
  if (u.exec && out.authKind === 'exec' && !EXEC_API_VERSIONS.includes(u.exec.apiVersion)) {
    warnings.push(`exec plugin of ${label} uses apiVersion "${u.exec.apiVersion}", which kubectl 1.32 does not support (use client.authentication.k8s.io/v1 or v1beta1)`);
  }
  if (u.exec && out.authKind === 'exec' && u.exec.interactiveMode === 'Always') {
    warnings.push(`exec plugin of ${label} has interactiveMode Always: it needs a terminal and cannot run non-interactively`);
  }
  if (out.authKind === 'auth-provider') {
    warnings.push(`${label} uses auth-provider "${u.authProviderName ?? ''}": auth providers are deprecated (gcp and azure were removed from kubectl 1.26); credentials from it cannot be obtained here`);
  }
}

function validateKeyPair(certPem: string, keyPem: string, certSource: string, keySource: string, label: string, origin: string): void {
  const certs = parseCertificates(certPem);
  if (certs.length === 0) {
    fail('invalid', `client certificate for ${label} (${certSource}, in ${origin}) is not valid: tls: failed to find any PEM data in certificate input`, origin);
  }
  const key = parsePrivateKey(keyPem);
  if (!key) {
    const why = pemBlocks(keyPem).length === 0 ? 'tls: failed to find any PEM data in key input' : 'tls: failed to parse private key';
    fail('invalid', `client key for ${label} (${keySource}, in ${origin}) is not valid: ${why}`, origin);
  }
  if (!certs[0]!.checkPrivateKey(key)) {
    fail('invalid', `client certificate and key for ${label} (in ${origin}) do not match: tls: private key does not match public key`, origin);
  }
}

function resolveInCluster(
  opts: KubeconfigOptions,
  from: 'flag' | 'KUBECONFIG' | 'default',
  files: KubeconfigFile[],
  namespace: string,
  namespaceSource: ResolvedKubeconfig['namespaceSource'],
  warnings: string[],
): ResolvedKubeconfig {
  const paths = inClusterPaths(opts.inClusterRoot ?? '/');
  const host = opts.env.KUBERNETES_SERVICE_HOST!;
  const port = opts.env.KUBERNETES_SERVICE_PORT!;
  const server = nonEmpty(opts.server) ?? `https://${joinHostPort(host, port)}`;
  const err = checkReadable(paths.tokenPath);
  if (err) fail('missing', `unable to read in-cluster service account token: ${describeFsError('open', paths.tokenPath, err)}`, paths.tokenPath, err);

  const resolved: ResolvedKubeconfig = {
    source: 'in-cluster',
    filesFrom: from,
    files,
    namespace,
    namespaceSource,
    cluster: { server, scheme: schemeOf(server), caSource: 'system', insecureSkipTlsVerify: false },
    user: { authKind: 'tokenFile', tokenFile: paths.tokenPath },
    inCluster: paths,
    localhostFallback: false,
    warnings,
  };
  let caText: string | undefined;
  try {
    caText = readFileSync(paths.caPath, 'utf8');
  } catch (e) {
    warnings.push(`in-cluster CA ${paths.caPath} cannot be read (${describeFsError('open', paths.caPath, e)}): the system trust store is used instead`);
  }
  if (caText !== undefined) {
    if (parseCertificates(caText).length > 0) {
      resolved.cluster.caPem = caText;
      resolved.cluster.caSource = 'in-cluster';
    } else {
      warnings.push(`in-cluster CA ${paths.caPath} holds no PEM certificate: the system trust store is used instead`);
    }
  }
  if (opts.insecureSkipTlsVerify || nonEmpty(opts.tlsServerName)) {
    warnings.push('--insecure-skip-tls-verify and --tls-server-name are ignored by kubectl for the in-cluster configuration');
  }
  return resolved;
}

function describeFiles(files: KubeconfigFile[]): string {
  if (files.length === 0) return 'no files';
  return files
    .map((f) => `${f.path} (${f.loaded ? 'loaded' : f.error === 'not found' ? 'missing, skipped' : `skipped: ${f.error ?? 'not loaded'}`})`)
    .join(', ');
}

/**
 * Why kubectl would fall back to http://localhost:8080: no kubeconfig at all, or one that was read
 * but selects no server (no current-context, a context without a cluster or naming an undefined
 * one, a cluster without a server). kubectl 1.32 falls back silently in each case (checked).
 */
export function localhostFallbackWhy(k: Pick<ResolvedKubeconfig, 'files' | 'fallbackReason'>): { summary: string; message: string } {
  // fallbackReason is set only when a kubeconfig file was read
  const loaded = k.files.filter((f) => f.loaded).map((f) => f.path);
  if (!k.fallbackReason) {
    return {
      summary: 'no kubeconfig found: kubectl would dial http://localhost:8080',
      message: 'No kubeconfig was found (no --kubeconfig, KUBECONFIG, ~/.kube/config or in-cluster service account): kubectl would silently dial http://localhost:8080.',
    };
  }
  const what = loaded.length === 1 ? `The kubeconfig ${loaded[0]} was read` : `The kubeconfig files ${loaded.join(', ')} were read`;
  return {
    summary: 'the kubeconfig selects no server: kubectl would dial http://localhost:8080',
    message: `${what}, but ${k.fallbackReason}: kubectl would silently dial http://localhost:8080.`,
  };
}

/** One line for humans: "KUBECONFIG: /a (loaded), /b (missing, skipped)". */
export function describeMerge(resolved: ResolvedKubeconfig): string {
  const label = resolved.filesFrom === 'flag' ? '--kubeconfig' : resolved.filesFrom === 'KUBECONFIG' ? 'KUBECONFIG' : '~/.kube/config';
  const files = `${label}: ${describeFiles(resolved.files)}`;
  if (resolved.source === 'in-cluster') {
    const token = resolved.inCluster?.tokenPath ?? 'service account token';
    return oneLine(`in-cluster service account (${redactUrl(resolved.cluster.server)}, token ${token}); ${files}`);
  }
  if (resolved.localhostFallback) {
    return oneLine(`${files}; nothing selects a server, so kubectl would use ${DEFAULT_SERVER}`);
  }
  return oneLine(files);
}

/**
 * The contexts `kubectl config get-contexts -o name` lists (sorted, as kubectl sorts them), from the
 * same files merged with the same rules as loadKubeconfig (first file wins), and the context in use:
 * --context, else current-context. Throws KubeconfigError when a file cannot be read or parsed.
 * The TUI's context switcher (`x`) offers these.
 */
export function listContexts(opts: KubeconfigOptions): { names: string[]; current?: string } {
  const { configs } = loadFiles(opts);
  const merged = merge(configs);
  return { names: [...merged.contexts.keys()].sort(), current: nonEmpty(opts.context) ?? merged.currentContext };
}

/**
 * The contexts whose user runs an exec credential plugin (or an auth provider): a fleet run starts
 * them first, as a plugin can take up to --timeout (a browser login) and should not start last.
 */
export function contextsWithPlugins(opts: KubeconfigOptions): Set<string> {
  const merged = merge(loadFiles(opts).configs);
  const out = new Set<string>();
  for (const [name, c] of merged.contexts) {
    const u = c.user === undefined ? undefined : merged.users.get(c.user);
    if (u && (u.exec || u.hasAuthProvider)) out.add(name);
  }
  return out;
}
