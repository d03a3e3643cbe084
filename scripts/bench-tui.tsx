// TUI frame-time benchmark (used by scripts/bench.ts, which compiles this file with esbuild because
// Node does not run JSX): the app shows a finished diagnosis of N checks produced by the real runner
// (real events), and every key press is timed from the moment the key arrives on stdin until Ink has
// written the frame (React reconcile + Yoga layout + output). Also times the live view receiving N
// check-end events. The caller sets NODE_ENV=production before loading it, as the build does.
import { EventEmitter } from 'node:events';
import { render } from 'ink';
import type { DiagnosisDefinition } from '../src/engine/definitions.ts';
import { runDiagnosis } from '../src/engine/run-diagnosis.ts';
import { Redactor } from '../src/report/redact.ts';
import type { CheckDefinition, RunnerEvent } from '../src/engine/runner.ts';
import type { Report } from '../src/report/types.ts';
import { App } from '../src/tui/App.tsx';
import { LiveRun } from '../src/tui/LiveRun.tsx';
import { EMPTY_RUN, applyEvent, type TuiSession } from '../src/tui/model.ts';

class Sink extends EventEmitter {
  isTTY = true;
  columns: number;
  rows: number;
  bytes = 0;
  constructor(columns: number, rows: number) {
    super();
    this.columns = columns;
    this.rows = rows;
  }
  write(s: string, ...rest: unknown[]): boolean {
    this.bytes += s.length;
    const cb = rest.find((x) => typeof x === 'function') as (() => void) | undefined;
    cb?.();
    return true;
  }
}

class Keys extends EventEmitter {
  isTTY = true;
  private pending: string[] = [];
  setEncoding(): void {}
  setRawMode(): void {}
  resume(): void {}
  pause(): void {}
  ref(): void {}
  unref(): void {}
  read(): string | null {
    return this.pending.shift() ?? null;
  }
  press(s: string): void {
    this.pending.push(s);
    this.emit('readable');
  }
}

const CHAIN = [
  { subject: 'CN=egress-proxy', issuer: 'CN=egress-proxy', sans: [], notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2027-01-01T00:00:00.000Z', sha256: Array(32).fill('AB').join(':'), keyType: 'RSA 2048', isCA: false, selfSigned: true },
];

/** A diagnosis of n checks: every 10th fails with a finding and a certificate chain, every 7th is skipped. */
export function bigDiagnosis(n: number): DiagnosisDefinition<object, object> {
  const checks: CheckDefinition<object>[] = Array.from({ length: n }, (_, i) => ({
    id: `bench.check-${String(i).padStart(3, '0')}`,
    title: `Check number ${i}`,
    codes: ['api.tls.intercepted'],
    run: async () =>
      i % 10 === 3
        ? {
            summary: `TLSv1.3; CN=egress-proxy issued by CN=egress-proxy; not trusted (check ${i}) ${'and a long tail of words '.repeat(4)}`,
            findings: [{ code: 'api.tls.intercepted', message: `TLS to 203.0.113.${i % 250}:443 is intercepted by the proxy: the certificate presented is CN=egress-proxy.` }],
            evidence: { via: 'proxy http://198.51.100.21:3128', chain: CHAIN },
            reproduce: [`openssl s_client -connect 203.0.113.${i % 250}:443 -showcerts </dev/null`],
          }
        : i % 7 === 5
          ? { skip: true, summary: 'not applicable: nothing to check here' }
          : { summary: `fine: answered in ${i % 50} ms` },
  }));
  return {
    command: 'bench',
    title: 'Benchmark',
    description: `${n} checks`,
    checks,
    createContext: () => ({}),
    diagnose: () => ({ status: 'fail', rootCause: 'Every tenth check is intercepted. '.repeat(6), remediation: ['Bypass the proxy.', 'Ask the network team.'] }),
    target: () => ({ context: 'bench', server: 'https://203.0.113.10:443' }),
  };
}

function session(n: number): TuiSession {
  const def = bigDiagnosis(n);
  return {
    diagnoses: [{ command: 'bench', title: 'Benchmark', description: `${n} checks`, inputs: [] }],
    header: () => ({ context: 'bench', cluster: 'bench', user: 'bench', server: 'https://203.0.113.10:443', namespace: 'default', proxy: 'none' }),
    contexts: () => ({ names: ['bench'], current: 'bench' }),
    run: async (_req, onEvent, signal) => {
      const report = await runDiagnosis(def, {}, { defaultTimeoutMs: 5000, onEvent, signal, redactor: new Redactor() });
      return { report, exitCode: 1 };
    },
    exportReport: () => ({ paths: [] }),
  };
}

function stats(xs: number[]): { median: number; p95: number; max: number; frames: number } {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)]!, p95: s[Math.min(s.length - 1, Math.floor(s.length * 0.95))]!, max: s[s.length - 1]!, frames: s.length };
}

/** Key presses on the app showing a finished n-check report (100x30): move, expand, scroll, collapse. */
export async function appFrameTimes(n = 200, presses = 120): Promise<ReturnType<typeof stats>> {
  const stdout = new Sink(100, 30);
  const stdin = new Keys();
  let rendered: (() => void) | undefined;
  const ink = render(<App session={session(n)} color={true} onExit={() => {}} />, {
    stdout: stdout as unknown as NodeJS.WriteStream,
    stdin: stdin as unknown as NodeJS.ReadStream,
    stderr: new Sink(100, 30) as unknown as NodeJS.WriteStream,
    debug: true, // every commit renders at once (no 30 fps throttle), so each key is one measurable frame
    exitOnCtrlC: false,
    patchConsole: false,
    onRender: () => rendered?.(),
  });
  const frame = (keys: string) =>
    new Promise<number>((resolve) => {
      const t0 = performance.now();
      rendered = () => {
        rendered = undefined;
        resolve(performance.now() - t0);
      };
      stdin.press(keys);
    });
  await new Promise((r) => setTimeout(r, 50));
  await frame('\r'); // run the diagnosis
  await new Promise((r) => setTimeout(r, 300));
  const times: number[] = [];
  // Every key changes the screen (a key that changes nothing renders no frame). Enter collapses as
  // well as expands; a lone ESC would add Ink's escape-sequence timeout, input latency, not rendering.
  const sequence = ['j', 'j', 'j', '\r', '\r', 'k'];
  for (let i = 0; i < presses; i++) times.push(await frame(sequence[i % sequence.length]!));
  if (process.env.BENCH_TUI_DEBUG) console.log(times.map((t, i) => `${JSON.stringify(sequence[i % sequence.length])}:${t.toFixed(1)}`).join(' '));
  ink.unmount();
  return stats(times.slice(8)); // the first frames warm the JIT
}

/** The live view receiving the n check-end events of a run, one frame per event. */
export async function liveFrameTimes(n = 200): Promise<ReturnType<typeof stats>> {
  const def = bigDiagnosis(n);
  const stdout = new Sink(100, 30);
  let state = EMPTY_RUN;
  const view = () => <LiveRun title="bench" header={{ context: 'bench', server: 'https://x' }} state={state} color={true} idWidth={16} />;
  const ink = render(view(), { stdout: stdout as unknown as NodeJS.WriteStream, debug: false, patchConsole: false, maxFps: 1000 });
  const events: RunnerEvent[] = [];
  await runDiagnosis(def, {}, { defaultTimeoutMs: 5000, onEvent: (e) => events.push(e), redactor: new Redactor() });
  const times: number[] = [];
  for (const e of events) {
    const t0 = performance.now();
    state = applyEvent(state, e);
    ink.rerender(view());
    await ink.waitUntilRenderFlush();
    if (e.type === 'check-end') times.push(performance.now() - t0);
  }
  ink.unmount();
  return stats(times.slice(10));
}

export type { Report };
