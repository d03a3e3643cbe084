// Colours and symbols. Colour is decided once by the command layer (--color, NO_COLOR) and handed
// down in a context: with colour off no component adds colour, bold or inverse, so the screen
// stays readable by markers alone (the selected row has a ❯, statuses have symbols and words).
import { createContext, useContext } from 'react';
import { STATUS_SYMBOL } from '../report/render/style.ts';
import type { Severity } from '../report/types.ts';
import type { RowStatus } from './model.ts';

export interface Theme {
  color: boolean;
}

export const ThemeContext = createContext<Theme>({ color: true });

export function useTheme(): Theme {
  return useContext(ThemeContext);
}

const STATUS_COLOR: Record<RowStatus | Severity, string> = {
  pass: 'green',
  info: 'cyan',
  warn: 'yellow',
  fail: 'red',
  error: 'magenta',
  skip: 'gray',
  pending: 'gray',
  running: 'cyan',
};

/** The colour prop for a status, or undefined with colour off. */
export function statusColor(theme: Theme, status: RowStatus | Severity): string | undefined {
  return theme.color ? STATUS_COLOR[status] : undefined;
}

export const SPINNER = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export function statusSymbol(status: RowStatus, frame = 0): string {
  if (status === 'running') return SPINNER[frame % SPINNER.length]!;
  if (status === 'pending') return '·';
  return STATUS_SYMBOL[status];
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined) return '';
  if (ms >= 10_000) return `${Math.round(ms / 1000)}s`;
  if (ms >= 1000) return `${(ms / 1000).toFixed(1)}s`;
  return `${ms}ms`;
}
