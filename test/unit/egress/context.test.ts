// EgressContext without a cluster: what it asks the API server (only the selectors it needs, page
// by page), how it reads the answers (Cilium not installed, a group not served), and target validation.
import { describe, expect, it } from 'vitest';
import { EgressContext, ciliumLists, type EgressOptions } from '../../../src/checks/egress/context.ts';
import type { ApiResult } from '../../../src/kube/client.ts';
import { Redactor } from '../../../src/report/redact.ts';

function ctx(over: Partial<EgressOptions> = {}): EgressContext {
  return new EgressContext({
    kubeconfig: { kubeconfig: '/nonexistent/kubeconfig', env: {}, homeDir: '/nonexistent' },
    timeoutMs: 1000,
    requestTimeoutMs: 1000,
    env: {},
    redactor: new Redactor(),
    cwd: '/',
    namespace: 'ml',
    pod: 'p',
    target: 'api.example.net',
    control: 'kubernetes.default.svc:443',
    fromLogs: false,
    ...over,
  });
}

/** Answer the client's GETs from a function of the path (no network). */
function answer(c: EgressContext, fn: (path: string) => ApiResult<unknown>): string[] {
  const asked: string[] = [];
  (c.client as unknown as { get: (p: string) => Promise<unknown> }).get = async (path: string) => {
    asked.push(path);
    return fn(path);
  };
  return asked;
}

const notServed = { ok: false as const, status: 404, reason: 'kind-not-served' as const, message: 'the server could not find the requested resource' };
const forbidden = { ok: false as const, status: 403, reason: 'forbidden' as const, message: 'ciliumclusterwidenetworkpolicies.cilium.io is forbidden' };

describe('EgressContext', () => {
  it('lists the pods of --selector page by page (limit 250, continue), with only the label selector', async () => {
    const c = ctx({ pod: undefined, selector: 'app=x' });
    const pages: Record<string, { items: { metadata: { name: string } }[]; metadata: { continue?: string } }> = {
      '': { items: [{ metadata: { name: 'a' } }], metadata: { continue: 'b' } },
      b: { items: [{ metadata: { name: 'b' } }], metadata: {} },
    };
    const asked = answer(c, (path) => ({ ok: true, status: 200, body: pages[new URL(path, 'https://x').searchParams.get('continue') ?? ''] }));
    const r = await c.pods();
    expect(r.ok && r.body.map((p) => p.metadata?.name)).toEqual(['a', 'b']);
    expect(r.pages).toBe(2);
    expect(asked).toEqual(['/api/v1/namespaces/ml/pods?labelSelector=app%3Dx&limit=250', '/api/v1/namespaces/ml/pods?labelSelector=app%3Dx&limit=250&continue=b']);
  });

  it('a pod that is not there: one failed page, the classified reason kept', async () => {
    const c = ctx();
    answer(c, () => ({ ok: false, status: 404, reason: 'not-found', message: 'pods "p" not found' }));
    expect(await c.pods()).toMatchObject({ ok: false, reason: 'not-found', message: 'pods "p" not found', pages: 1 });
  });

  it('a server that does not serve networking.k8s.io: no NetworkPolicies (not an error); a denial stays an error', async () => {
    const c = ctx();
    answer(c, () => notServed);
    expect(await c.networkPolicies()).toMatchObject({ ok: true, body: [] });
    const d = ctx();
    answer(d, () => ({ ...forbidden, message: 'networkpolicies.networking.k8s.io is forbidden' }));
    expect(await d.networkPolicies()).toMatchObject({ ok: false, reason: 'forbidden' });
  });

  it('Cilium: neither kind served = not installed; one served = installed, the other has none; forbidden stays unreadable', () => {
    const ok = (n: number) => ({ ok: true as const, status: 200, body: Array.from({ length: n }, (_, i) => ({ kind: 'CiliumNetworkPolicy', metadata: { name: `p${i}` }, spec: {} })), pages: 1 });
    expect(ciliumLists({ ...notServed, pages: 1 }, { ...notServed, pages: 1 }).installed).toBe(false);
    const one = ciliumLists(ok(2), { ...notServed, pages: 1 });
    expect(one.installed).toBe(true);
    expect(one.ccnp).toMatchObject({ ok: true, body: [] });
    const denied = ciliumLists(ok(1), { ...forbidden, pages: 1 });
    expect(denied.installed).toBe(true);
    expect(denied.ccnp).toMatchObject({ ok: false, reason: 'forbidden' });
    // a 404 of an object (not of the kind) is not "Cilium missing"
    expect(ciliumLists({ ok: false, status: 404, reason: 'not-found', message: 'x', pages: 1 }, { ok: false, status: 404, reason: 'not-found', message: 'x', pages: 1 }).installed).toBe(true);
  });

  it('configuration errors: a bad target, no pod, no target', () => {
    expect(ctx({ target: 'bad host' }).targetError).toMatch(/cannot parse the target/);
    expect(ctx({ pod: undefined }).targetError).toMatch(/a pod is required/);
    expect(ctx({ target: undefined }).targetError).toMatch(/a target is required/);
    expect(ctx({ target: undefined, fromLogs: true }).targetError).toBeUndefined();
    expect(ctx({ pod: undefined, selector: 'app=x' }).targetError).toBeUndefined();
  });
});
