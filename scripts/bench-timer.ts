// The benchmarks' stopwatch for commands that must run inside a lab's network namespace.
//
// scripts/bench.ts starts THIS program once inside the namespace (`nsenter -t LAB -n -m -- node
// scripts/bench-timer.ts`, the spec as JSON on stdin); from there it spawns the commands directly
// (no nsenter, no `env`, no shell around each run), with the environment and working directory it
// sets itself, alternating them round by round (the order rotates, so neither is always first),
// and prints one JSON object: per command the median, min, max and every sample in ms.
// What nsenter and Node's own start-up cost happens once, before the first sample, and to neither
// side of a comparison.
//
// A command's exit code is checked on every run (okCodes, default [0]); the first warm-up run's
// output is kept so that a command that fails says why.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { readFileSync } from 'node:fs';

export interface TimerCommand {
  name: string;
  cmd: string;
  args: string[];
  /** the whole environment of the command (nothing is inherited) */
  env: Record<string, string>;
  cwd?: string;
  /** exit codes that count as a successful run; default [0] */
  okCodes?: number[];
  /** ms after which a run is killed (and counts as failed); default 30 000 */
  timeoutMs?: number;
}

export interface TimerSpec {
  commands: TimerCommand[];
  rounds: number;
  /** untimed runs of each command before the rounds (page cache, code cache); default 1 */
  warmup?: number;
}

export interface TimerStats {
  name: string;
  /** wall time, spawn to exit */
  median: number;
  min: number;
  max: number;
  samples: number[];
  /** CPU time (user + system) of the command and its children, median: less sensitive to load */
  cpuMedian: number;
  /**
   * the same, mean: the kernel counts it in 10 ms ticks, so one run's figure is a multiple of 10
   * ms, but their sum over the rounds is exact to a tick: the mean resolves what the median cannot
   */
  cpuMean: number;
  cpuSamples: number[];
}

export interface TimerReport {
  ok: boolean;
  error?: string;
  results: TimerStats[];
  /** 1-minute load average before and after the rounds */
  load: [number, number];
  startedAt: string;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const TICK_MS = 1000 / 100; // USER_HZ, 100 on Linux

/** CPU time of this process's waited-for children (cutime + cstime of /proc/self/stat), ms. */
function childrenCpuMs(): number {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": state is field 3; cutime and cstime are fields 16 and 17
    return (Number(f[16 - 3]) + Number(f[17 - 3])) * TICK_MS;
  } catch {
    return NaN;
  }
}

/** One run: wall and CPU time from spawn to exit, in ms. Throws when the exit code is not ok. */
function runOnce(c: TimerCommand, keepOutput: boolean): { wall: number; cpu: number } {
  const cpu0 = childrenCpuMs();
  const t0 = performance.now();
  const r = spawnSync(c.cmd, c.args, {
    env: c.env,
    cwd: c.cwd,
    // the output is not what is timed: /dev/null, except for the first warm-up run
    stdio: keepOutput ? ['ignore', 'pipe', 'pipe'] : 'ignore',
    timeout: c.timeoutMs ?? 30_000,
    killSignal: 'SIGKILL',
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = performance.now() - t0;
  const cpu = childrenCpuMs() - cpu0;
  const ok = c.okCodes ?? [0];
  if (r.error || r.status === null || !ok.includes(r.status)) {
    const why = r.error ? r.error.message : r.status === null ? `killed by ${r.signal}` : `exit code ${r.status}`;
    const out = keepOutput ? `\n${String(r.stderr ?? '').slice(-2000)}${String(r.stdout ?? '').slice(-2000)}` : '';
    throw new Error(`${c.name}: ${c.cmd} ${c.args.join(' ')}: ${why} (expected ${ok.join(' or ')})${out}`);
  }
  return { wall, cpu };
}

export function time(spec: TimerSpec): TimerReport {
  const startedAt = new Date().toISOString();
  const before = loadavg()[0]!;
  const samples: { wall: number; cpu: number }[][] = spec.commands.map(() => []);
  try {
    for (let w = 0; w < (spec.warmup ?? 1); w++) for (const c of spec.commands) runOnce(c, w === 0);
    const n = spec.commands.length;
    for (let i = 0; i < spec.rounds; i++) {
      for (let k = 0; k < n; k++) {
        const j = (i + k) % n;
        samples[j]!.push(runOnce(spec.commands[j]!, false));
      }
    }
  } catch (err) {
    return { ok: false, error: (err as Error).message, results: [], load: [before, loadavg()[0]!], startedAt };
  }
  const results = spec.commands.map((c, j) => {
    const s = samples[j]!.map((x) => Math.round(x.wall * 10) / 10);
    const cpu = samples[j]!.map((x) => x.cpu);
    const cpuMean = cpu.reduce((a, b) => a + b, 0) / cpu.length;
    return { name: c.name, median: median(s), min: Math.min(...s), max: Math.max(...s), samples: s, cpuMedian: median(cpu), cpuMean, cpuSamples: cpu };
  });
  return { ok: true, results, load: [before, loadavg()[0]!], startedAt };
}

if (import.meta.main) {
  const spec = JSON.parse(readFileSync(0, 'utf8')) as TimerSpec;
  const report = time(spec);
  process.stdout.write(`${JSON.stringify(report)}\n`);
  process.exitCode = report.ok ? 0 : 1;
}
