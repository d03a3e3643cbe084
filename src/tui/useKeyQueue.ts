// Keys one at a time: a chunk of several keys (typed ahead, or sent at once by tmux or a slow link)
// is queued and handled one key per render, so it acts like the same keys pressed one by one, each
// seeing the screen the one before it left. Ctrl-C is never queued.
import { useInput, type Key } from 'ink';
import { useEffect, useState } from 'react';
import { keyOf } from './keys.ts';

export function useKeyQueue(handle: (input: string, key: Key) => void, onCtrlC: () => void): void {
  const [queue, setQueue] = useState<{ input: string; key: Key }[]>([]);
  useInput((input, key) => {
    if (key.ctrl && input === 'c') return onCtrlC();
    const plain = !key.ctrl && !key.meta && input.length > 1 && !input.startsWith('\u001b');
    const events = plain ? [...input].map((ch) => ({ input: ch, key: keyOf(ch) })) : [{ input, key }];
    // the common case, one key and nothing queued: handle it now (one render per key press)
    if (events.length === 1 && queue.length === 0) return handle(input, key);
    setQueue((q) => [...q, ...events]);
  });
  useEffect(() => {
    const next = queue[0];
    if (!next) return;
    // functional: keys that arrive meanwhile are appended, never dropped
    setQueue((q) => q.slice(1));
    handle(next.input, next.key);
  });
}
