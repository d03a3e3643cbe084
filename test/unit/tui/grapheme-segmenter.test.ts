// The grapheme segmenter the build gives Ink's text packages (scripts/stubs/grapheme-segmenter.mjs)
// must segment exactly as Intl.Segmenter does: unit by unit only where that is what Intl.Segmenter
// does, the real one for the rest.
import { describe, expect, it } from 'vitest';
import { GraphemeSegmenter } from '../../../scripts/stubs/grapheme-segmenter.mjs';
import { simple } from '../../../scripts/stubs/string-width-fast.mjs';

const real = new Intl.Segmenter(undefined, { granularity: 'grapheme' });
const fast = new GraphemeSegmenter(undefined, { granularity: 'grapheme' });
const both = (s: string) => [[...fast.segment(s)], [...real.segment(s)]];

const SAMPLES = [
  '',
  'plain ASCII',
  '❯ ✔ pass  api.kubeconfig   1ms  context lab-admin@lab → https://203.0.113.10:10443',
  '╭──────╮ │ Root cause │ ╰──────╯ ├─ └─ ↑ ↓ · … ▾ ○ ✖ ▲ ‼ ⠋⠙⠹',
  '\u001b[31m✖ fail\u001b[39m \u001b[1mbold\u001b[22m \u001b]8;;https://x\u0007link\u001b]8;;\u0007',
  'Straße café naïve — “quotes” ±§©®',
  '日本語のテキスト、カタカナ。ｆｕｌｌｗｉｄｔｈ',
  '한국어 텍스트',
  'emoji ✅ ❌ ⌚ 🚀 👍🏽 👨‍👩‍👧 🇩🇪 ❤️ ✔️',
  'combining e\u0301 a\u0308 \u20dd keycap 1\u20e3',
  'zero\u200bwidth\u200d join\u2060 soft\u00adhyphen',
  'tabs\tand\ncontrols\u0007\u007f\u0085 crlf\r\n cr\r lf\n\r',
  'jamo \u1100\u1161\u11a8 \u1100\u1100\u1161 가\u11a8',
  'halfwidth ｶﾞｷﾞ ｰ',
  'ambiguous ①②③ ΑΒΓ αβγ ○● ★☆',
  'surrogates 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠀀',
];

describe('GraphemeSegmenter', () => {
  it.each(SAMPLES.map((s) => [s]))('segments %j as Intl.Segmenter does', (s) => {
    const [a, b] = both(s);
    expect(a).toEqual(b);
    for (const i of [-1, 0, 1, 5, s.length - 1, s.length, 2.5]) expect(fast.segment(s).containing(i)).toEqual(real.segment(s).containing(i));
  });

  it('splits unit by unit only where Intl.Segmenter does, for every code unit it treats so', () => {
    let checked = 0;
    for (let c = 0; c <= 0xffff; c++) {
      if (!simple(c) || c === 0x0a || c === 0x0d) continue; // CR and LF: in SAMPLES
      const ch = String.fromCharCode(c);
      // next to itself (jamo, regional indicators and the like join), after a letter (marks, joiners
      // and spacing marks join), before one (prepend), around a precomposed Hangul syllable
      const s = `a${ch}${ch}a${ch}\n${ch}\r${ch}가${ch}가`;
      expect([...real.segment(s)].length, `U+${c.toString(16)}`).toBe(s.length);
      const [a, b] = both(s);
      expect(a).toEqual(b);
      checked++;
    }
    expect(checked).toBeGreaterThan(30_000);
  });

  it('refuses another granularity', () => {
    expect(() => new GraphemeSegmenter(undefined, { granularity: 'word' as 'grapheme' })).toThrow(RangeError);
  });
});
