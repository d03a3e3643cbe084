// The shared state of one `server` diagnosis. The remote part asks the API server through the one
// client (src/kube/client.ts: the kubeconfig resolution, proxy selection, TLS and credentials
// kubectl uses, typed get/list with one error classification); the --local part reads files under
// --root (default /) and runs read-only tools (iptables-save, nft, ufw, journalctl) with a deadline.
import { Memo } from '../../engine/memo.ts';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { KubeClient, type ApiResult, type ClientOptions } from '../../kube/client.ts';

export interface ServerOptions extends ClientOptions {
  /** run the checks that read this machine (a control-plane node) */
  local: boolean;
  /** read every --local path under this directory (fixtures); default: / */
  root?: string;
  /** the effective user id (root can read what the --local checks need); default process.getuid() */
  uid?: number;
}

export type ReadResult = { ok: true; text: string; path: string } | { ok: false; path: string; error: string; needsRoot: boolean };

export interface ToolResult {
  /** what was run, or the fixture file read */
  command: string;
  ok: boolean;
  stdout: string;
  error?: string;
  needsRoot?: boolean;
  /** the tool is not installed */
  absent?: boolean;
}

export class ServerContext {
  readonly options: ServerOptions;
  readonly api: KubeClient;
  private readonly memo = new Memo();

  constructor(options: ServerOptions) {
    this.options = options;
    this.api = new KubeClient(options);
  }

  get timeoutMs(): number {
    return this.options.timeoutMs;
  }

  /** A kubeconfig resolved to a cluster (not kubectl's localhost:8080 fallback). */
  get hasCluster(): boolean {
    return !!this.api.kube && this.api.kube.source !== 'none' && !this.api.kube.localhostFallback;
  }

  /** Without a cluster: whether a kubeconfig was read at all ("no kubeconfig") or selects no server. */
  get noClusterLabel(): string {
    return this.api.kube?.fallbackReason ? 'the kubeconfig selects no server' : 'no kubeconfig';
  }

  /** " --kubeconfig F --context C" to append to a kubectl command a user can paste ("" without). */
  get contextArgs(): string {
    return this.api.contextArgs ? ` ${this.api.contextArgs}` : '';
  }

  /** GET /version with the kubeconfig's credentials, once (server.connection, server.version). */
  serverVersion(): Promise<ApiResult<{ gitVersion?: string }>> {
    return this.api.get<{ gitVersion?: string }>('/version');
  }

  get local(): boolean {
    return this.options.local || this.options.root !== undefined;
  }

  get root(): string {
    return this.options.root ?? '/';
  }

  get fixtureMode(): boolean {
    return this.options.root !== undefined;
  }

  get isRoot(): boolean {
    return (this.options.uid ?? process.getuid?.() ?? 0) === 0;
  }

  now(): Date {
    return this.options.now?.() ?? new Date();
  }

  once<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.memo.once(key, fn);
  }

  /** A path on the node, under --root. */
  hostPath(p: string): string {
    return this.options.root ? join(this.options.root, p) : p;
  }

  /** Read a node file (path as on the node); EACCES says "needs root". */
  read(p: string): ReadResult {
    const full = this.hostPath(p);
    try {
      return { ok: true, text: readFileSync(full, 'utf8'), path: p };
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const needsRoot = e.code === 'EACCES' || e.code === 'EPERM';
      return { ok: false, path: p, error: needsRoot ? `${p}: permission denied (needs root)` : e.code === 'ENOENT' ? `${p}: no such file` : `${p}: ${e.message}`, needsRoot };
    }
  }

  exists(p: string): boolean {
    try {
      statSync(this.hostPath(p));
      return true;
    } catch (err) {
      // a directory we may not list still exists
      return (err as NodeJS.ErrnoException).code === 'EACCES';
    }
  }

  /** Entries of a node directory ([] when absent or unreadable). */
  list(p: string): string[] {
    try {
      return readdirSync(this.hostPath(p)).sort();
    } catch {
      return [];
    }
  }

  /**
   * Run a read-only tool with a deadline. With --root the output is read from
   * ROOT/.netdiag/<fixture> instead (see README: "--local fixtures").
   */
  tool(cmd: string, args: string[], fixture: string, opts: { needsRoot?: boolean } = {}): Promise<ToolResult> {
    const command = [cmd, ...args].join(' ');
    return this.once(`tool:${command}`, async () => {
      if (this.fixtureMode) {
        const r = this.read(`/.netdiag/${fixture}`);
        if (r.ok) return { command: `${command}  (from ${join(this.root, '.netdiag', fixture)})`, ok: true, stdout: r.text };
        return { command, ok: false, stdout: '', error: `no ${join('.netdiag', fixture)} in ${this.root}`, absent: true };
      }
      return new Promise<ToolResult>((resolve) => {
        execFile(
          cmd,
          args,
          { timeout: this.timeoutMs, maxBuffer: 32 * 1024 * 1024, env: { PATH: this.options.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } },
          (err, stdout, stderr) => {
            if (!err) return resolve({ command, ok: true, stdout: String(stdout) });
            const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string };
            if (e.code === 'ENOENT') return resolve({ command, ok: false, stdout: '', error: `${cmd} is not installed`, absent: true });
            const text = String(stderr).trim() || e.message;
            const denied = /permission denied|operation not permitted|must be root|need to be root|are not root|insufficient/i.test(text);
            const timedOut = e.killed === true || e.signal === 'SIGTERM';
            resolve({
              command,
              ok: false,
              stdout: String(stdout),
              error: timedOut ? `${command} did not finish within ${this.timeoutMs} ms` : text.split('\n').slice(0, 3).join(' '),
              needsRoot: denied || (!!opts.needsRoot && !this.isRoot),
            });
          },
        );
      });
    });
  }
}

/** "needs root" wording for a part that could not read its input. */
export function rootNote(ctx: ServerContext, what: string): string {
  return ctx.isRoot || ctx.fixtureMode ? what : `${what} (this part needs root: rerun with sudo)`;
}
