// One check on one line: marker, status symbol and word, id, duration, summary (truncated with an
// ellipsis, never wrapped).
import { Text } from 'ink';
import type { Row } from '../model.ts';
import { formatDuration, statusColor, statusSymbol, useTheme } from '../theme.tsx';

export interface CheckRowProps {
  row: Row;
  idWidth: number;
  selected?: boolean;
  expanded?: boolean;
  /** spinner frame for a running check */
  frame?: number;
  /** show the selection column (the interactive app); the live view has none */
  selectable?: boolean;
}

export function CheckRow({ row, idWidth, selected = false, expanded = false, frame = 0, selectable = true }: CheckRowProps) {
  const theme = useTheme();
  const color = statusColor(theme, row.status);
  const word = row.status === 'pending' ? 'wait' : row.status === 'running' ? 'run' : row.status;
  const summary = row.summary ?? (row.status === 'running' ? row.title + '…' : row.title);
  return (
    <Text wrap="truncate-end">
      {selectable ? <Text color={theme.color && selected ? 'cyan' : undefined}>{selected ? (expanded ? '▾ ' : '❯ ') : '  '}</Text> : '  '}
      <Text color={color}>
        {statusSymbol(row.status, frame)} {word.padEnd(5)}
      </Text>{' '}
      <Text bold={theme.color && selected} inverse={theme.color && selected}>
        {row.id.padEnd(idWidth)}
      </Text>
      <Text dimColor={theme.color}>{(row.status === 'skip' && row.durationMs === 0 ? '' : formatDuration(row.durationMs)).padStart(7)}</Text>
      {'  '}
      <Text dimColor={theme.color && (row.status === 'pending' || row.status === 'skip')}>{summary}</Text>
    </Text>
  );
}
