export type Range = [number, number];

/** Ranges sorted and joined where they touch or overlap (as the server merges them). */
export function mergeRanges(ranges: Range[]): Range[] {
  const sorted = [...ranges].filter(([start, end]) => end > start).sort((a, b) => a[0] - b[0]);
  const merged: Range[] = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/**
 * Where to resume a video: the end of what was watched from the start, or the beginning when
 * that reaches the end (watched through: start over).
 */
export function resumePosition(ranges: Range[], duration: number): number {
  const first = mergeRanges(ranges)[0];
  if (!first || first[0] > 1) return 0;
  return first[1] >= duration - 2 ? 0 : first[1];
}
