// The keys of the saved-report viewers (ReportViewer, DiffViewer: `kubectl netdiag open`), one
// table (src/tui/keys.ts) from which both their input handler and their footer line are built.
import { useInput } from 'ink';
import { handleKey, type KeyTable } from './keys.ts';

export interface ViewerCommands {
  move(by: number): void;
  toggle(): void;
  scroll(by: number): void;
  quit(): void;
  /** closes what is open; false when nothing was */
  close(): boolean;
}

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

export function useViewerKeys(table: KeyTable<ViewerCommands>, c: ViewerCommands): void {
  useInput((input, key) => {
    handleKey(table, input, key, c);
  });
}
