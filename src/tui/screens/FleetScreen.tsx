// The fleet screen: one diagnosis over many contexts (issue 15). The contexts are rows that fill in
// as each one finishes, grouped by root cause (worst group first), the ones still running and
// waiting for a slot last; the list scrolls with the selection. Its keys: FLEET_KEYS
// (src/tui/keymap.ts): Enter opens a context's report, `r` reruns the failing ones.
import { Box, Text } from 'ink';
import { fleetGroups, fleetOrder, fleetTally, type FleetRow, type FleetRowGroup, type FleetState } from '../fleet.ts';
import { formatDuration, statusColor, statusSymbol, useTheme } from '../theme.tsx';

export interface FleetScreenProps {
  /** e.g. "API server on many contexts" */
  title: string;
  state: FleetState;
  running: boolean;
  /** the selection failed or the run broke */
  error?: string;
  /** wall time of the last run, once finished */
  durationMs?: number;
  /** the selected context (else the first listed) */
  selected?: string;
  columns: number;
  /** rows available to the screen */
  height: number;
  /** spinner frame */
  frame?: number;
}

/** The selected context: the one asked for while it is listed, else the first listed. */
export function selectedContext(groups: FleetRowGroup[], selected: string | undefined): string | undefined {
  const order = fleetOrder(groups);
  return selected !== undefined && order.includes(selected) ? selected : order[0];
}

type Line = { kind: 'group'; group: FleetRowGroup } | { kind: 'row'; row: FleetRow };

export function FleetScreen({ title, state, running, error, durationMs, selected, columns, height, frame = 0 }: FleetScreenProps) {
  const theme = useTheme();
  const groups = fleetGroups(state);
  const lines: Line[] = groups.flatMap((g) => [{ kind: 'group' as const, group: g }, ...g.rows.map((row) => ({ kind: 'row' as const, row }))]);
  const sel = selectedContext(groups, selected);
  const selLine = Math.max(0, lines.findIndex((l) => l.kind === 'row' && l.row.context === sel));
  const listHeight = Math.max(1, height - 1);
  const first = Math.max(0, Math.min(selLine - Math.floor(listHeight / 2), lines.length - listHeight));
  const visible = lines.slice(first, first + listHeight);
  const t = fleetTally(state);
  const ctxWidth = Math.min(Math.max(7, ...state.rows.map((r) => r.context.length)), Math.max(10, Math.floor(columns / 4)));
  const server = (r: FleetRow) => r.entry?.server ?? '';
  const srvWidth = Math.min(Math.max(6, ...state.rows.map((r) => server(r).length)), Math.max(10, Math.floor(columns / 4)));
  const status = error
    ? `error: ${error}`
    : running
      ? `running ${t.finished}/${t.total}${t.failing ? ` · ${t.failing} failing` : ''}`
      : t.total === 0
        ? 'cancelled'
        : `${t.failing ? `${t.failing} FAILING` : 'ALL OK'} · ${t.ok} of ${t.total} contexts ok${t.finished < t.total ? ` · ${t.total - t.finished} not run` : ''}${durationMs !== undefined ? ` · ${formatDuration(Math.round(durationMs))}` : ''}`;
  const statusTone = error ? 'error' : running ? 'running' : t.failing ? 'fail' : 'pass';
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Text wrap="truncate-end">
        <Text bold={theme.color}>{title}</Text>
        <Text dimColor={theme.color}> · </Text>
        <Text color={statusColor(theme, statusTone)}>{status}</Text>
        {first > 0 || first + listHeight < lines.length ? <Text dimColor={theme.color}>{` · lines ${first + 1}–${first + visible.length} of ${lines.length}`}</Text> : null}
      </Text>
      {visible.map((l) =>
        l.kind === 'group' ? (
          <Text key={`g:${l.group.key}`} wrap="truncate-end">
            <Text color={statusColor(theme, l.group.status)} bold={theme.color}>
              {statusSymbol(l.group.status, frame)} {String(l.group.rows.length).padStart(String(t.total).length)} {l.group.rows.length === 1 ? 'context: ' : 'contexts:'} {l.group.label}
            </Text>
          </Text>
        ) : (
          <FleetRowLine key={`r:${l.row.context}`} row={l.row} selected={l.row.context === sel} ctxWidth={ctxWidth} srvWidth={srvWidth} frame={frame} />
        ),
      )}
    </Box>
  );
}

function clip(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, Math.max(1, n - 1))}…`;
}

function FleetRowLine({ row, selected, ctxWidth, srvWidth, frame }: { row: FleetRow; selected: boolean; ctxWidth: number; srvWidth: number; frame: number }) {
  const theme = useTheme();
  const word = row.status === 'pending' ? 'wait' : row.status === 'running' ? 'run' : row.status;
  const cause = row.entry ? (row.status === 'pass' ? 'ok' : row.entry.rootCause) : '';
  return (
    <Text wrap="truncate-end">
      <Text color={theme.color && selected ? 'cyan' : undefined}>{selected ? '❯ ' : '  '}</Text>
      {'  '}
      <Text bold={theme.color && selected} inverse={theme.color && selected}>
        {clip(row.context, ctxWidth).padEnd(ctxWidth)}
      </Text>
      {'  '}
      <Text dimColor={theme.color}>{clip(row.entry?.server ?? '', srvWidth).padEnd(srvWidth)}</Text>
      {'  '}
      <Text color={statusColor(theme, row.status)}>
        {statusSymbol(row.status, frame)} {word.padEnd(5)}
      </Text>
      <Text dimColor={theme.color}>{formatDuration(row.entry?.durationMs).padStart(7)}</Text>
      {'  '}
      <Text>{cause}</Text>
    </Text>
  );
}
