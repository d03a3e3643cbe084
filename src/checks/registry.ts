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
  /**
   * Optional: what the TUI asks for before running this diagnosis from its menu (e.g. egress: namespace,
   * pod, target; cert/ingress: host). Without it the menu runs the diagnosis at once. Each input
   * becomes the command-line flag or positional of the same `name` (the key yargs gives it in the
   * parsed flags, e.g. `pod` for `egress <pod> <target>`, `namespace` for -n), so the diagnosis runs
   * through its command module exactly as `kubectl netdiag <command> …` would.
   */
  inputs?: readonly DiagnosisInput[];
}

/**
 * What the TUI menu shows of a diagnosis (and the form it asks before running it): the fields of
 * DiagnosisDefinition that need none of its checks. DIAGNOSIS_MENU (src/checks/menu.ts) lists them
 * without loading any diagnosis, for the TUI's first paint.
 */
export type DiagnosisMeta = Pick<DiagnosisDefinition<unknown, unknown>, 'command' | 'title' | 'description' | 'inputs'>;

/** One value the TUI asks for before a diagnosis runs (see DiagnosisDefinition.inputs). */
export interface DiagnosisInput {
  /** the flag or positional name as the command's yargs builder declares it */
  name: string;
  /** shown in the form, e.g. 'Pod' */
  label: string;
  /** the form refuses to run without it */
  required?: boolean;
  /** shown while empty, e.g. 'namespace/pod' or 'https://example.com:443' */
  placeholder?: string;
  /** a hint for a picker (the plain text field is the fallback for every kind) */
  kind?: 'text' | 'namespace' | 'pod' | 'host' | 'url';
}
