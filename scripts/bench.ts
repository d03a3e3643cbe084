// npm run bench: performance as ratios against kubectl, measured side by side in one run on this
// machine (SPEC, issue 2). Prints a table; exits 1 when a budget is exceeded.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startLab, type Lab } from '../test/lab/netns.ts';

const EXE = join(REPO_ROOT, 'dist', 'kubectl-netdiag');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);

if (!existsSync(EXE)) {
  console.error('error: dist/kubectl-netdiag is missing: run `npm run build` first');
  process.exit(2);
}
try {
  execFileSync('kubectl', ['version', '--client'], { stdio: 'ignore' });
} catch {
  console.error('error: kubectl is not on PATH; the benchmarks compare against it');
  process.exit(2);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

function timeLocal(cmd: string, args: string[]): number {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { stdio: 'ignore' });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
  return ms;
}

async function timeInLab(lab: Lab, cmd: string, args: string[], okCodes = [0]): Promise<number> {
  const r = await lab.exec(cmd, args, { env: lab.baseEnv(), timeoutMs: 30_000 });
  if (!okCodes.includes(r.code ?? -1)) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return r.durationMs;
}

/** Alternate the two commands so drift on the machine hits both alike. */
async function sideBySide(a: () => Promise<number> | number, b: () => Promise<number> | number, rounds = ROUNDS) {
  await a();
  await b(); // warm caches
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    as.push(await a());
    bs.push(await b());
  }
  return { a: median(as), b: median(bs) };
}

interface Row {
  name: string;
  ours: number;
  theirs?: number;
  ratio?: number;
  budget: string;
  ok: boolean;
}
const rows: Row[] = [];

// 1. start-up: version
{
  const r = await sideBySide(
    () => timeLocal(EXE, ['version']),
    () => timeLocal('kubectl', ['version', '--client']),
  );
  const ratio = r.a / r.b;
  rows.push({ name: '`kubectl netdiag version` vs `kubectl version --client`', ours: r.a, theirs: r.b, ratio, budget: 'ratio ≤ 2.0', ok: ratio <= 2.0 });
}

// 2. the api diagnosis on the healthy lab vs `kubectl version` (client and server) on the same lab
{
  const lab = await startLab('healthy');
  try {
    const r = await sideBySide(
      () => timeInLab(lab, EXE, ['api', '--kubeconfig', lab.kubeconfig, '-o', 'json']),
      () => timeInLab(lab, 'kubectl', ['version', '--kubeconfig', lab.kubeconfig]),
    );
    const ratio = r.a / r.b;
    rows.push({ name: '`kubectl netdiag api` (healthy lab) vs `kubectl version` (same lab)', ours: r.a, theirs: r.b, ratio, budget: 'ratio ≤ 1.5', ok: ratio <= 1.5 });
  } finally {
    await lab.stop();
  }
}

// 3. black hole with --timeout 2s: one timeout, not a sum of them
{
  const lab = await startLab('blackhole');
  try {
    const times: number[] = [];
    for (let i = 0; i < 3; i++) times.push(await timeInLab(lab, EXE, ['api', '--kubeconfig', lab.kubeconfig, '--timeout', '2s', '-o', 'json'], [1]));
    const worst = Math.max(...times);
    rows.push({ name: '`kubectl netdiag api --timeout 2s` (black hole), worst of 3', ours: worst, budget: '≤ 2500 ms', ok: worst <= 2500 });
  } finally {
    await lab.stop();
  }
}

const fmt = (ms: number | undefined) => (ms === undefined ? '' : `${ms.toFixed(0)} ms`);
console.log(`\nkubectl-netdiag benchmarks (median of ${ROUNDS} alternating runs; ${new Date().toISOString()})\n`);
console.log('| benchmark | netdiag | kubectl | ratio | budget | |');
console.log('| --- | ---: | ---: | ---: | --- | --- |');
for (const r of rows) {
  console.log(`| ${r.name} | ${fmt(r.ours)} | ${fmt(r.theirs)} | ${r.ratio?.toFixed(2) ?? ''} | ${r.budget} | ${r.ok ? 'ok' : 'OVER'} |`);
}
process.exit(rows.every((r) => r.ok) ? 0 : 1);
