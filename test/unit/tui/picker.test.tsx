// The form's pickers, one piece at a time: the filter, the key logic, the Picker's frames, and the
// InputForm in a small host that owns the values and the keys the way App does.
import type { Key } from 'ink';
import { useInput } from 'ink';
import { cleanup, render } from 'ink-testing-library';
import { useRef, useState } from 'react';
import { afterEach, describe, expect, it } from 'vitest';
import { InputForm, type FormKeyHandler } from '../../../src/tui/components/InputForm.tsx';
import { Picker, filterSuggestions, pickerKey, type PickerState } from '../../../src/tui/components/Picker.tsx';
import type { MenuInput } from '../../../src/tui/model.ts';
import type { Suggest, SuggestKind, SuggestQuery, SuggestResult } from '../../../src/tui/suggest.ts';
import { strip, waitFor } from './helpers.ts';

afterEach(() => cleanup());

const PODS = [
  { value: 'api-7f9c', note: 'Running' },
  { value: 'db-0', note: 'Running' },
  { value: 'web-1', note: 'Running' },
  { value: 'web-2', note: 'Pending' },
  { value: 'worker-web', note: 'Failed' },
];

const NO_KEY: Key = {
  upArrow: false, downArrow: false, leftArrow: false, rightArrow: false, pageDown: false, pageUp: false, home: false, end: false,
  return: false, escape: false, ctrl: false, shift: false, tab: false, backspace: false, delete: false, meta: false, super: false,
  hyper: false, capsLock: false, numLock: false,
};
const k = (over: Partial<Key>): Key => ({ ...NO_KEY, ...over });

describe('filterSuggestions', () => {
  it('case-insensitive substring, the values that start with the filter first', () => {
    expect(filterSuggestions(PODS, 'WEB').map((s) => s.value)).toEqual(['web-1', 'web-2', 'worker-web']);
    expect(filterSuggestions(PODS, '').length).toBe(5);
    expect(filterSuggestions(PODS, 'zzz')).toEqual([]);
  });
});

describe('pickerKey', () => {
  it('↓ enters the list on the first match, j/k then move, ↑ above the first returns to the typed text', () => {
    let st: PickerState | undefined;
    let value = 'web';
    const press = (input: string, key: Key) => {
      const r = pickerKey(st, 'pod', value, PODS, input, key);
      st = r.state;
      if (r.value !== undefined) value = r.value;
      return r.handled;
    };
    // typing is the form's while not in the list (so are j and k: 'kube-system' has a k)
    expect(press('k', k({}))).toBe(false);
    expect(press('', k({ upArrow: true }))).toBe(false);
    expect(press('', k({ downArrow: true }))).toBe(true);
    expect(value).toBe('web-1');
    expect(press('j', k({}))).toBe(true);
    expect(value).toBe('web-2');
    expect(press('j', k({}))).toBe(true);
    expect(press('j', k({}))).toBe(true);
    expect(value).toBe('worker-web');
    expect(press('k', k({}))).toBe(true);
    expect(value).toBe('web-2');
    // Enter, Tab and Esc stay the form's: the highlighted value is already the field's
    expect(press('\r', k({ return: true }))).toBe(false);
    expect(press('\t', k({ tab: true }))).toBe(false);
    expect(press('', k({ escape: true }))).toBe(false);
    expect(press('', k({ upArrow: true }))).toBe(true);
    expect(press('', k({ upArrow: true }))).toBe(true);
    expect(value).toBe('web');
    expect(st?.nav).toBe(false);
  });

  it('typing while in the list goes on filtering from the typed text; backspace too', () => {
    let st: PickerState | undefined;
    let value = 'w';
    const press = (input: string, key: Key) => {
      const r = pickerKey(st, 'pod', value, PODS, input, key);
      st = r.state;
      if (r.value !== undefined) value = r.value;
      return r.handled;
    };
    press('', k({ downArrow: true }));
    expect(value).toBe('web-1');
    expect(press('o', k({}))).toBe(true);
    expect(value).toBe('wo');
    expect(st?.nav).toBe(false);
    press('', k({ downArrow: true }));
    expect(value).toBe('worker-web');
    expect(press('', k({ backspace: true }))).toBe(true);
    expect(value).toBe('w');
    // no match: ↓ is the form's (next field), the typed text is the value
    value = 'nothing-like-it';
    st = undefined;
    expect(press('', k({ downArrow: true }))).toBe(false);
  });
});

describe('Picker', () => {
  const f = (el: React.ReactElement) => strip(render(el).lastFrame());

  it('the matches with their notes, how many of how many, the highlighted one marked', () => {
    expect(f(<Picker noun="pods" list={{ status: 'ok', items: PODS, namespace: 'shop' }} filter="web" index={-1} />).split('\n')).toEqual([
      '    3 of 5 pods in shop · ↓ choose',
      '      web-1       Running',
      '      web-2       Pending',
      '      worker-web  Failed',
    ]);
    expect(f(<Picker noun="pods" list={{ status: 'ok', items: PODS }} filter="web" index={1} />).split('\n')).toEqual([
      '    3 of 5 pods · 2/3',
      '      web-1       Running',
      '    ❯ web-2       Pending',
      '      worker-web  Failed',
    ]);
  });

  it('a long list scrolls with the highlight and says how many more', () => {
    const frame = f(<Picker noun="pods" list={{ status: 'ok', items: PODS }} filter="" index={4} height={2} />).split('\n');
    expect(frame).toEqual(['    5 pods · 5/5', '      web-2       Pending', '    ❯ worker-web  Failed']);
    expect(f(<Picker noun="pods" list={{ status: 'ok', items: PODS }} filter="" index={-1} height={2} />)).toContain('… 3 more');
  });

  it('loading, no match, an empty list, a partial list, and a failure: one line each', () => {
    expect(f(<Picker noun="hosts" list={{ status: 'loading' }} filter="" index={-1} />)).toBe('    listing hosts…');
    expect(f(<Picker noun="pods" list={{ status: 'ok', items: PODS }} filter="zzz" index={-1} />)).toBe('    no match among 5 pods · the typed text is used');
    expect(f(<Picker noun="pods" list={{ status: 'ok', items: [], namespace: 'empty' }} filter="" index={-1} />)).toBe('    no pods in empty · type the value');
    expect(f(<Picker noun="hosts" list={{ status: 'ok', items: [{ value: 'a.test' }], error: 'Certificates: forbidden' }} filter="" index={-1} />).split('\n')).toEqual([
      '    1 host · ↓ choose',
      '    incomplete: Certificates: forbidden',
      '      a.test',
    ]);
    const err = f(<Picker noun="namespaces" list={{ status: 'error', error: 'namespaces is forbidden: User "dev" cannot list' }} filter="" index={-1} />);
    expect(err).toBe('    cannot list namespaces: namespaces is forbidden: User "dev" cannot list · type the value');
  });
});

// ---- the form in a host that does what App does with it: the values, Tab, Enter on the last field
const INPUTS: MenuInput[] = [
  { name: 'namespace', label: 'Namespace', required: true, kind: 'namespace' },
  { name: 'pod', label: 'Pod', required: true, kind: 'pod' },
  { name: 'target', label: 'Target', required: true, kind: 'host' },
];

function Host({ suggest, onSubmit }: { suggest: Suggest; onSubmit(v: Record<string, string>): void }) {
  const [values, setValues] = useState<Record<string, string>>({ namespace: '', pod: '', target: '' });
  const [active, setActive] = useState(0);
  const keys = useRef<FormKeyHandler | undefined>(undefined);
  useInput((input, key) => {
    if (keys.current?.(input, key)) return;
    const name = INPUTS[active]!.name;
    if (key.return || key.tab) {
      if (key.return && active === INPUTS.length - 1) return onSubmit(values);
      setActive((a) => (a + 1) % INPUTS.length);
    } else if (key.backspace || key.delete) setValues((v) => ({ ...v, [name]: v[name]!.slice(0, -1) }));
    else if (input && !key.ctrl && !/[\u0000-\u001f]/.test(input)) setValues((v) => ({ ...v, [name]: v[name] + input }));
  });
  return <InputForm title="Pod egress" inputs={INPUTS} values={values} active={active} suggest={suggest} keys={keys} onChange={(n, v) => setValues((x) => ({ ...x, [n]: v }))} />;
}

function fakeSuggest(answers: Partial<Record<SuggestKind, (q: SuggestQuery) => SuggestResult>>) {
  const calls: string[] = [];
  const suggest: Suggest = async (kind, q) => {
    calls.push(kind === 'pod' ? `pod:${q.namespace}` : kind);
    await new Promise((r) => setTimeout(r, 5));
    const a = answers[kind];
    if (!a) throw new Error(`no ${kind}`);
    return a(q);
  };
  return { suggest, calls };
}

async function drive(suggest: Suggest) {
  const submitted: Record<string, string>[] = [];
  const r = render(<Host suggest={suggest} onSubmit={(v) => submitted.push(v)} />);
  const frame = () => strip(r.lastFrame());
  const until = (cond: (f: string) => boolean, what: string) => waitFor(() => cond(frame()), what, 5000, frame);
  const press = async (s: string) => {
    r.stdin.write(s);
    await new Promise((res) => setTimeout(res, 30));
  };
  return { frame, until, press, submitted };
}

describe('InputForm with pickers', () => {
  it('namespace, then the pods of the chosen namespace, then a free-text target; each list fetched once', async () => {
    const { suggest, calls } = fakeSuggest({
      namespace: () => ({ items: [{ value: 'default' }, { value: 'kube-system' }, { value: 'shop' }] }),
      pod: (q) => ({ items: q.namespace === 'shop' ? PODS : [{ value: 'other' }], namespace: q.namespace }),
      host: () => ({ items: [{ value: 'shop.example.test', note: 'Ingress shop/web' }] }),
    });
    const t = await drive(suggest);
    await t.until((f) => f.includes('3 namespaces'), 'the namespaces');
    await t.press('s');
    await t.until((f) => f.includes('2 of 3 namespaces'), 'filtered by s');
    expect(t.frame()).toContain('      shop');
    expect(t.frame()).toContain('      kube-system');
    await t.press('\u001b[B'); // ↓
    await t.until((f) => /^│ ❯ Namespace\* shop/m.test(f), 'shop picked');
    await t.press('\t');
    await t.until((f) => f.includes('5 pods in shop'), 'the pods of shop');
    expect(t.frame()).toMatch(/web-2 +Pending/);
    await t.press('web');
    await t.until((f) => f.includes('3 of 5 pods in shop'), 'filtered by web');
    await t.press('\u001b[B');
    await t.press('j');
    await t.until((f) => /Pod +\* web-2/.test(f) && f.includes('❯ web-2'), 'web-2 highlighted');
    await t.press('\t');
    await t.until((f) => f.includes('shop.example.test'), 'the hosts');
    await t.press('storage.example.net:443');
    await t.until((f) => f.includes('no match among 1 host ·'), 'free text');
    await t.press('\r');
    await waitFor(() => t.submitted.length > 0, 'submit');
    expect(t.submitted).toEqual([{ namespace: 'shop', pod: 'web-2', target: 'storage.example.net:443' }]);
    expect(calls.sort()).toEqual(['host', 'namespace', 'pod:shop']);
  });

  it('a failed list is one line and the field stays a text field', async () => {
    const { suggest } = fakeSuggest({
      namespace: () => ({ items: [], error: 'namespaces is forbidden: User "dev" cannot list' }),
      host: () => ({ items: [], error: 'no kubeconfig' }),
    });
    const t = await drive(suggest);
    await t.until((f) => f.includes('cannot list namespaces'), 'the failure line');
    expect(t.frame()).toMatch(/^│ {5}cannot list namespaces: namespaces is forbidden: User "dev" cannot list · type the value +│$/m);
    await t.press('shop');
    await t.until((f) => /Namespace\* shop/.test(f), 'typed');
    await t.press('\u001b[B'); // the form's: nothing to choose
    await t.press('\t');
    // the pod list rejected: said in one line too
    await t.until((f) => f.includes('cannot list pods: no pod'), 'the pods failure');
  });
});
