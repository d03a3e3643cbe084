// The string-width Ink gets in the build (scripts/stubs/string-width-fast.mjs) must give the real
// string-width's results: its fast path for the blocks the TUI draws with, the real one for the rest.
import realStringWidth from 'string-width';
import { describe, expect, it } from 'vitest';
import { createStringWidth } from '../../../scripts/stubs/string-width-fast.mjs';

let fallbacks = 0;
const fastStringWidth = createStringWidth(() => {
  fallbacks++;
  return realStringWidth;
});

const SAMPLES = [
  '',
  'plain ASCII',
  '❯ ✔ pass  api.kubeconfig   1ms  context lab-admin@lab → https://203.0.113.10:10443',
  '╭──────╮ │ Root cause │ ╰──────╯ ├─ └─ ↑ ↓ · … ▾ ○ ✖ ▲ ‼ ⠋⠙⠹',
  '\u001b[31m✖ fail\u001b[39m \u001b[1mbold\u001b[22m',
  'Straße café naïve — “quotes” ±§©®',
  '日本語のテキスト、カタカナ。ｆｕｌｌｗｉｄｔｈ',
  '한국어 텍스트',
  'emoji ✅ ❌ ⌚ 🚀 👍🏽 👨‍👩‍👧 🇩🇪 ❤️ ✔️',
  'combining e\u0301 a\u0308 \u20dd keycap 1\u20e3',
  'zero\u200bwidth\u200d join\u2060 soft\u00adhyphen',
  'tabs\tand\ncontrols\u0007\u007f\u0085',
  'jamo \u1100\u1161\u11a8 \u1100\u1100\u1161',
  'halfwidth ｶﾞｷﾞ ｰ',
  'ambiguous ①②③ ΑΒΓ αβγ ○● ★☆',
  'surrogates 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 𠀀',
];

describe('string-width-fast (Ink in the build)', () => {
  it('measures what the TUI draws without loading the real one', () => {
    fastStringWidth(SAMPLES[2]!);
    fastStringWidth(SAMPLES[3]!);
    fastStringWidth(SAMPLES[4]!);
    expect(fallbacks).toBe(0);
  });

  it.each(SAMPLES)('%j has the real width', (s) => {
    expect(fastStringWidth(s)).toBe(realStringWidth(s));
    expect(fastStringWidth(s, { ambiguousIsNarrow: false })).toBe(realStringWidth(s, { ambiguousIsNarrow: false }));
    expect(fastStringWidth(s, { countAnsiEscapeCodes: true })).toBe(realStringWidth(s, { countAnsiEscapeCodes: true }));
  });
});
