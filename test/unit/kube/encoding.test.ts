// decodeStdBase64: Go's base64.StdEncoding (kubeconfig *-data fields). The quick path (one regular
// expression, Node's decoder) must give exactly what the character-by-character one gives, which
// test/unit/kube/kubeconfig-errors.test.ts pins against kubectl's own error wording.
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { decodeStdBase64, decodeStdBase64Slowly } from '../../../src/kube/encoding.ts';

describe('decodeStdBase64', () => {
  it('decodes what Go decodes, line breaks ignored', () => {
    expect(decodeStdBase64('aGVsbG8=')).toEqual({ ok: true, data: Buffer.from('hello') });
    expect(decodeStdBase64('aGVs\r\nbG8=\n')).toEqual({ ok: true, data: Buffer.from('hello') });
    expect(decodeStdBase64('')).toEqual({ ok: true, data: Buffer.alloc(0) });
  });

  it('rejects what Go rejects, at the same offset', () => {
    expect(decodeStdBase64('aGVsbG8')).toEqual({ ok: false, offset: 4 }); // an incomplete quantum
    expect(decodeStdBase64('aGVs*G8=')).toEqual({ ok: false, offset: 4 }); // outside the alphabet
    expect(decodeStdBase64('aGVsbG8=aGVs').ok).toBe(false); // data after padding
    expect(decodeStdBase64('aGVsbA===').ok).toBe(false); // three '='
    expect(decodeStdBase64('aGVs-_8=').ok).toBe(false); // URL alphabet is not Std
  });

  it('agrees with the character-by-character decoder on 2,000 random valid and broken inputs', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n\r -_*';
    for (let i = 0; i < 2000; i++) {
      let s = randomBytes(i % 40).toString('base64');
      if (i % 3 === 0) s = s.replace(/(.{5})/g, '$1\n');
      if (i % 2 === 1 && s.length) {
        const at = (i * 7) % s.length;
        s = s.slice(0, at) + alphabet[(i * 13) % alphabet.length] + s.slice(at + (i % 4 === 1 ? 1 : 0));
      }
      expect(decodeStdBase64(s), JSON.stringify(s)).toEqual(decodeStdBase64Slowly(s));
    }
  });
});
