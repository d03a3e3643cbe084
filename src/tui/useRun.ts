// The hook that feeds runner events into the app: start (or restart) a run through the session,
// fold its events into rows, keep the outcome. A new run aborts the one in flight.
import { useCallback, useEffect, useRef, useState } from 'react';
import { EMPTY_RUN, applyEvent, type RunOutcome, type RunRequest, type RunState, type TuiSession } from './model.ts';

export interface RunHandle {
  request?: RunRequest;
  state: RunState;
  outcome?: RunOutcome;
  /** the run itself threw (a bug); shown instead of a verdict */
  error?: string;
  running: boolean;
  start(req: RunRequest): void;
  abort(): void;
}

export function useRun(session: TuiSession): RunHandle {
  const [request, setRequest] = useState<RunRequest>();
  const [state, setState] = useState<RunState>(EMPTY_RUN);
  const [outcome, setOutcome] = useState<RunOutcome>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);
  const current = useRef<{ controller: AbortController; id: number } | undefined>(undefined);
  const seq = useRef(0);

  const abort = useCallback(() => {
    current.current?.controller.abort(new Error('cancelled'));
    current.current = undefined;
    setRunning(false);
  }, []);

  const start = useCallback(
    (req: RunRequest) => {
      current.current?.controller.abort(new Error('cancelled'));
      const id = ++seq.current;
      const controller = new AbortController();
      current.current = { controller, id };
      const live = () => current.current?.id === id;
      setRequest(req);
      setState(EMPTY_RUN);
      setOutcome(undefined);
      setError(undefined);
      setRunning(true);
      session
        .run(req, (e) => live() && setState((s) => applyEvent(s, e)), controller.signal)
        .then(
          (o) => {
            if (!live()) return;
            setOutcome(o);
            setState((s) => ({ ...s, done: true }));
          },
          (err: unknown) => {
            if (!live()) return;
            setError(err instanceof Error ? err.message : String(err));
          },
        )
        .finally(() => {
          if (live()) {
            current.current = undefined;
            setRunning(false);
          }
        });
    },
    [session],
  );

  useEffect(() => () => current.current?.controller.abort(new Error('cancelled')), []);

  return { request, state, outcome, error, running, start, abort };
}
