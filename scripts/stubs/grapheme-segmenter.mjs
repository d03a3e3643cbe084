// Intl.Segmenter (granularity "grapheme") for the packages Ink draws text with (its output tokenizer
// @alcalzone/ansi-tokenize, its wrap-ansi and line-update, slice-ansi, cli-truncate; scripts/build.mjs
// swaps it in for their `new Intl.Segmenter(...)`). The first Intl.Segmenter a process creates costs
// ~15 ms here (ICU's break iterator data); these packages create one when they load, so the TUI's
// first paint paid for it although what it draws (ASCII, box drawing, arrows, status symbols) needs
// no segmentation at all.
//
// Same results: a string whose every UTF-16 unit lies in the blocks where one code point is one
// grapheme cluster (string-width-fast's `simple`: no surrogates, combining marks, joiners,
// variation selectors, format characters or jamo) and that holds no CR LF (the one cluster of two
// controls) is segmented unit by unit; anything else goes to a real Intl.Segmenter, created on
// first need. test/unit/tui/grapheme-segmenter.test.ts compares the two.
import { simple } from './string-width-fast.mjs';

let real;
const realSegmenter = () => (real ??= new Intl.Segmenter(undefined, { granularity: 'grapheme' }));

function unitByUnit(s) {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!simple(c) || (c === 0x0d && s.charCodeAt(i + 1) === 0x0a)) return false;
  }
  return true;
}

/** Intl.Segments of a string segmented unit by unit: iterable, and containing(). */
class UnitSegments {
  #input;
  constructor(input) {
    this.#input = input;
  }
  containing(index) {
    const n = Math.trunc(Number(index)) || 0;
    const s = this.#input;
    return n < 0 || n >= s.length ? undefined : { segment: s[n], index: n, input: s };
  }
  *[Symbol.iterator]() {
    const s = this.#input;
    for (let i = 0; i < s.length; i++) yield { segment: s[i], index: i, input: s };
  }
}

export class GraphemeSegmenter {
  constructor(_locales, options) {
    const g = options?.granularity;
    if (g !== undefined && g !== 'grapheme') throw new RangeError(`GraphemeSegmenter: granularity ${g}`);
  }
  segment(input) {
    const s = String(input);
    return unitByUnit(s) ? new UnitSegments(s) : realSegmenter().segment(s);
  }
  resolvedOptions() {
    return realSegmenter().resolvedOptions();
  }
}
