// Errors raised while resolving a kubeconfig. Messages are one line, close to
// kubectl's own wording, and never contain secret values.

export type KubeconfigErrorCode = 'missing' | 'invalid' | 'unknown-context' | 'unknown-cluster' | 'unknown-user';

export class KubeconfigError extends Error {
  readonly code: KubeconfigErrorCode;
  /** The file the error is about, when there is one. */
  readonly path?: string;

  constructor(code: KubeconfigErrorCode, message: string, options?: { path?: string; cause?: unknown }) {
    super(oneLine(message), options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KubeconfigError';
    this.code = code;
    if (options?.path !== undefined) this.path = options.path;
  }
}

/** Collapses any run of whitespace containing a newline into a single space. */
export function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}

/** Go-style rendering of a filesystem error: "open /x: no such file or directory". */
export function describeFsError(op: string, path: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const text: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EISDIR: 'is a directory',
    ENOTDIR: 'not a directory',
    ELOOP: 'too many levels of symbolic links',
  };
  const reason = (code && text[code]) ?? (err instanceof Error ? err.message : String(err));
  return `${op} ${path}: ${reason}`;
}
