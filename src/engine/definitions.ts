// What a check and a diagnosis are, as data: the runner runs CheckDefinitions, the CLI and the TUI
// run DiagnosisDefinitions. A check declares when it applies (`appliesWhen`) and which checks it
// needs (`requires`); the engine decides run or skip. No check reads which command ran it.
import type { CheckResult, Diagnosis, Severity, Target } from '../report/types.ts';

/** What a check's run function returns. The runner derives the status from the findings. */
export interface CheckOutcome {
  summary: string;
  findings?: FindingInput[];
  evidence?: Record<string, unknown>;
  reproduce?: string[];
  /** Set only to declare "not applicable"; the summary says why. Dependants still run. */
  skip?: boolean;
  /** The check could not run because this other check failed: skip, and skip dependants too. */
  blockedBy?: string;
}

/** A finding as a check raises it: the catalog supplies severity and remediation unless overridden. */
export interface FindingInput {
  code: string;
  message: string;
  severity?: Severity;
  remediation?: string[];
}

/**
 * A condition under which a check applies (cilium-cli's `WithFeatureRequirements`): `unmet`
 * answers undefined when it holds, else why not ("no kubeconfig resolves"). The runner skips the
 * check with `not applicable: <why>`; its dependants still run. Requirements are evaluated after the
 * checks in `requires` settled, so they may read what those established.
 */
export interface Requirement<C> {
  /** a short name for listings and tests, e.g. "cluster" */
  name: string;
  unmet(ctx: C): string | undefined | Promise<string | undefined>;
}

export interface CheckDefinition<C> {
  id: string;
  title: string;
  /** Every finding code the check may emit; each must be in the catalog. */
  codes: readonly string[];
  /** Checks that must pass (or warn, or be not applicable) before this one runs. */
  requires?: readonly string[] | ((ctx: C) => readonly string[]);
  /** When the check applies; the engine skips it ("not applicable: …") when one is unmet. */
  appliesWhen?: readonly Requirement<C>[];
  /** The check's own deadline; the runner's default applies otherwise. */
  timeoutMs?: (ctx: C) => number;
  run(ctx: C, signal: AbortSignal): Promise<CheckOutcome>;
  /**
   * The part of the check that needs none of `requires`: what kubectl does before it connects
   * (running an exec credential plugin, prompting for a username). The runner starts it with the
   * checks it requires; when one of them fails and this part found something (findings), that is
   * the check's result instead of "skipped because X failed". Undefined: nothing to say on its own.
   * When the requirements hold, `run` decides alone (it may reuse this part's memoised work).
   */
  beforeRequires?(ctx: C, signal: AbortSignal): Promise<CheckOutcome | undefined>;
}

/** The same check with more requirements: how a diagnosis narrows a shared check to its own case. */
export function requiring<C>(check: CheckDefinition<C>, ...more: Requirement<C>[]): CheckDefinition<C> {
  return { ...check, appliesWhen: [...(check.appliesWhen ?? []), ...more] };
}

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
