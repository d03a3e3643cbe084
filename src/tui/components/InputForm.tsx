// The inputs a diagnosis asks for before it runs (DiagnosisDefinition.inputs), one text field each.
import { Box, Text } from 'ink';
import type { MenuInput } from '../model.ts';
import { useTheme } from '../theme.tsx';

export interface InputFormProps {
  title: string;
  inputs: MenuInput[];
  values: Record<string, string>;
  /** index of the field being edited */
  active: number;
  error?: string;
}

export function InputForm({ title, inputs, values, active, error }: InputFormProps) {
  const theme = useTheme();
  const w = Math.max(...inputs.map((i) => i.label.length));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color ? 'cyan' : undefined} paddingX={1} flexShrink={0}>
      <Text bold={theme.color}>{title}</Text>
      {inputs.map((inp, i) => {
        const v = values[inp.name] ?? '';
        const on = i === active;
        return (
          <Text key={inp.name} wrap="truncate-end">
            <Text color={theme.color && on ? 'cyan' : undefined}>{on ? '❯ ' : '  '}</Text>
            {inp.label.padEnd(w)}
            {inp.required ? '*' : ' '} <Text inverse={theme.color && on}>{v}</Text>
            {on ? '▏' : ''}
            {!v && inp.placeholder ? <Text dimColor={theme.color}> {inp.placeholder}</Text> : null}
          </Text>
        );
      })}
      {error ? <Text color={theme.color ? 'red' : undefined}>{error}</Text> : null}
      <Text dimColor={theme.color}>type · tab/enter next field · enter on the last field runs · esc cancel</Text>
    </Box>
  );
}
