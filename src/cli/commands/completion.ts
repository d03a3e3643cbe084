// Shell completion.
//
// - `kubectl netdiag __complete WORDS… CURRENT` answers in cobra's protocol (one candidate a line,
//   "value\tdescription", then ":<directive>"): what kubectl >= 1.26 expects from the
//   `kubectl_complete-netdiag` executable it runs to complete `kubectl netdiag …`, and what the
//   scripts below call.
// - `kubectl netdiag completion bash|zsh|fish|powershell` prints a script that completes the
//   `kubectl-netdiag` command itself through `__complete`. yargs' own completion does not fit: its
//   scripts are bash and zsh only, are named after the script name (ours has a space), and its
//   getCompletion neither filters by the current word nor completes values. The flags, their
//   descriptions, booleans and choices come from the same yargs definitions as the parser.
//
// Candidates: subcommands, flags (global and the command's), --context from the kubeconfig, -n from
// the namespaces, egress's pod from the pods of -n, cert/ingress hosts from Ingresses and
// cert-manager Certificates, report files (*.json) for diff and open, the shells of `completion`.
// Cluster lookups are read-only, have a short deadline and never print an error (no candidates).
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import type { CliIO } from '../io.ts';
import type { CommandContext } from '../report-command.ts';
import { COMMAND_SPECS as COMMANDS } from './spec.ts';

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

/** cobra's ShellCompDirective bits */
export const DIRECTIVE = { default: 0, error: 1, noSpace: 2, noFileComp: 4, filterFileExt: 8, filterDirs: 16, keepOrder: 32 } as const;

export interface Completion {
  candidates: { value: string; description?: string }[];
  directive: number;
}

interface FlagSpec {
  names: string[];
  boolean: boolean;
  choices?: string[];
  describe?: string;
}

/** Cluster lookups, injectable for tests. */
export interface ClusterLookup {
  contexts(): string[];
  namespaces(): Promise<string[]>;
  pods(namespace: string | undefined): Promise<string[]>;
  hosts(): Promise<string[]>;
}

async function flagSpecs(command: string | undefined): Promise<FlagSpec[]> {
  const [{ default: yargs }, { parser }] = await Promise.all([import('yargs'), import('../parser.ts')]);
  const y = parser(yargs, []) as unknown as Argv;
  const entry = COMMANDS.find((c) => c.command.split(' ')[0] === command);
  entry?.builder?.(y);
  const o = (y as unknown as { getOptions(): { key: Record<string, unknown>; alias: Record<string, string[]>; boolean: string[]; choices: Record<string, string[]> } }).getOptions();
  const descriptions =
    (y as unknown as { getInternalMethods?: () => { getUsageInstance(): { getDescriptions(): Record<string, string> } } }).getInternalMethods?.().getUsageInstance().getDescriptions() ?? {};
  const aliases = new Set(Object.values(o.alias).flat());
  return Object.keys(o.key)
    .filter((k) => !aliases.has(k) && k !== '_' && k !== '$0' && k !== 'version')
    .map((k) => ({
      names: [k, ...(o.alias[k] ?? [])],
      boolean: o.boolean.includes(k),
      choices: o.choices[k],
      describe: descriptions[k],
    }));
}

const dashed = (n: string) => (n.length === 1 ? `-${n}` : `--${n}`);

/** The flag a word names ("-n", "--namespace", "--namespace=x"), if any. */
function flagOf(word: string, specs: FlagSpec[]): FlagSpec | undefined {
  const name = word.replace(/^--?/, '').replace(/=.*$/, '');
  return specs.find((s) => s.names.includes(name));
}

export async function completeWords(words: string[], lookup: ClusterLookup): Promise<Completion> {
  const cur = words.at(-1) ?? '';
  const before = words.slice(0, -1);
  // the command: the first word that is neither a flag nor a flag's value
  const globalSpecs = await flagSpecs(undefined);
  let command: string | undefined;
  const positionals: string[] = [];
  let specs = globalSpecs;
  const values: Record<string, string> = {};
  for (let i = 0; i < before.length; i++) {
    const w = before[i]!;
    if (w === '--') break;
    if (w.startsWith('-') && w !== '-') {
      const f = flagOf(w, specs);
      if (f && !f.boolean && !w.includes('=')) {
        values[f.names[0]!] = before[i + 1] ?? '';
        i++;
      } else if (f && w.includes('=')) values[f.names[0]!] = w.slice(w.indexOf('=') + 1);
      continue;
    }
    if (command === undefined) {
      command = w;
      specs = await flagSpecs(command);
    } else positionals.push(w);
  }
  const filter = (items: { value: string; description?: string }[], directive: number = DIRECTIVE.noFileComp): Completion => ({
    candidates: items.filter((c) => c.value.startsWith(cur)),
    directive,
  });

  // a flag's value: the word after a flag that takes one, or --flag=…
  const prev = before.at(-1);
  const prevFlag = prev?.startsWith('-') && !prev.includes('=') ? flagOf(prev, specs) : undefined;
  const eq = cur.startsWith('-') && cur.includes('=') ? flagOf(cur, specs) : undefined;
  const valueOf = prevFlag && !prevFlag.boolean ? prevFlag : eq && !eq.boolean ? eq : undefined;
  if (valueOf) {
    const prefix = eq ? cur.slice(0, cur.indexOf('=') + 1) : '';
    const wrap = (xs: string[], directive: number = DIRECTIVE.noFileComp): Completion => {
      const c = filter(xs.map((x) => ({ value: prefix + x })), directive);
      return c;
    };
    const name = valueOf.names[0]!;
    if (valueOf.choices) return wrap(valueOf.choices);
    if (name === 'context') return wrap(lookup.contexts());
    if (name === 'namespace') return wrap(await lookup.namespaces());
    if (['kubeconfig', 'output-file', 'ca-file', 'source', 'root'].includes(name)) return { candidates: [], directive: DIRECTIVE.default };
    return { candidates: [], directive: DIRECTIVE.noFileComp };
  }

  if (cur.startsWith('-')) {
    const items = specs.flatMap((s) => s.names.map((n) => ({ value: dashed(n), description: s.describe })));
    return filter(items.filter((c) => c.value.startsWith('--') || cur.length <= 2));
  }
  if (command === undefined) return filter(COMMANDS.map((c) => ({ value: c.command.split(' ')[0]!, description: c.describe })));
  switch (command) {
    case 'completion':
      return positionals.length === 0 ? filter(SHELLS.map((s) => ({ value: s }))) : filter([]);
    case 'diff':
    case 'open':
      // reports are -o json files
      return positionals.length < 2 ? { candidates: [{ value: 'json' }], directive: DIRECTIVE.filterFileExt } : filter([]);
    case 'cert':
    case 'ingress':
      return positionals.length === 0 ? filter((await lookup.hosts()).map((h) => ({ value: h }))) : filter([]);
    case 'egress':
      if (positionals.length === 0 && values.selector === undefined) return filter((await lookup.pods(values.namespace)).map((p) => ({ value: p })));
      if (positionals.length <= 1) return filter((await lookup.hosts()).map((h) => ({ value: h })));
      return filter([]);
    default:
      return filter([]);
  }
}

export function renderCobra(c: Completion): string {
  const lines = c.candidates.map((x) => (x.description ? `${x.value}\t${x.description.replace(/\s+/g, ' ')}` : x.value));
  return `${[...lines, `:${c.directive}`].join('\n')}\n`;
}

/** The cluster through the kubeconfig flags among the words; any failure is "no candidates". */
async function liveLookup(words: string[], io: CliIO): Promise<ClusterLookup> {
  const [{ listContexts }, { KubeClient }, { Redactor }] = await Promise.all([
    import('../../kube/kubeconfig.ts'),
    import('../../kube/client.ts'),
    import('../../report/redact.ts'),
  ]);
  const flag = (names: string[]): string | undefined => {
    for (let i = words.length - 2; i >= 0; i--) {
      const w = words[i]!;
      for (const n of names) {
        if (w === n) return words[i + 1];
        if (w.startsWith(`${n}=`)) return w.slice(n.length + 1);
      }
    }
    return undefined;
  };
  const kubeconfig = flag(['--kubeconfig']);
  const opts = {
    kubeconfig: kubeconfig ? resolve(io.cwd, kubeconfig) : undefined,
    context: flag(['--context']),
    cluster: flag(['--cluster']),
    user: flag(['--user']),
    namespace: flag(['-n', '--namespace']),
    server: flag(['-s', '--server']),
    env: io.env,
    homeDir: io.homeDir,
  };
  let client: InstanceType<typeof KubeClient> | undefined;
  const api = () => (client ??= new KubeClient({ kubeconfig: opts, timeoutMs: 3000, requestTimeoutMs: 3000, env: io.env, redactor: new Redactor() }));
  const names = async (path: string, pick: (o: Record<string, any>) => (string | undefined)[]): Promise<string[]> => {
    try {
      const r = await api().list<Record<string, any>>(path);
      return r.ok ? [...new Set(r.body.flatMap(pick).filter((x): x is string => !!x && !x.startsWith('*')))].sort() : [];
    } catch {
      return [];
    }
  };
  return {
    contexts: () => {
      try {
        return listContexts(opts).names;
      } catch {
        return [];
      }
    },
    namespaces: () => names('/api/v1/namespaces', (o) => [o.metadata?.name]),
    pods: (ns) => {
      const namespace = ns ?? api().kube?.namespace ?? 'default';
      return names(`/api/v1/namespaces/${encodeURIComponent(namespace)}/pods`, (o) => [o.metadata?.name]);
    },
    hosts: async () => {
      const [ing, certs] = await Promise.all([
        names('/apis/networking.k8s.io/v1/ingresses', (o) => [
          ...((o.spec?.rules ?? []) as { host?: string }[]).map((r) => r.host),
          ...((o.spec?.tls ?? []) as { hosts?: string[] }[]).flatMap((t) => t.hosts ?? []),
        ]),
        names('/apis/cert-manager.io/v1/certificates', (o) => (o.spec?.dnsNames ?? []) as string[]),
      ]);
      return [...new Set([...ing, ...certs])].sort();
    },
  };
}

/** `__complete WORDS… CURRENT` (cobra's protocol). */
export async function complete(words: string[], io: CliIO): Promise<number> {
  const c = await completeWords(words.length ? words : [''], await liveLookup(words, io));
  io.stdout.write(renderCobra(c));
  return 0;
}

const BASH = `# bash completion for kubectl-netdiag: source <(kubectl netdiag completion bash)
_kubectl_netdiag() {
  local cur=\${COMP_WORDS[COMP_CWORD]} line directive=0 out
  local -a cands=()
  out=$("\${COMP_WORDS[0]}" __complete "\${COMP_WORDS[@]:1:COMP_CWORD-1}" "$cur" 2>/dev/null) || return 0
  while IFS= read -r line; do
    case $line in
      :*) directive=\${line#:} ;;
      *) cands+=("\${line%%$'\\t'*}") ;;
    esac
  done <<<"$out"
  COMPREPLY=()
  if (( directive & 8 )); then
    local f ext
    while IFS= read -r f; do
      [[ -d $f ]] && { COMPREPLY+=("$f/"); continue; }
      for ext in "\${cands[@]}"; do [[ $f == *.$ext ]] && COMPREPLY+=("$f"); done
    done < <(compgen -f -- "$cur")
    compopt -o nospace 2>/dev/null
    return 0
  fi
  if (( \${#cands[@]} == 0 )) && (( !(directive & 4) )); then
    COMPREPLY=($(compgen -f -- "$cur"))
    return 0
  fi
  COMPREPLY=("\${cands[@]}")
  (( directive & 2 )) && compopt -o nospace 2>/dev/null
  return 0
}
complete -F _kubectl_netdiag kubectl-netdiag
`;

const ZSH = `#compdef kubectl-netdiag
# zsh completion for kubectl-netdiag: source <(kubectl netdiag completion zsh)
_kubectl_netdiag() {
  local -a cands words_before
  local out line directive=0
  words_before=("\${(@)words[2,CURRENT-1]}")
  out=$("\${words[1]}" __complete "\${words_before[@]}" "\${words[CURRENT]}" 2>/dev/null) || return 1
  for line in "\${(@f)out}"; do
    if [[ $line == :* ]]; then directive=\${line#:}; else cands+=("\${line//:/\\\\:}"); fi
  done
  cands=("\${(@)cands//$'\\t'/:}")
  if (( directive & 8 )); then
    local -a globs; local c
    for c in "\${cands[@]}"; do globs+=("*.\${c%%:*}"); done
    _files -g "(\${(j:|:)globs})"; return
  fi
  if (( \${#cands} == 0 )); then
    (( directive & 4 )) && return 1
    _files; return
  fi
  _describe 'kubectl-netdiag' cands
}
if [ "$funcstack[1]" = "_kubectl_netdiag" ]; then _kubectl_netdiag "$@"; else compdef _kubectl_netdiag kubectl-netdiag; fi
`;

const FISH = `# fish completion for kubectl-netdiag: kubectl netdiag completion fish | source
function __kubectl_netdiag_complete
  set -l words (commandline -opc)
  set -l cur (commandline -ct)
  set -l out (command $words[1] __complete $words[2..-1] "$cur" 2>/dev/null)
  set -l directive 0
  for line in $out
    if string match -q -- ':*' $line
      set directive (string sub -s 2 -- $line)
    else if test (math "bitand($directive, 8)") -eq 0
      echo $line
    end
  end
  set -l n (count $out)
  if test $n -le 1; and test (math "bitand($directive, 4)") -eq 0
    __fish_complete_path "$cur"
  end
end
complete -c kubectl-netdiag -f -a '(__kubectl_netdiag_complete)'
`;

const POWERSHELL = `# PowerShell completion for kubectl-netdiag: kubectl netdiag completion powershell | Out-String | Invoke-Expression
Register-ArgumentCompleter -Native -CommandName 'kubectl-netdiag', 'kubectl-netdiag.exe' -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $elements = $commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -le $cursorPosition } | ForEach-Object { $_.ToString() }
  $program = $elements[0]
  $before = @($elements | Select-Object -Skip 1)
  if ($wordToComplete -ne '' -and $before.Count -gt 0) { $before = @($before | Select-Object -SkipLast 1) }
  $out = & $program __complete @before $wordToComplete 2>$null
  $directive = 0
  foreach ($line in $out) {
    if ($line -like ':*') { $directive = [int]$line.Substring(1); continue }
    if ($directive -band 8) { continue }
    $value, $description = $line -split "\`t", 2
    if (-not $description) { $description = $value }
    [System.Management.Automation.CompletionResult]::new($value, $value, 'ParameterValue', $description)
  }
}
`;

export function completionScript(shell: Shell): string {
  return { bash: BASH, zsh: ZSH, fish: FISH, powershell: POWERSHELL }[shell];
}

export async function run(cc: CommandContext): Promise<number> {
  cc.io.stdout.write(completionScript(cc.flags.shell as Shell));
  return 0;
}
