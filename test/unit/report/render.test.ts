import { describe, expect, it } from 'vitest';
import { load } from 'js-yaml';
import type { Report } from '../../../src/report/types.ts';
import { renderText } from '../../../src/report/render/text.ts';
import { renderJson } from '../../../src/report/render/json.ts';
import { renderYaml } from '../../../src/report/render/yaml.ts';
import { renderMarkdown } from '../../../src/report/render/markdown.ts';
import { ansiStyle, useColor } from '../../../src/report/render/style.ts';

const report: Report = {
  schemaVersion: 1,
  tool: { name: 'kubectl-netdiag', version: '0.1.0' },
  command: 'api',
  startedAt: '2026-11-22T10:00:00.000Z',
  durationMs: 412,
  target: { context: 'team-a-dev@kubernetes', cluster: 'kubernetes', user: 'team-a-dev', server: 'https://203.0.113.10:10443' },
  environment: { proxy: { HTTPS_PROXY: 'http://alice:REDACTED@198.51.100.21:3128' }, kubeconfig: ['/home/a/.kube/config'] },
  checks: [
    { id: 'api.proxy', title: 'Proxy selection', status: 'pass', durationMs: 1, summary: 'via http://198.51.100.21:3128 (HTTPS_PROXY)',
      findings: [{ code: 'api.proxy.in-use', severity: 'info', message: 'Requests go through the proxy.', remediation: [] }], reproduce: ['env | grep -i _proxy'] },
    { id: 'api.tls', title: 'TLS handshake', status: 'fail', durationMs: 35, summary: 'CN=egress-proxy issued by CN=egress-proxy; not trusted',
      evidence: { via: 'proxy', chain: [{ subject: 'CN=egress-proxy', issuer: 'CN=egress-proxy', sans: [], notAfter: '2027-01-01T00:00:00.000Z', sha256: 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01' }] },
      findings: [{ code: 'api.tls.intercepted', severity: 'fail', message: 'TLS is intercepted | by the proxy.', remediation: ['Bypass it with NO_PROXY.'] }],
      reproduce: ['openssl s_client -connect 203.0.113.10:10443 -proxy 198.51.100.21:3128 -showcerts </dev/null'] },
    { id: 'api.http', title: 'HTTP /version', status: 'skip', durationMs: 0, summary: 'skipped because api.tls failed', findings: [], reproduce: [] },
  ],
  diagnosis: { status: 'fail', rootCause: 'Traffic is sent through the proxy, which intercepts TLS.', remediation: ['export NO_PROXY="203.0.113.10"', 'Ask the network team.'] },
};

describe('text renderer', () => {
  it('shows one line per check, findings of failing checks with the fix, the root cause and numbered steps', () => {
    const out = renderText(report);
    expect(out).toMatch(/✔ pass  api\.proxy/);
    expect(out).toMatch(/✖ fail  api\.tls .*CN=egress-proxy/);
    expect(out).toMatch(/○ skip  api\.http .*skipped because api\.tls failed/);
    expect(out).toContain('api.tls.intercepted');
    expect(out).toContain('→ Bypass it with NO_PROXY.');
    expect(out).toContain('$ openssl s_client -connect 203.0.113.10:10443');
    expect(out).toMatch(/Root cause\n  Traffic is sent through the proxy/);
    expect(out).toMatch(/Fix\n  1\. export NO_PROXY="203\.0\.113\.10"\n  2\. Ask the network team\./);
    expect(out).toMatch(/FAIL · 3 checks: 1 pass, 1 fail, 1 skip · 0\.41s/);
    // info findings of passing checks stay out of the way unless -v
    expect(out).not.toContain('Requests go through the proxy.');
    expect(renderText(report, { verbose: true })).toContain('Requests go through the proxy.');
  });
  it('has no escape codes without colour, and colours with it', () => {
    expect(renderText(report)).not.toMatch(/\u001b/);
    expect(renderText(report, { style: ansiStyle })).toMatch(/\u001b\[31m/);
  });
  it('prints evidence with -v', () => {
    expect(renderText(report, { verbose: true })).toMatch(/evidence:\n\s+via: proxy\n\s+chain:/);
  });
});

describe('colour decision', () => {
  it.each([
    ['auto', true, {}, true], ['auto', false, {}, false], ['always', false, {}, true], ['never', true, {}, false],
    ['auto', true, { NO_COLOR: '1' }, false], ['always', true, { NO_COLOR: '1' }, false], ['auto', true, { TERM: 'dumb' }, false],
  ] as const)('%s tty=%s env=%j → %s', (mode, tty, env, want) => expect(useColor(mode, tty, env)).toBe(want));
});

describe('json and yaml', () => {
  it('print exactly the report (SPEC §4 shape)', () => {
    const j = JSON.parse(renderJson(report));
    expect(j).toEqual(report);
    expect(Object.keys(j)).toEqual(['schemaVersion', 'tool', 'command', 'startedAt', 'durationMs', 'target', 'environment', 'checks', 'diagnosis']);
    expect(load(renderYaml(report))).toEqual(report);
  });
});

describe('markdown incident report', () => {
  const md = renderMarkdown(report);
  it('has the sections a network team expects', () => {
    const headings = md.split('\n').filter((l) => l.startsWith('#'));
    expect(headings).toEqual([
      '# Network diagnosis: this machine to the Kubernetes API server',
      '## Summary', '## Environment', '## Steps', '## Findings', '### TLS handshake (`api.tls`): fail',
      '## Root cause', '## Recommendations', '## Certificates presented', '## How to reproduce by hand',
    ]);
  });
  it('opens with a short verdict naming the first failing layer, not the root cause again', () => {
    expect(md).toContain(
      '**The path from this machine to the API server fails.** 1 of 3 checks failed (`api.tls`); the first layer that fails is TLS handshake (`api.tls`): CN=egress-proxy issued by CN=egress-proxy; not trusted',
    );
    expect(md.split('Traffic is sent through the proxy, which intercepts TLS.').length).toBe(2);
  });
  it('lists the environment with proxy credentials redacted and a step table with commands', () => {
    expect(md).toContain('| HTTPS_PROXY | `http://alice:REDACTED@198.51.100.21:3128` |');
    expect(md).toMatch(/\| 2 \| TLS handshake \(`api\.tls`\) \| `openssl s_client .*` \| ❌ fail: CN=egress-proxy/);
    expect(md).toContain('TLS is intercepted \\| by the proxy.'.replace('\\|', '|'));
    expect(md).toContain('1. export NO_PROXY="203.0.113.10"');
    expect(md).toMatch(/\| 0 \| CN=egress-proxy \| CN=egress-proxy \| \(none\) \| 2027-01-01/);
  });
});
