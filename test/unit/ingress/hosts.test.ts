// listHosts (for the TUI's host picker) against the lab API server, run inside the lab namespace.
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, startLab } from '../../lab/netns.ts';

const canRun = process.getuid?.() === 0 && spawnSync('unshare', ['--net', '--', 'true']).status === 0;

const SCRIPT = `
import { listHosts } from '${join(REPO_ROOT, 'src/checks/served-host/hosts.ts')}';
import { Redactor } from '${join(REPO_ROOT, 'src/report/redact.ts')}';
const r = await listHosts({ kubeconfig: { kubeconfig: process.argv[2], env: process.env, homeDir: '/nonexistent' }, timeoutMs: 3000, env: process.env, redactor: new Redactor() });
console.log(JSON.stringify(r));
`;

describe.skipIf(!canRun)('listHosts', () => {
  it('lists the hosts of Ingresses and Certificates (not the solver Ingresses), and says what it could not read', async () => {
    for (const [scenario, expected] of [
      ['ingress-staging', { hosts: [{ host: 'web.lab.test', from: ['Certificate web/web-tls', 'Ingress web/web'] }], errors: [] }],
      ['ingress-rbac', { hosts: [{ host: 'web.lab.test', from: ['Ingress web/web'] }], errors: [expect.stringMatching(/^Certificates: .*forbidden/)] }],
    ] as const) {
      const lab = await startLab(scenario);
      try {
        const file = join(lab.tmpdir, 'hosts.ts');
        writeFileSync(file, SCRIPT);
        const r = await lab.exec('node', [file, lab.kubeconfig]);
        expect(r.stderr).toBe('');
        expect(JSON.parse(r.stdout)).toEqual(expected);
      } finally {
        await lab.stop();
      }
    }
  });
});
