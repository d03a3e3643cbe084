// One catalog of finding codes: stable IDs, default severity, a title and the default remediation.
// Checks raise codes from here; a unit test proves every code a check declares (and emits) is listed.
import type { CatalogEntry } from './types.ts';
import { API_CODES } from './catalog/api.ts';
import { EGRESS_CODES } from './catalog/egress.ts';
import { CERT_CODES } from './catalog/cert.ts';
import { INGRESS_CODES } from './catalog/ingress.ts';
import { SERVER_CODES } from './catalog/server.ts';

export type { CatalogEntry };

/** Codes every check may raise: the runner's own. */
const RUNNER_CODES: Record<string, CatalogEntry> = {
  // runner-level codes, valid for every check
  'check.deadline': {
    severity: 'fail',
    title: 'The check did not finish before its deadline',
    remediation: ['Rerun with a longer --timeout to see whether the operation completes at all.'],
  },
  'check.crashed': {
    severity: 'fail',
    title: 'The check itself failed (a bug in kubectl-netdiag)',
    remediation: ['Rerun with -v and report the message at the project issue tracker.'],
  },

};

/**
 * The one catalog: every area's codes, merged. A new area adds its file under catalog/ and one
 * line here; a duplicate code is a programming error caught at load.
 */
export const CATALOG: Record<string, CatalogEntry> = merge(RUNNER_CODES, API_CODES, EGRESS_CODES, SERVER_CODES, CERT_CODES, INGRESS_CODES);

function merge(...parts: Record<string, CatalogEntry>[]): Record<string, CatalogEntry> {
  const out: Record<string, CatalogEntry> = {};
  for (const part of parts) {
    for (const [code, entry] of Object.entries(part)) {
      if (out[code]) throw new Error(`finding code ${code} is defined twice in the catalog`);
      out[code] = entry;
    }
  }
  return out;
}

export function catalogEntry(code: string): CatalogEntry | undefined {
  return CATALOG[code];
}
