// The report model (SPEC §4). Every command builds one Report; every renderer shows it.

export type CheckStatus = 'pass' | 'warn' | 'fail' | 'skip' | 'error';
export type Severity = 'info' | 'warn' | 'fail';

/** One finding code in the catalog: its default severity, a title and the default remediation. */
export interface CatalogEntry {
  severity: Severity;
  title: string;
  remediation: string[];
}

export interface Finding {
  code: string;
  severity: Severity;
  message: string;
  remediation: string[];
}

export interface CheckResult {
  id: string;
  title: string;
  status: CheckStatus;
  durationMs: number;
  summary: string;
  evidence?: Record<string, unknown>;
  findings: Finding[];
  reproduce: string[];
}

export interface Target {
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  [key: string]: unknown;
}

export interface Diagnosis {
  status: CheckStatus;
  rootCause: string;
  remediation: string[];
}

export interface Report {
  schemaVersion: 1;
  tool: { name: 'kubectl-netdiag'; version: string };
  command: string;
  startedAt: string;
  durationMs: number;
  target: Target;
  environment?: Record<string, unknown>;
  checks: CheckResult[];
  diagnosis: Diagnosis;
}

export const STATUS_ORDER: Record<CheckStatus, number> = { pass: 0, skip: 1, warn: 2, error: 3, fail: 4 };

export function worstStatus(statuses: CheckStatus[]): CheckStatus {
  let worst: CheckStatus = 'pass';
  for (const s of statuses) if (STATUS_ORDER[s] > STATUS_ORDER[worst]) worst = s;
  return worst;
}

export function statusFromFindings(findings: Finding[]): CheckStatus {
  if (findings.some((f) => f.severity === 'fail')) return 'fail';
  if (findings.some((f) => f.severity === 'warn')) return 'warn';
  return 'pass';
}
