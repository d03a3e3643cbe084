// The app's state in one place and the pure reducer over it: which screen and overlay show, the
// context in use, the menu's and the run view's selection, the form being filled, the notice line.
// The run itself (rows, outcome) is useRun's; side effects (running, quitting, exporting) are the
// key actions' (keymap.ts), which dispatch here.
import type { MenuItem } from './model.ts';

export type Screen = 'menu' | 'form' | 'run' | 'fleet' | 'fleet-report';
export type Overlay = 'help' | 'contexts';

export interface FormState {
  item: MenuItem;
  values: Record<string, string>;
  /** index of the field being edited */
  active: number;
  error?: string;
  /** set by Enter on the last field when every required value is there: what the run gets */
  submit?: Record<string, string>;
}

export interface ContextList {
  names: string[];
  current?: string;
  selected: number;
  error?: string;
}

/** The run screen's view of the rows: the selected check, whether it is expanded, the detail's scroll. */
export interface RunView {
  selected: number;
  expanded: boolean;
  scroll: number;
}

export interface AppState {
  screen: Screen;
  overlay?: Overlay;
  /** the kubeconfig context chosen with `x` (else the flags' / current-context) */
  context?: string;
  menuIndex: number;
  form?: FormState;
  view: RunView;
  /** up to three lines in place of the footer's keys, until the next screen change */
  notice?: string[];
  contexts?: ContextList;
  /** the fleet screen's selected context (by name: the rows regroup as they finish) */
  fleetSelected?: string;
  /** the context whose report the fleet-report screen shows */
  reportContext?: string;
}

export type AppAction =
  | { type: 'menu-move'; by: number; count: number }
  | { type: 'notice'; lines?: string[] }
  | { type: 'form-open'; item: MenuItem }
  | { type: 'form-set'; name: string; value: string }
  | { type: 'form-field'; by: number }
  | { type: 'form-type'; text: string }
  | { type: 'form-backspace' }
  | { type: 'form-enter' }
  | { type: 'run-open' }
  | { type: 'rerun' }
  | { type: 'menu-open' }
  | { type: 'select'; index: number }
  | { type: 'toggle' }
  | { type: 'collapse' }
  | { type: 'scroll'; by: number; max: number }
  | { type: 'help'; open: boolean }
  | { type: 'contexts-open'; list: ContextList }
  | { type: 'contexts-move'; by: number }
  | { type: 'overlay-close' }
  | { type: 'context'; name: string }
  | { type: 'fleet-open' }
  | { type: 'fleet-select'; context: string }
  | { type: 'fleet-report-open'; context: string }
  | { type: 'fleet-back' };

export function initialState(context: string | undefined): AppState {
  return { screen: 'menu', context, menuIndex: 0, view: { selected: 0, expanded: false, scroll: 0 } };
}

const clamp = (n: number, lo: number, hi: number) => Math.max(lo, Math.min(n, hi));

export function appReducer(s: AppState, a: AppAction): AppState {
  switch (a.type) {
    case 'menu-move':
      return { ...s, menuIndex: clamp(s.menuIndex + a.by, 0, a.count - 1) };
    case 'notice':
      return { ...s, notice: a.lines };
    case 'form-open':
      return { ...s, screen: 'form', form: { item: a.item, values: Object.fromEntries(a.item.inputs.map((i) => [i.name, i.value ?? ''])), active: 0 } };
    case 'form-set':
      return s.form ? { ...s, form: { ...s.form, values: { ...s.form.values, [a.name]: a.value }, error: undefined } } : s;
    case 'form-field': {
      if (!s.form) return s;
      const n = s.form.item.inputs.length;
      return { ...s, form: { ...s.form, active: (s.form.active + n + a.by) % n, error: a.by > 0 ? undefined : s.form.error } };
    }
    case 'form-type':
    case 'form-backspace': {
      if (!s.form) return s;
      const name = s.form.item.inputs[s.form.active]!.name;
      const v = s.form.values[name] ?? '';
      return appReducer(s, { type: 'form-set', name, value: a.type === 'form-type' ? v + a.text : v.slice(0, -1) });
    }
    case 'form-enter': {
      const f = s.form;
      if (!f) return s;
      const inputs = f.item.inputs;
      if (f.active < inputs.length - 1) return { ...s, form: { ...f, active: f.active + 1, error: undefined } };
      const missing = inputs.find((i) => i.required && !f.values[i.name]?.trim());
      if (missing) return { ...s, form: { ...f, error: `${missing.label} is required`, active: inputs.indexOf(missing) } };
      const values = Object.fromEntries(
        Object.entries(f.values)
          .filter(([, v]) => v.trim() !== '')
          .map(([k, v]) => [k, v.trim()]),
      );
      return { ...s, form: { ...f, submit: values } };
    }
    case 'run-open':
      return { ...s, screen: 'run', form: undefined, view: { selected: 0, expanded: false, scroll: 0 }, notice: undefined };
    case 'rerun':
      return { ...s, view: { ...s.view, expanded: false, scroll: 0 }, notice: undefined };
    case 'menu-open':
      return { ...s, screen: 'menu', form: undefined, view: { ...s.view, expanded: false }, notice: undefined };
    case 'select':
      return { ...s, view: { ...s.view, selected: Math.max(0, a.index), scroll: 0 } };
    case 'toggle':
      return { ...s, view: { ...s.view, expanded: !s.view.expanded, scroll: 0 } };
    case 'collapse':
      return { ...s, view: { ...s.view, expanded: false, scroll: 0 } };
    case 'scroll':
      return { ...s, view: { ...s.view, scroll: clamp(s.view.scroll + a.by, 0, Math.max(0, a.max - 1)) } };
    case 'help':
      return { ...s, overlay: a.open ? 'help' : undefined };
    case 'contexts-open':
      return { ...s, overlay: 'contexts', contexts: a.list };
    case 'contexts-move':
      return s.contexts ? { ...s, contexts: { ...s.contexts, selected: clamp(s.contexts.selected + a.by, 0, s.contexts.names.length - 1) } } : s;
    case 'overlay-close':
      return { ...s, overlay: undefined };
    case 'context':
      return { ...s, overlay: undefined, context: a.name, notice: [`context: ${a.name}`] };
    case 'fleet-open':
      return { ...s, screen: 'fleet', form: undefined, fleetSelected: undefined, reportContext: undefined, notice: undefined };
    case 'fleet-select':
      return { ...s, fleetSelected: a.context };
    case 'fleet-report-open':
      return { ...s, screen: 'fleet-report', reportContext: a.context, fleetSelected: a.context, view: { selected: 0, expanded: false, scroll: 0 }, notice: undefined };
    case 'fleet-back':
      return { ...s, screen: 'fleet', view: { selected: 0, expanded: false, scroll: 0 }, notice: undefined };
  }
}
