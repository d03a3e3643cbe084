import type { Report } from '../types.ts';
import { dump } from 'js-yaml';

/** The JSON report's data as YAML (same keys, same order). */
export function renderYaml(report: Report): string {
  return dump(JSON.parse(JSON.stringify(report)), { lineWidth: -1, noRefs: true });
}
