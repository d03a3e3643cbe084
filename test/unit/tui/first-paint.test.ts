// The TUI's first paint takes light paths: the menu reads DIAGNOSIS_MENU (src/checks/menu.ts), which
// loads no check, the header maps the flags without loading the api diagnosis, and a bare
// `kubectl netdiag` takes the default flags without running yargs. Each must give what the full
// path gives.
import { describe, expect, it } from 'vitest';
import { DIAGNOSES } from '../../../src/checks/index.ts';
import { DIAGNOSIS_MENU } from '../../../src/checks/menu.ts';
import { COMMANDS } from '../../../src/cli/commands/index.ts';

describe('DIAGNOSIS_MENU', () => {
  it('lists every diagnosis of DIAGNOSES, in order, with the same command, title, description and inputs', () => {
    const meta = DIAGNOSES.map((d) => ({ command: d.command, title: d.title, description: d.description, inputs: d.inputs }));
    expect(DIAGNOSIS_MENU.map((d) => ({ command: d.command, title: d.title, description: d.description, inputs: d.inputs }))).toEqual(meta);
  });

  it('has a command module for every entry', () => {
    for (const d of DIAGNOSIS_MENU) expect(COMMANDS.some((c) => c.command.split(' ')[0] === d.command), d.command).toBe(true);
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
