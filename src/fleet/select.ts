// Which contexts a fleet run covers: --all-contexts, --contexts a,b,c, --context-pattern 'prod-*'.

export interface FleetSelection {
  all?: boolean;
  /** names, comma separated or repeated */
  contexts?: string[];
  /** shell-style globs (* ? [..]), comma separated or repeated */
  patterns?: string[];
}

export class FleetSelectionError extends Error {}

/** A shell glob as an anchored RegExp: `*` any run, `?` one character, `[...]` a class. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') re += '.*';
    else if (c === '?') re += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 1);
      if (end < 0) re += '\\[';
      else {
        const body = glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\');
        re += `[${body}]`;
        i = end;
      }
    } else re += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

export function splitList(values: readonly string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/**
 * The selected contexts, in kubeconfig order (sorted, as `kubectl config get-contexts -o name`);
 * --contexts names keep the order given. Unknown names and patterns that match nothing are errors.
 */
export function selectContexts(available: readonly string[], sel: FleetSelection): string[] {
  const out = new Set<string>();
  if (sel.all) for (const n of available) out.add(n);
  const names = splitList(sel.contexts);
  const unknown = names.filter((n) => !available.includes(n));
  if (unknown.length) throw new FleetSelectionError(`context${unknown.length > 1 ? 's' : ''} not found in the kubeconfig: ${unknown.join(', ')}`);
  for (const n of names) out.add(n);
  for (const p of splitList(sel.patterns)) {
    const re = globToRegExp(p);
    const hits = available.filter((n) => re.test(n));
    if (hits.length === 0) throw new FleetSelectionError(`--context-pattern '${p}' matches no context in the kubeconfig (${available.length} contexts)`);
    for (const n of hits) out.add(n);
  }
  if (out.size === 0) throw new FleetSelectionError('no context selected: the kubeconfig has no contexts');
  return [...out];
}
