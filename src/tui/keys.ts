// Keys as data (k9s's KeyActions + Hints): a view's keys are ONE table of bindings, each with the
// keys that trigger it, what it does in words, and the action itself. The view's input handler is
// `handleKey(table, …)`, and the `?` help and the footer hints are rendered from the same table, so
// a key cannot be handled without being listed.
import type { Key } from 'ink';

/** A named key, or one printable character ('g', 'G', '?'). `text` is any printable character. */
export type KeySpec =
  | 'up'
  | 'down'
  | 'left'
  | 'right'
  | 'pgup'
  | 'pgdn'
  | 'home'
  | 'end'
  | 'enter'
  | 'esc'
  | 'tab'
  | 'shift-tab'
  | 'backspace'
  | 'space'
  | 'ctrl-c'
  | 'text'
  | (string & {});

export interface Binding<C> {
  keys: readonly KeySpec[];
  /** what the key does, as the `?` help says it */
  help: string;
  /** a word or two for the footer line; bindings without one are only in the help */
  hint?: string;
  /** the action; `pressed` is the spec that matched (one binding can serve ↑ and ↓) */
  run(c: C, pressed: KeySpec, input: string): void;
}

export type KeyTable<C> = readonly Binding<C>[];

const NAMES: Record<string, string> = {
  up: '↑',
  down: '↓',
  left: '←',
  right: '→',
  pgup: 'pgup',
  pgdn: 'pgdn',
  home: 'home',
  end: 'end',
  enter: 'enter',
  esc: 'esc',
  tab: 'tab',
  'shift-tab': 'shift-tab',
  backspace: 'backspace',
  space: 'space',
  'ctrl-c': 'ctrl-c',
  text: 'type',
};

const ARROWS = new Set(['up', 'down', 'left', 'right']);

function printable(input: string, key: Key): boolean {
  return input.length > 0 && !key.ctrl && !key.meta && !/[\u0000-\u001f\u007f]/.test(input);
}

/** Whether a key press is the spec. */
export function matches(spec: KeySpec, input: string, key: Key): boolean {
  switch (spec) {
    case 'up':
      return key.upArrow;
    case 'down':
      return key.downArrow;
    case 'left':
      return key.leftArrow;
    case 'right':
      return key.rightArrow;
    case 'pgup':
      return key.pageUp;
    case 'pgdn':
      return key.pageDown;
    case 'home':
      return key.home;
    case 'end':
      return key.end;
    case 'enter':
      return key.return;
    case 'esc':
      return key.escape;
    case 'tab':
      return key.tab && !key.shift;
    case 'shift-tab':
      return key.tab && key.shift;
    case 'backspace':
      return key.backspace || key.delete;
    case 'space':
      return input === ' ' && !key.ctrl && !key.meta;
    case 'ctrl-c':
      return key.ctrl && input === 'c';
    case 'text':
      return printable(input, key);
    default:
      return input === spec && !key.ctrl && !key.meta && !key.return && !key.tab && !key.escape;
  }
}

/** The first binding (in table order) that takes the key press, and which of its specs matched. */
export function bindingFor<C>(table: KeyTable<C>, input: string, key: Key): { binding: Binding<C>; pressed: KeySpec } | undefined {
  for (const binding of table) {
    const pressed = binding.keys.find((s) => matches(s, input, key));
    if (pressed !== undefined) return { binding, pressed };
  }
  return undefined;
}

/** Runs the binding that takes the key; false when none does. */
export function handleKey<C>(table: KeyTable<C>, input: string, key: Key, c: C): boolean {
  const hit = bindingFor(table, input, key);
  if (!hit) return false;
  hit.binding.run(c, hit.pressed, input);
  return true;
}

/** How a spec is written in the help: ↑, enter, pgdn, g. */
export function keyName(spec: KeySpec): string {
  return NAMES[spec] ?? spec;
}

/** A binding's keys as the help lists them: the named keys, then the letters ("↑ ↓  j k"). */
export function keyLabel(keys: readonly KeySpec[]): string {
  const named = keys.filter((k) => NAMES[k] !== undefined).map(keyName);
  const chars = keys.filter((k) => NAMES[k] === undefined);
  return [named.join(' '), chars.join(' ')].filter(Boolean).join('  ');
}

/** The footer line: each hinted binding as "key hint" (two arrows together: "↑↓ move"). */
export function hints<C>(table: KeyTable<C>): string {
  return table
    .filter((b) => b.hint)
    .map((b) => {
      const arrows = b.keys.filter((k) => ARROWS.has(k));
      return `${arrows.length > 1 ? arrows.map(keyName).join('') : keyName(b.keys[0]!)} ${b.hint}`;
    })
    .join(' · ');
}

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/** A key press as Ink reports it, for a character of a multi-key chunk (and for tests). */
export function keyOf(ch: string, over: Partial<Key> = {}): Key {
  return { ...NO_KEY, return: ch === '\r' || ch === '\n', tab: ch === '\t', ...over };
}
