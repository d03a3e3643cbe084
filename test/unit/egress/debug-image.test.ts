// --debug-image on recorded answers: the one write egress makes (PUT pods/ephemeralcontainers) and
// the fresh reads that wait for the container, through the client's request path and its one
// error classification. pods/exec is mocked (what detectTools would have found), no network.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { HttpResult } from '../../../src/net/http.ts';
import { cluster, POD, recordedContext } from './harness.ts';

const tools = vi.hoisted(() => ({ byContainer: {} as Record<string, string[]> }));
vi.mock('../../../src/kube/pod-tools.ts', () => ({
  detectTools: async (_c: unknown, _ns: string, _pod: string, container: string) => {
    const found = tools.byContainer[container] ?? [];
    return { exec: found.length ? { ok: true, stdout: found.join('\n'), stderr: '' } : { ok: false, stdout: '', stderr: '', message: 'exec: "sh": executable file not found in $PATH' }, tools: found };
  },
}));

function reply(statusCode: number, body: unknown): HttpResult & { via: string } {
  return { ok: true, via: 'test', durationMs: 1, response: { statusCode, statusMessage: '', headers: {}, body: JSON.stringify(body) } as unknown as NonNullable<HttpResult['response']> };
}

const PATH = `/api/v1/namespaces/ml/pods/${POD}`;

describe('--debug-image', () => {
  beforeEach(() => {
    tools.byContainer = {};
  });

  it('a forbidden write: the error names the permission needed, and nothing was added', async () => {
    const ctx = recordedContext({ objects: cluster(), liveExec: true, options: { debugImage: 'busybox:1.36' } });
    const calls: string[] = [];
    (ctx.client as unknown as { request: unknown }).request = async (method: string, path: string) => {
      calls.push(`${method} ${path}`);
      return reply(403, {
        kind: 'Status',
        status: 'Failure',
        reason: 'Forbidden',
        code: 403,
        message: `pods "${POD}" is forbidden: User "dev" cannot update resource "pods/ephemeralcontainers" in API group "" in the namespace "ml"`,
      });
    };
    const [p] = await ctx.tools();
    expect(calls).toEqual([`PUT ${PATH}/ephemeralcontainers`]);
    expect(p!.skipped).toBe('no-tools');
    expect(p!.debug).toEqual({
      image: 'busybox:1.36',
      target: 'trainer',
      error: `pods "${POD}" is forbidden: User "dev" cannot update resource "pods/ephemeralcontainers" in API group "" in the namespace "ml" (needs \`update\` on \`pods/ephemeralcontainers\`)`,
    });
  });

  it('the container added: each wait reads the pod afresh until it runs, then the probe tools come from it', async () => {
    const ctx = recordedContext({ objects: cluster(), liveExec: true, options: { debugImage: 'busybox:1.36', timeoutMs: 100 } });
    const calls: string[] = [];
    let name = '';
    let polls = 0;
    (ctx.client as unknown as { request: unknown }).request = async (method: string, path: string, opts: { body?: { spec: { ephemeralContainers: { name: string; image: string; targetContainerName: string }[] } } }) => {
      calls.push(`${method} ${path}`);
      if (method === 'PUT') {
        const c = opts.body!.spec.ephemeralContainers.at(-1)!;
        expect(c).toMatchObject({ image: 'busybox:1.36', targetContainerName: 'trainer', command: ['sleep', '3600'] });
        name = c.name;
        tools.byContainer[name] = ['sh', 'wget'];
        return reply(200, {});
      }
      polls++;
      const state = polls < 2 ? { waiting: { reason: 'ContainerCreating' } } : { running: { startedAt: '2026-11-20T09:14:03Z' } };
      return reply(200, { metadata: { name: POD }, status: { ephemeralContainerStatuses: [{ name, state }] } });
    };
    const [p] = await ctx.tools();
    expect(name).toMatch(/^netdiag-debug-[0-9a-f]{6}$/);
    expect(p).toMatchObject({ container: name, debug: { name, image: 'busybox:1.36', target: 'trainer' } });
    expect(p!.debug!.error).toBeUndefined();
    expect(p!.tools!.tools).toEqual(['sh', 'wget']);
    expect(calls).toEqual([`PUT ${PATH}/ephemeralcontainers`, `GET ${PATH}`, `GET ${PATH}`]);
  });
});
