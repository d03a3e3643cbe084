// `?`: the keys of the screen underneath, printed from the very table that handles them
// (src/tui/keymap.ts), so the help lists every key the screen takes and nothing else.
import { Box, Text } from 'ink';
import { keyLabel, type KeyTable } from '../keys.ts';
import { useTheme } from '../theme.tsx';

export interface KeyHelpProps {
  /** the bindings to list, in table order */
  table: KeyTable<unknown>;
  title?: string;
}

export function KeyHelp({ table, title = 'Keys' }: KeyHelpProps) {
  const theme = useTheme();
  const rows = table.map((b) => [keyLabel(b.keys), b.help] as const);
  const w = Math.max(...rows.map(([k]) => k.length));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color ? 'cyan' : undefined} paddingX={1} flexShrink={0}>
      <Text bold={theme.color}>{title}</Text>
      {rows.map(([k, d]) => (
        <Text key={k} wrap="truncate-end">
          <Text color={theme.color ? 'cyan' : undefined}>{k.padEnd(w)}</Text>
          {'   '}
          {d}
        </Text>
      ))}
    </Box>
  );
}
