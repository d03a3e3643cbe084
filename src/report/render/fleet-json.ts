// The fleet as JSON: the fleet summary, one entry per context, and each context's usual report.
import type { FleetReport } from '../fleet.ts';

export function renderFleetJson(f: FleetReport): string {
  return JSON.stringify(f, null, 2) + '\n';
}
