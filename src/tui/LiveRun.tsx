// The live progress view of a subcommand on a terminal (`kubectl netdiag api`): each check shows a
// spinner while it runs; a finished check moves into Ink's <Static> region (printed once, in the
// order checks finish, with its findings when it failed or warned); at the end the verdict box.
// No keyboard: the command exits when the diagnosis is done.
import { Box, Static, Text, useAnimation, useWindowSize } from 'ink';
import type { Report } from '../report/types.ts';
import { CheckRow } from './components/CheckRow.tsx';
import { DiagnosisBox } from './components/DiagnosisBox.tsx';
import { tally, type HeaderInfo, type Row, type RunState } from './model.ts';
import { ThemeContext, statusColor, useTheme } from './theme.tsx';

export interface LiveRunProps {
  title: string;
  header: HeaderInfo;
  state: RunState;
  /** set once the report is built */
  report?: Report;
  configError?: string;
  color: boolean;
  /** id column width: the longest check id of the diagnosis */
  idWidth: number;
}

type StaticItem = { kind: 'header' } | { kind: 'check'; row: Row };

export function LiveRun(props: LiveRunProps) {
  return (
    <ThemeContext.Provider value={{ color: props.color }}>
      <LiveRunBody {...props} />
    </ThemeContext.Provider>
  );
}

function LiveRunBody({ title, header, state, report, configError, idWidth }: LiveRunProps) {
  const theme = useTheme();
  const running = state.rows.filter((r) => r.status === 'running');
  const { frame } = useAnimation({ interval: 80, isActive: running.length > 0 });
  // the live part must fit the terminal (a taller frame makes Ink redraw the whole screen)
  const { rows } = useWindowSize();
  const shown = running.length > Math.max(2, rows - 4) ? running.slice(0, Math.max(1, rows - 5)) : running;
  const byId = new Map(state.rows.map((r) => [r.id, r]));
  const items: StaticItem[] = [{ kind: 'header' }, ...state.finished.map((id) => ({ kind: 'check' as const, row: byId.get(id)! })).filter((i) => i.row)];
  const head = [`kubectl netdiag ${title}`];
  if (header.context) head.push(`context ${header.context}`);
  if (header.server) head.push(`server ${header.server}`);
  const proxy = header.proxy && header.proxy !== 'none' ? `proxy ${header.proxy}` : undefined;
  return (
    <Box flexDirection="column">
      <Static items={items}>
        {(item, i) =>
          item.kind === 'header' ? (
            <Box key="header" marginBottom={1} flexDirection="column">
              <Text bold={theme.color} wrap="truncate-end">
                {head.join(' · ')}
              </Text>
              {proxy ? (
                <Text color={theme.color ? 'yellow' : undefined} wrap="truncate-end">
                  {proxy}
                </Text>
              ) : null}
            </Box>
          ) : (
            <FinishedCheck key={`${item.row.id}-${i}`} row={item.row} idWidth={idWidth} />
          )
        }
      </Static>
      {shown.map((r) => (
        <CheckRow key={r.id} row={r} idWidth={idWidth} frame={frame} selectable={false} />
      ))}
      {shown.length < running.length ? (
        <Text dimColor={theme.color}>{`  … and ${running.length - shown.length} more running`}</Text>
      ) : null}
      {report ? (
        <Box marginTop={1}>
          <DiagnosisBox
            diagnosis={report.diagnosis}
            configError={configError}
            footer={` · ${report.checks.length} checks: ${tally(state.rows)} · ${(report.durationMs / 1000).toFixed(2)}s`}
          />
        </Box>
      ) : null}
    </Box>
  );
}

function FinishedCheck({ row, idWidth }: { row: Row; idWidth: number }) {
  const theme = useTheme();
  const r = row.result;
  const show = r && (r.status === 'fail' || r.status === 'warn' || r.status === 'error') ? r.findings.filter((f) => f.severity !== 'info') : [];
  return (
    <Box flexDirection="column">
      <CheckRow row={row} idWidth={idWidth} selectable={false} />
      {show.map((f, i) => (
        <Box key={i} flexDirection="column" paddingLeft={10}>
          <Text wrap="truncate-end">
            <Text color={statusColor(theme, f.severity)}>{f.severity}</Text> <Text bold={theme.color}>{f.code}</Text>
          </Text>
          <Box paddingLeft={2} flexDirection="column">
            <Text>{f.message}</Text>
            {f.remediation.map((m, j) => (
              <Text key={j} color={theme.color ? 'green' : undefined}>
                → {m}
              </Text>
            ))}
          </Box>
        </Box>
      ))}
    </Box>
  );
}
