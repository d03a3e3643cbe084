// Which finding codes of the catalog no unit test reaches: a code must appear in at least one file
// under test/unit/ other than catalog.test.ts (which lists codes to check the catalog itself, not
// to reach them). Used by code-coverage.test.ts; exported so the lead can run it on any tree.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx|mts|js|mjs|json|yaml|txt)$/.test(n) ? [p] : [];
  });
}

/** Files that do not count as reaching a code: they list codes, they do not run checks. */
export const NOT_REACHING = new Set(['catalog.test.ts']);

/** A code as a whole word: 'api.tls.expired' is not found inside 'api.tls.expired-soon' nor 'xapi.tls.expired'. */
function mentions(text: string, code: string): boolean {
  const escaped = code.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9.-])${escaped}(?![A-Za-z0-9-]|\\.[A-Za-z0-9])`).test(text);
}

/** The codes (of `codes`) that no file under `dir` mentions, in the order given. */
export function codesNotReachedByUnitTests(codes: readonly string[], dir = 'test/unit'): string[] {
  const texts = files(dir)
    .filter((f) => !NOT_REACHING.has(basename(f)))
    .map((f) => readFileSync(f, 'utf8'));
  return codes.filter((code) => !texts.some((t) => mentions(t, code)));
}
