// The inputs a diagnosis asks for before it runs (DiagnosisDefinition.inputs), one text field each.
// A field whose input has a kind the cluster can answer (namespace, pod, host) gets a Picker under
// it while active: its list is fetched once per form (the pods once per namespace) through
// `suggest`, lazily, and typing stays free text. The owner (FormScreen in the app) keeps the values
// and the keys (FORM_KEYS): it offers each key to `keys.current` first, and takes it when the
// picker does not. An empty field shows its placeholder as a hint (`e.g. …`, dim), never as a
// value; an empty field whose list holds exactly one value takes it on Enter.
import { Box, Text, type Key } from 'ink';
import { useEffect, useRef, useState, type RefObject } from 'react';
import type { MenuInput } from '../model.ts';
import { isSuggestKind, type Suggest, type SuggestKind } from '../suggest.ts';
import { useTheme } from '../theme.tsx';
import { hints } from '../keys.ts';
import { FORM_KEYS } from '../keymap.ts';
import { Picker, pickerKey, type PickerList, type PickerState } from './Picker.tsx';

/** Returns true when the key was the form's own (the picker's), so the app must not act on it. */
export type FormKeyHandler = (input: string, key: Key) => boolean;

export interface InputFormProps {
  title: string;
  inputs: MenuInput[];
  values: Record<string, string>;
  /** index of the field being edited */
  active: number;
  error?: string;
  /** lists for the pickers; without it every field is plain text */
  suggest?: Suggest;
  /** the kubeconfig context the lists come from */
  context?: string;
  /** set by the form on every render: the picker's key handler */
  keys?: RefObject<FormKeyHandler | undefined>;
  /** a picker sets a field's value */
  onChange?(name: string, value: string): void;
  /** rows of the picker's list */
  listHeight?: number;
}

const NOUN: Record<SuggestKind, string> = { namespace: 'namespaces', pod: 'pods', host: 'hosts' };

function listKey(kind: SuggestKind, namespace: string | undefined): string {
  return kind === 'pod' ? `pod:${namespace ?? ''}` : kind;
}

export function InputForm({ title, inputs, values, active, error, suggest, context, keys, onChange, listHeight = 6 }: InputFormProps) {
  const theme = useTheme();
  const w = Math.max(...inputs.map((i) => i.label.length));
  const [lists, setLists] = useState<Record<string, PickerList>>({});
  const started = useRef(new Set<string>());
  const mounted = useRef(true);
  const [picker, setPicker] = useState<PickerState>();
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // a field's list position does not survive leaving it
  useEffect(() => setPicker(undefined), [active]);

  const activeInput = inputs[active];
  const nsInput = inputs.find((i) => i.kind === 'namespace');
  const podNamespace = nsInput ? values[nsInput.name]?.trim() || undefined : undefined;
  const kindOf = (inp: MenuInput | undefined): SuggestKind | undefined => (suggest && isSuggestKind(inp?.kind) ? inp.kind : undefined);
  const activeKind = kindOf(activeInput);
  const activeKey = activeKind ? listKey(activeKind, podNamespace) : undefined;

  // fetch: namespace and host lists as soon as the form opens; pods when their field is active
  // (the namespace is chosen by then), once per namespace
  const wanted = inputs.map(kindOf).filter((k): k is SuggestKind => !!k && k !== 'pod').map((k) => listKey(k, undefined));
  if (activeKind === 'pod' && activeKey) wanted.push(activeKey);
  const wantedKey = [...new Set(wanted)].join('|');
  useEffect(() => {
    if (!suggest || !wantedKey) return;
    for (const k of wantedKey.split('|')) {
      if (started.current.has(k)) continue;
      started.current.add(k);
      const kind = k.startsWith('pod:') ? 'pod' : (k as SuggestKind);
      const namespace = kind === 'pod' ? k.slice(4) || undefined : undefined;
      setLists((l) => ({ ...l, [k]: { status: 'loading' } }));
      suggest(kind, { context, namespace }).then(
        (r) => {
          if (!mounted.current) return;
          const list: PickerList = r.items.length === 0 && r.error ? { status: 'error', error: r.error } : { status: 'ok', items: r.items, error: r.error, namespace: r.namespace };
          setLists((l) => ({ ...l, [k]: list }));
        },
        (e: unknown) => {
          if (mounted.current) setLists((l) => ({ ...l, [k]: { status: 'error', error: (e as Error)?.message ?? String(e) } }));
        },
      );
    }
  }, [suggest, context, wantedKey]);

  const activeList = activeKey ? lists[activeKey] : undefined;
  const activeName = activeInput?.name ?? '';
  const st = picker && picker.field === activeName ? picker : undefined;
  const filter = st?.nav ? st.filter : (values[activeName] ?? '');
  const index = st?.nav ? st.index : -1;

  // the picker's state and the field's value as the keys left them: several keys can arrive before
  // the next render (an escape sequence and a letter in one chunk), each must see the one before
  const live = useRef<{ state?: PickerState; value: string }>({ value: '' });
  live.current = { state: st, value: values[activeName] ?? '' };
  if (keys) {
    keys.current = (input, key) => {
      if (!activeList || activeList.status !== 'ok' || !onChange) return false;
      const now = live.current;
      // Enter on an empty field with one suggestion takes it; the form then goes on (not handled)
      if (key.return && !now.state?.nav && now.value.trim() === '' && activeList.items.length === 1) {
        onChange(activeName, activeList.items[0]!.value);
        live.current = { state: now.state, value: activeList.items[0]!.value };
        return false;
      }
      const r = pickerKey(now.state, activeName, now.value, activeList.items, input, key);
      if (r.state !== now.state) setPicker(r.state);
      if (r.value !== undefined && r.value !== now.value) onChange(activeName, r.value);
      live.current = { state: r.state, value: r.value ?? now.value };
      return r.handled;
    };
  }

  const anyPicker = inputs.some((i) => kindOf(i));
  return (
    <Box flexDirection="column" borderStyle="round" borderColor={theme.color ? 'cyan' : undefined} paddingX={1} flexShrink={0}>
      <Text bold={theme.color}>{title}</Text>
      {inputs.map((inp, i) => {
        const v = values[inp.name] ?? '';
        const on = i === active;
        const kind = kindOf(inp);
        return (
          <Box key={inp.name} flexDirection="column" flexShrink={0}>
            <Text wrap="truncate-end">
              <Text color={theme.color && on ? 'cyan' : undefined}>{on ? '❯ ' : '  '}</Text>
              {inp.label.padEnd(w)}
              {inp.required ? '*' : ' '} <Text inverse={theme.color && on}>{v}</Text>
              {on ? '▏' : ''}
              {!v ? <Hint single={on ? single(activeList) : undefined} placeholder={inp.placeholder} /> : null}
            </Text>
            {on && kind && activeList ? <Picker noun={NOUN[kind]} list={activeList} filter={filter} index={index} height={listHeight} /> : null}
          </Box>
        );
      })}
      {error ? <Text color={theme.color ? 'red' : undefined}>{error}</Text> : null}
      <Text dimColor={theme.color} wrap="truncate-end">
        {anyPicker ? `type to filter · ↓↑ j/k choose · ${hints(FORM_KEYS)}` : hints(FORM_KEYS)}
      </Text>
    </Box>
  );
}

/** The one value an empty field takes on Enter: its list's only item. */
function single(list: PickerList | undefined): string | undefined {
  return list?.status === 'ok' && list.items.length === 1 ? list.items[0]!.value : undefined;
}

/** What an empty field shows after the cursor: dim, and worded so that it cannot pass for a value. */
function Hint({ single, placeholder }: { single?: string; placeholder?: string }) {
  const theme = useTheme();
  const text = single ? `enter takes ${single}` : placeholder ? `e.g. ${placeholder}` : '';
  return text ? <Text dimColor={theme.color}>{`  ${text}`}</Text> : null;
}

