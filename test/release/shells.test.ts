// The completion scripts run in the shells they are for: zsh (compinit, a completion widget driven
// through a pseudo-terminal with zsh/zpty: TAB on a typed line) and fish (`complete -C`), against
// the built program (dist/, `npm run build`; in `npm test` after the build). bash is covered in
// version-completion.test.ts. PowerShell is not in Debian 12's packages (`apt-cache policy
// powershell`: no candidate), so its script is inspected only.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completionScript } from '../../src/cli/commands/completion.ts';

const BUNDLE = join(import.meta.dirname, '../../dist/kubectl-netdiag.mjs');
const has = (cmd: string) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;

/** A directory with `kubectl-netdiag` (the built program) and the shell's script. */
function setup(shell: 'zsh' | 'fish'): { dir: string; script: string; home: string } {
  const dir = mkdtempSync(join(tmpdir(), `netdiag-${shell}-`));
  const home = mkdtempSync(join(tmpdir(), 'netdiag-home-'));
  writeFileSync(join(dir, 'kubectl-netdiag'), `#!/bin/sh\nexec "${process.execPath}" "${BUNDLE}" "$@"\n`, { mode: 0o755 });
  const script = join(dir, `c.${shell}`);
  writeFileSync(script, completionScript(shell));
  return { dir, script, home };
}

/** Types `line`, presses TAB in an interactive zsh with compinit, and returns the line as zsh completed it. */
function zshComplete(line: string): string {
  const { dir, script, home } = setup('zsh');
  const driver = join(dir, 'drive.zsh');
  writeFileSync(
    driver,
    [
      'zmodload zsh/zpty',
      `zpty z 'PS1="> " TERM=dumb HOME=${home} zsh -f -i'`,
      `zpty -w z 'bindkey -e; autoload -Uz compinit && compinit -u -D; source ${script}; export PATH=${dir}:$PATH; echo READY\${:-X}'`,
      "zpty -r -m z out '*READYX*'",
      `zpty -w -n z $'${line}\\t'`,
      'sleep 1.5',
      // BEGIN${:-X} prints BEGINX: the typed text never matches the pattern, only the output does
      `zpty -w -n z $'\\C-aprint -r -- BEGIN\${:-X}\\C-e END\${:-X}\\n'`,
      "zpty -r -m z out '*ENDX*'",
      'print -r -- "$out"',
      'zpty -d z',
    ].join('\n'),
  );
  const r = spawnSync('zsh', ['-f', driver], { encoding: 'utf8', timeout: 30_000 });
  const m = /BEGINX(.*)ENDX/.exec(r.stdout);
  if (!m) throw new Error(`zsh did not print the line: ${JSON.stringify(r.stdout.slice(-400))} ${r.stderr}`);
  return m[1]!.trimEnd();
}

function fishComplete(line: string): string[] {
  const { dir, script, home } = setup('fish');
  const r = spawnSync('fish', ['--no-config', '-c', `source ${script}; complete -C '${line}'`], {
    encoding: 'utf8',
    timeout: 30_000,
    env: { PATH: `${dir}:${process.env.PATH}`, HOME: home },
  });
  expect(r.stderr).toBe('');
  return r.stdout.split('\n').filter((l) => l !== '');
}

describe.skipIf(!existsSync(BUNDLE) || !has('zsh'))('zsh completion (the built program)', () => {
  it('the script is valid zsh and loads under compinit', () => {
    const { script } = setup('zsh');
    expect(spawnSync('zsh', ['-n', script]).status).toBe(0);
    const r = spawnSync('zsh', ['-f', '-c', `autoload -Uz compinit && compinit -u -D; source ${script}; print -r -- $_comps[kubectl-netdiag]`], { encoding: 'utf8' });
    expect(r.stdout.trim()).toBe('_kubectl_netdiag');
  });
  it('TAB completes a subcommand (ap → api) and a flag of it (--kubec → --kubeconfig)', () => {
    expect(zshComplete('kubectl-netdiag ap')).toBe('kubectl-netdiag api');
    expect(zshComplete('kubectl-netdiag api --kubec')).toBe('kubectl-netdiag api --kubeconfig');
  }, 60_000);
});

describe.skipIf(!existsSync(BUNDLE) || !has('fish'))('fish completion (the built program)', () => {
  it('complete -C lists subcommands with their descriptions, and the flags of one', () => {
    const top = fishComplete('kubectl-netdiag ');
    for (const c of ['api', 'cert', 'server', 'version', 'completion']) expect(top.some((l) => l.startsWith(`${c}\t`))).toBe(true);
    expect(fishComplete('kubectl-netdiag ap')).toEqual([expect.stringMatching(/^api\t\S/)]);
    expect(fishComplete('kubectl-netdiag api --kubec')).toEqual([expect.stringMatching(/^--kubeconfig\t/)]);
    expect(fishComplete('kubectl-netdiag completion ').sort()).toEqual(['bash', 'fish', 'powershell', 'zsh']);
  }, 60_000);
});

describe('PowerShell completion (inspected: no pwsh in Debian 12)', () => {
  it('registers a native completer for kubectl-netdiag(.exe) that calls __complete and honours the directive', () => {
    const s = completionScript('powershell');
    expect(s).toContain("Register-ArgumentCompleter -Native -CommandName 'kubectl-netdiag', 'kubectl-netdiag.exe'");
    expect(s).toContain('& $program __complete @before $wordToComplete');
    expect(s).toContain('[System.Management.Automation.CompletionResult]::new(');
    // balanced braces and parentheses (a cheap parse: nothing here runs it)
    const count = (c: string) => s.split(c).length - 1;
    expect(count('{')).toBe(count('}'));
    expect(count('(')).toBe(count(')'));
  });
});
