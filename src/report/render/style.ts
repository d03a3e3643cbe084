// ANSI styling for the text renderer; a no-op style when colour is off.
import type { CheckStatus, Severity } from '../types.ts';

export interface Style {
  bold(s: string): string;
  dim(s: string): string;
  status(status: CheckStatus | Severity, s: string): string;
}

const CODES: Record<string, [number, number]> = {
  pass: [32, 39],
  info: [36, 39],
  warn: [33, 39],
  fail: [31, 39],
  error: [35, 39],
  skip: [90, 39],
};

export const plainStyle: Style = { bold: (s) => s, dim: (s) => s, status: (_k, s) => s };

export const ansiStyle: Style = {
  bold: (s) => `\u001b[1m${s}\u001b[22m`,
  dim: (s) => `\u001b[2m${s}\u001b[22m`,
  status: (k, s) => {
    const [open, close] = CODES[k] ?? [39, 39];
    return `\u001b[${open}m${s}\u001b[${close}m`;
  },
};

export const STATUS_SYMBOL: Record<CheckStatus, string> = { pass: '✔', warn: '▲', fail: '✖', skip: '○', error: '‼' };

/** Colour on a TTY (auto) or with --color=always; never with NO_COLOR or --color=never. */
export function useColor(mode: 'auto' | 'always' | 'never', isTTY: boolean, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (mode === 'never') return false;
  if (mode === 'always') return true;
  return isTTY && env.TERM !== 'dumb';
}

export function wrap(text: string, width: number, indent: string): string {
  // multi-line text (a YAML snippet, a diff): the first line is prose and wraps, the following
  // lines are kept verbatim (indented), so the snippet can be copied as it is
  if (text.includes('\n')) {
    const [first, ...rest] = text.split('\n');
    return [wrap(first!, width, indent), ...rest.filter((l) => l.trim() !== '').map((l) => indent + '  ' + l)].join('\n');
  }
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let line = '';
  for (const w of words) {
    if (line && (indent + line + ' ' + w).length > width) {
      lines.push(indent + line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(indent + line);
  return lines.join('\n');
}
