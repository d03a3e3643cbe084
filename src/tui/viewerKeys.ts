// The saved-report viewers (ReportViewer, DiffViewer: `kubectl netdiag open`): a list with one
// entry expandable, and a scrollable area under it. Their keys are one table (src/tui/keys.ts),
// from which both the input handler and the footer line (KeyHints) are built.
import { useApp, useInput } from 'ink';
import { useState } from 'react';
import { handleKey, type KeyTable } from './keys.ts';

export interface ViewerCommands {
  move(by: number): void;
  toggle(): void;
  scroll(by: number): void;
  quit(): void;
  /** closes what is open; false when nothing was */
  close(): boolean;
}

/** The viewers' keys; `enter` says what Enter opens. */
export function viewerKeys(enter: string): KeyTable<ViewerCommands> {
  return [
    { keys: ['up', 'down', 'j', 'k'], help: 'move', hint: 'move', run: (c, k) => c.move(k === 'up' || k === 'k' ? -1 : 1) },
    { keys: ['enter'], help: enter, hint: enter, run: (c) => c.toggle() },
    { keys: ['pgdn', 'd'], help: 'scroll down', hint: 'scroll', run: (c) => c.scroll(10) },
    { keys: ['pgup', 'u'], help: 'scroll up', run: (c) => c.scroll(-10) },
    { keys: ['esc'], help: 'close what is open; quit when nothing is', hint: 'close', run: (c) => c.close() || c.quit() },
    { keys: ['q', 'ctrl-c'], help: 'quit', hint: 'quit', run: (c) => c.quit() },
  ];
}

export interface ViewerState {
  selected: number;
  expanded: boolean;
  offset: number;
}

/** The list's selection, whether it is expanded and the scroll offset, driven by `table`'s keys. */
export function useViewer(table: KeyTable<ViewerCommands>, count: number, initial = 0): ViewerState {
  const { exit } = useApp();
  const [selected, setSelected] = useState(initial);
  const [expanded, setExpanded] = useState(false);
  const [offset, setOffset] = useState(0);
  const commands: ViewerCommands = {
    move: (by) => (setSelected((s) => Math.max(0, Math.min(count - 1, s + by))), setOffset(0)),
    toggle: () => (setExpanded((e) => !e), setOffset(0)),
    scroll: (by) => setOffset((o) => Math.max(0, o + by)),
    quit: () => exit(),
    close: () => (expanded ? (setExpanded(false), setOffset(0), true) : false),
  };
  useInput((input, key) => {
    handleKey(table, input, key, commands);
  });
  return { selected, expanded, offset };
}
