import type { Report } from '../types.ts';
import { dump } from 'js-yaml';

export function renderJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

export function renderYaml(report: Report): string {
  return dump(JSON.parse(JSON.stringify(report)), { lineWidth: -1, noRefs: true });
}
