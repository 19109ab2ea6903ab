import { describe, expect, it } from "vitest";

import { dailyMinutes } from "@/lib/daily-minutes";
import { isProgressKey, keys } from "@/lib/hooks/data";

const day = (date: string, seconds: number) => ({
  day: date,
  seconds,
  items_completed: 0,
  courses_completed: 0,
  quiz_attempts: 0,
});

describe("dailyMinutes", () => {
  it("fills the quiet days of the range with zero, oldest first", () => {
    const days = dailyMinutes({
      from_day: "2026-02-27",
      to_day: "2026-03-02",
      days: [day("2026-02-28", 600), day("2026-03-02", 95)],
    });
    expect(days).toEqual([
      { day: "2026-02-27", minutes: 0 },
      { day: "2026-02-28", minutes: 10 },
      { day: "2026-03-01", minutes: 0 },
      { day: "2026-03-02", minutes: 2 },
    ]);
  });

  it("gives one day for a range of one day", () => {
    expect(dailyMinutes({ from_day: "2026-01-01", to_day: "2026-01-01", days: [] })).toEqual([
      { day: "2026-01-01", minutes: 0 },
    ]);
  });
});

describe("isProgressKey", () => {
  it("has live events revalidate recommendations, reviews, paths and the time chart", () => {
    for (const key of [keys.recommendations, keys.dueReviews, keys.paths, keys.userProgress(14), keys.achievements]) {
      expect(isProgressKey(key)).toBe(true);
    }
    expect(isProgressKey(keys.settings)).toBe(false);
    expect(isProgressKey(keys.sessions)).toBe(false);
  });
});
