import { renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";

import { useReadingTime } from "@/lib/hooks/use-reading-time";

let visibility: DocumentVisibilityState = "visible";

beforeEach(() => {
  vi.useFakeTimers();
  visibility = "visible";
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => visibility });
});

afterEach(() => vi.useRealTimers());

describe("useReadingTime", () => {
  it("reports visible seconds periodically, skips hidden time and flushes on unmount", () => {
    const flush = vi.fn();
    const { unmount } = renderHook(() => useReadingTime(flush, 15));

    vi.advanceTimersByTime(15_000);
    expect(flush).toHaveBeenLastCalledWith(15);

    vi.advanceTimersByTime(5_000);
    visibility = "hidden";
    document.dispatchEvent(new Event("visibilitychange"));
    expect(flush).toHaveBeenLastCalledWith(5);
    vi.advanceTimersByTime(60_000);
    expect(flush).toHaveBeenCalledTimes(2);

    visibility = "visible";
    document.dispatchEvent(new Event("visibilitychange"));
    vi.advanceTimersByTime(3_500);
    unmount();
    expect(flush).toHaveBeenLastCalledWith(3);
    expect(flush).toHaveBeenCalledTimes(3);
  });
});
