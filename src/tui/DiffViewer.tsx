// Two saved reports lined up layer by layer (`kubectl netdiag open A.json B.json`); enter shows a
// layer's differences in evidence. Its keys: viewerKeys (src/tui/viewerKeys.ts).
import { Box, Text, useStdout } from 'ink';
import type { DiffResult, LayerDiff } from '../diff/diff.ts';
import { ScrollArea } from './components/ScrollArea.tsx';
import { KeyHints } from './components/KeyHints.tsx';
import { statusColor, useTheme } from './theme.tsx';
import { useViewer, viewerKeys } from './viewerKeys.ts';

const KEYS = viewerKeys("show the layer's differences");

function LayerRow({ l, first, selected, width }: { l: LayerDiff; first: boolean; selected: boolean; width: number }) {
  const theme = useTheme();
  return (
    <Text wrap="truncate-end">
      <Text color={theme.color && selected ? 'cyan' : undefined}>{selected ? '❯ ' : '  '}</Text>
      <Text color={statusColor(theme, l.same ? 'pass' : 'fail')}>{l.same ? '= same   ' : '≠ differs'}</Text>{' '}
      <Text bold={theme.color && selected} inverse={theme.color && selected}>
        {l.layer.padEnd(width)}
      </Text>
      {'  '}A: {l.a} <Text dimColor={theme.color}>|</Text> B: {l.b}
      {first ? <Text bold={theme.color}>{'  ← first divergence'}</Text> : null}
    </Text>
  );
}

export function DiffViewer({ diff }: { diff: DiffResult }) {
  const theme = useTheme();
  const { stdout } = useStdout();
  const { selected, expanded, offset } = useViewer(KEYS, diff.layers.length, Math.max(0, diff.layers.findIndex((l) => l.layer === diff.firstDivergence)));
  const height = Math.max(8, ((stdout as NodeJS.WriteStream).rows || 30) - diff.layers.length - 7);
  const width = Math.max(10, ...diff.layers.map((l) => l.layer.length));
  const layer = diff.layers[selected];
  const side = (k: 'A' | 'B', s: DiffResult['a']) => `${k}: ${s.label}${s.host ? ` (host ${s.host})` : ''} ${s.startedAt} ${s.status.toUpperCase()}`;
  const color = statusColor(theme, diff.identical ? 'pass' : 'fail');
  return (
    <Box flexDirection="column">
      <Text bold={theme.color} wrap="truncate-end">
        kubectl netdiag diff · {diff.command}
      </Text>
      <Text wrap="truncate-end">{side('A', diff.a)}</Text>
      <Text wrap="truncate-end">{side('B', diff.b)}</Text>
      <Box flexDirection="column" marginTop={1}>
        {diff.layers.map((l, i) => (
          <LayerRow key={l.layer} l={l} first={l.layer === diff.firstDivergence} selected={i === selected} width={width} />
        ))}
      </Box>
      <Box marginTop={1} flexDirection="column">
        <ScrollArea height={height} offset={offset}>
          {expanded && layer ? (
            <Box flexDirection="column" paddingLeft={2}>
              <Text bold={theme.color}>
                {layer.layer}: {layer.same ? 'the same on both sides' : `${layer.differences.length} difference${layer.differences.length === 1 ? '' : 's'}`}
              </Text>
              {layer.differences.map((x, i) => (
                <Box key={i} flexDirection="column" marginTop={1}>
                  <Text dimColor={theme.color}>
                    {x.check} · {x.what}
                  </Text>
                  <Text>  A: {x.a}</Text>
                  <Text>  B: {x.b}</Text>
                </Box>
              ))}
            </Box>
          ) : (
            <Box flexDirection="column" borderStyle="round" borderColor={color} paddingX={1}>
              <Text bold={theme.color} color={color}>
                {diff.identical ? 'Same' : `Diverges at: ${diff.firstDivergence}`}
              </Text>
              {diff.explanation.map((s, i) => (
                <Text key={i}>{s}</Text>
              ))}
            </Box>
          )}
        </ScrollArea>
      </Box>
      <KeyHints table={KEYS} />
    </Box>
  );
}
