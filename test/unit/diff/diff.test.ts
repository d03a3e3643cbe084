import { describe, expect, it } from 'vitest';
import { compareReports, DiffInputError, parseReport } from '../../../src/diff/diff.ts';
import { renderDiffMarkdown, renderDiffText } from '../../../src/diff/render.ts';
import { plainStyle } from '../../../src/report/render/style.ts';
import type { CheckResult, Report } from '../../../src/report/types.ts';

function check(id: string, status: CheckResult['status'], evidence?: Record<string, unknown>, codes: string[] = []): CheckResult {
  return { id, title: id, status, durationMs: Math.round(Math.random() * 50), summary: `${id} ${status}`, evidence, findings: codes.map((code) => ({ code, severity: 'fail' as const, message: code, remediation: [] })), reproduce: [] };
}

function report(host: string, checks: CheckResult[], status: Report['diagnosis']['status'] = 'pass'): Report {
  return {
    schemaVersion: 1,
    tool: { name: 'kubectl-netdiag', version: '0.1.0' },
    command: 'api',
    startedAt: '2026-11-22T10:00:00.000Z',
    durationMs: Math.round(Math.random() * 100),
    target: { server: 'https://api.example.com:6443' },
    environment: { host: { name: host } },
    checks,
    diagnosis: { status, rootCause: `${host} root cause`, remediation: [] },
  };
}

const kc = check('api.kubeconfig', 'pass', { server: 'https://api.example.com:6443', context: 'c', authKind: 'token', files: [{ path: `/tmp/${Math.random()}` }] });
const tlsOk = check('api.tls', 'pass', { via: '10.0.0.1:6443', chain: [{ subject: 'CN=kube-apiserver', issuer: 'CN=kubernetes', sha256: 'AA', sans: ['DNS:api.example.com'] }], verification: { trusted: true } });

describe('compareReports', () => {
  it('names DNS as the first layer when the name resolves differently, and says so', () => {
    const a = report('laptop', [kc, check('api.dns', 'pass', { addresses: [{ address: '10.0.0.1' }] }), check('api.tcp', 'pass', { direct: true, results: [{ address: '10.0.0.1:6443', ok: true, localAddress: '10.9.9.9:40000' }] }), tlsOk]);
    const b = report('jumphost', [kc, check('api.dns', 'pass', { addresses: [{ address: '192.168.1.5' }] }), check('api.tcp', 'fail', { direct: true, results: [{ address: '192.168.1.5:6443', ok: false, error: { message: 'connect 192.168.1.5:6443: connection timed out' } }] }, ['api.tcp.timeout']), check('api.tls', 'skip')], 'fail');
    const d = compareReports(a, b, 'a.json', 'b.json');
    expect(d.firstDivergence).toBe('DNS');
    expect(d.layers.map((l) => `${l.layer}:${l.same}`)).toEqual(['kubeconfig:true', 'DNS:false', 'TCP:false', 'TLS:false']);
    expect(d.explanation.join(' ')).toMatch(/resolves differently: host laptop gets 10\.0\.0\.1, host jumphost gets 192\.168\.1\.5/);
    expect(d.explanation.join(' ')).toMatch(/from host jumphost the packets are dropped on the way/);
    expect(renderDiffText(d, { style: plainStyle })).toMatch(/≠ DNS .*\n.*← first divergence/);
  });

  it('same server, proxy on one side: proxy first, interception told with "the same address"', () => {
    const a = report('web-1', [kc, check('api.proxy', 'pass', { environment: {}, proxy: null, source: 'none' }), tlsOk]);
    const b = report('web-2', [
      kc,
      check('api.proxy', 'pass', { environment: { HTTPS_PROXY: 'http://proxy:3128' }, proxy: 'http://proxy:3128', source: 'HTTPS_PROXY' }, []),
      check('api.tls', 'fail', { via: 'proxy http://proxy:3128 → api.example.com:6443', chain: [{ subject: 'CN=egress-proxy', issuer: 'CN=Corp Inspection CA', sha256: 'BB' }], verification: { trusted: false, goError: 'x509: certificate signed by unknown authority' } }, ['api.tls.intercepted']),
    ], 'fail');
    const d = compareReports(a, b, 'a.json', 'b.json');
    expect(d.firstDivergence).toBe('proxy');
    const text = d.explanation.join('\n');
    expect(text).toMatch(/From host web-1 kubectl connects directly \(no proxy applies\); from host web-2 it goes through the proxy http:\/\/proxy:3128 \(HTTPS_PROXY\)/);
    expect(text).toMatch(/from host web-2 the same address presents CN=egress-proxy issued by CN=Corp Inspection CA.*: TLS is intercepted between host web-2 and the cluster\./);
    const md = renderDiffMarkdown(d);
    expect(md).toMatch(/### TLS\n\n\| check \| what \| A \| B \|\n\| --- \| --- \| --- \| --- \|\n[^#]*\| api\.tls \| fingerprint \| AA \| BB \|/);
  });

  it('timings, temp paths and our local ports are not differences', () => {
    const mk = () => report('h', [check('api.kubeconfig', 'pass', { server: 's', files: [{ path: `/tmp/${Math.random()}` }] }), check('api.tcp', 'pass', { direct: true, results: [{ address: '10.0.0.1:6443', ok: true, durationMs: Math.random(), localAddress: `10.0.0.2:${Math.floor(Math.random() * 60000)}` }] })]);
    const d = compareReports(mk(), mk(), 'a.json', 'b.json');
    expect(d.identical).toBe(true);
    expect(d.firstDivergence).toBeNull();
  });

  it('lines up other commands too: server.connection is the kubeconfig layer, server.certs the TLS layer', () => {
    const s = (st: CheckResult['status']) => ({ ...report('h', [check('server.connection', 'pass'), check('server.apiservices', st), check('server.certs', 'pass')]), command: 'server' });
    const d = compareReports(s('pass'), s('fail'), 'a.json', 'b.json');
    expect(d.layers.map((l) => l.layer)).toEqual(['kubeconfig', 'TLS', 'server.apiservices']);
    expect(d.firstDivergence).toBe('server.apiservices');
  });

  it('refuses reports of different commands and files that are not reports', () => {
    expect(() => compareReports(report('a', []), { ...report('b', []), command: 'server' }, 'a', 'b')).toThrow(DiffInputError);
    expect(() => parseReport('nope', 'x.json')).toThrow(/x\.json is not JSON/);
    expect(() => parseReport('{"schemaVersion":2,"command":"api","checks":[]}', 'x.json')).toThrow(/schemaVersion 2/);
    expect(() => parseReport('[]', 'x.json')).toThrow(/not a kubectl-netdiag report/);
  });
});
