// The TUI's first paint takes light paths: the menu reads DIAGNOSIS_MENU (src/checks/menu.ts), which
// loads no check, the header maps the flags without loading the api diagnosis, and a bare
// `kubectl netdiag` takes the default flags without running yargs. Each must give what the full
// path gives: the menu what the diagnoses (DIAGNOSES) are and what their commands take.
import { describe, expect, it } from 'vitest';
import { DIAGNOSES } from '../../../src/checks/index.ts';
import { DIAGNOSIS_MENU } from '../../../src/checks/menu.ts';
import { COMMANDS } from '../../../src/cli/commands/index.ts';

describe('DIAGNOSIS_MENU (the light menu) against the diagnoses and the commands that run them', () => {
  it('lists the diagnoses of DIAGNOSES, in their order, with what each definition says of itself', () => {
    // a definition that overrides its menu entry's title, description or inputs, or a diagnosis
    // without an entry, or in another order, fails here
    expect(DIAGNOSIS_MENU.map((d) => d.command)).toEqual(DIAGNOSES.map((d) => d.command));
    for (const def of DIAGNOSES) {
      const entry = DIAGNOSIS_MENU.find((d) => d.command === def.command)!;
      expect({ title: entry.title, description: entry.description, inputs: entry.inputs ?? [] }, def.command).toEqual({
        title: def.title,
        description: def.description,
        inputs: def.inputs ?? [],
      });
    }
  });

  it('each entry has its command, and the command takes each input under the input\'s name', async () => {
    const { parseArgs } = await import('../../../src/cli/main.ts');
    for (const d of DIAGNOSIS_MENU) {
      const entry = COMMANDS.find((c) => c.command.split(' ')[0] === d.command);
      expect(entry, d.command).toBeDefined();
      // the command line the form stands for: positionals in their order, the rest as --flags
      const positionals = [...entry!.command.matchAll(/[<[]([^>\]]+)[>\]]/g)].map((m) => m[1]!);
      const inputs = d.inputs ?? [];
      for (const p of entry!.command.matchAll(/<([^>]+)>/g)) {
        expect(inputs.find((i) => i.name === p[1])?.required, `${d.command}: the required <${p[1]}> is a required input of the form`).toBe(true);
      }
      const value = (name: string) => `value-of-${name}`;
      const argv = [
        d.command,
        ...positionals.filter((p) => inputs.some((i) => i.name === p)).map(value),
        ...inputs.filter((i) => !positionals.includes(i.name)).flatMap((i) => [`--${i.name}`, value(i.name)]),
      ];
      const parsed = await parseArgs(argv);
      expect(parsed.error, `${argv.join(' ')}`).toBeUndefined();
      for (const i of inputs) expect(parsed.flags![i.name], `${d.command}: input ${i.name}`).toBe(value(i.name));
    }
  });

  it('loads no check: the menu module imports nothing under src/checks', async () => {
    const { importGraph, reach } = await import('../cli/imports.ts');
    const loaded = [...reach(importGraph(), 'src/checks/menu.ts')];
    expect(loaded.filter((f) => f.startsWith('src/checks/') && f !== 'src/checks/menu.ts')).toEqual([]);
  });
});

describe('kubeconfigOptions (one mapping for every command and the TUI header)', () => {
  it('maps kubectl\'s connection flags, resolving --kubeconfig against the working directory', async () => {
    const { kubeconfigOptions } = await import('../../../src/cli/kubeconfig-flags.ts');
    const io = { stdout: { write: () => true }, stderr: { write: () => true }, env: { KUBECONFIG: '/k' }, cwd: '/work', homeDir: '/home/u' };
    const flags = {
      timeout: '5s', color: 'auto' as const, verbose: false, _: [], kubeconfig: 'rel/config', context: 'c', cluster: 'cl', user: 'u', namespace: 'ns',
      server: 'https://x', 'insecure-skip-tls-verify': true, 'tls-server-name': 'name',
    };
    expect(kubeconfigOptions(flags, io)).toEqual({
      kubeconfig: '/work/rel/config', context: 'c', cluster: 'cl', user: 'u', namespace: 'ns', server: 'https://x',
      insecureSkipTlsVerify: true, tlsServerName: 'name', env: { KUBECONFIG: '/k' }, homeDir: '/home/u',
    });
  });
});

describe('bareFlags', () => {
  it('is what yargs gives for no arguments', async () => {
    const { parseArgs } = await import('../../../src/cli/main.ts');
    const { bareFlags } = await import('../../../src/cli/flags.ts');
    expect(await parseArgs([])).toEqual({ flags: bareFlags(), output: '' });
  });
});
