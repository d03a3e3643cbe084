// The menu screen: every diagnosis the command layer offers (DIAGNOSIS_MENU), the chosen one marked.
// Its keys: MENU_KEYS (src/tui/keymap.ts).
import { Box, Text } from 'ink';
import type { MenuItem } from '../model.ts';
import { useTheme } from '../theme.tsx';

export interface MenuProps {
  items: MenuItem[];
  selected: number;
}

export function Menu({ items, selected }: MenuProps) {
  const theme = useTheme();
  const titleWidth = Math.max(...items.map((i) => i.title.length), 8);
  return (
    <Box flexDirection="column">
      <Text bold={theme.color}>Diagnose</Text>
      {items.map((item, i) => {
        const on = i === selected;
        return (
          <Text key={`${item.command}${item.fleet ? ' fleet' : ''}`} wrap="truncate-end">
            <Text color={theme.color && on ? 'cyan' : undefined}>{on ? '❯ ' : '  '}</Text>
            <Text bold={theme.color && on} inverse={theme.color && on} dimColor={theme.color && !!item.unavailable}>
              {item.title.padEnd(titleWidth)}
            </Text>
            <Text dimColor={theme.color}>
              {'  '}
              {item.command.padEnd(8)} {item.unavailable ? `(${item.unavailable}) ` : ''}
              {item.description}
            </Text>
          </Text>
        );
      })}
    </Box>
  );
}
