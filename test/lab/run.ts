/**
 * Run one lab scenario.
 *
 *   node test/lab/run.ts --list
 *   node test/lab/run.ts <scenario> [--json] [--stay]
 *
 * Outside a lab namespace this re-executes itself under
 * `unshare --net --mount --propagation private` (root required). Inside, it sets up the
 * namespace (netns.ts), starts the scenario (scenarios.ts), prints ONE JSON line
 *   {"ready":true,"pid":N,"scenario":..,"kubeconfig":..,"env":{..},"args":[..],"tmpdir":..,"files":{..},"info":{..}}
 * (with --json nothing else goes to stdout; logs go to stderr), then runs until its stdin
 * closes (unless stdin is a TTY or --stay is given) or it gets SIGINT/SIGTERM/SIGHUP.
 * On failure it prints {"ready":false,"error":"..."} and exits 1.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { labNode, RUN_TS, setupNamespace } from './netns.ts';
import { PEER_PIDS, SCENARIOS, runScenario, type RunningScenario } from './scenarios.ts';

const argv = process.argv.slice(2);
const flags = new Set(argv.filter((a) => a.startsWith('--')));
const positional = argv.filter((a) => !a.startsWith('--'));
const json = flags.has('--json');
const inner = flags.has('--inner') || process.env.NETDIAG_LAB_INNER === '1';

function usage(): string {
  const w = Math.max(...SCENARIOS.map((s) => s.name.length));
  return SCENARIOS.map((s) => `${s.name.padEnd(w)}  ${s.description}`).join('\n');
}

if (flags.has('--list') || flags.has('--help') || positional.length === 0) {
  if (!flags.has('--list')) process.stdout.write('usage: node test/lab/run.ts <scenario> [--json] [--stay]\n\nscenarios:\n');
  process.stdout.write(usage() + '\n');
  process.exit(flags.has('--list') ? 0 : positional.length === 0 ? 2 : 0);
}

if (!inner) {
  // re-exec inside new network + mount namespaces
  const child = spawn('unshare', ['--net', '--mount', '--propagation', 'private', '--', labNode(), RUN_TS, ...argv, '--inner'], {
    stdio: 'inherit',
    env: { ...process.env, NETDIAG_LAB_INNER: '1' },
  });
  const fwd = (sig: NodeJS.Signals) => () => child.kill(sig);
  process.on('SIGINT', fwd('SIGINT'));
  process.on('SIGTERM', fwd('SIGTERM'));
  child.on('exit', (code, sig) => process.exit(code ?? (sig ? 1 : 0)));
} else {
  await main(positional[0]);
}

async function main(name: string) {
  let tmp: string | undefined;
  // the parent may be gone: writes to a closed pipe must not crash the lab before cleanup
  process.stdout.on('error', () => {});
  process.stderr.on('error', () => {});
  const emergency = (e: unknown) => {
    for (const pid of PEER_PIDS) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    if (tmp) rmSync(tmp, { recursive: true, force: true });
    try {
      process.stderr.write(`lab crashed: ${(e as Error)?.stack ?? String(e)}\n`);
    } finally {
      process.exit(70);
    }
  };
  process.on('uncaughtException', emergency);
  process.on('unhandledRejection', emergency);
  let running: RunningScenario | undefined;
  let shuttingDown = false;
  const shutdown = async (code: number) => {
    if (shuttingDown) return;
    shuttingDown = true;
    const hard = setTimeout(() => process.exit(code), 4000);
    hard.unref();
    try {
      await running?.close();
    } finally {
      if (tmp) rmSync(tmp, { recursive: true, force: true });
      process.exit(code);
    }
  };
  try {
    tmp = mkdtempSync(join(tmpdir(), 'netdiag-lab-'));
    setupNamespace(tmp);
    const t0 = Date.now();
    running = await runScenario(name, tmp);
    const ready = {
      ready: true,
      pid: process.pid,
      scenario: name,
      description: SCENARIOS.find((s) => s.name === name)?.description ?? '',
      kubeconfig: running.kubeconfig,
      env: running.env,
      args: running.args,
      tmpdir: tmp,
      files: running.files,
      info: { ...running.info, startupMs: Date.now() - t0 },
    };
    process.stdout.write(JSON.stringify(ready) + '\n');
    if (!json) {
      const envStr = Object.entries(running.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      process.stderr.write(
        `\nlab scenario ${name} ready (pid ${process.pid}): ${ready.description}\n` +
          `  kubeconfig: ${running.kubeconfig}\n  env: ${envStr || '(none)'}\n` +
          `  enter it:   nsenter -t ${process.pid} -n -m -- env ${envStr} bash\n` +
          `  stop:       Ctrl-C${process.stdin.isTTY || flags.has('--stay') ? '' : ' or close stdin'}\n`,
      );
    }
  } catch (e) {
    process.stdout.write(JSON.stringify({ ready: false, error: (e as Error).message, ...(tmp ? { tmpdir: tmp } : {}) }) + '\n');
    await shutdown(1);
    return;
  }
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void shutdown(0));
  if (!process.stdin.isTTY && !flags.has('--stay')) {
    process.stdin.on('data', () => {});
    process.stdin.on('end', () => void shutdown(0));
    process.stdin.on('close', () => void shutdown(0));
    process.stdin.on('error', () => void shutdown(0));
    process.stdin.resume();
  } else {
    setInterval(() => {}, 1 << 30);
  }
}
