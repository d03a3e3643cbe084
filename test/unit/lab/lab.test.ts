import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import * as yaml from 'js-yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labNode, RUN_TS, startLab, type Lab } from '../../lab/netns.ts';
import { SCENARIOS } from '../../lab/scenarios.ts';

const canRun = process.getuid?.() === 0 && spawnSync('unshare', ['--net', '--', 'true']).status === 0;

/** classify a TCP connect from inside the lab, with node */
const CONNECT_JS = `
const net = require('node:net');
const [host, port] = process.argv.slice(1);
const t = Date.now();
const s = net.connect({ host, port: Number(port) });
const done = (what) => { console.log(JSON.stringify({ what, ms: Date.now() - t })); s.destroy(); process.exit(0); };
s.setTimeout(1500, () => done('timeout'));
s.on('connect', () => done('connected'));
s.on('error', (e) => done(e.code));
`;

function bearer(lab: Lab): string {
  return `Authorization: Bearer ${String(lab.info.token)}`;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!canRun)('lab scenarios (network namespaces)', () => {
  it('run.ts --list lists every scenario on one line each', () => {
    const r = spawnSync(labNode(), [RUN_TS, '--list'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(SCENARIOS.length);
    for (const name of ['healthy', 'incident-1', 'incident-1-connect-503', 'no-route', 'blackhole', 'refused', 'tinyproxy', 'mitmdump', 'dns-timeout', 'trickle']) {
      expect(lines.some((l) => l.startsWith(name + ' '))).toBe(true);
    }
  });

  describe('healthy', () => {
    let lab: Lab;
    beforeAll(async () => {
      lab = await startLab('healthy');
    });
    afterAll(() => lab?.stop());

    it('prints a ready line with a kubeconfig for lab-admin@lab', () => {
      expect(lab.ready).toBe(true);
      expect(lab.pid).toBeGreaterThan(0);
      expect(lab.args).toEqual([]);
      expect(lab.env.KUBECONFIG).toBe(lab.kubeconfig);
      expect(lab.env.HTTPS_PROXY).toBeUndefined();
      const kc = yaml.load(readFileSync(lab.kubeconfig, 'utf8')) as any;
      expect(kc['current-context']).toBe('lab-admin@lab');
      expect(kc.contexts[0]).toEqual({ name: 'lab-admin@lab', context: { cluster: 'lab', user: 'lab-admin', namespace: 'default' } });
      expect(kc.clusters[0].cluster.server).toBe('https://198.51.100.10:6443');
      expect(Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString()).toContain('BEGIN CERTIFICATE');
      expect(kc.users[0]).toMatchObject({ name: 'lab-admin', user: { token: expect.stringMatching(/^lab-admin-token-[0-9a-f]+$/) } });
      expect(lab.info.startupMs as number).toBeLessThan(1000);
    });

    it('curl inside the namespace reaches the fake API with the CA and token', async () => {
      const r = await lab.exec('curl', ['-sS', '--cacert', lab.files.ca, '-H', bearer(lab), 'https://198.51.100.10:6443/version']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ major: '1', minor: '31' });
      const who = await lab.exec('curl', ['-sS', '--cacert', lab.files.ca, '-H', bearer(lab), '-H', 'Content-Type: application/json', '-d', '{}', 'https://198.51.100.10:6443/apis/authentication.k8s.io/v1/selfsubjectreviews']);
      expect(JSON.parse(who.stdout).status.userInfo.username).toBe('lab-admin');
    });

    it('the namespace is isolated: no default route, lab resolv.conf and hosts, no inherited proxy env', async () => {
      const r = await lab.exec('sh', ['-c', 'ip route show table all | grep -c "^default" ; cat /etc/resolv.conf /etc/hosts; env']);
      expect(r.stdout.split('\n')[0]).toBe('0');
      expect(r.stdout).toContain('nameserver 198.51.100.53');
      expect(r.stdout).toContain('198.51.100.10 api-hosts.lab.test');
      expect(r.stdout).not.toMatch(/_proxy=|_PROXY=/);
    });

    it('black hole times out, no route fails at once with ENETUNREACH, nothing listening is refused', async () => {
      const probe = async (host: string, port: string) => JSON.parse((await lab.exec('node', ['-e', CONNECT_JS, host, port])).stdout) as { what: string; ms: number };
      const bh = await probe('192.0.2.10', '6443');
      expect(bh.what).toBe('timeout');
      expect(bh.ms).toBeGreaterThanOrEqual(1400);
      const nr = await probe('203.0.113.10', '10443');
      expect(nr.what).toBe('ENETUNREACH');
      expect(nr.ms).toBeLessThan(500);
      const rf = await probe('198.51.100.10', '6553');
      expect(rf.what).toBe('ECONNREFUSED');
      // and curl's view of the same
      const c1 = await lab.exec('curl', ['-sS', '-m', '1', 'https://192.0.2.10:6443/']);
      expect(c1.code).toBe(28);
      const c2 = await lab.exec('curl', ['-sS', '-m', '1', 'https://203.0.113.10:10443/']);
      expect(c2.code).toBe(7);
    });

    it('lab DNS and /etc/hosts resolve inside the namespace', async () => {
      const r = await lab.exec('getent', ['ahostsv4', 'api.lab.test']);
      expect(r.stdout).toContain('198.51.100.10');
      const h = await lab.exec('getent', ['hosts', 'api-hosts.lab.test']);
      expect(h.stdout).toContain('198.51.100.10');
      const nx = await lab.exec('getent', ['hosts', 'missing.lab.test']);
      expect(nx.code).toBe(2);
      const ok = await lab.exec('curl', ['-sS', '--cacert', lab.files.ca, 'https://api.lab.test:6443/readyz']);
      expect(ok.stdout).toBe('ok');
    });

    it('exec passes input and env, and times out', async () => {
      const r = await lab.exec('sh', ['-c', 'cat; echo " $FOO"'], { input: 'hello', env: { FOO: 'bar' } });
      expect(r.stdout).toBe('hello bar\n');
      const t = await lab.exec('sleep', ['10'], { timeoutMs: 300 });
      expect(t.timedOut).toBe(true);
      expect(t.durationMs).toBeLessThan(3000);
    });
  });

  it('stop() ends the lab process and removes its files', async () => {
    const lab = await startLab('refused');
    expect(isAlive(lab.pid)).toBe(true);
    await lab.stop();
    expect(isAlive(lab.pid)).toBe(false);
    expect(existsSync(lab.tmpdir)).toBe(false);
  });

  it('a scenario that fails to start leaves neither its process nor its files behind', async () => {
    const e = (await startLab('no-such-scenario').catch((x: unknown) => x)) as Error & { tmpdir?: string };
    expect(e.message).toMatch(/lab no-such-scenario failed/);
    expect(e.tmpdir).toMatch(/netdiag-lab-/);
    expect(existsSync(e.tmpdir!)).toBe(false);
  });

  it('a crashed parent never leaves the lab behind (stdin closes → lab exits)', async () => {
    const script = `
      import { startLab } from ${JSON.stringify(new URL('../../lab/netns.ts', import.meta.url).pathname)};
      const lab = await startLab('tinyproxy');
      console.log(JSON.stringify({ pid: lab.pid }));
      process.kill(process.pid, 'SIGKILL');
    `;
    const child = spawn(labNode(), ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    await new Promise((r) => child.on('exit', r));
    const { pid } = JSON.parse(out.trim());
    const deadline = Date.now() + 5000;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(isAlive(pid)).toBe(false);
    const left = spawnSync('pgrep', ['-f', `tinyproxy -d -c /tmp/netdiag-lab-`], { encoding: 'utf8' });
    expect(left.stdout.trim()).toBe('');
  });

  describe('incident 1', () => {
    it('intercepting proxy: CN=egress-proxy fails verification, and it answers 503 upstream connect error', async () => {
      const lab = await startLab('incident-1');
      try {
        expect(lab.env.HTTPS_PROXY).toBe('http://198.51.100.21:3128');
        const strict = await lab.exec('curl', ['-sS', '-v', '--cacert', lab.files.ca, 'https://203.0.113.10:10443/version']);
        expect(strict.code).toBe(60);
        expect(strict.stderr).toContain('SSL certificate problem: self-signed certificate');
        const shown = await lab.exec('curl', ['-sS', '-v', '-k', '-o', '/dev/null', 'https://203.0.113.10:10443/version']);
        expect(shown.stderr).toMatch(/subject: CN=egress-proxy/);
        expect(shown.stderr).toMatch(/issuer: CN=egress-proxy/);
        expect(shown.stderr).not.toMatch(/subjectAltName/);
        const insecure = await lab.exec('curl', ['-sS', '-k', '-w', '\n%{http_code}', 'https://203.0.113.10:10443/version']);
        expect(insecure.stdout).toBe(
          'upstream connect error or disconnect/reset before headers. reset reason: remote connection failure, transport failure reason: delayed connect error: Connection refused\n503',
        );
      } finally {
        await lab.stop();
      }
    });

    it('connect-503: the proxy refuses the tunnel itself', async () => {
      const lab = await startLab('incident-1-connect-503');
      try {
        const r = await lab.exec('curl', ['-sS', '-k', 'https://203.0.113.10:10443/version']);
        expect(r.code).toBe(56);
        expect(r.stderr).toContain('CONNECT tunnel failed, response 503');
      } finally {
        await lab.stop();
      }
    });

    it('no-route: same kubeconfig, no proxy env: network is unreachable', async () => {
      const lab = await startLab('no-route');
      try {
        expect(lab.env.HTTPS_PROXY).toBeUndefined();
        const kc = yaml.load(readFileSync(lab.kubeconfig, 'utf8')) as any;
        expect(kc.clusters[0].cluster.server).toBe('https://203.0.113.10:10443');
        const r = await lab.exec('node', ['-e', CONNECT_JS, '203.0.113.10', '10443']);
        expect(JSON.parse(r.stdout).what).toBe('ENETUNREACH');
      } finally {
        await lab.stop();
      }
    });
  });

  it('no-proxy: NO_PROXY=198.51.100.0/24 bypasses the failing proxy', async () => {
    const lab = await startLab('no-proxy');
    try {
      expect(lab.env).toMatchObject({ HTTPS_PROXY: 'http://198.51.100.22:3128', NO_PROXY: '198.51.100.0/24' });
      const r = await lab.exec('curl', ['-sS', '--cacert', lab.files.ca, 'https://198.51.100.10:6443/healthz']);
      expect(r.stdout).toBe('ok');
    } finally {
      await lab.stop();
    }
  });

  it('tinyproxy: a real CONNECT proxy works end to end', async () => {
    const lab = await startLab('tinyproxy');
    try {
      const r = await lab.exec('curl', ['-sS', '-x', 'http://198.51.100.23:8888', '--cacert', lab.files.ca, '-H', bearer(lab), 'https://198.51.100.10:6443/version']);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout).major).toBe('1');
      const viaEnv = await lab.exec('curl', ['-sS', '-v', '--cacert', lab.files.ca, 'https://198.51.100.10:6443/readyz']);
      expect(viaEnv.stdout).toBe('ok');
      expect(viaEnv.stderr).toContain('CONNECT 198.51.100.10:6443');
    } finally {
      await lab.stop();
    }
  });

  it('mitmdump: a real intercepting proxy; issuer mitmproxy; works with its CA', async () => {
    const lab = await startLab('mitmdump');
    try {
      expect(existsSync(lab.files.mitmproxyCa)).toBe(true);
      const r = await lab.exec('curl', ['-sS', '-x', 'http://198.51.100.24:8080', '--cacert', lab.files.mitmproxyCa, '-H', bearer(lab), 'https://198.51.100.10:6443/version']);
      expect(r.stderr).toBe('');
      expect(JSON.parse(r.stdout).major).toBe('1');
      const strict = await lab.exec('curl', ['-sS', '-v', '--cacert', lab.files.ca, 'https://198.51.100.10:6443/version']);
      expect(strict.code).toBe(60);
      const shown = await lab.exec('curl', ['-sS', '-v', '-k', '-o', '/dev/null', 'https://198.51.100.10:6443/version']);
      expect(shown.stderr).toMatch(/issuer: CN=mitmproxy; O=mitmproxy/);
    } finally {
      await lab.stop();
    }
  });

  it('cert scenarios serve the intended certificates', async () => {
    const cases: Array<[string, RegExp]> = [
      ['expired-cert', /certificate has expired/],
      ['other-ca', /unable to get local issuer certificate/],
      ['name-mismatch', /no alternative certificate subject name matches target host name '198\.51\.100\.10'/],
      ['no-ip-san', /no alternative certificate subject name matches/],
    ];
    await Promise.all(
      cases.map(async ([name, re]) => {
        const lab = await startLab(name);
        try {
          const r = await lab.exec('curl', ['-sS', '--cacert', lab.files.ca, 'https://198.51.100.10:6443/version']);
          expect(r.code, name).not.toBe(0);
          expect(r.stderr, name).toMatch(re);
        } finally {
          await lab.stop();
        }
      }),
    );
  });

  it('every other scenario behaves as described (curl inside the namespace)', async () => {
    type Check = (lab: Lab) => Promise<void>;
    const curl = (lab: Lab, ...args: string[]) => lab.exec('curl', ['-sS', '--cacert', lab.files.ca, ...args], { timeoutMs: 10_000 });
    const V = 'https://198.51.100.10:6443/version';
    const checks: Record<string, Check> = {
      ecdsa: async (lab) => {
        const r = await curl(lab, '-H', bearer(lab), V);
        expect(JSON.parse(r.stdout).major).toBe('1');
        const o = await lab.exec('openssl', ['s_client', '-connect', '198.51.100.10:6443', '-CAfile', lab.files.ca], { input: '' });
        expect(o.stdout).toContain('Peer signature type: ECDSA');
        expect(o.stdout).toContain('Verify return code: 0 (ok)');
      },
      'client-cert': async (lab) => {
        const kc = yaml.load(readFileSync(lab.kubeconfig, 'utf8')) as any;
        expect(kc.users[0].user.token).toBeUndefined();
        expect(kc.users[0].user['client-certificate-data']).toBeTruthy();
        const r = await curl(lab, '--cert', lab.files.clientCert, '--key', lab.files.clientKey, '-d', '{}', '-H', 'Content-Type: application/json', 'https://198.51.100.10:6443/apis/authentication.k8s.io/v1/selfsubjectreviews');
        expect(JSON.parse(r.stdout).status.userInfo).toEqual({ username: 'lab-admin', groups: ['system:masters', 'system:authenticated'] });
      },
      'bad-token': async (lab) => {
        const r = await curl(lab, '-w', '%{http_code}', '-o', '/dev/null', '-H', bearer(lab), V);
        expect(r.stdout).toBe('401');
      },
      forbidden: async (lab) => {
        const r = await curl(lab, '-H', bearer(lab), 'https://198.51.100.10:6443/api/v1/namespaces/default/pods');
        expect(JSON.parse(r.stdout).message).toBe('pods is forbidden: User "lab-viewer" cannot list resource "pods" in API group "" in the namespace "default"');
      },
      'v1-24': async (lab) => {
        const r = await curl(lab, '-w', '%{http_code}', '-o', '/dev/null', '-H', bearer(lab), '-d', '{}', 'https://198.51.100.10:6443/apis/authentication.k8s.io/v1/selfsubjectreviews');
        expect(r.stdout).toBe('404');
        expect(JSON.parse((await curl(lab, V)).stdout).gitVersion).toBe('v1.24.0+0');
      },
      'readyz-etcd': async (lab) => {
        const r = await curl(lab, '-w', '\n%{http_code}', 'https://198.51.100.10:6443/readyz?verbose');
        expect(r.stdout).toContain('[-]etcd failed: reason withheld');
        expect(r.stdout.endsWith('readyz check failed\n\n500')).toBe(true);
      },
      'endpoints-partial': async (lab) => {
        const r = await curl(lab, '-H', bearer(lab), 'https://198.51.100.10:6443/apis/discovery.k8s.io/v1/namespaces/default/endpointslices?labelSelector=kubernetes.io%2Fservice-name%3Dkubernetes');
        expect(JSON.parse(r.stdout).items[0].endpoints.map((e: any) => e.addresses[0])).toEqual(['198.51.100.10', '192.0.2.11']);
      },
      hang: async (lab) => {
        const r = await curl(lab, '-m', '1', V);
        expect(r.code).toBe(28);
      },
      garbage: async (lab) => {
        const r = await curl(lab, '-m', '2', V);
        expect(r.code).toBe(35);
      },
      trickle: async (lab) => {
        const r = await curl(lab, '-m', '2', V);
        expect(r.code).toBe(28);
        expect(r.stderr).toMatch(/Operation timed out/);
      },
      'dns-name': async (lab) => {
        expect((await curl(lab, 'https://api.lab.test:6443/healthz')).stdout).toBe('ok');
      },
      dnsmasq: async (lab) => {
        expect((await curl(lab, 'https://api.lab.test:6443/healthz')).stdout).toBe('ok');
        expect((await lab.exec('getent', ['hosts', 'missing.lab.test'])).code).toBe(2);
        expect(readFileSync(lab.files.dnsmasqLog, 'utf8')).toContain('query[A] api.lab.test');
      },
      nxdomain: async (lab) => {
        const r = await curl(lab, 'https://missing.lab.test:6443/healthz');
        expect(r.code).toBe(6);
      },
      'dns-timeout': async (lab) => {
        const r = await lab.exec('getent', ['hosts', 'slow.lab.test']);
        expect(r.code).toBe(2);
        expect(r.durationMs).toBeGreaterThanOrEqual(1500);
      },
      'hosts-override': async (lab) => {
        expect((await curl(lab, 'https://api-hosts.lab.test:6443/healthz')).stdout).toBe('ok');
      },
      'connect-proxy': async (lab) => {
        const r = await curl(lab, '-v', 'https://198.51.100.10:6443/healthz');
        expect(r.stdout).toBe('ok');
        expect(r.stderr).toContain('CONNECT 198.51.100.10:6443');
      },
      'expiring-soon': async (lab) => {
        const r = await curl(lab, '-v', '-o', '/dev/null', V);
        expect(r.code).toBe(0);
        const expires = Date.parse(/expire date: (.+)/.exec(r.stderr)![1]!);
        expect((expires - Date.now()) / 86_400_000).toBeGreaterThan(9);
        expect((expires - Date.now()) / 86_400_000).toBeLessThan(12);
      },
      'not-yet-valid': async (lab) => {
        const r = await curl(lab, V);
        expect(r.code).toBe(60);
        expect(r.stderr).toMatch(/certificate is not yet valid/);
      },
      'clock-skew': async (lab) => {
        const r = await curl(lab, '-D', '-', '-o', '/dev/null', V);
        const date = Date.parse(/^date: (.+)$/im.exec(r.stdout)![1]!);
        expect((date - Date.now()) / 1000).toBeGreaterThan(590);
      },
      'livez-failing': async (lab) => {
        const r = await curl(lab, '-w', '\n%{http_code}', 'https://198.51.100.10:6443/livez?verbose');
        expect(r.stdout).toContain('[-]ping failed');
        expect(r.stdout.endsWith('500')).toBe(true);
      },
      anonymous: async (lab) => {
        const kc = yaml.load(readFileSync(lab.kubeconfig, 'utf8')) as any;
        expect(kc.users[0].user).toEqual({});
        const r = await curl(lab, 'https://198.51.100.10:6443/api/v1/namespaces');
        expect(JSON.parse(r.stdout).message).toMatch(/User "system:anonymous" cannot list resource "namespaces"/);
      },
      'proxy-denied': async (lab) => {
        const r = await curl(lab, V);
        expect(r.stderr).toContain('CONNECT tunnel failed, response 403');
      },
      'proxy-auth': async (lab) => {
        const r = await curl(lab, 'https://198.51.100.10:6443/healthz');
        expect(r.stderr).toContain('CONNECT tunnel failed, response 407');
        const ok = await curl(lab, '--proxy-user', 'lab:secret', 'https://198.51.100.10:6443/healthz');
        expect(ok.stdout).toBe('ok');
      },
      // issue 15: 200 contexts over 5 fake API servers, each answering with the context's token
      'fleet-healthy-200': async (lab) => {
        const kc = yaml.load(readFileSync(lab.kubeconfig, 'utf8')) as any;
        expect(kc.contexts).toHaveLength(200);
        const servers = [...new Set(kc.clusters.map((c: any) => c.cluster.server as string))];
        expect(servers).toHaveLength(5);
        const token = kc.users[0].user.token as string;
        for (const server of servers) {
          const r = await curl(lab, '-H', `Authorization: Bearer ${token}`, `${server}/version`);
          expect(JSON.parse(r.stdout).major).toBe('1');
        }
      },
      // issue 12 §5: both addresses in the lab DNS; the A address answers, the AAAA one has no route
      'dual-stack': async (lab) => {
        const g = await lab.exec('getent', ['ahosts', 'dual6.lab.test']);
        expect(g.stdout).toContain('198.51.100.10');
        expect(g.stdout).toContain('2001:db8:6::10');
        expect(JSON.parse((await curl(lab, '-4', '--resolve', 'api.lab.test:6443:198.51.100.10', '-H', bearer(lab), 'https://api.lab.test:6443/version')).stdout).major).toBe('1');
        const v6 = await lab.exec('curl', ['-sS', '-6', '--max-time', '3', 'https://dual6.lab.test:6443/version'], { timeoutMs: 10_000 });
        expect(v6.stderr).toMatch(/Network is unreachable|Couldn't connect/);
      },
      'dual-stack-down': async (lab) => {
        const g = await lab.exec('getent', ['ahosts', 'dual6-down.lab.test']);
        expect(g.stdout).toContain('192.0.2.10');
        const v4 = await lab.exec('curl', ['-sS', '-4', '--connect-timeout', '1', 'https://dual6-down.lab.test:6443/version'], { timeoutMs: 10_000 });
        expect(v4.code).toBe(28); // timed out: black-holed
        const v6 = await lab.exec('curl', ['-sS', '-6', '--connect-timeout', '1', 'https://dual6-down.lab.test:6443/version'], { timeoutMs: 10_000 });
        expect(v6.code).toBe(7); // no route
      },
    };
    const covered = new Set(['healthy', 'incident-1', 'incident-1-connect-503', 'no-route', 'blackhole', 'refused', 'expired-cert', 'other-ca', 'name-mismatch', 'no-ip-san', 'no-proxy', 'tinyproxy', 'mitmdump', ...Object.keys(checks)]);
    // cert/ingress scenarios: checked with curl, openssl and kubectl in test/unit/ingress/lab.test.ts
    for (const s of SCENARIOS) if (s.name === 'cert-servers' || s.name === 'cert-proxies' || s.name.startsWith('ingress-')) covered.add(s.name);
    // server scenarios: checked with curl and openssl in test/unit/server/lab.test.ts
    for (const s of SCENARIOS) if (s.name.startsWith('server-')) covered.add(s.name);
    // egress scenarios: checked with kubectl exec, curl and getent in test/unit/egress/lab.test.ts
    for (const s of SCENARIOS) if (s.name.startsWith('egress-')) covered.add(s.name);
    // the real kube-apiserver (issue 11): checked with kubectl and curl in test/e2e/real-apiserver.test.ts
    for (const s of SCENARIOS) if (s.name.startsWith('real-apiserver')) covered.add(s.name);
    // fleet-200 (issue 15) is fleet-healthy-200's servers plus the broken kinds every other scenario here checks
    covered.add('fleet-200');
    // fleet-6: six of fleet-200's kinds, for the TUI's fleet screen (test/e2e/fleet-tui.test.ts)
    covered.add('fleet-6');
    // the TLS paths (issue 12 §1-2): end to end in test/e2e/tls-paths.test.ts (curl through the transparent interceptor)
    for (const s of SCENARIOS) if (s.name.startsWith('tls-')) covered.add(s.name);
    expect(SCENARIOS.map((s) => s.name).filter((n) => !covered.has(n))).toEqual([]);
    await Promise.all(
      Object.entries(checks).map(async ([name, check]) => {
        const lab = await startLab(name);
        try {
          await check(lab);
        } catch (e) {
          (e as Error).message = `${name}: ${(e as Error).message}`;
          throw e;
        } finally {
          await lab.stop();
        }
      }),
    );
  });
});
