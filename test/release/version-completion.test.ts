// `kubectl netdiag version` and shell completion, through the command layer (no build needed; in
// `npm test`). The built archives are tested by the other files here (npm run verify-release).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runMain } from '../unit/cli/run-main.ts';
import { completeWords, completionScript, DIRECTIVE, renderCobra, type ClusterLookup } from '../../src/cli/commands/completion.ts';
import { renderVersion, versionInfo } from '../../src/cli/commands/version.ts';

const run = runMain;

const lookup: ClusterLookup = {
  contexts: () => ['kind-lab', 'prod', 'prod-eu'],
  namespaces: async () => ['default', 'kube-system', 'shop'],
  pods: async (ns) => (ns === 'shop' ? ['cart-7d9', 'checkout-1'] : ['web-0']),
  hosts: async () => ['api.shop.example', 'shop.example'],
};
const values = async (words: string[]) => (await completeWords(words, lookup)).candidates.map((c) => c.value);

describe('kubectl netdiag version', () => {
  it('prints the version, commit, build date, Node version and os/arch; -o json the same fields', async () => {
    const text = await run(['version']);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe('');
    const lines = text.stdout.split('\n');
    expect(lines[0]).toBe('kubectl-netdiag 0.1.0');
    expect(text.stdout).toContain(`node:       ${process.version}\n`);
    expect(text.stdout).toMatch(/commit: +\S+\n/);
    expect(text.stdout).toMatch(/built: +\S+\n/);
    const arch = process.arch === 'x64' ? 'amd64' : process.arch;
    expect(text.stdout).toContain(`platform:   ${process.platform}/${arch}\n`);
    const json = JSON.parse((await run(['version', '-o', 'json'])).stdout);
    expect(json).toEqual({ name: 'kubectl-netdiag', version: '0.1.0', commit: 'unknown', buildDate: 'unknown', node: process.version, os: process.platform, arch });
  });

  it("names platforms as krew does (windows, amd64), and the build's commit and date when built", () => {
    const v = versionInfo('win32', 'x64', 'v26.10.0');
    expect(v).toMatchObject({ os: 'windows', arch: 'amd64', node: 'v26.10.0' });
    expect(versionInfo('darwin', 'arm64')).toMatchObject({ os: 'darwin', arch: 'arm64' });
    expect(renderVersion({ ...v, commit: 'abc123', buildDate: '2026-12-06T04:00:00Z' }, undefined)).toBe(
      'kubectl-netdiag 0.1.0\n  commit:     abc123\n  built:      2026-12-06T04:00:00Z\n  node:       v26.10.0\n  platform:   windows/amd64\n',
    );
  });
});

describe('completion', () => {
  it('subcommands with their descriptions, filtered by the current word', async () => {
    const c = await completeWords([''], lookup);
    expect(c.candidates.map((x) => x.value)).toEqual(['api', 'server', 'diff', 'open', 'egress', 'cert', 'ingress', 'version', 'completion']);
    expect(c.candidates[0]!.description).toMatch(/^diagnose this machine/);
    expect(c.directive).toBe(DIRECTIVE.noFileComp);
    expect(await values(['in'])).toEqual(['ingress']);
  });

  it("flags: the global ones and the command's own, aliases included", async () => {
    const api = await values(['api', '--']);
    expect(api).toEqual(expect.arrayContaining(['--kubeconfig', '--context', '--namespace', '--endpoint', '--output', '--timeout']));
    expect(api).not.toContain('--sni');
    expect(await values(['cert', 'x', '--s'])).toEqual(expect.arrayContaining(['--sni', '--server']));
    expect(await values(['egress', '-'])).toEqual(expect.arrayContaining(['-n', '-l', '-c', '--selector']));
  });

  it('flag values: choices, contexts, namespaces; files where a flag takes a path', async () => {
    expect(await values(['api', '-o', ''])).toEqual(['text', 'json', 'yaml', 'markdown']);
    expect(await values(['api', '--output=j'])).toEqual(['--output=json']);
    expect(await values(['--color', 'n'])).toEqual(['never']);
    expect(await values(['api', '--context', 'prod'])).toEqual(['prod', 'prod-eu']);
    expect(await values(['egress', '-n', ''])).toEqual(['default', 'kube-system', 'shop']);
    expect(await completeWords(['api', '--kubeconfig', ''], lookup)).toEqual({ candidates: [], directive: DIRECTIVE.default });
    expect((await completeWords(['api', '--timeout', ''], lookup)).directive).toBe(DIRECTIVE.noFileComp);
  });

  it('positionals: pods of -n for egress, then hosts; hosts for cert and ingress; report files for diff and open; shells', async () => {
    expect(await values(['egress', '-n', 'shop', 'c'])).toEqual(['cart-7d9', 'checkout-1']);
    expect(await values(['egress', ''])).toEqual(['web-0']);
    expect(await values(['egress', '-n', 'shop', 'cart-7d9', 'api'])).toEqual(['api.shop.example']);
    expect(await values(['egress', '-l', 'app=web', ''])).toEqual(['api.shop.example', 'shop.example']);
    expect(await values(['cert', 's'])).toEqual(['shop.example']);
    expect(await values(['--context', 'prod', 'ingress', ''])).toEqual(['api.shop.example', 'shop.example']);
    expect(await completeWords(['diff', 'a.json', ''], lookup)).toEqual({ candidates: [{ value: 'json' }], directive: DIRECTIVE.filterFileExt });
    expect(await values(['completion', ''])).toEqual(['bash', 'zsh', 'fish', 'powershell']);
    expect(await values(['completion', 'bash', ''])).toEqual([]);
  });

  it("speaks cobra's __complete protocol (what kubectl runs kubectl_complete-netdiag for)", async () => {
    expect(renderCobra({ candidates: [{ value: 'a', description: 'x  y' }, { value: 'b' }], directive: 4 })).toBe('a\tx y\nb\n:4\n');
    // contexts from the kubeconfig, through main(); nothing reaches a cluster
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-compl-'));
    const kc = join(dir, 'config');
    writeFileSync(kc, 'apiVersion: v1\nkind: Config\nclusters: []\nusers: []\ncontexts: [{name: ctx-a, context: {}}, {name: ctx-b, context: {}}]\n');
    const r = await run(['__complete', '--kubeconfig', kc, 'api', '--context', 'ctx-'], {});
    expect(r).toMatchObject({ code: 0, stderr: '', stdout: 'ctx-a\nctx-b\n:4\n' });
    const top = await run(['__complete', 'ver']);
    expect(top.stdout).toMatch(/^version\tprint the version.*\n:4\n$/);
  });

  it('completion bash|zsh|fish|powershell prints a script that calls __complete', async () => {
    for (const shell of ['bash', 'zsh', 'fish', 'powershell']) {
      const r = await run(['completion', shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(completionScript(shell as 'bash'));
      expect(r.stdout).toContain('__complete');
    }
    expect((await run(['completion', 'tcsh'])).code).toBe(2);
  });

  it('the bash script completes through a program that answers __complete (bash -n clean, candidates in COMPREPLY)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'netdiag-bash-'));
    const fake = join(dir, 'kubectl-netdiag');
    // stands in for the program: records its arguments and answers like `__complete cert ''`
    writeFileSync(fake, `#!/bin/sh\nprintf '%s\\n' "$@" > ${dir}/args\nprintf 'a.example\\nb.example\\n:4\\n'\n`, { mode: 0o755 });
    const script = join(dir, 'c.bash');
    writeFileSync(script, completionScript('bash'));
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    const r = spawnSync('bash', ['-c', `source ${script}; COMP_WORDS=(${fake} cert 'b'); COMP_CWORD=2; _kubectl_netdiag; printf '%s\\n' "\${COMPREPLY[@]}"; cat ${dir}/args`], { encoding: 'utf8' });
    expect(r.stdout).toBe('a.example\nb.example\n__complete\ncert\nb\n');
  });
});
