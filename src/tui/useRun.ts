// The hook that feeds runner events into the app: start (or restart) a run through the session,
// fold its events into rows, keep the outcome. A new run aborts the one in flight.
import { useCallback, useState } from 'react';
import type { RunnerEvent } from '../engine/runner.ts';
import { EMPTY_RUN, applyEvent, type RunOutcome, type RunRequest, type RunState, type TuiSession } from './model.ts';
import { useLatestRun } from './useLatestRun.ts';

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
  const { outcome, error, running, launch, abort } = useLatestRun<RunOutcome>();

  const start = useCallback(
    (req: RunRequest) => {
      setRequest(req);
      setState(EMPTY_RUN);
      launch(
        (onEvent: (e: RunnerEvent) => void, signal) => session.run(req, onEvent, signal),
        (e) => setState((s) => applyEvent(s, e)),
        { onDone: () => setState((s) => ({ ...s, done: true })) },
      );
    },
    [session, launch],
  );

  return { request, state, outcome, error, running, start, abort };
}
