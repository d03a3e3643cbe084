// The fleet flags through the command layer (main()), on loopback: two closed ports.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CliIO } from '../../../src/cli/io.ts';
import { main } from '../../../src/cli/main.ts';
import type { FleetReport } from '../../../src/report/fleet.ts';

async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

async function setup() {
  const home = mkdtempSync(join(tmpdir(), 'netdiag-fleet-cli-'));
  const [p1, p2] = [await closedPort(), await closedPort()];
  const names = ['prod-eu-1', 'prod-eu-2', 'prod-us-1', 'dev-1'];
  const kc = join(home, 'config');
  writeFileSync(
    kc,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'dev-1',
      clusters: names.map((n) => ({ name: n, cluster: { server: `https://127.0.0.1:${n.startsWith('prod-eu') ? p1 : p2}` } })),
      users: [{ name: 'u', user: { token: 'secret-token-xyz' } }],
      contexts: names.map((n) => ({ name: n, context: { cluster: n, user: 'u' } })),
    }),
  );
  const run = async (argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const io: CliIO = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: { HOME: home, PATH: process.env.PATH }, cwd: home, homeDir: home };
    const code = await main(['--kubeconfig', kc, ...argv], io);
    return { code, stdout, stderr };
  };
  return { home, run, p1, p2 };
}

describe('api --all-contexts / --contexts / --context-pattern', () => {
  it('text: a line per context and one group per closed port; exit 1', async () => {
    const { run, p1, p2 } = await setup();
    const r = await run(['api', '--all-contexts', '--timeout', '2s']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('kubectl netdiag api · 4 contexts · 16 at once');
    for (const n of ['prod-eu-1', 'prod-eu-2', 'prod-us-1', 'dev-1']) expect(lines.some((l) => l.startsWith(`${n} `) && l.includes('✖ fail'))).toBe(true);
    expect(r.stdout).toMatch(new RegExp(`2 contexts: kubectl cannot open a TCP connection to 127\\.0\\.0\\.1:${p1}: .*connection refused`));
    expect(r.stdout).toMatch(new RegExp(`2 contexts: kubectl cannot open a TCP connection to 127\\.0\\.0\\.1:${p2}: `));
    expect(r.stdout).toMatch(/4 FAILING · 0 of 4 contexts ok/);
  });

  it('-o json: the fleet summary and every context\'s usual report; the pattern selects; --output-file writes markdown', async () => {
    const { run, home } = await setup();
    const r = await run(['api', '--context-pattern', 'prod-eu-*', '-o', 'json', '--output-file', 'fleet.md']);
    expect(r.code).toBe(1);
    const f = JSON.parse(r.stdout) as FleetReport;
    expect(f.kind).toBe('netdiag-fleet');
    expect(f.contexts.map((e) => e.context)).toEqual(['prod-eu-1', 'prod-eu-2']);
    expect(f.reports.map((x) => [x.command, x.target.context, x.checks.find((c) => c.id === 'api.tcp')?.status])).toEqual([
      ['api', 'prod-eu-1', 'fail'],
      ['api', 'prod-eu-2', 'fail'],
    ]);
    expect(f.summary.groups).toHaveLength(1);
    expect(f.summary.probes!.byKind!.tcp).toEqual({ misses: 1, hits: 1 });
    expect(r.stdout).not.toContain('secret-token-xyz');
    const md = readFileSync(join(home, 'fleet.md'), 'utf8');
    expect(md).toMatch(/^# Fleet report: kubectl netdiag api \(2 contexts\)/);
    expect(md).toContain('## 2 contexts: kubectl cannot open a TCP connection');
  });

  it('server --contexts runs the server diagnosis per context', async () => {
    const { run } = await setup();
    const r = await run(['server', '--contexts', 'dev-1,prod-us-1', '-o', 'json']);
    expect(r.code).toBe(1);
    const f = JSON.parse(r.stdout) as FleetReport;
    expect(f.command).toBe('server');
    expect(f.contexts.map((e) => [e.context, e.status])).toEqual([
      ['dev-1', 'fail'],
      ['prod-us-1', 'fail'],
    ]);
  });

  it('usage errors: unknown context, a pattern matching nothing, --parallel 0, --context with --all-contexts', async () => {
    const { run } = await setup();
    expect(await run(['api', '--contexts', 'nope'])).toMatchObject({ code: 2, stderr: 'error: context not found in the kubeconfig: nope\n' });
    expect(await run(['api', '--context-pattern', 'qa-*'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/matches no context/) });
    expect(await run(['api', '--all-contexts', '--parallel', '0'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--parallel must be/) });
    expect(await run(['api', '--all-contexts', '--context', 'dev-1'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--context selects one context/) });
  });
});
