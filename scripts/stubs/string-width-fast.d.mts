// Types of scripts/stubs/string-width-fast.mjs (for the unit test that compares it with string-width).
type StringWidth = (input: string, options?: { ambiguousIsNarrow?: boolean; countAnsiEscapeCodes?: boolean }) => number;
export function createStringWidth(loadReal: () => StringWidth): StringWidth;
declare const stringWidth: StringWidth;
export default stringWidth;
