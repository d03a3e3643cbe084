// Types of scripts/stubs/grapheme-segmenter.mjs (for its unit test).
export declare class GraphemeSegmenter {
  constructor(locales?: string | string[], options?: { granularity?: 'grapheme' });
  segment(input: string): Intl.Segments;
  resolvedOptions(): Intl.ResolvedSegmenterOptions;
}
