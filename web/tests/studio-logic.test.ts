import { describe, expect, it } from "vitest";

import { byDay } from "@/components/studio/analytics/dashboard";
import {
  conflictingFields,
  editableContent,
  etagOf,
  fromFields,
  isEditConflict,
  rebase,
  toFields,
} from "@/components/studio/conflict";
import { diffLines, displayValue } from "@/components/studio/diff";
import { nextId } from "@/components/studio/quiz-fields";
import { moveBy, moveOnto, moveTo, sameOrder } from "@/components/studio/reorder";
import { depths, layout } from "@/components/studio/skill-layout";
import { ApiError } from "@/lib/api/errors";

describe("reordering", () => {
  const ids = ["a", "b", "c", "d"];

  it("moves an element to another index", () => {
    expect(moveTo(ids, 0, 2)).toEqual(["b", "c", "a", "d"]);
    expect(moveTo(ids, 3, 0)).toEqual(["d", "a", "b", "c"]);
  });

  it("leaves the list as it was for out-of-range or no-op moves, and never changes its input", () => {
    expect(moveTo(ids, 1, 1)).toEqual(ids);
    expect(moveTo(ids, -1, 2)).toEqual(ids);
    expect(moveTo(ids, 0, 4)).toEqual(ids);
    expect(ids).toEqual(["a", "b", "c", "d"]);
  });

  it("moves one step up or down with the keyboard, not past either end", () => {
    expect(moveBy(ids, "c", -1)).toEqual(["a", "c", "b", "d"]);
    expect(moveBy(ids, "c", 1)).toEqual(["a", "b", "d", "c"]);
    expect(moveBy(ids, "a", -1)).toEqual(ids);
    expect(moveBy(ids, "d", 1)).toEqual(ids);
    expect(moveBy(ids, "zz", 1)).toEqual(ids);
  });

  it("drops an element onto another's place, both downwards and upwards", () => {
    expect(moveOnto(ids, "a", "c")).toEqual(["b", "c", "a", "d"]);
    expect(moveOnto(ids, "d", "b")).toEqual(["a", "d", "b", "c"]);
  });

  it("tells whether two orders differ", () => {
    expect(sameOrder(ids, [...ids])).toBe(true);
    expect(sameOrder(ids, moveBy(ids, "a", 1))).toBe(false);
    expect(sameOrder(ids, ids.slice(1))).toBe(false);
  });
});

describe("edit conflicts", () => {
  const base = { title: "Loops", body: "for", notes: "n" };

  it("names the ETag of a revision and recognises 412 only", () => {
    expect(etagOf(7)).toBe('W/"7"');
    const problem = (status: number) => new ApiError({ status, code: "x", title: "x", detail: "x" });
    expect(isEditConflict(problem(412))).toBe(true);
    expect(isEditConflict(problem(409))).toBe(false);
    expect(isEditConflict(new Error("412"))).toBe(false);
  });

  it("lists the fields that differ, and which both sides changed", () => {
    const mine = { ...base, title: "Loops in Python", body: "while" };
    const theirs = { ...base, body: "for each", notes: "n" };
    expect(conflictingFields(base, mine, theirs)).toEqual([
      { field: "title", mine: "Loops in Python", theirs: "Loops", clash: false },
      { field: "body", mine: "while", theirs: "for each", clash: true },
    ]);
  });

  it("carries my changes onto their version and keeps theirs elsewhere", () => {
    const mine = { ...base, title: "Loops in Python" };
    const theirs = { ...base, body: "for each", notes: "new notes" };
    expect(rebase(base, mine, theirs)).toEqual({ title: "Loops in Python", body: "for each", notes: "new notes" });
  });

  it("round-trips a draft through fields, structured content as JSON", () => {
    const draft = { title: "Quiz", content: { type: "quiz", instructions: "Go", questions: [{ id: "q1" }] } };
    const fields = toFields(draft);
    expect(fields["content.questions"]).toBe('[{"id":"q1"}]');
    expect(fromFields(fields, draft)).toEqual(draft);
  });

  it("drops the HTML the API adds before content is sent back, in nested questions too", () => {
    expect(editableContent({ type: "lesson", body: "# Hi", body_html: "<h1>Hi</h1>" })).toEqual({ type: "lesson", body: "# Hi" });
    expect(
      editableContent({ type: "quiz", questions: [{ id: "q1", prompt: "*Why*", prompt_html: "<em>Why</em>", options: [{ id: "a" }] }] }),
    ).toEqual({ type: "quiz", questions: [{ id: "q1", prompt: "*Why*", options: [{ id: "a" }] }] });
  });
});

describe("version diffs", () => {
  it("marks removed, added and unchanged lines in order", () => {
    expect(diffLines("a\nb\nc", "a\nx\nc\nd")).toEqual([
      { kind: "same", text: "a" },
      { kind: "removed", text: "b" },
      { kind: "added", text: "x" },
      { kind: "same", text: "c" },
      { kind: "added", text: "d" },
    ]);
  });

  it("treats an absent value as empty and shows structures as JSON", () => {
    expect(diffLines("", "new")).toEqual([
      { kind: "removed", text: "" },
      { kind: "added", text: "new" },
    ]);
    expect(displayValue(null)).toBe("");
    expect(displayValue({ a: 1 })).toBe('{\n  "a": 1\n}');
  });
});

describe("studio helpers", () => {
  it("finds the next free question id", () => {
    expect(nextId("q", ["q1", "q2"])).toBe("q3");
    expect(nextId("q", ["q1", "q3"])).toBe("q4");
  });

  it("merges day series for one chart, zero where a series has no point", () => {
    expect(
      byDay({
        enrollments: [{ starts_on: "2026-01-02", count: 2 }],
        active: [
          { starts_on: "2026-01-01", count: 1 },
          { starts_on: "2026-01-02", count: 3 },
        ],
      }),
    ).toEqual([
      { day: "2026-01-01", enrollments: 0, active: 1 },
      { day: "2026-01-02", enrollments: 2, active: 3 },
    ]);
  });
});

describe("the prerequisite graph's layout", () => {
  const needs = (skill_id: string, requires_id: string) => ({ skill_id, requires_id });

  it("puts each skill one column after the deepest skill it needs", () => {
    const found = depths(["a", "b", "c", "d"], [needs("b", "a"), needs("c", "b"), needs("c", "a"), needs("d", "a")]);
    expect(Object.fromEntries(found)).toEqual({ a: 0, b: 1, c: 2, d: 1 });
  });

  it("ignores edges to unknown skills and survives a cycle", () => {
    expect(Object.fromEntries(depths(["a"], [needs("a", "gone")]))).toEqual({ a: 0 });
    expect(depths(["a", "b"], [needs("a", "b"), needs("b", "a")]).size).toBe(2);
  });

  it("stacks the skills of a column in rows", () => {
    const positions = layout(["a", "b", "d"], [needs("b", "a"), needs("d", "a")], 100, 10);
    expect(positions.get("a")).toEqual({ x: 0, y: 0 });
    expect(positions.get("b")).toEqual({ x: 100, y: 0 });
    expect(positions.get("d")).toEqual({ x: 100, y: 10 });
  });
});
