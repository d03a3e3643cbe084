// The list under a form field whose input has a kind (namespace, pod, host): the cluster's values,
// filtered by what is typed. The field stays a text field: typing filters (and is the value: free
// text is always possible); ↓ (then ↓↑ or j/k) moves through the matches and the highlighted one
// becomes the value, ↑ above the first returns to the typed text. Enter, Tab and Esc are the form's.
// While the list loads or when it cannot be had (RBAC, no cluster), one line says so.
import { Box, Text, type Key } from 'ink';
import type { Suggestion } from '../suggest.ts';
import { useTheme } from '../theme.tsx';

export type PickerList = { status: 'loading' } | { status: 'ok'; items: Suggestion[]; error?: string; namespace?: string } | { status: 'error'; error: string };

/** The picker's state for the active field: `nav` once the user moved into the list. */
export interface PickerState {
  field: string;
  nav: boolean;
  /** the typed text the list is filtered by (while nav; otherwise the field's value is) */
  filter: string;
  index: number;
}

/** Case-insensitive substring match; values that start with the filter first, in list order otherwise. */
export function filterSuggestions(items: Suggestion[], filter: string): Suggestion[] {
  const f = filter.trim().toLowerCase();
  if (!f) return items;
  const starts: Suggestion[] = [];
  const contains: Suggestion[] = [];
  for (const s of items) {
    const v = s.value.toLowerCase();
    if (v.startsWith(f)) starts.push(s);
    else if (v.includes(f)) contains.push(s);
  }
  return [...starts, ...contains];
}

export interface PickerKeyResult {
  /** the key was the picker's: the form must not act on it */
  handled: boolean;
  state: PickerState;
  /** the field's new value */
  value?: string;
}

/**
 * One key for a picker field. `value` is the field's value now; `items` the full list. Keys it does
 * not take (Enter, Tab, Esc, ↑ on the typed text, typing while not in the list) are the form's.
 */
export function pickerKey(prev: PickerState | undefined, field: string, value: string, items: Suggestion[], input: string, key: Key): PickerKeyResult {
  const st: PickerState = prev && prev.field === field ? prev : { field, nav: false, filter: value, index: 0 };
  const filter = st.nav ? st.filter : value;
  const matches = filterSuggestions(items, filter);
  const no = { handled: false, state: st };
  if (key.ctrl || key.meta) return no;
  if (key.downArrow || (st.nav && input === 'j' && !key.shift)) {
    if (matches.length === 0) return no;
    const index = st.nav ? Math.min(matches.length - 1, st.index + 1) : 0;
    return { handled: true, state: { field, nav: true, filter, index }, value: matches[index]!.value };
  }
  if (key.upArrow || (st.nav && input === 'k')) {
    if (!st.nav) return no;
    if (st.index <= 0 || matches.length === 0) return { handled: true, state: { field, nav: false, filter, index: 0 }, value: filter };
    const index = Math.min(matches.length - 1, st.index - 1);
    return { handled: true, state: { ...st, index }, value: matches[index]!.value };
  }
  if (!st.nav) return no;
  if (key.backspace || key.delete) {
    const f = filter.slice(0, -1);
    return { handled: true, state: { field, nav: false, filter: f, index: 0 }, value: f };
  }
  if (input && !key.return && !key.tab && !key.escape && !/[\u0000-\u001f]/.test(input)) {
    const f = filter + input;
    return { handled: true, state: { field, nav: false, filter: f, index: 0 }, value: f };
  }
  return no;
}

function count(n: number, noun: string): string {
  return `${n} ${n === 1 ? noun.replace(/(?<=s)es$|s$/, '') : noun}`;
}

export interface PickerProps {
  /** what the list holds, plural: 'namespaces', 'pods', 'hosts' */
  noun: string;
  list: PickerList;
  filter: string;
  /** the highlighted match, or -1 (typing) */
  index: number;
  /** rows for the matches */
  height?: number;
}

export function Picker({ noun, list, filter, index, height = 6 }: PickerProps) {
  const theme = useTheme();
  if (list.status === 'loading') return <Text dimColor={theme.color}>{`    listing ${noun}…`}</Text>;
  if (list.status === 'error')
    return (
      <Text wrap="truncate-end" color={theme.color ? 'yellow' : undefined}>
        {`    cannot list ${noun}: ${list.error} · type the value`}
      </Text>
    );
  const matches = filterSuggestions(list.items, filter);
  const rows = Math.max(1, height);
  const first = index < 0 ? 0 : Math.max(0, Math.min(index - Math.floor(rows / 2), matches.length - rows));
  const shown = matches.slice(first, first + rows);
  const w = Math.min(48, Math.max(0, ...shown.map((s) => s.value.length)));
  const where = list.namespace ? ` in ${list.namespace}` : '';
  const head =
    list.items.length === 0
      ? `    no ${noun}${where} · type the value`
      : matches.length === 0
        ? `    no match among ${count(list.items.length, noun)}${where} · the typed text is used`
        : `    ${matches.length === list.items.length ? count(matches.length, noun) : `${matches.length} of ${count(list.items.length, noun)}`}${where}${index < 0 ? ' · ↓ choose' : ` · ${index + 1}/${matches.length}`}`;
  return (
    <Box flexDirection="column" flexShrink={0}>
      <Text dimColor={theme.color} wrap="truncate-end">
        {head}
      </Text>
      {list.error ? (
        <Text wrap="truncate-end" color={theme.color ? 'yellow' : undefined}>
          {`    incomplete: ${list.error}`}
        </Text>
      ) : null}
      {shown.map((s, i) => {
        const on = first + i === index;
        return (
          <Text key={s.value} wrap="truncate-end">
            <Text color={theme.color && on ? 'cyan' : undefined}>{on ? '    ❯ ' : '      '}</Text>
            <Text inverse={theme.color && on}>{s.value.padEnd(w)}</Text>
            {s.note ? <Text dimColor={theme.color}>{`  ${s.note}`}</Text> : null}
          </Text>
        );
      })}
      {first + shown.length < matches.length ? <Text dimColor={theme.color}>{`      … ${matches.length - first - shown.length} more`}</Text> : null}
    </Box>
  );
}
