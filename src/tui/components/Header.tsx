// The header: which kubeconfig context, cluster, user, server and namespace a diagnosis would use,
// and whether a proxy applies to the server (next to the server it applies to). Two lines, each
// truncated to the terminal width.
import { Box, Text } from 'ink';
import type { HeaderInfo } from '../model.ts';
import { useTheme } from '../theme.tsx';

export interface HeaderProps {
  info: HeaderInfo;
}

export function Header({ info }: HeaderProps) {
  const theme = useTheme();
  const field = (label: string, value: string | undefined, color?: string) => (
    <>
      <Text dimColor={theme.color}>{label} </Text>
      <Text color={theme.color ? color : undefined} bold={theme.color}>
        {value ?? '—'}
      </Text>
    </>
  );
  const sep = <Text dimColor={theme.color}> · </Text>;
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold={theme.color} color={theme.color ? 'cyan' : undefined}>
          kubectl netdiag
        </Text>
        {sep}
        {field('context', info.context)}
        {sep}
        {field('cluster', info.cluster)}
        {sep}
        {field('user', info.user)}
        {sep}
        {field('namespace', info.namespace)}
      </Text>
      {info.error ? (
        <Text wrap="truncate-end" color={theme.color ? 'red' : undefined}>
          error: {info.error}
        </Text>
      ) : (
        <Text wrap="truncate-end">
          {field('server', info.server)}
          {sep}
          {field('proxy', info.proxy ?? 'none', info.proxy && info.proxy !== 'none' ? 'yellow' : undefined)}
        </Text>
      )}
    </Box>
  );
}
