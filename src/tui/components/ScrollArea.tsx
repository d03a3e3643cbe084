// A fixed-height window onto taller content, scrolled by whole rows. The owner keeps the offset;
// this clamps it to the content and says when there is more below.
import { Box, Text, measureElement, type DOMElement } from 'ink';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useTheme } from '../theme.tsx';

export interface ScrollAreaProps {
  height: number;
  offset: number;
  /** reports the content's height whenever it changes (for clamping the owner's offset) */
  onContentHeight?: (rows: number) => void;
  children: ReactNode;
}

export function ScrollArea({ height, offset, onContentHeight, children }: ScrollAreaProps) {
  const theme = useTheme();
  const ref = useRef<DOMElement>(null);
  // Ink lays out during the commit, so after each render the content's height is known here. A new
  // height costs one more render; the content does not depend on it, so this settles at once.
  const [measured, setMeasured] = useState<number>();
  useEffect(() => {
    const h = ref.current ? measureElement(ref.current).height : 0;
    if (h !== measured) setMeasured(h);
    onContentHeight?.(h);
  });
  const hasMeasured = measured !== undefined;
  const contentHeight = measured ?? 0;
  const overflow = hasMeasured && contentHeight > height;
  const view = overflow ? Math.max(1, height - 1) : height;
  const top = hasMeasured ? Math.max(0, Math.min(offset, contentHeight - view)) : 0;
  const below = hasMeasured ? contentHeight - top - view : 0;
  return (
    <Box flexDirection="column" height={height} flexShrink={0}>
      <Box flexDirection="column" height={view} overflow="hidden" contentOffsetY={top} flexShrink={0}>
        <Box ref={ref} flexDirection="column" flexShrink={0}>
          {children}
        </Box>
      </Box>
      {overflow ? (
        <Text dimColor={theme.color} wrap="truncate-end">
          {below > 0 ? `↓ ${below} more lines (pgdn/d)` : ''}
          {below > 0 && top > 0 ? ' · ' : ''}
          {top > 0 ? `↑ ${top} above (pgup/u)` : ''}
        </Text>
      ) : null}
    </Box>
  );
}
