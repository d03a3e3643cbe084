// SPEC §4: bearer tokens, client keys and proxy passwords never appear in any output, in any
// format, with -v, on stdout, stderr or in the output file. Every lab scenario.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import { startLab } from '../lab/netns.ts';
import { SCENARIOS } from '../lab/scenarios.ts';
import { EXE, requireBuild } from './harness.ts';

beforeAll(() => requireBuild());

interface Kc {
  users: { user: { token?: string; 'client-key-data'?: string } }[];
}

function secretsOf(kubeconfigPath: string, proxyUrl: string | undefined): string[] {
  const kc = load(readFileSync(kubeconfigPath, 'utf8')) as Kc;
  const out: string[] = [];
  for (const u of kc.users) {
    if (u.user.token) out.push(u.user.token);
    if (u.user['client-key-data']) {
      out.push(u.user['client-key-data']);
      const pem = Buffer.from(u.user['client-key-data'], 'base64').toString('utf8');
      out.push(...pem.split('\n').filter((l) => l.length > 20 && !l.startsWith('-----')));
    }
  }
  if (proxyUrl) {
    const p = new URL(proxyUrl).password;
    if (p) out.push(`:${p}@`);
  }
  return out;
}

const FORMATS = ['text', 'json', 'yaml', 'markdown'];

// real-apiserver*: a minute to start under load; test/e2e/real-apiserver.test.ts checks its secrets
describe.each(SCENARIOS.filter((s) => !s.name.startsWith('real-apiserver')).map((s) => s.name))('scenario %s', (name) => {
  it('no secret in stdout, stderr or --output-file, with -v, in every format', async () => {
    const lab = await startLab(name);
    try {
      // give every scenario a proxy password to leak, where a proxy is used
      const env = { ...lab.baseEnv() };
      if (name === 'proxy-auth') env.HTTPS_PROXY = 'http://lab:secret@198.51.100.20:3128';
      const secrets = secretsOf(lab.kubeconfig, env.HTTPS_PROXY);
      // every scenario carries a credential to leak, except the one about having none
      if (name === 'anonymous') expect(secrets).toEqual([]);
      else expect(secrets.length).toBeGreaterThan(0);
      const runs = await Promise.all(
        FORMATS.map(async (fmt) => {
          const file = join(lab.tmpdir, `report-${fmt}.${fmt === 'markdown' ? 'md' : fmt === 'text' ? 'txt' : fmt}`);
          const r = await lab.exec(EXE, ['api', '--kubeconfig', lab.kubeconfig, '-v', '-o', fmt, '--output-file', file, '--timeout', '1s', ...lab.args], { env, timeoutMs: 30_000 });
          return { fmt, r, file: readFileSync(file, 'utf8') };
        }),
      );
      for (const { fmt, r, file } of runs) {
        expect(r.stdout.length, `${fmt} stdout`).toBeGreaterThan(100);
        for (const s of secrets) {
          expect(r.stdout, `${fmt} stdout`).not.toContain(s);
          expect(r.stderr, `${fmt} stderr`).not.toContain(s);
          expect(file, `${fmt} file`).not.toContain(s);
        }
      }
    } finally {
      await lab.stop();
    }
  });
});
