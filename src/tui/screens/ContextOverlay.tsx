// `x`: choose another context of the kubeconfig. Its keys: CONTEXT_KEYS (src/tui/keymap.ts).
import { Box, Text } from 'ink';
import { KeyHints } from '../components/KeyHints.tsx';
import { CONTEXT_KEYS } from '../keymap.ts';
import { useTheme } from '../theme.tsx';

export interface ContextPickerProps {
  names: string[];
  /** the context in use */
  current?: string;
  selected: number;
  error?: string;
}

export function ContextPicker({ names, current, selected, error }: ContextPickerProps) {
  const theme = useTheme();
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color ? 'cyan' : undefined} paddingX={1} flexShrink={0}>
      <Text bold={theme.color}>Context</Text>
      {error ? <Text color={theme.color ? 'red' : undefined}>error: {error}</Text> : null}
      {!error && names.length === 0 ? <Text>the kubeconfig has no contexts</Text> : null}
      {names.map((n, i) => (
        <Text key={n} wrap="truncate-end">
          <Text color={theme.color && i === selected ? 'cyan' : undefined}>{i === selected ? '❯ ' : '  '}</Text>
          <Text inverse={theme.color && i === selected}>{n}</Text>
          {n === current ? <Text dimColor={theme.color}> (in use)</Text> : null}
        </Text>
      ))}
      <KeyHints table={CONTEXT_KEYS} />
    </Box>
  );
}
