// Every diagnosis the tool has, described as data: the CLI and the TUI menu read this list.
import type { CheckDefinition } from '../report/runner.ts';
import type { CheckResult, Diagnosis, Target } from '../report/types.ts';

export interface DiagnosisDefinition<O, C> {
  command: string;
  title: string;
  description: string;
  checks: readonly CheckDefinition<C>[];
  createContext(options: O): C;
  diagnose(results: CheckResult[], ctx: C): Diagnosis;
  target(ctx: C): Target;
  environment?(ctx: C): Record<string, unknown>;
  /** A configuration error (exit 2, one line on stderr), e.g. an unreadable kubeconfig. */
  configError?(ctx: C): string | undefined;
}
