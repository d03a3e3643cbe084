// One saved report (`kubectl netdiag open REPORT.json`): the checks, each expandable, and the
// verdict. Its keys: viewerKeys (src/tui/viewerKeys.ts).
import { Box, Text, useApp, useStdout } from 'ink';
import { useState } from 'react';
import type { Report } from '../report/types.ts';
import { CheckDetails } from './components/CheckDetails.tsx';
import { CheckRow } from './components/CheckRow.tsx';
import { DiagnosisBox } from './components/DiagnosisBox.tsx';
import { ScrollArea } from './components/ScrollArea.tsx';
import { hints } from './keys.ts';
import { stateFromReport, tally } from './model.ts';
import { useTheme } from './theme.tsx';
import { useViewerKeys, viewerKeys } from './viewerKeys.ts';

const KEYS = viewerKeys('expand');

export function ReportViewer({ report, file }: { report: Report; file: string }) {
  const theme = useTheme();
  const { exit } = useApp();
  const { stdout } = useStdout();
  const rows = stateFromReport(report).rows;
  const [selected, setSelected] = useState(0);
  const [expanded, setExpanded] = useState(false);
  const [offset, setOffset] = useState(0);
  const height = Math.max(8, ((stdout as NodeJS.WriteStream).rows || 30) - rows.length - 6);
  const idWidth = Math.max(10, ...rows.map((r) => r.id.length));
  useViewerKeys(KEYS, {
    move: (by) => (setSelected((s) => Math.max(0, Math.min(rows.length - 1, s + by))), setOffset(0)),
    toggle: () => (setExpanded((e) => !e), setOffset(0)),
    scroll: (by) => setOffset((o) => Math.max(0, o + by)),
    quit: () => exit(),
    close: () => (expanded ? (setExpanded(false), setOffset(0), true) : false),
  });
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
      <Text dimColor={theme.color} wrap="truncate-end">
        {hints(KEYS)}
      </Text>
    </Box>
  );
}
