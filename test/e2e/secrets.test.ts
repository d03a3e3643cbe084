// SPEC §4: bearer tokens, client keys and proxy passwords never appear in any output, in any
// format, with -v, on stdout, stderr or in the output file. Every lab scenario.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { dump, load } from 'js-yaml';
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

// Issue 12 §3: proxy passwords that real people use, with '@', ':', '#' and '%', in the kubeconfig
// proxy-url and in HTTPS_PROXY; no piece of them (no 3 characters in a row) in any output, with
// -v, in every format, on stdout, stderr or in the --output-file. The shown proxy makes sense.
// '12#x': a digits-only password before '#': Go reads 'http://uN:12#x@host' as host uN, port 12,
// and what we show of Go's reading must not hold it either
const PASSWORDS = ['Xq7@Zr9Kp2', 'Xq7:Zr9Kp2', 'Xq7#Zr9Kp2', 'Xq7%Zr9Kp2', 'Xq7@Zr9:Kp2#Wm4%Yt6', '12#x'];

function pieces(password: string): string[] {
  const out: string[] = [];
  for (let i = 0; i + 3 <= password.length; i++) out.push(password.slice(i, i + 3));
  return out;
}

describe('proxy passwords with @ : # % (kubeconfig proxy-url and HTTPS_PROXY)', () => {
  it('never appear, in any format, with -v, in stdout, stderr or --output-file', async () => {
    const lab = await startLab('connect-proxy');
    try {
      const proxy = String(lab.info.proxy).replace(/^http:\/\//, ''); // 198.51.100.20:3128
      const kc = load(readFileSync(lab.kubeconfig, 'utf8')) as { clusters: { cluster: Record<string, unknown> }[] };
      let n = 0;
      for (const password of PASSWORDS) {
        for (const where of ['kubeconfig', 'env'] as const) {
          n++;
          const value = `http://u${n}:${password}@${proxy}`;
          const env: Record<string, string> = { ...lab.baseEnv() };
          delete env.HTTPS_PROXY;
          let kubeconfig = lab.kubeconfig;
          if (where === 'env') env.HTTPS_PROXY = value;
          else {
            kc.clusters[0]!.cluster['proxy-url'] = value;
            kubeconfig = join(lab.tmpdir, `kubeconfig-${n}`);
            writeFileSync(kubeconfig, dump(kc), { mode: 0o600 });
          }
          const runs = await Promise.all(
            FORMATS.map(async (fmt) => {
              const file = join(lab.tmpdir, `proxy-${n}-${fmt}.out`);
              const r = await lab.exec(EXE, ['api', '--kubeconfig', kubeconfig, '-v', '-o', fmt, '--output-file', file, '--timeout', '1s'], { env, timeoutMs: 30_000 });
              return { fmt, r, file: readFileSync(file, 'utf8') };
            }),
          );
          for (const { fmt, r, file } of runs) {
            const what = `${where} ${JSON.stringify(password)} ${fmt}`;
            expect(r.stdout.length, what).toBeGreaterThan(100);
            for (const p of pieces(password)) {
              expect(r.stdout, `${what} stdout`).not.toContain(p);
              expect(r.stderr, `${what} stderr`).not.toContain(p);
              expect(file, `${what} file`).not.toContain(p);
            }
            // Go's reading of a value cut at '#': the user name as the host, the password's start as the port
            const goPort = password.includes('#') ? password.slice(0, password.indexOf('#')) : undefined;
            if (goPort) {
              for (const [name, text] of [['stdout', r.stdout], ['stderr', r.stderr], ['file', file]] as const) {
                expect(text, `${what} ${name}`).not.toMatch(new RegExp(`u${n}:${goPort.replace(/[^A-Za-z0-9]/g, '\\$&')}(?![0-9A-Za-z])`));
              }
            }
            // the proxy is shown as the user wrote it, password masked, never Go's nonsense reading with the password in it
            expect(r.stdout, what).toContain(`u${n}:REDACTED@${proxy}`);
          }
          // '#' and '%': the finding says what Go does instead and what to encode
          const json = JSON.parse(runs.find((x) => x.fmt === 'json')!.r.stdout) as { checks: { findings: { code: string; message: string }[] }[] };
          const malformed = json.checks.flatMap((c) => c.findings).find((f) => f.code === 'api.proxy.malformed-url');
          if (/[#%]/.test(password)) {
            expect(malformed?.message, `${where} ${password}`).toMatch(/%23|%25/);
          } else {
            expect(malformed, `${where} ${password}`).toBeUndefined();
          }
        }
      }
    } finally {
      await lab.stop();
    }
  }, 240_000);
});
