// The keys, as `?` shows them.
import { Box, Text } from 'ink';
import { useTheme } from '../theme.tsx';

export const KEYS: [string, string][] = [
  ['↑ ↓  j k', 'move through the menu or the checks'],
  ['enter', 'run the chosen diagnosis; expand or collapse the selected check'],
  ['pgup pgdn  u d', 'scroll the expanded check or the verdict'],
  ['r', 'run the diagnosis again'],
  ['e', 'export the report (markdown and JSON files in the current directory)'],
  ['x', "switch context (the kubeconfig's contexts)"],
  ['m  ←', 'back to the menu'],
  ['?', 'show or hide these keys'],
  ['esc', 'close what is open; quit when nothing is'],
  ['q  ctrl-c', 'quit (exit code of the last diagnosis: 0 ok, 1 a check failed, 2 configuration error)'],
];

export function KeyHelp() {
  const theme = useTheme();
  const w = Math.max(...KEYS.map(([k]) => k.length));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color ? 'cyan' : undefined} paddingX={1} flexShrink={0}>
      <Text bold={theme.color}>Keys</Text>
      {KEYS.map(([k, d]) => (
        <Text key={k} wrap="truncate-end">
          <Text color={theme.color ? 'cyan' : undefined}>{k.padEnd(w)}</Text>  {d}
        </Text>
      ))}
    </Box>
  );
}
