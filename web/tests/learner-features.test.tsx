import { render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { SWRConfig } from "swr";
import { beforeEach, describe, expect, it, vi } from "vitest";

import { MyAnalytics } from "@/components/features/analytics/my-analytics";
import { DueReviews } from "@/components/features/dashboard/due-reviews";
import { LearningPaths } from "@/components/features/dashboard/learning-paths";
import { Recommendations } from "@/components/features/dashboard/recommendations";
import { TimeChart } from "@/components/features/dashboard/time-chart";
import { PasswordForm } from "@/components/features/settings/password-form";
import { ProfileForm } from "@/components/features/settings/profile-form";
import { PreferencesForm } from "@/components/features/settings/preferences-form";
import { SessionsList } from "@/components/features/settings/sessions-list";
import { useSession } from "@/stores/session";

import { json, mockFetch, problem } from "./fetch-mock";

const push = vi.fn();
vi.mock("next/navigation", () => ({ useRouter: () => ({ push, replace: push }) }));

function withFreshCache(children: ReactNode) {
  return <SWRConfig value={{ provider: () => new Map(), dedupingInterval: 0 }}>{children}</SWRConfig>;
}

beforeEach(() => {
  useSession.setState({ status: "signed-in", accessToken: "token", expiresAt: Date.now() + 600_000 });
});

const page = <T,>(items: T[]) => ({ items, total: items.length, offset: 0, limit: 10 });

describe("Recommendations", () => {
  it("lists each item with its reason, linking to the item or to the course to enroll in", async () => {
    const base = { course_title: "Python", type: "lesson", minutes: 7, score: 1, predicted_success: 0.8, reasons: [] };
    mockFetch(() =>
      json({
        generated_at: "2026-01-01T00:00:00Z",
        items: [
          { ...base, content_id: "i1", course_id: "c1", title: "Loops", kind: "next_step", reason: "Comes next in Python.", enrollment_required: false },
          { ...base, content_id: "i2", course_id: "c2", title: "SQL joins", kind: "popular", reason: "Popular with learners like you.", enrollment_required: true },
        ],
      }),
    );
    render(withFreshCache(<Recommendations />));
    expect((await screen.findByRole("link", { name: "Loops" })).getAttribute("href")).toBe("/courses/c1/items/i1");
    expect(screen.getByRole("link", { name: "SQL joins" }).getAttribute("href")).toBe("/courses/c2");
    expect(screen.getByText("Comes next in Python.")).toBeTruthy();
    expect(screen.getByText(/enroll first/)).toBeTruthy();
  });

  it("explains what to do when there is nothing to suggest", async () => {
    mockFetch(() => json({ generated_at: "2026-01-01T00:00:00Z", items: [] }));
    render(withFreshCache(<Recommendations />));
    expect(await screen.findByText(/Nothing to suggest yet/)).toBeTruthy();
  });
});

describe("DueReviews", () => {
  it("records a rating and reloads what is due", async () => {
    let due = [{ card_id: "k1", content_id: "i1", skill_id: null, title: "Loops", due: "2026-01-01T00:00:00Z", retrievability: 0.62, reviews: 1, lapses: 0, stability: 2, difficulty: 5, last_review: null }];
    const calls = mockFetch((call) => {
      if (call.method === "POST") {
        due = [];
        return json({}, 201);
      }
      return json(page(due));
    });
    render(withFreshCache(<DueReviews />));
    expect(await screen.findByText(/Recall now about 62%/)).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Good" }));
    expect(await screen.findByText(/No review due/)).toBeTruthy();
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ content_id: "i1", skill_id: null, rating: "good" });
  });
});

describe("LearningPaths", () => {
  it("plans a path from a goal and shows it with its progress", async () => {
    const paths: object[] = [];
    const calls = mockFetch((call) => {
      if (call.method === "POST") {
        paths.push({ path_id: "p1", title: "Write Python scripts", status: "active", steps: 4, steps_done: 1, total_minutes: 120, planned_at: "2026-01-01T00:00:00Z" });
        return json({}, 201);
      }
      return json(page(paths));
    });
    render(withFreshCache(<LearningPaths />));
    await userEvent.type(await screen.findByLabelText("Plan a path to a goal"), "write Python scripts");
    await userEvent.click(screen.getByRole("button", { name: "Plan it" }));
    expect(await screen.findByText("Write Python scripts")).toBeTruthy();
    expect(screen.getByText(/1 of 4 steps/)).toBeTruthy();
    expect(calls.find((call) => call.method === "POST")?.body).toEqual({ goal: { kind: "text", value: "write Python scripts" } });
  });
});

describe("ProfileForm", () => {
  const me = { user_id: "u1", email: "ada@example.com", display_name: "Ada", roles: ["learner"], permissions: [] };

  it("saves the trimmed name the API returns into the session", async () => {
    useSession.setState({ user: me as never });
    const calls = mockFetch((call) => json({ ...me, display_name: String((call.body as { display_name: string }).display_name).trim() }));
    render(withFreshCache(<ProfileForm />));
    const field = screen.getByLabelText("Display name");
    await userEvent.clear(field);
    await userEvent.type(field, "  Ada Lovelace ");
    await userEvent.click(screen.getByRole("button", { name: "Save name" }));
    expect((await screen.findByRole("status")).textContent).toBe("Saved.");
    expect(calls[0]).toMatchObject({ method: "PATCH", path: "/api/v1/auth/me", body: { display_name: "  Ada Lovelace " } });
    expect(useSession.getState().user?.display_name).toBe("Ada Lovelace");
  });

  it("shows the API's refusal and keeps the session's name", async () => {
    useSession.setState({ user: me as never });
    mockFetch(() => problem(422, "validation-error", "display_name: String should have at least 1 character"));
    render(withFreshCache(<ProfileForm />));
    await userEvent.clear(screen.getByLabelText("Display name"));
    await userEvent.type(screen.getByLabelText("Display name"), " ");
    await userEvent.click(screen.getByRole("button", { name: "Save name" }));
    expect((await screen.findByRole("alert")).textContent).toContain("at least 1 character");
    expect(useSession.getState().user?.display_name).toBe("Ada");
  });
});

describe("PasswordForm", () => {
  it("shows the API's refusal and keeps what was typed", async () => {
    mockFetch(() => problem(400, "wrong-current-password", "The current password is incorrect."));
    render(withFreshCache(<PasswordForm />));
    await userEvent.type(screen.getByLabelText("Current password"), "not-it-at-all");
    await userEvent.type(screen.getByLabelText("New password"), "a-new-long-password");
    await userEvent.click(screen.getByRole("button", { name: "Change password" }));
    expect((await screen.findByRole("alert")).textContent).toBe("The current password is incorrect.");
    expect((screen.getByLabelText("New password") as HTMLInputElement).value).toBe("a-new-long-password");
  });
});

describe("SessionsList", () => {
  const session = (id: string, current: boolean) => ({
    session_id: id,
    current,
    user_agent: current ? "Firefox" : "Chromium",
    ip_address: "127.0.0.1",
    auth_method: "password",
    created_at: "2026-01-01T00:00:00Z",
    last_used_at: "2026-01-01T00:00:00Z",
    expires_at: "2026-02-01T00:00:00Z",
  });

  it("revokes another session; the current one has no revoke button", async () => {
    let sessions = [session("s1", true), session("s2", false)];
    const calls = mockFetch((call) => {
      if (call.method === "DELETE") {
        sessions = sessions.filter((s) => !call.path.endsWith(s.session_id));
        return new Response(null, { status: 204 });
      }
      return json(sessions);
    });
    render(withFreshCache(<SessionsList />));
    const revoke = await screen.findAllByRole("button", { name: /Revoke the session/ });
    expect(revoke).toHaveLength(1);
    await userEvent.click(revoke[0]!);
    await waitFor(() => expect(screen.queryByText("Chromium")).toBeNull());
    expect(calls.some((call) => call.method === "DELETE" && call.path === "/api/v1/auth/sessions/s2")).toBe(true);
  });

  it("signs out everywhere, then goes to sign in", async () => {
    const calls = mockFetch((call) =>
      call.path === "/api/v1/auth/logout-all" ? new Response(null, { status: 204 }) : json([session("s1", true)]),
    );
    render(withFreshCache(<SessionsList />));
    await userEvent.click(await screen.findByRole("button", { name: "Sign out everywhere" }));
    await waitFor(() => expect(push).toHaveBeenCalledWith("/sign-in"));
    expect(useSession.getState().status).toBe("signed-out");
    expect(calls.some((call) => call.path === "/api/v1/auth/logout-all")).toBe(true);
  });
});

describe("PreferencesForm", () => {
  it("saves the weekly budget and the consents in one PATCH", async () => {
    const settings = {
      user_id: "u1",
      theme: "system",
      notifications_enabled: true,
      analytics_consent: false,
      updated_at: null,
      learning_preferences: { weekly_time_budget_minutes: 180, time_zone: "UTC", language: "en", desired_retention: 0.9 },
    };
    const calls = mockFetch((call) => json(call.method === "PATCH" ? { ...settings, analytics_consent: true } : settings));
    render(withFreshCache(<PreferencesForm />));
    const budget = await screen.findByLabelText("Weekly time for learning (minutes)");
    await userEvent.clear(budget);
    await userEvent.type(budget, "240");
    await userEvent.click(screen.getByLabelText(/Share my activity/));
    await userEvent.click(screen.getByRole("button", { name: "Save preferences" }));
    expect(await screen.findByText("Saved.")).toBeTruthy();
    expect(calls.find((call) => call.method === "PATCH")?.body).toEqual({
      notifications_enabled: true,
      analytics_consent: true,
      learning_preferences: { weekly_time_budget_minutes: 240, time_zone: "UTC" },
    });
  });
});

describe("TimeChart", () => {
  it("gives the minutes of every day in a table beside the chart", async () => {
    mockFetch(() =>
      json({
        from_day: "2026-01-01",
        to_day: "2026-01-14",
        days: [{ day: "2026-01-03", seconds: 1500, items_completed: 1, courses_completed: 0, quiz_attempts: 0 }],
        goal: { minutes_this_week: 25, weekly_minutes_target: 180, fraction_of_weekly_target: 0.14, courses: [] },
      }),
    );
    render(withFreshCache(<TimeChart />));
    expect((await screen.findByTestId("time-total")).textContent).toMatch(/^25 min in all · 25 of 180 min this\s+week$/);
    const rows = screen.getAllByRole("row");
    expect(rows).toHaveLength(15);
    expect(rows[3]?.textContent).toBe("2026-01-0325");
  });
});

describe("MyAnalytics", () => {
  it("shows the totals, the weeks and each skill's accuracy", async () => {
    mockFetch(() =>
      json({
        from_day: "2026-01-01",
        to_day: "2026-01-30",
        days: [],
        totals: { seconds: 5400, items_completed: 7, courses_completed: 1 },
        streak: { current: 2, longest: 4, last_active_day: "2026-01-30" },
        weeks: [{ week_start: "2026-01-26", seconds: 5400, items_completed: 7, courses_completed: 1, quiz_attempts: 3 }],
        skills: [{ skill_id: "s1", name: "Loops", answered: 8, correct: 6, accuracy: 0.75, weeks: [] }],
        goal: { minutes_this_week: 90, weekly_minutes_target: 180, fraction_of_weekly_target: 0.5, courses: [] },
      }),
    );
    render(withFreshCache(<MyAnalytics />));
    const totals = await screen.findByTestId("totals");
    expect(totals.textContent).toContain("Time learned1.5 h");
    expect(totals.textContent).toContain("Longest streak4 days");
    expect(screen.getByRole("row", { name: "2026-01-26 1.5 h 7 3" })).toBeTruthy();
    expect(screen.getByRole("row", { name: "Loops 8 75%" })).toBeTruthy();
  });
});
