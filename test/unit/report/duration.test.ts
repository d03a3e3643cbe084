import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/cli/duration.ts';

describe('parseDuration (Go syntax, as kubectl takes it)', () => {
  it.each([
    ['5s', 5000], ['250ms', 250], ['1m30s', 90_000], ['1.5s', 1500], ['2', 2000], ['1h', 3_600_000], ['0', 0],
  ])('%s = %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));
  it.each(['', 'abc', '5x', '5s garbage', '-1s'])('rejects %j', (text) => expect(() => parseDuration(text)).toThrow(/invalid duration/));
});
