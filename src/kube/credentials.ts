// Turns a resolved kubeconfig user into request credentials, like client-go's
// transport: bearer token (a token file is re-read on every call and wins over
// an inline token when readable), basic auth, client certificates, and exec
// credential plugins (client.authentication.k8s.io ExecCredential).
// Credentials are sent to https servers only, as kubectl does.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { KubeconfigError, describeFsError, oneLine } from './errors.ts';
import type { AuthKind, ExecConfig, ResolvedKubeconfig } from './kubeconfig.ts';

export interface Credentials {
  headers: Record<string, string>;
  clientCertPem?: string;
  clientKeyPem?: string;
  expiresAt?: string;
  kind: AuthKind;
}

export class ExecPluginError extends Error {
  /** The plugin's stderr, redacted and bounded. */
  readonly stderr: string;
  readonly exitCode?: number;
  readonly command: string;

  constructor(command: string, message: string, options?: { stderr?: string; exitCode?: number; cause?: unknown }) {
    super(oneLine(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExecPluginError';
    this.command = command;
    this.stderr = options?.stderr ?? '';
    if (options?.exitCode !== undefined) this.exitCode = options.exitCode;
  }

  /** The message as a finding's sentence (ending in a full stop). */
  get sentence(): string {
    return /[.!?]$/.test(this.message) ? this.message : `${this.message}.`;
  }
}

/** The plugin command a user can run by hand to see its error. */
export function execCommandLine(exec: Pick<ExecConfig, 'command' | 'args'> | undefined): string {
  return `${exec?.command ?? ''} ${(exec?.args ?? []).join(' ')}`.trim();
}

const REDACTED = 'REDACTED';
const MAX_STDOUT = 1024 * 1024;
const MAX_STDERR = 64 * 1024;
const STDERR_EXCERPT = 300;

/**
 * Best-effort scrubbing of text a plugin printed: known secrets, bearer/basic
 * credentials, JWTs, key=value secrets, PEM blocks and long opaque strings.
 */
export function redactSecrets(text: string, known: (string | undefined)[] = []): string {
  let out = text;
  for (const s of known) if (s && s.length >= 4) out = out.split(s).join(REDACTED);
  out = out.replace(/-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g, REDACTED);
  out = out.replace(/\b(Bearer|Basic)\s+[^\s"',;]+/gi, `$1 ${REDACTED}`);
  out = out.replace(/\beyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]*)?/g, REDACTED);
  out = out.replace(
    /("?(?:[A-Za-z_-]*(?:token|password|passwd|secret|key|credential)[A-Za-z_-]*)"?\s*[:=]\s*)("[^"]*"|'[^']*'|[^\s,;}]+)/gi,
    `$1${REDACTED}`,
  );
  out = out.replace(/[A-Za-z0-9+/_=-]{32,}/g, REDACTED);
  return out;
}

function excerpt(stderr: string): string {
  const flat = oneLine(stderr).replace(/\s+/g, ' ');
  return flat.length > STDERR_EXCERPT ? `${flat.slice(0, STDERR_EXCERPT)}…` : flat;
}

function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

export async function getCredentials(
  resolved: ResolvedKubeconfig,
  opts: { timeoutMs: number; env: Record<string, string | undefined>; signal?: AbortSignal },
): Promise<Credentials> {
  // client-go applies user credentials only when the transport is TLS.
  if (resolved.cluster.scheme !== 'https') return { headers: {}, kind: 'none' };

  const u = resolved.user;
  const creds: Credentials = { headers: {}, kind: u.authKind };
  if (u.clientCertPem && u.clientKeyPem) {
    creds.clientCertPem = u.clientCertPem;
    creds.clientKeyPem = u.clientKeyPem;
  }

  if (u.tokenFile || u.token) {
    let token = u.token;
    if (u.tokenFile) {
      try {
        const fromFile = readFileSync(u.tokenFile, 'utf8').trim();
        if (fromFile) token = fromFile;
      } catch (err) {
        if (!u.token) {
          throw new KubeconfigError('missing', `unable to read tokenFile: ${describeFsError('open', u.tokenFile, err)}`, { path: u.tokenFile, cause: err });
        }
      }
    }
    if (!token) throw new KubeconfigError('invalid', `tokenFile ${u.tokenFile ?? ''} is empty`, { path: u.tokenFile });
    creds.headers.Authorization = `Bearer ${token}`;
    return creds;
  }
  if (u.authKind === 'client-certificate') return creds;
  if (u.username || u.password) {
    creds.headers.Authorization = basicHeader(u.username ?? '', u.password ?? '');
    return creds;
  }
  if (u.authKind === 'exec' && u.exec) {
    const result = await runExecPlugin(resolved, opts);
    if (result.token) creds.headers.Authorization = `Bearer ${result.token}`;
    if (result.clientCertPem && result.clientKeyPem) {
      creds.clientCertPem = result.clientCertPem;
      creds.clientKeyPem = result.clientKeyPem;
    }
    if (result.expiresAt) creds.expiresAt = result.expiresAt;
    return creds;
  }
  return creds;
}

interface ExecResult { token?: string; clientCertPem?: string; clientKeyPem?: string; expiresAt?: string }

/** The KUBERNETES_EXEC_INFO value client-go passes to the plugin. */
export function execInfo(resolved: ResolvedKubeconfig): string {
  const exec = resolved.user.exec!;
  const spec: Record<string, unknown> = {};
  if (exec.provideClusterInfo) {
    const c = resolved.cluster;
    const cluster: Record<string, unknown> = { server: c.server };
    if (c.tlsServerName) cluster['tls-server-name'] = c.tlsServerName;
    if (c.insecureSkipTlsVerify) cluster['insecure-skip-tls-verify'] = true;
    if (c.caPem) cluster['certificate-authority-data'] = Buffer.from(c.caPem, 'utf8').toString('base64');
    if (c.proxyUrl) cluster['proxy-url'] = c.proxyUrl;
    if (c.disableCompression) cluster['disable-compression'] = true;
    cluster.config = null;
    spec.cluster = cluster;
  }
  spec.interactive = false;
  return JSON.stringify({ kind: 'ExecCredential', apiVersion: exec.apiVersion, spec });
}

async function runExecPlugin(
  resolved: ResolvedKubeconfig,
  opts: { timeoutMs: number; env: Record<string, string | undefined>; signal?: AbortSignal },
): Promise<ExecResult> {
  const exec = resolved.user.exec!;
  const command = exec.command;
  const name = `exec plugin "${command}"`;
  if (!['client.authentication.k8s.io/v1', 'client.authentication.k8s.io/v1beta1'].includes(exec.apiVersion)) {
    throw new ExecPluginError(command, `${name}: invalid apiVersion "${exec.apiVersion}" (kubectl supports client.authentication.k8s.io/v1 and v1beta1)`);
  }
  if (exec.interactiveMode === 'Always') {
    throw new ExecPluginError(
      command,
      `${name} has interactiveMode Always: it needs a terminal for input, which cannot be provided here (kubectl: exec plugin cannot support interactive mode: standard input is not a terminal); log in with the plugin in a terminal first, or set interactiveMode to IfAvailable or Never`,
    );
  }
  if (opts.signal?.aborted) throw new ExecPluginError(command, `${name} was not started: the operation was aborted`);

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.env)) if (v !== undefined) env[k] = v;
  for (const e of exec.env) env[e.name] = e.value;
  env.KUBERNETES_EXEC_INFO = execInfo(resolved);
  const known = [resolved.user.token, resolved.user.password, ...exec.env.map((e) => e.value)];

  return await new Promise<ExecResult>((resolvePromise, rejectPromise) => {
    let settled = false;
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let timer: NodeJS.Timeout | undefined;

    const child = spawn(command, exec.args, { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });

    const stderrText = () => redactSecrets(Buffer.concat(err).toString('utf8'), known).trim();
    const killGroup = () => {
      try {
        if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
      child.stdout?.destroy();
      child.stderr?.destroy();
    };
    const finish = (fn: () => void) => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const failWith = (message: string, extra?: { exitCode?: number; cause?: unknown }) =>
      finish(() => rejectPromise(new ExecPluginError(command, message, { stderr: stderrText(), ...extra })));
    const onAbort = () => {
      killGroup();
      failWith(`${name} was aborted and killed`);
    };

    timer = setTimeout(() => {
      killGroup();
      const s = stderrText();
      failWith(`${name} timed out after ${opts.timeoutMs} ms and was killed${s ? `; stderr: ${excerpt(s)}` : ''}`);
    }, opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (d: Buffer) => {
      outLen += d.length;
      if (outLen <= MAX_STDOUT) out.push(d);
    });
    child.stderr.on('data', (d: Buffer) => {
      if (errLen < MAX_STDERR) err.push(d);
      errLen += d.length;
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT' && /[/\\]/.test(command)) {
        // a path is not looked up in PATH: Go's exec fails at start, and client-go says so plainly
        failWith(`${name} could not be started: exec: fork/exec ${command}: no such file or directory`, { cause: e });
      } else if (e.code === 'ENOENT') {
        const hint = exec.installHint ? ` ${oneLine(exec.installHint)}` : '';
        failWith(
          `${name} not found: exec: executable ${command} not found. It looks like you are trying to use a client-go credential plugin that is not installed.${hint}`,
          { cause: e },
        );
      } else if (e.code === 'EACCES') {
        failWith(`${name} cannot be run: exec: ${command}: permission denied`, { cause: e });
      } else {
        failWith(`${name} could not be started: ${e.message}`, { cause: e });
      }
    });
    child.on('close', (code, signal) => {
      if (settled) return;
      const s = stderrText();
      const tail = s ? `; stderr: ${excerpt(s)}` : '';
      if (code !== 0) {
        const status = code === null ? `was killed by signal ${signal ?? 'unknown'}` : `failed with exit code ${code}`;
        failWith(`${name} ${status}${tail}`, code === null ? undefined : { exitCode: code });
        return;
      }
      if (outLen > MAX_STDOUT) {
        failWith(`${name} wrote more than ${MAX_STDOUT} bytes to stdout; expected one ExecCredential JSON object`);
        return;
      }
      try {
        const result = parseExecCredential(Buffer.concat(out).toString('utf8'), exec.apiVersion, name);
        finish(() => resolvePromise(result));
      } catch (e) {
        failWith(`${(e as Error).message}${tail}`);
      }
    });
  });
}

function parseExecCredential(stdout: string, apiVersion: string, name: string): ExecResult {
  let doc: unknown;
  try {
    doc = JSON.parse(stdout);
  } catch {
    // JSON.parse messages quote the input, which may hold a credential: never use them.
    const size = Buffer.byteLength(stdout);
    throw new Error(`${name} did not print an ExecCredential: stdout (${size} bytes) is not valid JSON`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new Error(`${name} did not print an ExecCredential: stdout is JSON but not an object`);
  }
  const o = doc as Record<string, unknown>;
  if (o.kind !== 'ExecCredential') {
    throw new Error(`${name} did not print an ExecCredential: its "kind" field is not ExecCredential`);
  }
  if (o.apiVersion !== apiVersion) {
    throw new Error(`${name} is configured to use API version ${apiVersion}, plugin returned version ${typeof o.apiVersion === 'string' && /^[\w./-]{1,100}$/.test(o.apiVersion) ? o.apiVersion : '(none or unrecognised)'}`);
  }
  const status = o.status;
  if (typeof status !== 'object' || status === null || Array.isArray(status)) {
    throw new Error(`${name} didn't return a status field`);
  }
  const st = status as Record<string, unknown>;
  const str = (k: string): string | undefined => {
    const v = st[k];
    if (v === undefined || v === null || v === '') return undefined;
    if (typeof v !== 'string') throw new Error(`${name} returned status.${k} that is not a string`);
    return v;
  };
  const token = str('token');
  const cert = str('clientCertificateData');
  const key = str('clientKeyData');
  const expiresAt = str('expirationTimestamp');
  if (!token && !cert && !key) throw new Error(`${name} didn't return a token or cert/key pair`);
  if (Boolean(cert) !== Boolean(key)) throw new Error(`${name} returned only certificate or key, not both`);
  if (expiresAt !== undefined && Number.isNaN(Date.parse(expiresAt))) {
    throw new Error(`${name} returned an expirationTimestamp that is not an RFC 3339 time`);
  }
  const r: ExecResult = {};
  if (token) r.token = token;
  if (cert && key) {
    r.clientCertPem = cert;
    r.clientKeyPem = key;
  }
  if (expiresAt) r.expiresAt = expiresAt;
  return r;
}
