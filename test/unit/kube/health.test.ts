// src/kube/health.ts on the real kube-apiserver 1.24's verbose answers: the line format, and the
// judgement api.health and server.health share.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { judgeHealth, parseHealthLines, type HealthAnswer } from '../../../src/kube/health.ts';

const body = (name: string) => readFileSync(join(import.meta.dirname, '../../lab/fixtures/kube-apiserver-1.24', `${name}.body`), 'utf8');

const h = (status: string | undefined, over: Partial<HealthAnswer> = {}): HealthAnswer => ({ path: '/readyz?verbose', status, ok: status?.startsWith('200') ?? false, failing: [], failingLines: [], checks: 0, anonymous: false, ...over });

describe('parseHealthLines', () => {
  it('the recorded readyz: 25 passing checks, none failing; the closing line is not a check', () => {
    const p = parseHealthLines(body('readyz-verbose'));
    expect(p.passing).toHaveLength(25);
    expect(p.passing.slice(0, 3)).toEqual(['ping', 'log', 'etcd']);
    expect(p.failing).toEqual([]);
    expect(p.lines.at(-1)).toBe('readyz check passed');
  });

  it('a failing check: its name, and the line as the server wrote it', () => {
    const p = parseHealthLines(body('readyz-verbose').replace('[+]etcd ok', '[-]etcd failed: reason withheld'));
    expect(p.failing).toEqual(['etcd']);
    expect(p.failingLines).toEqual(['[-]etcd failed: reason withheld']);
    expect(p.passing).toHaveLength(24);
  });
});

describe('judgeHealth', () => {
  it('5xx or no answer fails; 401/403 and 404 say nothing about health', () => {
    expect(judgeHealth(h('200 OK'), h('500 Internal Server Error'))).toMatchObject({ notLive: false, notReady: true, unreadable: false });
    expect(judgeHealth(h(undefined, { error: 'timed out' }), h('200 OK'))).toMatchObject({ notLive: true, notReady: false });
    expect(judgeHealth(h('404 Not Found'), h('200 OK'))).toMatchObject({ notLive: false, notReady: false });
    expect(judgeHealth(h('403 Forbidden'), h('401 Unauthorized'))).toMatchObject({ notLive: false, notReady: false, unreadable: true });
    expect(judgeHealth(h('403 Forbidden'), h('200 OK')).unreadable).toBe(false);
  });
});
