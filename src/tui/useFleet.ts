// The hook that feeds a fleet run into the app: start one through the session's fleet, fold its
// events into rows (fleet.ts), time it; `rerun` runs some contexts again and keeps the others'
// rows. A new run aborts the one in flight.
import { useCallback, useState } from 'react';
import { EMPTY_FLEET, applyFleetEvent, type FleetEvent, type FleetOutcome, type FleetRequest, type FleetSession, type FleetState } from './fleet.ts';
import { monotonicMs } from '../net/clock.ts';
import { useLatestRun } from './useLatestRun.ts';

export interface FleetHandle {
  /** the request that started the screen (a rerun keeps it) */
  request?: FleetRequest;
  state: FleetState;
  outcome?: FleetOutcome;
  /** the selection failed (a pattern matching nothing) or the run itself threw */
  error?: string;
  running: boolean;
  /** wall time of the last run, when it has finished */
  durationMs?: number;
  start(req: FleetRequest): void;
  /** these contexts again, the other rows kept */
  rerun(contexts: string[]): void;
  abort(): void;
}

export function useFleet(fleet: FleetSession | undefined): FleetHandle {
  const [request, setRequest] = useState<FleetRequest>();
  const [state, setState] = useState<FleetState>(EMPTY_FLEET);
  const [durationMs, setDuration] = useState<number>();
  const { outcome, error, running, launch, abort } = useLatestRun<FleetOutcome>();

  const go = useCallback(
    (req: FleetRequest, keep: boolean) => {
      if (!fleet) return;
      const t0 = monotonicMs();
      if (!keep) {
        setRequest(req);
        setState(EMPTY_FLEET);
      }
      setDuration(undefined);
      launch(
        (onEvent: (e: FleetEvent) => void, signal) => fleet.run(req, onEvent, signal),
        (e) => setState((s) => applyFleetEvent(s, e, keep)),
        { onDone: () => setState((s) => ({ ...s, done: true })), onSettled: () => setDuration(monotonicMs() - t0) },
      );
    },
    [fleet, launch],
  );

  const start = useCallback((req: FleetRequest) => go(req, false), [go]);
  const rerun = useCallback(
    (contexts: string[]) => {
      if (request && contexts.length) go({ command: request.command, contexts }, true);
    },
    [go, request],
  );

  return { request, state, outcome, error, running, durationMs, start, rerun, abort };
}
