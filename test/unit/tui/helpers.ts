// Shared by the TUI unit tests: colour-stripped frames, waiting for a frame, and a sample report.
import type { Key } from 'ink';
import type { Report } from '../../../src/report/types.ts';
import { keyOf } from '../../../src/tui/keys.ts';

// Ink asks terminal-size for the window when its stdout has no rows: answer from the environment
// instead of spawning tput in every test.
process.env.COLUMNS ??= '100';
process.env.LINES ??= '30';

const ANSI = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

export function strip(s: string | undefined): string {
  return (s ?? '').replace(ANSI, '');
}

export async function waitFor(cond: () => boolean, what: string, timeoutMs = 10_000, describe?: () => string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}${describe ? `\n--- last frame ---\n${describe()}` : ''}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const NOW = new Date('2026-11-22T10:00:00.000Z');

export const sampleReport: Report = {
  schemaVersion: 1,
  tool: { name: 'kubectl-netdiag', version: '0.1.0' },
  command: 'api',
  startedAt: '2026-11-22T10:00:00.000Z',
  durationMs: 412,
  target: { context: 'team-a-dev@kubernetes', cluster: 'kubernetes', user: 'team-a-dev', server: 'https://203.0.113.10:10443', namespace: 'default' },
  checks: [
    { id: 'api.proxy', title: 'Proxy selection', status: 'pass', durationMs: 1, summary: 'via http://198.51.100.21:3128 (HTTPS_PROXY)', findings: [], reproduce: [] },
    {
      id: 'api.tls',
      title: 'TLS handshake',
      status: 'fail',
      durationMs: 35,
      summary: 'TLSv1.3; CN=egress-proxy issued by CN=egress-proxy; not trusted',
      evidence: {
        via: 'proxy http://198.51.100.21:3128 → 203.0.113.10:10443',
        protocol: 'TLSv1.3',
        chain: [
          { subject: 'CN=egress-proxy', issuer: 'CN=Corp Inspection CA', sans: [], notBefore: '2026-01-01T00:00:00.000Z', notAfter: '2026-12-02T00:00:00.000Z', sha256: 'AB:CD:EF:01', keyType: 'RSA 2048', signatureAlgorithm: 'sha256WithRSAEncryption', isCA: false, selfSigned: false },
          { subject: 'CN=Corp Inspection CA', issuer: 'CN=Corp Inspection CA', sans: [], notBefore: '2020-01-01T00:00:00.000Z', notAfter: '2030-01-01T00:00:00.000Z', sha256: '12:34:56:78', keyType: 'RSA 4096', isCA: true, selfSigned: true },
        ],
      },
      findings: [{ code: 'api.tls.intercepted', severity: 'fail', message: 'TLS is intercepted by the proxy.', remediation: ['Bypass it with NO_PROXY.'] }],
      reproduce: ['openssl s_client -connect 203.0.113.10:10443 -proxy 198.51.100.21:3128 -showcerts </dev/null'],
    },
    { id: 'api.http', title: 'HTTP /version', status: 'skip', durationMs: 0, summary: 'skipped because api.tls failed', findings: [], reproduce: [] },
  ],
  diagnosis: { status: 'fail', rootCause: 'Traffic is sent through the proxy, which intercepts TLS.', remediation: ['export NO_PROXY="203.0.113.10"', 'Ask the network team.'] },
};

/** Every key press Ink reports, with the name the help must give it. */
export const PRESSES: { name: string; input: string; key: Key }[] = [
  ...Array.from({ length: 0x7f - 0x20 }, (_, i) => String.fromCharCode(0x20 + i)).map((ch) => ({ name: ch === ' ' ? 'space' : ch, input: ch, key: keyOf(ch) })),
  { name: '↑', input: '', key: keyOf('', { upArrow: true }) },
  { name: '↓', input: '', key: keyOf('', { downArrow: true }) },
  { name: '←', input: '', key: keyOf('', { leftArrow: true }) },
  { name: '→', input: '', key: keyOf('', { rightArrow: true }) },
  { name: 'pgup', input: '', key: keyOf('', { pageUp: true }) },
  { name: 'pgdn', input: '', key: keyOf('', { pageDown: true }) },
  { name: 'home', input: '', key: keyOf('', { home: true }) },
  { name: 'end', input: '', key: keyOf('', { end: true }) },
  { name: 'enter', input: '\r', key: keyOf('\r') },
  { name: 'esc', input: '', key: keyOf('', { escape: true }) },
  { name: 'tab', input: '\t', key: keyOf('\t') },
  { name: 'shift-tab', input: '\t', key: keyOf('\t', { shift: true }) },
  { name: 'backspace', input: '', key: keyOf('', { backspace: true }) },
  { name: 'backspace', input: '', key: keyOf('', { delete: true }) },
  { name: 'ctrl-c', input: 'c', key: keyOf('c', { ctrl: true }) },
];
