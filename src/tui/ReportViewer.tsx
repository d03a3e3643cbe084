// One saved report (`kubectl netdiag open REPORT.json`): the checks, each expandable, and the
// verdict. Its keys: viewerKeys (src/tui/viewerKeys.ts).
import { Box, Text, useStdout } from 'ink';
import type { Report } from '../report/types.ts';
import { CheckDetails } from './components/CheckDetails.tsx';
import { CheckRow } from './components/CheckRow.tsx';
import { DiagnosisBox } from './components/DiagnosisBox.tsx';
import { ScrollArea } from './components/ScrollArea.tsx';
import { KeyHints } from './components/KeyHints.tsx';
import { stateFromReport, tally } from './model.ts';
import { useTheme } from './theme.tsx';
import { useViewer, viewerKeys } from './viewerKeys.ts';

const KEYS = viewerKeys('expand');

export function ReportViewer({ report, file }: { report: Report; file: string }) {
  const theme = useTheme();
  const { stdout } = useStdout();
  const rows = stateFromReport(report).rows;
  const { selected, expanded, offset } = useViewer(KEYS, rows.length);
  const height = Math.max(8, ((stdout as NodeJS.WriteStream).rows || 30) - rows.length - 6);
  const idWidth = Math.max(10, ...rows.map((r) => r.id.length));
  const t = report.target;
  const host = (report.environment?.host as { name?: string } | undefined)?.name;
  const result = rows[selected]?.result;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold={theme.color}>kubectl netdiag {report.command}</Text>
        {` · ${file} · taken ${report.startedAt}${host ? ` on ${host}` : ''}`}
      </Text>
      <Text dimColor={theme.color} wrap="truncate-end">
        {[t.context ? `context ${t.context}` : '', t.server ? `server ${t.server}` : ''].filter(Boolean).join(' · ') || ' '}
      </Text>
      <Box flexDirection="column" marginTop={1}>
        {rows.map((r, i) => (
          <CheckRow key={r.id} row={r} idWidth={idWidth} selected={i === selected} expanded={expanded && i === selected} />
        ))}
      </Box>
      <Box marginTop={1} flexDirection="column">
        {expanded && result ? (
          <ScrollArea height={height} offset={offset}>
            <CheckDetails result={result} />
          </ScrollArea>
        ) : (
          <ScrollArea height={height} offset={offset}>
            <DiagnosisBox diagnosis={report.diagnosis} footer={` · ${report.checks.length} checks: ${tally(rows)}`} />
          </ScrollArea>
        )}
      </Box>
      <KeyHints table={KEYS} />
    </Box>
  );
}
