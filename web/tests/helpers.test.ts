import { describe, expect, it } from "vitest";

import { safeNext } from "@/lib/redirect";
import { mergeRanges, resumePosition } from "@/lib/watched-ranges";

describe("safeNext", () => {
  it.each([
    [undefined, "/dashboard"],
    ["/courses/1", "/courses/1"],
    ["https://evil.example", "/dashboard"],
    ["//evil.example", "/dashboard"],
    ["/\\evil.example", "/dashboard"],
    [["/catalog", "/x"], "/catalog"],
  ])("%s goes to %s", (next, expected) => {
    expect(safeNext(next)).toBe(expected);
  });
});

describe("watched ranges", () => {
  it("merges overlapping and touching ranges and drops empty ones", () => {
    expect(mergeRanges([[10, 20], [0, 5], [5, 8], [15, 30], [40, 40]])).toEqual([[0, 8], [10, 30]]);
  });

  it("resumes where watching from the start stopped, or from the start when done", () => {
    expect(resumePosition([[0, 42.5], [60, 70]], 100)).toBe(42.5);
    expect(resumePosition([[0, 99]], 100)).toBe(0);
    expect(resumePosition([[30, 50]], 100)).toBe(0);
    expect(resumePosition([], 100)).toBe(0);
  });
});
