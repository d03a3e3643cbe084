// A monotonic clock in milliseconds: the same reading as performance.now() (process.hrtime), without
// the global `performance`, whose first use loads perf_hooks and nine internal modules more (measured
// on `cert`: a process that never touches it starts ~3 ms sooner). Durations and deadlines use this.
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
