// The fast path of `cert` (certFlags in src/cli/flags.ts) gives exactly the flags yargs gives for
// the lines it takes, and takes none that yargs refuses or reads differently: those it leaves to
// yargs (undefined), so usage errors and --help stay yargs' own.
import { describe, expect, it } from 'vitest';
import { certFlags, timeoutsOf } from '../../../src/cli/flags.ts';
import { parseArgs } from '../../../src/cli/main.ts';

const TAKEN: string[][] = [
  ['cert', 'h.example'],
  ['cert', 'h.example:8443'],
  ['cert', '10.0.0.1'],
  ['cert', '10.0.0.1:443'],
  ['cert', '[2001:db8::1]:443'],
  ['cert', 'https://h.example/path'],
  ['cert', 'h.example', '--ca-file', 'ca.pem', '-o', 'json', '--sni', 'x.example', '--timeout', '3s', '--output-file', 'r.md', '-v'],
  ['cert', '--ca-file=ca.pem', 'h.example', '--output=yaml', '--verbose', '--sni=x', '--timeout=2s', '--output-file=r.json'],
  ['cert', '-v', 'h.example'],
  ['cert', 'h.example', '-o', 'markdown'],
  ['cert', 'h.example', '-o', 'text'],
  ['cert', 'h.example', '--sni', '5'],
  ['cert', 'h.example', '--timeout', '0s'],
  ['cert', 'h.example', '--timeout', 'soon'],
  ['cert', 'h.example', '--sni='],
  ['cert', 'h.example', '-o=json'],
  ['cert', 'h.example', '--output-file', ''],
  ['cert', ''],
];

const LEFT_TO_YARGS: string[][] = [
  ['cert'],
  ['cert', '--help'],
  ['cert', 'h', '-h'],
  ['cert', 'h', 'x'],
  ['cert', 'h', '--bogus'],
  ['cert', 'h', '-o', 'xml'],
  ['cert', 'h', '-o'],
  ['cert', 'h', '-o', 'json', '-o', 'yaml'],
  ['cert', 'h', '-v', '-v'],
  ['cert', 'h', '-v', 'true'],
  ['cert', 'h', '-v', 'false'],
  ['cert', 'h', '--verbose=false'],
  ['cert', 'h', '-vo', 'json'],
  ['cert', 'h', '--', 'x'],
  ['cert', 'h', '--sni'],
  ['cert', 'h', '--ca-file', '--sni', 'x'],
  ['cert', 'h', '--timeout', '-1'],
  ['cert', '443'],
  ['cert', '1e3'],
  ['cert', '0x10'],
  ['cert', '-1'],
  ['cert', '1.5'],
  ['cert', 'h', '--kubeconfig', 'k'],
  ['cert', 'h', '--context', 'c'],
  ['cert', 'h', '--color', 'never'],
  ['cert', 'h', '--open', 'f'],
  ['ingress', 'h'],
  ['api'],
  ['version'],
  ['--sni', 'x', 'cert', 'h'],
  [],
];

describe('certFlags (the fast path of `cert HOST`)', () => {
  it.each(TAKEN)('takes %j and gives what yargs gives', async (...argv) => {
    const fast = certFlags(argv);
    expect(fast).toBeDefined();
    const slow = await parseArgs(argv);
    expect(slow.error).toBeUndefined();
    expect(fast).toEqual(slow.flags);
  });

  it.each(LEFT_TO_YARGS)('leaves %j to yargs', (...argv) => {
    expect(certFlags(argv)).toBeUndefined();
  });

  it('on lines made of its own words at random, agrees with yargs whenever it answers', async () => {
    const words = ['cert', 'h.example', 'b.example', '443', '--ca-file', '--ca-file=x', '--sni', '--sni=y', '-o', 'json', 'xml', '--output', '--output=text',
      '--timeout', '3s', '--output-file', 'r.md', '-v', '--verbose', 'true', '--', '-x', ''];
    // a fixed sequence (no flakiness): a linear congruential generator
    let seed = 7;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    let answered = 0;
    for (let i = 0; i < 400; i++) {
      const argv = ['cert', ...Array.from({ length: next(7) }, () => words[next(words.length)]!)];
      const fast = certFlags(argv);
      if (!fast) continue;
      answered++;
      const slow = await parseArgs(argv);
      expect(slow.error, JSON.stringify(argv)).toBeUndefined();
      expect(fast, JSON.stringify(argv)).toEqual(slow.flags);
    }
    expect(answered).toBeGreaterThan(20);
  });
});

describe('timeoutsOf', () => {
  it('reads --timeout, and --request-timeout defaulting to it', () => {
    expect(timeoutsOf({ _: [], timeout: '3s', color: 'auto', verbose: false })).toEqual({ timeoutMs: 3000, requestTimeoutMs: 3000 });
    expect(timeoutsOf({ _: [], timeout: '3s', 'request-timeout': '500ms', color: 'auto', verbose: false })).toEqual({ timeoutMs: 3000, requestTimeoutMs: 500 });
    expect(timeoutsOf({ _: [], timeout: '3s', 'request-timeout': '0', color: 'auto', verbose: false })).toEqual({ timeoutMs: 3000, requestTimeoutMs: 3000 });
  });

  it('refuses a zero or invalid duration with the usage message', () => {
    expect(timeoutsOf({ _: [], timeout: '0s', color: 'auto', verbose: false })).toEqual({ error: '--timeout must be greater than zero' });
    expect(timeoutsOf({ _: [], timeout: '5x', color: 'auto', verbose: false })).toEqual({ error: expect.stringMatching(/^invalid duration "5x"/) });
  });
});
