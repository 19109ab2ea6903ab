// The learner's journey in a real Chromium against the running stack (API + web app) on free
// ports with a throwaway SQLite database: sign-up, enroll, a lesson, a quiz, live progress,
// achievements and recommendations, the achievements, analytics and settings pages; bad paths: wrong
// password, offline progress replayed, an ended session.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import { launchBrowser, screenshot, seriousViolations } from "./browser.mjs";
import { startOwnStack } from "./own-stack.mjs";

const TIMEOUT = 30_000;
const learner = {
  name: "Grace Hopper",
  email: `grace-${Date.now()}@example.com`,
  password: "compilers-since-1952",
};

let stack;
let browser;
let context;
let page;

async function expectAccessible(name, target = page) {
  assert.deepEqual(await seriousViolations(target), [], `axe-core on ${name}`);
}

async function queuedReports(target = page) {
  return target.evaluate(
    () => JSON.parse(localStorage.getItem("learnwise-progress") ?? "{}").state?.queue?.length ?? 0,
  );
}

before(async () => {
  stack = await startOwnStack();
  browser = await launchBrowser();
  context = await browser.newContext({ baseURL: stack.webUrl, viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT);
  page = await context.newPage();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test("a wrong password is refused with a clear message", async () => {
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill("learner@learnwise.dev");
  await page.getByLabel("Password").fill("not-the-password");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("alert").filter({ hasText: /password/i }).waitFor();
  assert.match(page.url(), /\/sign-in/);
  await screenshot(page, "sign-in-wrong-password");
  await expectAccessible("sign-in");
});

test("a new user signs up and lands on an empty dashboard", async () => {
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(learner.name);
  await page.getByLabel("Email").fill(learner.email);
  await page.getByLabel("Password").fill(learner.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.waitForURL("**/dashboard");
  await page.getByText("You are not enrolled in any course yet").waitFor();
  await page.getByTestId("xp").filter({ hasText: "0" }).waitFor();
  await expectAccessible("dashboard (empty)");
});

test("the catalog finds a course, which the learner enrolls in", async () => {
  await page.getByRole("link", { name: "Catalog", exact: true }).click();
  await page.getByLabel("Search courses").fill("python");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByText("1 course", { exact: true }).waitFor();
  await screenshot(page, "catalog");
  await expectAccessible("catalog");
  await page.getByRole("link", { name: "Python Basics" }).click();
  await page.getByRole("heading", { name: "Python Basics", level: 1 }).waitFor();
  await page.getByText("Unlocks after: Values and variables").first().waitFor();
  await page.getByRole("button", { name: "Enroll" }).click();
  await page.getByRole("link", { name: "Start: Your first program" }).waitFor();
  await screenshot(page, "course");
  await expectAccessible("course page");
});

test("progress and achievements reach an open dashboard without reloading", async () => {
  const dashboard = await context.newPage();
  const subscribed = new Promise((resolve) =>
    dashboard.on("websocket", (socket) =>
      socket.on("framereceived", ({ payload }) => String(payload).includes('"subscribed"') && resolve()),
    ),
  );
  await dashboard.goto("/dashboard");
  await subscribed;
  await dashboard.getByTestId("course-percent").filter({ hasText: "0%" }).waitFor();
  await dashboard.getByText("None yet").waitFor();
  const recommendations = dashboard.getByTestId("recommendations");
  await recommendations.getByRole("link", { name: "Your first program", exact: true }).waitFor();

  await page.getByRole("link", { name: "Start: Your first program" }).click();
  await page.getByRole("heading", { name: "Your first program", level: 1 }).waitFor();
  assert.equal(await page.locator("h1").count(), 1, "the lesson page has one h1");
  await screenshot(page, "lesson");
  await expectAccessible("lesson");
  await page.getByRole("button", { name: "Mark as complete" }).click();
  await page.getByText("✓ Completed").waitFor();
  await page.getByText(/Achievement unlocked: First lesson/).waitFor();

  // The dashboard tab, untouched, hears of it over its WebSocket.
  await dashboard.getByTestId("achievements").getByText("First lesson", { exact: true }).waitFor();
  await dashboard.getByTestId("xp").filter({ hasNotText: /^0$/ }).waitFor();
  await dashboard.waitForFunction(
    () => document.querySelector('[data-testid="course-percent"]')?.textContent !== "0%",
  );
  // A completed item is no longer recommended: the list was fetched again, live.
  await recommendations.getByRole("link", { name: "Your first program", exact: true }).waitFor({ state: "detached" });
  await dashboard.getByRole("heading", { name: /Time learned/ }).waitFor();
  await dashboard.locator(".recharts-surface").waitFor();
  await screenshot(dashboard, "dashboard");
  await expectAccessible("dashboard (with progress)", dashboard);
  await dashboard.close();
});

test("a quiz is graded with feedback", async () => {
  await page.getByRole("link", { name: "Python Basics" }).click();
  await page.getByRole("link", { name: "Quiz: Check: values and variables" }).click();
  await page.getByRole("heading", { name: "Check: values and variables" }).waitFor();
  await page.getByLabel("float", { exact: true }).check();
  await page.getByRole("group", { name: /evaluates to/ }).getByLabel("False").check();
  await page.getByRole("group", { name: /score = 10/ }).getByLabel("Your answer").fill("20");
  await page.getByRole("group", { name: /b = a/ }).getByLabel("Your answer").fill("3");
  for (const name of ["total_2", "_count", "seconds_per_day"]) {
    await page.getByLabel(name, { exact: true }).check();
  }
  await page.getByRole("button", { name: "Submit answers" }).click();
  await page.getByText("Passed: 100%").waitFor();
  assert.equal(await page.getByText("Correct", { exact: true }).count(), 5);
  // Explanations are markdown: `6 / 2` is shown as code, not with its backticks.
  await page.locator("fieldset code", { hasText: "6 / 2" }).first().waitFor();
  assert.equal(await page.getByText("`6 / 2`").count(), 0);
  await screenshot(page, "quiz-result");
  await expectAccessible("quiz");
});

test("progress made offline is kept and replayed when the connection is back", async () => {
  await page.getByRole("link", { name: "Python Basics" }).click();
  const before = await page.getByText(/of \d+ required items/).textContent();
  await page.getByRole("link", { name: "Lesson: Variables and assignment" }).click();
  await page.getByRole("button", { name: "Mark as complete" }).waitFor();

  await context.setOffline(true);
  await page.getByRole("button", { name: "Mark as complete" }).click();
  await page.getByText("✓ Completed").waitFor();
  assert.equal(await queuedReports(), 1, "the report waits in the queue while offline");

  await context.setOffline(false);
  await page.waitForFunction(
    () => JSON.parse(localStorage.getItem("learnwise-progress") ?? "{}").state?.queue?.length === 0,
  );
  await page.getByRole("link", { name: "Python Basics" }).click();
  await page.waitForFunction(
    (text) => {
      const shown = [...document.querySelectorAll("p")].find((p) => /required items/.test(p.textContent ?? ""));
      return shown && shown.textContent !== text;
    },
    before,
  );
});

test("the achievements page shows what was earned and what is next", async () => {
  await page.getByRole("link", { name: "Achievements", exact: true }).click();
  await page.getByRole("heading", { name: "Achievements and certificates", level: 1 }).waitFor();
  await page.getByTestId("achievement-rules").getByText(/First lesson ✓/).waitFor();
  await page.getByText(/None yet: finish a course/).waitFor();
  await screenshot(page, "achievements");
  await expectAccessible("achievements");
});

test("my analytics shows the month's figures", async () => {
  await page.getByRole("link", { name: "Analytics", exact: true }).click();
  await page.getByRole("heading", { name: "My analytics", level: 1 }).waitFor();
  const totals = page.getByTestId("totals");
  await totals.waitFor();
  assert.doesNotMatch(await totals.textContent(), /Items completed0/, "the completed items are counted");
  await page.getByRole("heading", { name: "Time learned, last 30 days" }).waitFor();
  await screenshot(page, "my-analytics");
  await expectAccessible("my analytics");
});

test("settings: preferences saved, a wrong current password refused, sessions listed", async () => {
  await page.getByRole("link", { name: "Settings", exact: true }).click();
  const budget = page.getByLabel("Weekly time for learning (minutes)");
  await budget.fill("240");
  await page.getByRole("button", { name: "Save preferences" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  await page.reload();
  await budget.waitFor();
  assert.equal(await budget.inputValue(), "240", "the saved budget comes back from the API");

  await page.getByLabel("Current password").fill("not-my-password");
  await page.getByLabel("New password").fill("a-brand-new-passphrase");
  await page.getByRole("button", { name: "Change password" }).click();
  await page.getByRole("alert").filter({ hasText: /password/i }).waitFor();

  await page.getByTestId("sessions").getByText(/\(this browser\)/).waitFor();
  await screenshot(page, "settings");
  await expectAccessible("settings");
});

test("an ended session sends the learner to sign in again", async () => {
  // The learner signs out everywhere from another device.
  const login = await fetch(`${stack.webUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: learner.email, password: learner.password }),
  });
  const { access_token: token } = await login.json();
  const ended = await fetch(`${stack.webUrl}/api/v1/auth/logout-all`, {
    method: "POST",
    headers: { Authorization: `Bearer ${token}` },
  });
  assert.equal(ended.status, 204);

  await page.goto("/dashboard");
  await page.waitForURL(/\/sign-in\?next=%2Fdashboard&expired=1/);
  await page.getByText("Your session has ended").waitFor();
  await screenshot(page, "session-ended");
});
