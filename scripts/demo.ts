// npm run demo: run the built `kubectl netdiag api` against the lab's SPEC §1 incident 1
// (a TLS-intercepting egress proxy that cannot reach the API server, and no direct route),
// inside a network namespace the lab creates; nothing leaves this machine.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, startLab } from '../test/lab/netns.ts';

const scenario = process.argv[2] ?? 'incident-1';
const exe = join(REPO_ROOT, 'dist', 'kubectl-netdiag');
if (!existsSync(exe)) {
  console.error('error: dist/kubectl-netdiag is missing: run `npm run build` first');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  console.error('error: the lab creates network namespaces (unshare --net) and needs root: run `sudo npm run demo`');
  process.exit(2);
}
const lab = await startLab(scenario);
try {
  const env = lab.baseEnv();
  const shown = Object.entries(lab.env).map(([k, v]) => `${k}=${v} `).join('');
  const args = ['api', '--kubeconfig', lab.kubeconfig, ...(process.stdout.isTTY ? ['--color', 'always'] : [])];
  process.stderr.write(`# lab scenario ${lab.scenario}: ${lab.description}\n$ ${shown}kubectl netdiag ${args.join(' ')}\n\n`);
  const r = await lab.exec(exe, args, { env, timeoutMs: 60_000 });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  process.stderr.write(`\n(exit code ${r.code}; ${r.durationMs} ms)\n`);
} finally {
  await lab.stop();
}
