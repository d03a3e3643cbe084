// The TUI components, one by one, on colour-stripped frames.
import { render } from 'ink-testing-library';
import { Box } from 'ink';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { CertificateView } from '../../../src/tui/components/CertificateView.tsx';
import { CheckDetails, splitEvidence } from '../../../src/tui/components/CheckDetails.tsx';
import { CheckRow } from '../../../src/tui/components/CheckRow.tsx';
import { DiagnosisBox } from '../../../src/tui/components/DiagnosisBox.tsx';
import { Header } from '../../../src/tui/components/Header.tsx';
import { Menu } from '../../../src/tui/screens/MenuScreen.tsx';
import { ThemeContext } from '../../../src/tui/theme.tsx';
import { NOW, sampleReport, strip } from './helpers.ts';

afterEach(() => cleanup());

const tls = sampleReport.checks[1]!;

describe('TUI components', () => {
  it('Header: context, cluster, user, namespace; server and the proxy that applies to it; truncated to the width', () => {
    const info = { context: 'lab-admin@lab', cluster: 'lab', user: 'lab-admin', server: 'https://203.0.113.10:10443', namespace: 'default', proxy: 'http://198.51.100.21:3128 (HTTPS_PROXY)' };
    expect(strip(render(<Header info={info} />).lastFrame())).toBe(
      'kubectl netdiag · context lab-admin@lab · cluster lab · user lab-admin · namespace default\n' +
        'server https://203.0.113.10:10443 · proxy http://198.51.100.21:3128 (HTTPS_PROXY)',
    );
    // too long for 100 columns: cut with an ellipsis, not wrapped
    const long = strip(render(<Header info={{ ...info, server: `https://${'a'.repeat(80)}.example.com:6443` }} />).lastFrame()).split('\n');
    expect(long).toHaveLength(2);
    expect(long[1]).toMatch(/^server https:\/\/a+\.exa…$/);
    expect([...long[1]!].length).toBe(100);
  });

  it('Header: a kubeconfig error replaces the server line', () => {
    const { lastFrame } = render(<Header info={{ context: 'nope', error: 'context "nope" does not exist' }} />);
    expect(strip(lastFrame()).split('\n')[1]).toBe('error: context "nope" does not exist');
  });

  it('Menu: every item with its command, the selected one marked', () => {
    const items = [
      { command: 'api', title: 'API server', description: 'this machine → API server', inputs: [] },
      { command: 'egress', title: 'Pod egress', description: 'a pod → a destination', inputs: [] },
    ];
    const frame = strip(render(<Menu items={items} selected={1} />).lastFrame());
    expect(frame).toBe(['Diagnose', '  API server  api      this machine → API server', '❯ Pod egress  egress   a pod → a destination'].join('\n'));
  });

  it('CheckRow: symbol, word, id, duration and summary; long summaries end in an ellipsis on one line', () => {
    const row = { id: 'api.tls', title: 'TLS handshake', status: 'fail' as const, durationMs: 35, summary: 'x'.repeat(200) };
    const frame = strip(
      render(
        <Box width={60}>
          <CheckRow row={row} idWidth={12} selected />
        </Box>,
      ).lastFrame(),
    );
    expect(frame.split('\n')).toHaveLength(1);
    expect(frame).toMatch(/^❯ ✖ fail  api\.tls        35ms  x+…$/);
    expect(frame.length).toBe(60);
  });

  it('CheckRow: a running check shows a spinner frame, a pending one waits', () => {
    const running = strip(render(<CheckRow row={{ id: 'api.tcp', title: 'TCP connect', status: 'running' }} idWidth={10} frame={3} />).lastFrame());
    expect(running).toBe('  ⠸ run   api.tcp            TCP connect…');
    const pending = strip(render(<CheckRow row={{ id: 'api.tcp', title: 'TCP connect', status: 'pending' }} idWidth={10} />).lastFrame());
    expect(pending).toBe('  · wait  api.tcp            TCP connect');
  });

  it('CertificateView: the chain as a tree with subject, issuer, SANs, validity, fingerprint, key', () => {
    const frame = strip(render(<CertificateView chain={tls.evidence!.chain as never} now={NOW} />).lastFrame());
    expect(frame).toBe(
      [
        'certificate chain (2 presented)',
        '  ├─ CN=egress-proxy (leaf)',
        '  │  issuer  CN=Corp Inspection CA',
        '  │  SANs    none',
        '  │  valid   2026-01-01 → 2026-12-02 (9 days left)',
        '  │  sha256  AB:CD:EF:01',
        '  │  key     RSA 2048 · sha256WithRSAEncryption',
        '  └─ CN=Corp Inspection CA (CA, self-signed)',
        '     issuer  CN=Corp Inspection CA',
        '     SANs    none',
        '     valid   2020-01-01 → 2030-01-01 (1135 days left)',
        '     sha256  12:34:56:78',
        '     key     RSA 4096',
      ].join('\n'),
    );
  });

  it('CertificateView: expired and not-yet-valid certificates say so', () => {
    const cert = { subject: 'CN=old', issuer: 'CN=ca', notBefore: '2025-01-01T00:00:00Z', notAfter: '2026-11-12T00:00:00Z' };
    expect(strip(render(<CertificateView chain={[cert]} now={NOW} />).lastFrame())).toContain('(expired 11 days ago)');
    const future = { ...cert, notBefore: '2026-12-02T00:00:00Z', notAfter: '2027-12-02T00:00:00Z' };
    expect(strip(render(<CertificateView chain={[future]} now={NOW} />).lastFrame())).toContain('(not valid for 10 more days)');
  });

  it('CheckDetails: summary, findings with remediation, the certificate tree, other evidence, reproduce', () => {
    const frame = strip(render(<CheckDetails result={tls} now={NOW} />).lastFrame());
    const lines = frame.split('\n');
    expect(lines[0]).toBe('  TLS handshake (api.tls): TLSv1.3; CN=egress-proxy issued by CN=egress-proxy; not trusted');
    const at = (s: string) => lines.findIndex((l) => l.includes(s));
    expect(at('Findings')).toBeGreaterThan(0);
    expect(lines[at('api.tls.intercepted')]).toBe('    fail api.tls.intercepted');
    expect(lines[at('TLS is intercepted')]).toBe('      TLS is intercepted by the proxy.');
    expect(lines[at('→ Bypass')]).toBe('      → Bypass it with NO_PROXY.');
    expect(at('Evidence')).toBeGreaterThan(at('→ Bypass'));
    expect(lines[at('├─ CN=egress-proxy')]).toBe('    ├─ CN=egress-proxy (leaf)');
    expect(at('via: proxy http://198.51.100.21:3128 → 203.0.113.10:10443')).toBeGreaterThan(at('Evidence'));
    expect(at('protocol: TLSv1.3')).toBeGreaterThan(0);
    expect(lines[at('$ openssl')]).toBe('    $ openssl s_client -connect 203.0.113.10:10443 -proxy 198.51.100.21:3128 -showcerts </dev/null');
    expect(at('Reproduce')).toBeGreaterThan(at('protocol: TLSv1.3'));
  });

  it('splitEvidence: only arrays of certificate-like objects are chains', () => {
    const { chains, rest } = splitEvidence({ chain: tls.evidence!.chain, via: 'x', other: [{ subject: 'a' }], nothing: null });
    expect(chains.map((c) => c.key)).toEqual(['chain']);
    expect(Object.keys(rest)).toEqual(['via', 'other']);
  });

  it('DiagnosisBox: root cause and numbered fix in a box, the verdict under it', () => {
    const frame = strip(render(<DiagnosisBox diagnosis={sampleReport.diagnosis} footer=" · 3 checks" />).lastFrame());
    const lines = frame.split('\n');
    expect(lines[0]).toMatch(/^╭─+╮$/);
    expect(lines[1]).toMatch(/^│ Root cause +│$/);
    expect(lines[2]).toMatch(/^│ Traffic is sent through the proxy, which intercepts TLS\. +│$/);
    expect(lines[4]).toMatch(/^│ Fix +│$/);
    expect(lines[5]).toMatch(/^│ 1\. export NO_PROXY="203\.0\.113\.10" +│$/);
    expect(lines[6]).toMatch(/^│ 2\. Ask the network team\. +│$/);
    expect(lines[7]).toMatch(/^╰─+╯$/);
    expect(lines[8]).toBe('FAIL · 3 checks');
  });

  it('with colour off no component writes an escape code, even where colour is forced', () => {
    const before = process.env.FORCE_COLOR;
    process.env.FORCE_COLOR = '3';
    try {
      const { lastFrame } = render(
        <ThemeContext.Provider value={{ color: false }}>
          <Header info={{ context: 'c', server: 's', proxy: 'http://p:1 (HTTPS_PROXY)' }} />
          <CheckRow row={{ id: 'api.tls', title: 't', status: 'fail', durationMs: 1, summary: 's' }} idWidth={10} selected />
          <CheckDetails result={tls} now={NOW} />
          <DiagnosisBox diagnosis={sampleReport.diagnosis} footer=" · 3 checks" />
        </ThemeContext.Provider>,
      );
      expect(lastFrame()).not.toMatch(/\u001b/);
    } finally {
      if (before === undefined) delete process.env.FORCE_COLOR;
      else process.env.FORCE_COLOR = before;
    }
  });
});
