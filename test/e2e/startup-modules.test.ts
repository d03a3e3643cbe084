// What the executable loads of Node itself on its commonest lines. Every internal module Node loads
// is compiled at start-up (~0.3 ms each here), and a few innocent-looking uses pull in whole trees:
// the global `performance` (perf_hooks and nine more), `process.stdin` on a file or /dev/null
// (fs/promises, its streams and readline), `node:fs/promises` itself. `cert` is measured against a
// bare Node TLS client (npm run bench, budget 1.25x), so what it loads beyond that client is named
// here, and a change that brings one of these back fails this test instead of the budget.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXE, requireBuild } from './harness.ts';
import { mintCert } from '../lab/pki.ts';

const dir = mkdtempSync(join(tmpdir(), 'netdiag-startup-modules-'));
const hook = join(dir, 'hook.cjs');
const ca = mintCert({ cn: 'startup-modules-ca', isCA: true });
const leaf = mintCert({ cn: 'localhost', dns: ['localhost'], ips: ['127.0.0.1'], issuer: ca });
const caFile = join(dir, 'ca.pem');
let server: ReturnType<typeof createServer>;
let port = 0;

beforeAll(async () => {
  requireBuild();
  writeFileSync(caFile, ca.cert);
  writeFileSync(hook, "process.on('exit', () => require('fs').writeFileSync(process.env.NETDIAG_TEST_MODULES, process.moduleLoadList.join('\\n')));\n");
  server = createServer({ key: leaf.key, cert: leaf.cert }, (_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => server?.close());

/** The internal modules a run of the executable loaded (stdin /dev/null, stdout a pipe). */
async function loaded(args: string[]): Promise<string[]> {
  const out = join(dir, `modules-${args[0]}.txt`);
  // (asynchronously: the TLS server answering `cert` runs in this process)
  const child = spawn(EXE, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { PATH: process.env.PATH, HOME: dir, NODE_OPTIONS: `--require ${hook}`, NETDIAG_TEST_MODULES: out },
    timeout: 20_000,
  });
  child.stdout.resume();
  await new Promise((r) => child.on('close', r));
  return readFileSync(out, 'utf8').split('\n');
}

const HEAVY = ['NativeModule perf_hooks', 'NativeModule internal/fs/promises', 'NativeModule internal/readline/interface', 'NativeModule internal/fs/streams'];

describe('internal modules loaded at start-up', () => {
  it('cert HOST -o json loads none of the heavy trees, and reads its certificate (the hook saw the run)', async () => {
    const mods = await loaded(['cert', `localhost:${port}`, '--ca-file', caFile, '-o', 'json']);
    expect(mods).toContain('NativeModule tls'); // the run happened under the hook
    expect(mods.filter((m) => HEAVY.includes(m))).toEqual([]);
  });

  it('version loads none of them either', async () => {
    const mods = await loaded(['version']);
    expect(mods.length).toBeGreaterThan(50);
    expect(mods.filter((m) => HEAVY.includes(m))).toEqual([]);
  });
});
