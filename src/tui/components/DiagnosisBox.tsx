// The verdict of a finished diagnosis: the root cause paragraph and the ordered fix, in a box.
import { Box, Text } from 'ink';
import type { Diagnosis } from '../../report/types.ts';
import { statusColor, useTheme } from '../theme.tsx';

export interface DiagnosisBoxProps {
  diagnosis: Diagnosis;
  /** one line under the box: "FAIL · 10 checks: 3 pass, 2 fail, 5 skip · 0.04s" */
  footer?: string;
  configError?: string;
}

export function DiagnosisBox({ diagnosis, footer, configError }: DiagnosisBoxProps) {
  const theme = useTheme();
  const color = statusColor(theme, diagnosis.status);
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Box flexDirection="column" borderStyle="round" borderColor={color} paddingX={1} flexShrink={0}>
        <Text bold={theme.color} color={color}>
          {diagnosis.status === 'pass' ? 'Result' : 'Root cause'}
        </Text>
        <Text>{diagnosis.rootCause}</Text>
        {diagnosis.remediation.length > 0 ? (
          <Box flexDirection="column" marginTop={1}>
            <Text bold={theme.color}>Fix</Text>
            {diagnosis.remediation.map((r, i) => (
              <Box key={i}>
                <Text>{`${i + 1}. `}</Text>
                <Box flexShrink={1}>
                  <Text>{r}</Text>
                </Box>
              </Box>
            ))}
          </Box>
        ) : null}
        {configError ? <Text color={theme.color ? 'red' : undefined}>error: {configError}</Text> : null}
      </Box>
      {footer ? (
        <Text wrap="truncate-end">
          <Text bold={theme.color} color={color}>
            {diagnosis.status.toUpperCase()}
          </Text>
          {footer}
        </Text>
      ) : null}
    </Box>
  );
}
