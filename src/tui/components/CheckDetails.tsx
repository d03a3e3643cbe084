// One check, expanded: its full summary, findings with remediation, evidence (certificate chains
// as trees, the rest as YAML) and the commands that reproduce the evidence by hand.
import { Box, Text } from 'ink';
import { dump } from 'js-yaml';
import type { CheckResult } from '../../report/types.ts';
import { statusColor, useTheme } from '../theme.tsx';
import { CertificateView, isCertLike, type CertLike } from './CertificateView.tsx';

export interface CheckDetailsProps {
  result: CheckResult;
  now?: Date;
}

/** Certificate chains anywhere at the top level of the evidence, and everything else. */
export function splitEvidence(evidence: Record<string, unknown> | undefined): { chains: { key: string; chain: CertLike[] }[]; rest: Record<string, unknown> } {
  const chains: { key: string; chain: CertLike[] }[] = [];
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(evidence ?? {})) {
    if (Array.isArray(value) && value.length > 0 && value.every(isCertLike)) chains.push({ key, chain: value });
    else if (value !== undefined && value !== null) rest[key] = value;
  }
  return { chains, rest };
}

export function CheckDetails({ result, now }: CheckDetailsProps) {
  const theme = useTheme();
  const { chains, rest } = splitEvidence(result.evidence);
  const restYaml = Object.keys(rest).length > 0 ? dump(rest, { lineWidth: -1, noRefs: true, skipInvalid: true }).trimEnd().split('\n') : [];
  const heading = (s: string) => <Text bold={theme.color}>{s}</Text>;
  return (
    <Box flexDirection="column" paddingLeft={2} flexShrink={0}>
      <Text>
        <Text bold={theme.color}>{result.title}</Text>
        <Text dimColor={theme.color}> ({result.id})</Text>: {result.summary}
      </Text>
      {result.findings.length > 0 ? (
        <Box flexDirection="column" marginTop={1} flexShrink={0}>
          {heading('Findings')}
          {result.findings.map((f, i) => (
            <Box key={i} flexDirection="column" paddingLeft={2} flexShrink={0}>
              <Text wrap="truncate-end">
                <Text color={statusColor(theme, f.severity)}>{f.severity}</Text> <Text bold={theme.color}>{f.code}</Text>
              </Text>
              <Box paddingLeft={2} flexDirection="column" flexShrink={0}>
                <Text>{f.message}</Text>
                {f.remediation.map((r, j) => (
                  <Text key={j} color={theme.color ? 'green' : undefined}>
                    → {r}
                  </Text>
                ))}
              </Box>
            </Box>
          ))}
        </Box>
      ) : null}
      {chains.length > 0 || restYaml.length > 0 ? (
        <Box flexDirection="column" marginTop={1} flexShrink={0}>
          {heading('Evidence')}
          {chains.map((c) => (
            <CertificateView key={c.key} chain={c.chain} label={c.key === 'chain' ? 'certificate chain' : c.key} now={now} />
          ))}
          {restYaml.map((l, i) => (
            <Text key={i} wrap="truncate-end">
              {'  '}
              {l}
            </Text>
          ))}
        </Box>
      ) : null}
      {result.reproduce.length > 0 ? (
        <Box flexDirection="column" marginTop={1} flexShrink={0}>
          {heading('Reproduce')}
          {result.reproduce.map((r, i) => (
            <Text key={i}>
              {'  '}
              <Text dimColor={theme.color}>$</Text> {r}
            </Text>
          ))}
        </Box>
      ) : null}
    </Box>
  );
}
