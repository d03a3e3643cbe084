// string-width for Ink and the packages it measures text with (wrap-ansi, cli-truncate, widest-line,
// slice-ansi). The real string-width compiles Unicode-property regexes (/v, RGI_Emoji) and an
// Intl.Segmenter when it loads (~35 ms here) and segments every non-ASCII string (~40 ms of the
// TUI's first frame, which is mostly box drawing, arrows and status symbols).
//
// This gives exactly the real results: strings whose every UTF-16 unit lies in blocks where one
// code point is one grapheme cluster of East Asian Width (no combining marks, joiners, variation
// selectors, format characters, jamo or surrogates) are summed with the same get-east-asian-width
// lookup the real one ends with; anything else goes to the real string-width, loaded on first use
// (esbuild turns the require below into a lazy module init).
import { eastAsianWidth } from 'get-east-asian-width';
import stripAnsi from 'strip-ansi';

// (also scripts/stubs/grapheme-segmenter.mjs: in these blocks every UTF-16 unit is a grapheme cluster)
export function simple(c) {
  return (
    c < 0x7f || // controls count 0 (the real one skips \p{Control}; tabs are ignored by design)
    (c >= 0xa0 && c < 0x300 && c !== 0xad) || // Latin-1 and Latin extended, no soft hyphen
    (c >= 0x2010 && c <= 0x2027) || // dashes, quotes, bullets, … (not the zero-width and bidi controls)
    (c >= 0x2030 && c <= 0x205e) ||
    (c >= 0x2070 && c <= 0x20cf) || // super/subscripts, currency
    (c >= 0x2100 && c <= 0x2bff) || // letterlike, arrows, math, technical, box drawing, blocks, shapes, symbols, dingbats, braille
    (c >= 0x3000 && c <= 0x3029) || // CJK punctuation (not the tone marks 302A-302F)
    (c >= 0x3030 && c <= 0x3098) || // hiragana (not the voicing marks 3099-309A)
    (c >= 0x309b && c <= 0x30ff) || // katakana
    (c >= 0x4e00 && c <= 0x9fff) || // CJK ideographs
    (c >= 0xac00 && c <= 0xd7a3) || // Hangul syllables (precomposed; jamo go to the real one)
    (c >= 0xff01 && c <= 0xff60) // fullwidth ASCII
  );
}

/** The string-width function, with `loadReal` giving the real one (called once, on first need). */
export function createStringWidth(loadReal) {
  let real;
  return function stringWidth(input, options = {}) {
    if (typeof input !== 'string' || input.length === 0) return 0;
    const { ambiguousIsNarrow = true, countAnsiEscapeCodes = false } = options;
    let string = input;
    if (!countAnsiEscapeCodes && (string.includes('\u001B') || string.includes('\u009B'))) string = stripAnsi(string);
    if (string.length === 0) return 0;
    if (/^[\u0020-\u007E]*$/.test(string)) return string.length;
    const eaw = { ambiguousAsWide: !ambiguousIsNarrow };
    let width = 0;
    for (let i = 0; i < string.length; i++) {
      const c = string.charCodeAt(i);
      if (!simple(c)) {
        real ??= loadReal();
        return real(input, options);
      }
      if (c >= 0x20) width += c < 0x7f ? 1 : eastAsianWidth(c, eaw);
    }
    return width;
  };
}

// esbuild turns this require into a lazy init of the bundled real module (scripts/build.mjs)
export default createStringWidth(() => require('netdiag-real-string-width').default);
