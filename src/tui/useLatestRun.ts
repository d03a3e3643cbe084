// One run at a time, the latest wins: what the run screen (useRun) and the fleet screen (useFleet)
// share. A new launch aborts the run in flight; a superseded run's events, outcome and error are
// dropped; unmounting aborts what is running.
import { useCallback, useEffect, useRef, useState } from 'react';

export interface LatestRun<O> {
  outcome?: O;
  /** the run itself threw */
  error?: string;
  running: boolean;
  /**
   * Starts `run`, aborting the one in flight. `onEvent` sees its events while it is the latest;
   * `onDone` runs after its outcome is kept, `onSettled` when it ends either way (still the latest).
   */
  launch<E>(run: (onEvent: (e: E) => void, signal: AbortSignal) => Promise<O>, onEvent: (e: E) => void, hooks?: { onDone?: () => void; onSettled?: () => void }): void;
  abort(): void;
}

export function useLatestRun<O>(): LatestRun<O> {
  const [outcome, setOutcome] = useState<O>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);
  const current = useRef<{ controller: AbortController; id: number } | undefined>(undefined);
  const seq = useRef(0);

  const abort = useCallback(() => {
    current.current?.controller.abort(new Error('cancelled'));
    current.current = undefined;
    setRunning(false);
  }, []);

  const launch = useCallback<LatestRun<O>['launch']>((run, onEvent, hooks = {}) => {
    current.current?.controller.abort(new Error('cancelled'));
    const id = ++seq.current;
    const controller = new AbortController();
    current.current = { controller, id };
    const live = () => current.current?.id === id;
    setOutcome(undefined);
    setError(undefined);
    setRunning(true);
    run((e) => live() && onEvent(e), controller.signal)
      .then(
        (o) => {
          if (!live()) return;
          setOutcome(o);
          hooks.onDone?.();
        },
        (err: unknown) => {
          if (!live()) return;
          setError(err instanceof Error ? err.message : String(err));
        },
      )
      .finally(() => {
        if (live()) {
          current.current = undefined;
          hooks.onSettled?.();
          setRunning(false);
        }
      });
  }, []);

  useEffect(() => () => current.current?.controller.abort(new Error('cancelled')), []);

  return { outcome, error, running, launch, abort };
}
