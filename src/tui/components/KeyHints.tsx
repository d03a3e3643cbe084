// One dim line of a key table's hints ("↑↓ move · enter expand · q quit"), built from the table.
import { Text } from 'ink';
import { hints, type KeyTable } from '../keys.ts';
import { useTheme } from '../theme.tsx';

export function KeyHints({ table }: { table: KeyTable<never> }) {
  const theme = useTheme();
  return (
    <Text dimColor={theme.color} wrap="truncate-end">
      {hints(table)}
    </Text>
  );
}
