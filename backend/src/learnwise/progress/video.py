"""Watched ranges of a video: merged into disjoint intervals, and how much of it they cover.

The player reports the ranges it actually played, in seconds. Only their union counts, so
watching the first minute twice covers one minute, and seeking to the end covers nothing.
"""

from collections.abc import Iterable, Sequence

# Ranges closer than this are joined: players report from timer ticks, which leave slivers.
JOIN_GAP_SECONDS = 1.0


def merge_ranges(ranges: Iterable[Sequence[float]], *, duration: float) -> list[list[float]]:
    """The union of ``ranges`` within ``[0, duration]``, to the millisecond, as sorted disjoint
    ``[start, end]`` pairs (ranges less than a second apart are joined)."""
    clipped = sorted(
        (start, end)
        for start, end in (
            (round(max(0.0, float(start)), 3), round(min(float(duration), float(end)), 3))
            for start, end in ranges
        )
        if end > start
    )
    merged: list[list[float]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1] + JOIN_GAP_SECONDS:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


def covered_seconds(merged: Iterable[Sequence[float]]) -> float:
    """The seconds covered by disjoint ranges (as ``merge_ranges`` returns them)."""
    return sum(end - start for start, end in merged)


def coverage_percentage(merged: Iterable[Sequence[float]], *, duration: float) -> int:
    """The whole percentage of the video covered (rounded down: 89.9 % is not 90 %)."""
    if duration <= 0:
        return 0
    # The epsilon absorbs float sums such as 26.999999999 for 27.
    return min(100, int((covered_seconds(merged) * 100 + 1e-6) // duration))
