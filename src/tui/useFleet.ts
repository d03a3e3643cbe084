// The hook that feeds a fleet run into the app: start one through the session's fleet, fold its
// events into rows (fleet.ts), time it; `rerun` runs some contexts again and keeps the others'
// rows. A new run aborts the one in flight.
import { useCallback, useEffect, useRef, useState } from 'react';
import { EMPTY_FLEET, applyFleetEvent, type FleetOutcome, type FleetRequest, type FleetSession, type FleetState } from './fleet.ts';
import { monotonicMs } from '../net/clock.ts';

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
  const [outcome, setOutcome] = useState<FleetOutcome>();
  const [error, setError] = useState<string>();
  const [running, setRunning] = useState(false);
  const [durationMs, setDuration] = useState<number>();
  const current = useRef<{ controller: AbortController; id: number } | undefined>(undefined);
  const seq = useRef(0);

  const abort = useCallback(() => {
    current.current?.controller.abort(new Error('cancelled'));
    current.current = undefined;
    setRunning(false);
  }, []);

  const go = useCallback(
    (req: FleetRequest, keep: boolean) => {
      if (!fleet) return;
      current.current?.controller.abort(new Error('cancelled'));
      const id = ++seq.current;
      const controller = new AbortController();
      current.current = { controller, id };
      const live = () => current.current?.id === id;
      const t0 = monotonicMs();
      if (!keep) {
        setRequest(req);
        setState(EMPTY_FLEET);
      }
      setOutcome(undefined);
      setError(undefined);
      setDuration(undefined);
      setRunning(true);
      fleet
        .run(req, (e) => live() && setState((s) => applyFleetEvent(s, e, keep)), controller.signal)
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
            setDuration(monotonicMs() - t0);
            setRunning(false);
          }
        });
    },
    [fleet],
  );

  const start = useCallback((req: FleetRequest) => go(req, false), [go]);
  const rerun = useCallback(
    (contexts: string[]) => {
      if (request && contexts.length) go({ command: request.command, contexts }, true);
    },
    [go, request],
  );

  useEffect(() => () => current.current?.controller.abort(new Error('cancelled')), []);

  return { request, state, outcome, error, running, durationMs, start, rerun, abort };
}
