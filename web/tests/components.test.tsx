import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { SWRConfig } from "swr";
import { describe, expect, it, vi } from "vitest";

import { SignInForm } from "@/components/features/auth/sign-in-form";
import { Pagination } from "@/components/features/catalog/pagination";
import { CourseOutline } from "@/components/features/course/course-outline";
import { QuestionField, type Question } from "@/components/features/player/question-field";
import type { Schemas } from "@/lib/api/client";
import { useSession } from "@/stores/session";

import { json, mockFetch, problem } from "./fetch-mock";

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push, replace: push }) }));

function course(enrolled: boolean): Schemas["CourseRead"] {
  const item = (id: string, title: string, type: string) => ({
    content_id: id,
    title,
    type,
    sequence_number: 1,
    is_required: true,
  });
  return {
    course_id: "c1",
    title: "Python",
    viewer: { is_enrolled: enrolled, is_instructor: false, can_edit: false, can_see_content: true },
    modules: [
      { module_id: "m1", title: "Basics", prerequisite_ids: [], items: [item("i1", "Hello", "lesson")] },
      { module_id: "m2", title: "Loops", prerequisite_ids: ["m1"], items: [item("i2", "For", "quiz")] },
    ],
  } as unknown as Schemas["CourseRead"];
}

function moduleProgress(id: string, unlocked: boolean) {
  return { module_id: id, title: id, required_items: 1, completed_required_items: 0, completed: false, unlocked };
}

describe("SignInForm", () => {
  it("shows the API's message for a wrong password and stays on the page", async () => {
    mockFetch((call) =>
      call.path === "/api/v1/auth/login"
        ? problem(401, "invalid-credentials", "Wrong email or password.")
        : json([]),
    );
    render(
      <SWRConfig value={{ provider: () => new Map() }}>
        <SignInForm next="/dashboard" expired={false} />
      </SWRConfig>,
    );

    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "wrong-password");
    await userEvent.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveProperty("textContent", "Wrong email or password.");
    expect(push).not.toHaveBeenCalled();
    expect(useSession.getState().accessToken).toBeNull();
  });

  it("says why when the session ended", () => {
    mockFetch(() => json([]));
    render(<SignInForm next="/dashboard" expired />);
    expect(screen.getByText(/Your session has ended/)).toBeTruthy();
  });
});

describe("CourseOutline", () => {
  it("links the items of unlocked modules and marks locked ones", () => {
    render(
      <CourseOutline
        course={course(true)}
        progress={{ modules: [moduleProgress("m1", true), moduleProgress("m2", false)] } as Schemas["CourseProgressRead"]}
      />,
    );
    expect(screen.getByRole("link", { name: "Lesson: Hello" }).getAttribute("href")).toBe("/courses/c1/items/i1");
    expect(screen.queryByRole("link", { name: "Quiz: For" })).toBeNull();
    expect(screen.getByText("(locked)")).toBeTruthy();
    expect(screen.getByText("Unlocks after: Basics")).toBeTruthy();
  });

  it("links nothing before enrolling", () => {
    render(<CourseOutline course={course(false)} />);
    expect(screen.queryAllByRole("link")).toHaveLength(0);
  });
});

describe("QuestionField", () => {
  const question: Question = {
    id: "q1",
    type: "multiple_choice",
    prompt: "Pick",
    options: [
      { id: "a", text: "Alpha" },
      { id: "b", text: "Beta" },
    ],
  };

  it("adds and removes choices of a multiple-choice question", async () => {
    const onChange = vi.fn();
    const { rerender } = render(
      <QuestionField number={1} question={question} value={undefined} onChange={onChange} disabled={false} />,
    );
    await userEvent.click(screen.getByLabelText("Beta"));
    expect(onChange).toHaveBeenLastCalledWith(["b"]);

    rerender(<QuestionField number={1} question={question} value={["a", "b"]} onChange={onChange} disabled={false} />);
    await userEvent.click(screen.getByLabelText("Alpha"));
    expect(onChange).toHaveBeenLastCalledWith(["b"]);
  });

  it("shows the feedback the course allows, its explanation rendered from markdown", async () => {
    render(
      <QuestionField
        number={1}
        question={question}
        value={["a"]}
        onChange={() => undefined}
        disabled
        feedback={{ question_id: "q1", answered: true, correct: false, points_possible: 1, explanation: "Because **bold**." }}
      />,
    );
    expect(screen.getByText("Not quite")).toBeTruthy();
    expect((await screen.findByText("bold")).tagName).toBe("STRONG");
  });
});

describe("Pagination", () => {
  it("moves by a page and disables what leads nowhere", async () => {
    const onChange = vi.fn();
    render(<Pagination offset={0} limit={10} total={25} onChange={onChange} />);
    expect(screen.getByText("Page 1 of 3")).toBeTruthy();
    expect((screen.getByRole("button", { name: "Previous" }) as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(screen.getByRole("button", { name: "Next" }));
    expect(onChange).toHaveBeenCalledWith(10);
  });

  it("is absent for a single page", async () => {
    const { container } = render(<Pagination offset={0} limit={10} total={4} onChange={() => undefined} />);
    await waitFor(() => expect(container.innerHTML).toBe(""));
  });
});
