// Types of scripts/stubs/string-width-fast.mjs (for the unit test that compares it with string-width).
type StringWidth = (input: string, options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean }) => number;
export function createStringWidth(loadReal: () => StringWidth): StringWidth;
declare const stringWidth: StringWidth;
export default stringWidth;
/** a UTF-16 unit in the blocks where one code point is one grapheme cluster (no surrogates, marks, joiners, jamo) */
export function simple(c: number): boolean;
