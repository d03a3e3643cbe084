// The form's pickers in the whole app, driven by key presses against the real command layer
// (createSession): the lists come from a lab API server on loopback through the diagnoses'
// authenticated path (its object store serves namespaces, pods, Ingresses, Certificates); a
// context without RBAC gets 403s, a context whose server is down gets a connection error, and in
// both the form says why in one line and takes typed text. The run itself is intercepted: these
// tests are about what the form hands to the diagnosis.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanup, render } from 'ink-testing-library';
import { dump } from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CommonFlags } from '../../../src/cli/io.ts';
import { createSession } from '../../../src/cli/tui.tsx';
import { Redactor } from '../../../src/report/redact.ts';
import { App } from '../../../src/tui/App.tsx';
import type { RunRequest, TuiSession } from '../../../src/tui/model.ts';
import { startApiServer, type ApiServer } from '../../lab/apiserver.ts';
import type { KubeObject } from '../../lab/objects.ts';
import { labPki } from '../../lab/pki.ts';
import { NOW, strip, waitFor } from './helpers.ts';

const ADMIN = 'picker-admin-token';
const DEV = 'picker-dev-token';
let server: ApiServer;
let dir: string;
let kubeconfig: string;

const ns = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name }, status: { phase: 'Active' } });
const pod = (namespace: string, name: string, phase: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace }, spec: { containers: [{ name: 'c', image: 'x' }] }, status: { phase } });

beforeAll(async () => {
  const pki = labPki();
  server = await startApiServer({
    host: '127.0.0.1',
    port: 0,
    tls: pki.server,
    tokens: { [ADMIN]: { user: 'lab-admin', groups: ['lab-admins'], rbac: 'admin' }, [DEV]: { user: 'dev', groups: [], rbac: 'none' } },
    store: {
      objects: [
        ns('default'),
        ns('kube-system'),
        ns('shop'),
        ns('big'),
        ...Array.from({ length: 20 }, (_, i) => pod('big', `batch-${String(i).padStart(2, '0')}`, i % 3 ? 'Running' : 'Succeeded')),
        pod('shop', 'web-1', 'Running'),
        pod('shop', 'web-2', 'Pending'),
        pod('shop', 'db-0', 'Running'),
        pod('kube-system', 'coredns-5d78c', 'Running'),
        {
          apiVersion: 'networking.k8s.io/v1',
          kind: 'Ingress',
          metadata: { name: 'web', namespace: 'shop' },
          spec: { rules: [{ host: 'shop.example.test', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }], tls: [{ hosts: ['shop.example.test', 'www.shop.example.test'], secretName: 'web-tls' }] },
        },
        { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', metadata: { name: 'web-tls', namespace: 'shop' }, spec: { secretName: 'web-tls', dnsNames: ['shop.example.test', 'api.shop.example.test'], issuerRef: { name: 'le', kind: 'ClusterIssuer' } } },
      ],
    },
  });
  // a loopback port nothing listens on
  const closed = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
  dir = mkdtempSync(join(tmpdir(), 'netdiag-picker-'));
  kubeconfig = join(dir, 'config');
  const ca = Buffer.from(pki.ca.cert).toString('base64');
  writeFileSync(
    kubeconfig,
    dump({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'lab',
      clusters: [
        { name: 'lab', cluster: { server: server.url, 'certificate-authority-data': ca } },
        { name: 'down', cluster: { server: `https://127.0.0.1:${closed}`, 'certificate-authority-data': ca } },
      ],
      users: [
        { name: 'admin', user: { token: ADMIN } },
        { name: 'dev', user: { token: DEV } },
      ],
      contexts: [
        { name: 'lab', context: { cluster: 'lab', user: 'admin', namespace: 'default' } },
        { name: 'restricted', context: { cluster: 'lab', user: 'dev', namespace: 'shop' } },
        { name: 'down', context: { cluster: 'down', user: 'admin', namespace: 'default' } },
      ],
    }),
  );
});

afterAll(async () => {
  await server?.close();
});

afterEach(() => cleanup());

function start(initialContext?: string, size = { columns: 100, rows: 30 }) {
  const flags: CommonFlags = { kubeconfig, timeout: '2s', color: 'never', verbose: false, _: [] };
  const s = createSession({
    flags,
    io: { stdout: { write: () => true }, stderr: { write: () => true }, env: { HOME: dir, PATH: process.env.PATH }, cwd: dir, homeDir: dir },
    redactor: new Redactor(),
    timeoutMs: 2000,
    requestTimeoutMs: 2000,
  });
  const runs: RunRequest[] = [];
  const lists: string[] = [];
  const session: TuiSession = {
    ...s,
    suggest: (kind, q) => {
      lists.push(`${kind}${q.namespace ? `:${q.namespace}` : ''}@${q.context ?? '(current)'}`);
      return s.suggest!(kind, q);
    },
    run: async (req) => {
      runs.push(req);
      throw new Error('intercepted by the test');
    },
  };
  const r = render(<App session={session} color={false} initialContext={initialContext} onExit={() => {}} size={size} now={NOW} />);
  const frame = () => strip(r.lastFrame());
  const until = (cond: (f: string) => boolean, what: string) => waitFor(() => cond(frame()), what, 10_000, frame);
  const press = async (keys: string) => {
    r.stdin.write(keys);
    await new Promise((res) => setTimeout(res, 30));
  };
  return { frame, until, press, runs, lists };
}

const DOWN = '\u001b[B';
const UP = '\u001b[A';

describe('the TUI form pickers against a lab API server', () => {
  it('egress: namespace, then the pods of that namespace with their phase, then a host from the Ingresses and Certificates', async () => {
    const t = start();
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    // the first paint lists nothing
    expect(t.lists).toEqual([]);
    await t.press('jjjj');
    await t.until((f) => /^❯ Pod egress/m.test(f), 'egress selected');
    await t.press('\r');
    await t.until((f) => f.includes('4 namespaces'), 'the namespaces');
    let f = t.frame();
    expect(f).toMatch(/^│ {7}default\s+│$/m);
    expect(f).toMatch(/^│ {7}kube-system\s+│$/m);
    // type to filter, ↓ picks the first match
    await t.press('sh');
    await t.until((f) => f.includes('1 of 4 namespaces'), 'filtered');
    expect(t.frame()).not.toContain('kube-system');
    await t.press(DOWN);
    await t.until((f) => /❯ Namespace\* shop/.test(f) && f.includes('❯ shop'), 'shop chosen');
    // Enter goes to the next field (not the last one: nothing runs)
    await t.press('\r');
    await t.until((f) => f.includes('3 pods in shop'), 'the pods of shop');
    f = t.frame();
    expect(f).toMatch(/web-2 +Pending/);
    expect(f).toMatch(/db-0 +Running/);
    expect(f).not.toContain('coredns');
    await t.press('web');
    await t.until((f) => f.includes('2 of 3 pods in shop'), 'pods filtered');
    await t.press(DOWN);
    await t.press('j');
    await t.press('j'); // stays on the last match
    await t.until((f) => /❯ Pod +\* web-2/.test(f), 'web-2 chosen');
    await t.press('k');
    await t.until((f) => /❯ Pod +\* web-1/.test(f), 'k moves up');
    await t.press(UP); // above the first: back to the typed text
    await t.until((f) => /❯ Pod +\* web▏/.test(f), 'back to the typed text');
    await t.press(`${DOWN}j`);
    await t.until((f) => /❯ Pod +\* web-2/.test(f), 'web-2 again');
    await t.press('\t');
    await t.until((f) => f.includes('3 hosts'), 'the hosts');
    f = t.frame();
    expect(f).toMatch(/api\.shop\.example\.test +Certificate shop\/web-tls/);
    expect(f).toMatch(/shop\.example\.test +Certificate shop\/web-tls \+1/);
    expect(f).toMatch(/www\.shop\.example\.test +Ingress shop\/web/);
    await t.press(DOWN);
    await t.press('j');
    await t.until((f) => /❯ Target +\* shop\.example\.test/.test(f), 'a host chosen');
    await t.press('\r');
    await t.until(() => t.runs.length > 0, 'the run');
    expect(t.runs[0]).toEqual({ command: 'egress', context: undefined, inputs: { namespace: 'shop', pod: 'web-2', target: 'shop.example.test' } });
    // each list once: namespaces and hosts when the form opened, the pods of shop when their field was reached
    expect(t.lists.sort()).toEqual(['host@(current)', 'namespace@(current)', 'pod:shop@(current)']);
  });

  it('a target not in the list is typed as it is', async () => {
    const t = start();
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('jjjj');
    await t.until((f) => /^❯ Pod egress/m.test(f), 'egress selected');
    await t.press('\r');
    await t.until((f) => f.includes('4 namespaces'), 'the namespaces');
    await t.press('kube-system\t');
    await t.until((f) => f.includes('1 pod in kube-system'), 'the pods of kube-system');
    await t.press(DOWN);
    await t.until((f) => /❯ Pod +\* coredns-5d78c/.test(f), 'the pod chosen');
    await t.press('\t');
    await t.until((f) => f.includes('3 hosts'), 'the hosts');
    await t.press('storage.example.net:443');
    await t.until((f) => f.includes('no match among 3 hosts'), 'no match');
    await t.press('\r');
    await t.until(() => t.runs.length > 0, 'the run');
    expect(t.runs[0]!.inputs).toEqual({ namespace: 'kube-system', pod: 'coredns-5d78c', target: 'storage.example.net:443' });
  });

  it('ingress: the host picker; without RBAC it says why in one line and takes typed text', async () => {
    let t = start();
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('jjj\r');
    await t.until((f) => f.includes('3 hosts'), 'the hosts');
    await t.press('www');
    await t.press(DOWN);
    await t.until((f) => /❯ Host\* www\.shop\.example\.test/.test(f), 'chosen');
    await t.press('\r');
    await t.until(() => t.runs.length > 0, 'the run');
    expect(t.runs[0]).toEqual({ command: 'ingress', context: undefined, inputs: { host: 'www.shop.example.test' } });
    cleanup();

    t = start('restricted');
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('jjj\r');
    await t.until((f) => f.includes('cannot list hosts'), 'the failure line');
    const line = t.frame().split('\n').find((l) => l.includes('cannot list hosts'))!;
    expect(line).toMatch(/^│ {5}cannot list hosts: Ingresses: ingresses\.networking\.k8s\.io is forbidden: User "dev"/);
    expect(t.lists).toEqual(['host@restricted']);
    await t.press('free.example.test\r');
    await t.until(() => t.runs.length > 0, 'the run');
    expect(t.runs[0]).toEqual({ command: 'ingress', context: 'restricted', inputs: { host: 'free.example.test' } });
  });

  it('at 80x24 a long list scrolls inside the form: every line fits, the keys line stays', async () => {
    const t = start(undefined, { columns: 80, rows: 24 });
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('jjjj\r');
    await t.until((f) => f.includes('4 namespaces'), 'the namespaces');
    await t.press('big\t');
    await t.until((f) => f.includes('20 pods in big'), 'the pods of big');
    const fits = (f: string) => {
      const lines = f.split('\n');
      expect(lines.length).toBeLessThanOrEqual(24);
      for (const l of lines) expect([...l].length).toBeLessThanOrEqual(80);
      expect(f).toMatch(/^│ type to filter/m);
      expect(f).toMatch(/^╰─+╯$/m);
    };
    fits(t.frame());
    expect(t.frame()).toMatch(/… \d+ more/);
    for (let i = 0; i < 15; i++) await t.press('\u001b[B');
    await t.until((f) => /❯ Pod +\* batch-14/.test(f), 'batch-14 chosen');
    fits(t.frame());
    expect(t.frame()).toMatch(/^│ +❯ batch-14 +Running/m);
    expect(t.frame()).not.toContain('batch-00');
  });

  it('the lists have one deadline: a server that accepts and never answers is reported in time', async () => {
    const { createSuggest } = await import('../../../src/tui/suggest.ts');
    const pki = labPki();
    const hung = await startApiServer({ host: '127.0.0.1', port: 0, tls: pki.server, behaviour: 'hang-after-accept' });
    try {
      const cfg = join(dir, 'hung');
      const ca = Buffer.from(pki.ca.cert).toString('base64');
      writeFileSync(cfg, dump({ apiVersion: 'v1', kind: 'Config', 'current-context': 'h', clusters: [{ name: 'h', cluster: { server: hung.url, 'certificate-authority-data': ca } }], users: [{ name: 'a', user: { token: ADMIN } }], contexts: [{ name: 'h', context: { cluster: 'h', user: 'a' } }] }));
      const suggest = createSuggest({ kubeconfig: { kubeconfig: cfg, env: {}, homeDir: dir }, timeoutMs: 300, requestTimeoutMs: 300, env: {}, redactor: new Redactor() });
      for (const kind of ['namespace', 'pod', 'host'] as const) {
        const t0 = Date.now();
        const r = await suggest(kind, {});
        expect(Date.now() - t0, kind).toBeLessThan(2000);
        expect(r.items).toEqual([]);
        expect(r.error, kind).toMatch(/\S/);
        expect(r.error).not.toContain('\n');
      }
    } finally {
      await hung.close();
    }
  });

  it('no cluster (the server is down): each picker says why and the fields are text fields', async () => {
    const t = start('down');
    await t.until((f) => f.includes('Diagnose'), 'the menu');
    await t.press('jjjj\r');
    await t.until((f) => f.includes('cannot list namespaces'), 'the namespaces failure');
    expect(t.frame().split('\n').find((l) => l.includes('cannot list namespaces'))).toMatch(/^│ {5}cannot list namespaces: .*(refused|ECONNREFUSED)/i);
    await t.press('shop');
    await t.press(DOWN); // nothing to choose: the form's ↓ (next field)
    await t.until((f) => f.includes('cannot list pods'), 'the pods failure');
    await t.press('web-1\tx.test\r');
    await t.until(() => t.runs.length > 0, 'the run');
    expect(t.runs[0]!.inputs).toEqual({ namespace: 'shop', pod: 'web-1', target: 'x.test' });
  });
});
