// The run screen: a diagnosis running live, then its report: one row per check (the list scrolls
// with the selection), and under it the selected check expanded or the verdict, scrollable. Its
// keys: RUN_KEYS (src/tui/keymap.ts).
import { Box, Text } from 'ink';
import { CheckDetails } from '../components/CheckDetails.tsx';
import { CheckRow } from '../components/CheckRow.tsx';
import { DiagnosisBox } from '../components/DiagnosisBox.tsx';
import { ScrollArea } from '../components/ScrollArea.tsx';
import { tally } from '../model.ts';
import type { RunView } from '../state.ts';
import { useTheme } from '../theme.tsx';
import type { RunHandle } from '../useRun.ts';

export interface RunScreenProps {
  /** the diagnosis's title (else its command) */
  title: string;
  run: Pick<RunHandle, 'state' | 'outcome' | 'error' | 'running'>;
  view: RunView;
  columns: number;
  /** rows available to the screen */
  height: number;
  /** spinner frame */
  frame: number;
  now?: Date;
  /** the scrolled content's height, for clamping the scroll */
  onContentHeight?(rows: number): void;
}

/** The selection clamped to the rows there are. */
export function selectedRow(view: RunView, count: number): number {
  return Math.min(view.selected, Math.max(0, count - 1));
}

export function RunScreen({ title, run, view, columns, height, frame, now, onContentHeight }: RunScreenProps) {
  const theme = useTheme();
  const rows = run.state.rows;
  const sel = selectedRow(view, rows.length);
  const n = rows.length;
  const listAvail = height - 1;
  const detail = view.expanded ? rows[sel]?.result : undefined;
  const verdict = !detail && (run.outcome || run.error);
  const listHeight = detail ? Math.min(n, Math.max(3, Math.min(5, Math.floor(listAvail / 4)))) : verdict ? Math.min(n, Math.max(3, listAvail - 8)) : Math.min(n, listAvail);
  const first = Math.max(0, Math.min(sel - Math.floor(listHeight / 2), n - listHeight));
  const visible = rows.slice(first, first + listHeight);
  const idWidth = Math.min(Math.max(10, ...rows.map((r) => r.id.length)), Math.max(10, Math.floor(columns / 3)));
  const restHeight = Math.max(0, listAvail - listHeight - 1);
  const doneCount = rows.filter((r) => r.status !== 'pending' && r.status !== 'running').length;
  const status = run.running
    ? `running ${doneCount}/${n}`
    : run.outcome
      ? `${run.outcome.report.diagnosis.status.toUpperCase()} · ${n} checks: ${tally(rows)} · ${((run.outcome.report.durationMs ?? 0) / 1000).toFixed(2)}s`
      : run.error
        ? 'the diagnosis itself failed'
        : 'cancelled';
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Text wrap="truncate-end">
        <Text bold={theme.color}>{title}</Text>
        <Text dimColor={theme.color}> · </Text>
        <Text color={theme.color && run.outcome ? statusColorName(run.outcome.report.diagnosis.status) : undefined}>{status}</Text>
        {first > 0 || first + listHeight < n ? <Text dimColor={theme.color}>{` · checks ${first + 1}–${first + visible.length} of ${n}`}</Text> : null}
      </Text>
      {visible.map((row, i) => (
        <CheckRow key={row.id} row={row} idWidth={idWidth} selected={first + i === sel} expanded={view.expanded && first + i === sel} frame={frame} />
      ))}
      {restHeight > 0 && (detail || verdict) ? (
        <Box marginTop={1} flexShrink={0} flexDirection="column">
          <ScrollArea height={restHeight} offset={view.scroll} onContentHeight={onContentHeight}>
            {detail ? (
              <CheckDetails result={detail} now={now} />
            ) : run.outcome ? (
              <DiagnosisBox diagnosis={run.outcome.report.diagnosis} configError={run.outcome.configError} />
            ) : (
              <Text color={theme.color ? 'magenta' : undefined}>error: {run.error}</Text>
            )}
          </ScrollArea>
        </Box>
      ) : null}
    </Box>
  );
}

function statusColorName(s: string): string {
  return s === 'pass' ? 'green' : s === 'warn' ? 'yellow' : s === 'skip' ? 'gray' : s === 'error' ? 'magenta' : 'red';
}
