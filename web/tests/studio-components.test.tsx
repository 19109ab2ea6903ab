import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { ConflictPanel } from "@/components/studio/conflict-panel";
import { SortableList } from "@/components/studio/sortable-list";

describe("SortableList", () => {
  const modules = [
    { id: "m1", title: "Intro" },
    { id: "m2", title: "Loops" },
    { id: "m3", title: "Functions" },
  ];

  function list(onReorder: (ids: string[]) => void) {
    return render(
      <SortableList noun="module" items={modules} idOf={(m) => m.id} labelOf={(m) => m.title} onReorder={onReorder}>
        {(m) => <span>{m.title}</span>}
      </SortableList>,
    );
  }

  it("moves an element with its buttons, and cannot move past the ends", async () => {
    const onReorder = vi.fn();
    list(onReorder);
    await userEvent.click(screen.getByRole("button", { name: "Move module Loops up" }));
    expect(onReorder).toHaveBeenLastCalledWith(["m2", "m1", "m3"]);
    await userEvent.click(screen.getByRole("button", { name: "Move module Loops down" }));
    expect(onReorder).toHaveBeenLastCalledWith(["m1", "m3", "m2"]);
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Move module Intro up" }).disabled).toBe(true);
    expect(screen.getByRole<HTMLButtonElement>("button", { name: "Move module Functions down" }).disabled).toBe(true);
  });

  it("gives every element a labelled drag handle for the keyboard", () => {
    list(vi.fn());
    expect(screen.getAllByRole("button", { name: /^Drag module / })).toHaveLength(3);
  });
});

describe("ConflictPanel", () => {
  const base = { title: "Loops", content: { type: "lesson", body: "for" } };
  const mine = { title: "Loops in Python", content: { type: "lesson", body: "for" } };
  const theirs = { version: 4, draft: { title: "Loops", content: { type: "lesson", body: "while" } } };

  it("shows both sides and saves my changes on top of theirs", async () => {
    const onKeepMine = vi.fn();
    render(<ConflictPanel base={base} mine={mine} theirs={theirs} saving={false} onKeepMine={onKeepMine} onTakeTheirs={vi.fn()} />);
    expect(screen.getByRole("alert").textContent).toContain("version 4 was saved while you were editing");
    expect(screen.getByRole("cell", { name: "Loops in Python" })).toBeTruthy();
    expect(screen.getByRole("cell", { name: "while" })).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Save my changes on top of version 4" }));
    expect(onKeepMine).toHaveBeenCalledWith({ title: "Loops in Python", content: { type: "lesson", body: "while" } });
  });

  it("can discard mine for theirs", async () => {
    const onTakeTheirs = vi.fn();
    render(<ConflictPanel base={base} mine={mine} theirs={theirs} saving={false} onKeepMine={vi.fn()} onTakeTheirs={onTakeTheirs} />);
    await userEvent.click(screen.getByRole("button", { name: "Discard mine and load version 4" }));
    expect(onTakeTheirs).toHaveBeenCalled();
  });
});
