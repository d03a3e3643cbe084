// EgressContext without a cluster: pagination and target validation.
import { describe, expect, it } from 'vitest';
import { EgressContext, type EgressOptions } from '../../../src/checks/egress/context.ts';
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

describe('EgressContext', () => {
  it('follows continue tokens and passes only the selectors asked for', async () => {
    const c = ctx();
    const asked: string[] = [];
    const pages: Record<string, { items: number[]; metadata: { continue?: string } }> = {
      '': { items: [1, 2], metadata: { continue: 'b' } },
      b: { items: [3, 4], metadata: { continue: 'c' } },
      c: { items: [5], metadata: {} },
    };
    (c as unknown as { get: (p: string) => Promise<unknown> }).get = async (path: string) => {
      asked.push(path);
      const q = new URL(path, 'https://x').searchParams;
      return { ok: true, status: 200, body: pages[q.get('continue') ?? ''] };
    };
    const r = await c.list<number>('/api/v1/namespaces/ml/pods', { labelSelector: 'app=x' }, 2);
    expect(r.body).toEqual([1, 2, 3, 4, 5]);
    expect(r.pages).toBe(3);
    expect(asked).toEqual([
      '/api/v1/namespaces/ml/pods?labelSelector=app%3Dx&limit=2',
      '/api/v1/namespaces/ml/pods?labelSelector=app%3Dx&limit=2&continue=b',
      '/api/v1/namespaces/ml/pods?labelSelector=app%3Dx&limit=2&continue=c',
    ]);
  });

  it('stops at the first failing page', async () => {
    const c = ctx();
    (c as unknown as { get: () => Promise<unknown> }).get = async () => ({ ok: false, status: 403, message: 'forbidden' });
    const r = await c.list('/x');
    expect(r).toMatchObject({ ok: false, status: 403, message: 'forbidden', pages: 1 });
  });

  it('configuration errors: a bad target, no pod, no target', () => {
    expect(ctx({ target: 'bad host' }).targetError).toMatch(/cannot parse the target/);
    expect(ctx({ pod: undefined }).targetError).toMatch(/a pod is required/);
    expect(ctx({ target: undefined }).targetError).toMatch(/a target is required/);
    expect(ctx({ target: undefined, fromLogs: true }).targetError).toBeUndefined();
    expect(ctx({ pod: undefined, selector: 'app=x' }).targetError).toBeUndefined();
  });
});
