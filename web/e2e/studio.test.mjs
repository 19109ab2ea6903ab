// The instructor's studio in a real Chromium against the running stack: a course made from
// nothing (a lesson, a video and a quiz), reordered, questions drafted by the AI assistant,
// versions compared, published; a learner's progress (another browser context) reaching the
// analytics dashboard live; a report downloaded; an admin granting the instructor role.
// Bad paths: a learner opening studio URLs, an edit conflict, a refused upload.
import assert from "node:assert/strict";
import { test, before, after } from "node:test";

import { launchBrowser, screenshot, seriousViolations } from "./browser.mjs";
import { startOwnStack } from "./own-stack.mjs";

const TIMEOUT = 30_000;
const INSTRUCTOR = { email: "instructor@learnwise.dev", password: "learnwise-instructor-demo" };
const LEARNER = { email: "learner@learnwise.dev", password: "learnwise-learner-demo" };
const ADMIN = { email: "admin@learnwise.dev", password: "learnwise-admin-demo" };
const COURSE = `Astronomy for beginners ${Date.now()}`;
const LESSON_BODY = [
  "# The solar system",
  "",
  "The Sun is a star at the centre of the solar system. Eight planets orbit the Sun.",
  "Mercury is the planet closest to the Sun. Jupiter is the largest planet of the solar system.",
  "Saturn is famous for its rings, which are made of ice and rock.",
  "The Moon orbits the Earth once about every 27 days.",
  "A light year is the distance that light travels in one year.",
].join("\n");

let stack;
let browser;
let instructor;
let courseUrl;

async function newPage(viewport = { width: 1280, height: 900 }) {
  const context = await browser.newContext({ baseURL: stack.webUrl, viewport, acceptDownloads: true });
  context.setDefaultTimeout(TIMEOUT);
  return context.newPage();
}

async function signIn(page, account, next) {
  await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
  await page.getByLabel("Email").fill(account.email);
  await page.getByLabel("Password").fill(account.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => url.pathname === next);
}

async function expectAccessible(page, name) {
  assert.deepEqual(await seriousViolations(page), [], `axe-core on ${name}`);
}

/** An ISO media (MP4) header and a payload: what the server's sniffer accepts as a video. */
function fakeMp4(bytes) {
  const buffer = Buffer.alloc(bytes);
  buffer.writeUInt32BE(24, 0);
  buffer.write("ftypisom", 4, "latin1");
  buffer.writeUInt32BE(0x200, 12);
  buffer.write("isomiso2", 16, "latin1");
  buffer.writeUInt32BE(bytes - 24, 24);
  buffer.write("mdat", 28, "latin1");
  return buffer;
}

async function apiAs(account) {
  const login = await fetch(`${stack.webUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: account.email, password: account.password }),
  });
  const { access_token: token } = await login.json();
  return (path, init = {}) =>
    fetch(`${stack.webUrl}${path}`, {
      ...init,
      headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", ...init.headers },
    });
}

/** The page's title (the item editor's preview has headings of its own). */
function pageHeading(page, name) {
  return page.locator("header").getByRole("heading", { name, level: 1 });
}

async function openItem(title) {
  await instructor.goto(courseUrl);
  await instructor.getByRole("link", { name: new RegExp(title) }).first().click();
  await pageHeading(instructor, title).waitFor();
}

async function addItem(kind, title) {
  await instructor.getByText("Add an item to Getting started").click();
  await instructor.getByLabel("Type").selectOption(kind);
  await instructor.getByLabel("Item title").fill(title);
}

before(async () => {
  stack = await startOwnStack();
  browser = await launchBrowser();
  instructor = await newPage();
});

after(async () => {
  await browser?.close();
  await stack?.stop();
});

test("a learner opening studio URLs is told the pages are not for them", async () => {
  const page = await newPage();
  await signIn(page, LEARNER, "/dashboard");
  assert.equal(await page.getByRole("link", { name: "Studio" }).count(), 0, "no Studio link for learners");
  for (const path of ["/studio", "/studio/reports", "/admin"]) {
    await page.goto(path);
    await page.getByRole("heading", { name: "You do not have access to this page" }).waitFor();
  }
  await screenshot(page, "studio-denied-learner");
  await expectAccessible(page, "access denied");
  await page.context().close();
});

test("an instructor creates a course with a module, a lesson, a video and a quiz", async () => {
  await signIn(instructor, INSTRUCTOR, "/studio");
  await instructor.getByRole("heading", { name: "My courses" }).waitFor();
  await instructor.getByLabel("Course title").fill(COURSE);
  await instructor.getByLabel("Summary").fill("Planets, stars and light years.");
  await instructor.getByRole("button", { name: "Create course" }).click();
  await instructor.getByRole("heading", { name: COURSE, level: 1 }).waitFor();
  courseUrl = new URL(instructor.url()).pathname;
  await instructor.getByText("No module yet").waitFor();
  await instructor.getByLabel("New module title").fill("Getting started");
  await instructor.getByRole("button", { name: "Add module" }).click();
  await instructor.getByRole("heading", { name: "Getting started", level: 3 }).waitFor();

  // A lesson, edited with its live preview.
  await addItem("lesson", "The solar system");
  await instructor.getByRole("button", { name: "Add item" }).click();
  await pageHeading(instructor, "The solar system").waitFor();
  await instructor.getByLabel("Lesson (Markdown)").fill(LESSON_BODY);
  const preview = instructor.getByRole("region", { name: "Preview" });
  await preview.getByRole("heading", { name: "The solar system", level: 1 }).waitFor();
  await preview.getByText("Saturn is famous for its rings").waitFor();
  await screenshot(instructor, "studio-lesson-editor");
  await expectAccessible(instructor, "lesson editor");
  await instructor.getByRole("button", { name: "Save draft" }).click();
  await instructor.getByText(/version 2 ·/).waitFor();

  // A video, uploaded in chunks with a progress bar.
  await instructor.goto(courseUrl);
  await addItem("video", "Orbits in motion");
  await instructor.getByLabel("Media file").setInputFiles({ name: "orbits.mp4", mimeType: "video/mp4", buffer: fakeMp4(512 * 1024) });
  await instructor.getByText("Uploaded orbits.mp4.").waitFor();
  await instructor.getByLabel("Duration (seconds)").fill("90");
  await instructor.getByRole("button", { name: "Add item" }).click();
  await instructor.getByRole("heading", { name: "Orbits in motion", level: 1 }).waitFor();
  await instructor.getByText("90 seconds").waitFor();

  // A quiz, its starter question rewritten.
  await instructor.goto(courseUrl);
  await addItem("quiz", "Check: the planets");
  await instructor.getByRole("button", { name: "Add item" }).click();
  await instructor.getByRole("heading", { name: "Check: the planets", level: 1 }).waitFor();
  await instructor.getByLabel("Question 1 prompt").fill("Jupiter is the largest planet.");
  await instructor.getByLabel("The statement is true").check();
  await instructor.getByRole("region", { name: "Preview" }).getByText("1. Jupiter is the largest planet.").waitFor();
  await instructor.getByRole("button", { name: "Save draft" }).click();
  await instructor.getByText(/version 2 ·/).waitFor();
  await screenshot(instructor, "studio-quiz-editor");
  await expectAccessible(instructor, "quiz editor");
});

test("a refused upload says why and adds nothing", async () => {
  await instructor.goto(courseUrl);
  await addItem("video", "Not a video");
  const page = Buffer.from("<html><script>alert(1)</script></html>".repeat(50));
  await instructor.getByLabel("Media file").setInputFiles({ name: "trick.mp4", mimeType: "video/mp4", buffer: page });
  await instructor.getByRole("alert").filter({ hasText: "Upload refused" }).waitFor();
  assert.equal(await instructor.getByRole("button", { name: "Add item" }).isDisabled(), true);
  await screenshot(instructor, "studio-upload-refused");
});

test("items are reordered with the buttons and by keyboard drag and drop", async () => {
  await instructor.goto(courseUrl);
  const titles = () => instructor.locator("ol ol > li a").allTextContents();
  await instructor.getByText("Orbits in motion").waitFor();
  assert.match((await titles())[0], /The solar system/);
  await instructor.getByRole("button", { name: "Move item The solar system down" }).click();
  await instructor.waitForFunction(() => /Orbits in motion/.test(document.querySelector("ol ol > li a")?.textContent ?? ""));

  // Keyboard drag and drop: focus the handle, Space lifts, ArrowDown moves, Space drops.
  const handle = instructor.getByRole("button", { name: "Drag item Orbits in motion" });
  await instructor.waitForFunction((element) => !element.disabled, await handle.elementHandle());
  const over = (place) => instructor.getByText(`item Orbits in motion is over place ${place} of 3.`);
  // Once in a while (1 run in 3 in CI) the arrow key of a drag never arrived: the drag is then
  // cancelled with Escape, as a user would, and done again; the third miss fails the test.
  for (let attempt = 1; ; attempt += 1) {
    await handle.focus();
    await instructor.keyboard.press("Space");
    // Announced to screen readers: lifted, it is over its own place first.
    await over(1).waitFor({ state: "attached" });
    await instructor.keyboard.press("ArrowDown");
    try {
      await over(2).waitFor({ state: "attached", timeout: 5_000 });
      break;
    } catch (error) {
      if (attempt === 3) throw error;
      await instructor.keyboard.press("Escape");
      // Not dragging any more (dnd-kit marks the lifted handle aria-pressed).
      await instructor.waitForFunction((element) => element.getAttribute("aria-pressed") !== "true", await handle.elementHandle());
    }
  }
  await instructor.keyboard.press("Space");
  await instructor.waitForFunction(() => /The solar system/.test(document.querySelector("ol ol > li a")?.textContent ?? ""));
  const order = await titles();
  assert.deepEqual(order.map((text) => text.replace(/^(Lesson|Video|Quiz)/, "")), ["The solar system", "Orbits in motion", "Check: the planets"]);
  await screenshot(instructor, "studio-course-editor");
  await expectAccessible(instructor, "course editor");
});

test("the AI assistant drafts questions from the lesson, reviewed side by side", async () => {
  await openItem("The solar system");
  await instructor.getByRole("button", { name: "Generate drafts" }).click();
  await instructor.getByText("Waiting for a worker").waitFor().catch(() => undefined);
  const drafts = instructor.getByRole("region", { name: "Generated drafts" });
  await drafts.getByRole("checkbox").first().waitFor();
  await instructor.getByRole("region", { name: "Source" }).getByText("Saturn is famous").waitFor();
  await screenshot(instructor, "studio-ai-review");
  await expectAccessible(instructor, "AI assistant review");
  const count = await drafts.getByRole("checkbox").count();
  assert.ok(count >= 1, "questions were drafted");
  if (count > 1) await drafts.getByRole("checkbox").last().uncheck();
  await instructor.getByRole("button", { name: "Accept into drafts" }).click();
  await instructor.getByText("The drafts are in the module, unpublished.").waitFor();
  await instructor.goto(courseUrl);
  await instructor.getByRole("link", { name: /Quiz: The solar system/ }).waitFor();
});

test("an edit conflict is shown, and my changes can be saved on top of the newer version", async () => {
  await openItem("The solar system");
  await instructor.getByLabel("Lesson (Markdown)").fill(`${LESSON_BODY}\n\nMy addition about comets.`);
  // Meanwhile a co-author renames the lesson.
  const call = await apiAs(INSTRUCTOR);
  const contentId = instructor.url().split("/items/")[1];
  const current = await (await call(`/api/v1/items/${contentId}?view=draft`)).json();
  const renamed = await call(`/api/v1/items/${contentId}`, {
    method: "PATCH",
    headers: { "If-Match": `W/"${current.version}"` },
    body: JSON.stringify({ title: "The solar system, revised" }),
  });
  assert.equal(renamed.status, 200);

  await instructor.getByRole("button", { name: "Save draft" }).click();
  const conflict = instructor.getByRole("alert").filter({ hasText: "Edit conflict" });
  await conflict.waitFor();
  await conflict.getByText("The solar system, revised").waitFor();
  await screenshot(instructor, "studio-edit-conflict");
  await expectAccessible(instructor, "edit conflict");
  await conflict.getByRole("button", { name: /Save my changes on top of version/ }).click();
  await pageHeading(instructor, "The solar system, revised").waitFor();
  const saved = await (await call(`/api/v1/items/${contentId}?view=draft`)).json();
  assert.match(saved.content.body, /comets/, "my change was kept");
  assert.equal(saved.title, "The solar system, revised", "their change was kept");
});

test("versions are compared and an old one restored", async () => {
  const versions = instructor.getByRole("region", { name: "Versions" });
  await versions.getByRole("button", { name: "Compare from 1" }).click();
  await versions.getByRole("button", { name: "Compare with 2" }).click();
  await versions.getByRole("heading", { name: "From version 1 to version 2" }).waitFor();
  await versions.getByText("content.body").waitFor();
  await screenshot(instructor, "studio-versions-diff");
  await versions.getByRole("button", { name: "Revert to 2" }).click();
  await versions.getByText("Reverted to version 2").waitFor();
});

test("the course is published and a learner's progress reaches the dashboard live", async () => {
  await instructor.goto(courseUrl);
  await instructor.getByRole("button", { name: "Publish course" }).click();
  await instructor.getByText("published", { exact: true }).waitFor();
  const courseId = courseUrl.split("/").at(-1);

  const dashboard = instructor;
  const subscribed = new Promise((resolve) =>
    dashboard.on("websocket", (socket) =>
      socket.on("framereceived", ({ payload }) => String(payload).includes(`"subscribed"`) && String(payload).includes("course:") && resolve()),
    ),
  );
  await dashboard.goto(`${courseUrl}/analytics`);
  await subscribed;
  await dashboard.getByTestId("figure-enrolled").filter({ hasText: /^0$/ }).waitFor();
  await screenshot(dashboard, "studio-analytics-empty");
  await expectAccessible(dashboard, "analytics dashboard");

  const learner = await newPage();
  await signIn(learner, LEARNER, "/dashboard");
  await learner.goto(`/courses/${courseId}`);
  await learner.getByRole("button", { name: "Enroll" }).click();
  await dashboard.getByTestId("figure-enrolled").filter({ hasText: /^1$/ }).waitFor();
  await learner.getByRole("link", { name: /The solar system/ }).first().click();
  await learner.getByRole("button", { name: "Mark as complete" }).click();
  await learner.getByText("✓ Completed").waitFor();
  // The dashboard, untouched, shows the completion in its funnel table.
  await dashboard.getByText("Show as a table").nth(1).click();
  await dashboard.waitForFunction(() =>
    [...document.querySelectorAll("table tr")].some((row) => /The solar system/.test(row.textContent ?? "") && /100%/.test(row.textContent ?? "")),
  );
  await screenshot(dashboard, "studio-analytics-live");
  await learner.context().close();

  await dashboard.goto(`${courseUrl}/learners`);
  await dashboard.getByRole("button", { name: "Leo Learner" }).click();
  await dashboard.getByRole("heading", { name: "Progress per item" }).waitFor();
  await screenshot(dashboard, "studio-learner");
  await expectAccessible(dashboard, "learners");
});

test("a report is requested, followed and downloaded", async () => {
  await instructor.goto("/studio/reports");
  await instructor.getByLabel("Course", { exact: true }).selectOption({ label: COURSE });
  await instructor.getByRole("button", { name: "Request report" }).click();
  // Newest first: the report just requested.
  const download = instructor.getByRole("button", { name: /^Download / }).first();
  await download.waitFor({ timeout: 60_000 });
  const [file] = await Promise.all([instructor.waitForEvent("download"), download.click()]);
  assert.match(file.suggestedFilename(), /\.csv$/);
  const path = await file.path();
  assert.ok(path, "the file was saved");
  await screenshot(instructor, "studio-reports");
  await expectAccessible(instructor, "reports");
});

test("the prerequisite graph is edited, and a cycle is refused as the API refuses it", async () => {
  const stamp = Date.now();
  const skills = [`Orbits ${stamp}`, `Gravity ${stamp}`];
  await instructor.goto("/studio/skills");
  await instructor.getByRole("heading", { name: "Skills and prerequisites" }).waitFor();
  for (const [index, name] of skills.entries()) {
    await instructor.getByLabel("Skill name").fill(name);
    await instructor.getByLabel("Slug").fill(`skill-${stamp}-${index}`);
    await instructor.getByRole("button", { name: "Add skill" }).click();
    await instructor.getByText(`The skill ${name} was added.`).waitFor();
  }
  await instructor.getByLabel("Skill", { exact: true }).selectOption({ label: skills[0] });
  await instructor.getByLabel("Needs").selectOption({ label: skills[1] });
  await instructor.getByRole("button", { name: "Add prerequisite" }).click();
  await instructor.getByText(`${skills[0]} now needs ${skills[1]}.`).waitFor();
  await instructor.locator(".react-flow__edge").first().waitFor();

  await instructor.getByLabel("Skill", { exact: true }).selectOption({ label: skills[1] });
  await instructor.getByLabel("Needs").selectOption({ label: skills[0] });
  await instructor.getByRole("button", { name: "Add prerequisite" }).click();
  await instructor.getByRole("alert").filter({ hasText: /^Refused:/ }).waitFor();
  await screenshot(instructor, "studio-skill-graph");
  await expectAccessible(instructor, "skill graph");
});

test("the studio fits a phone's screen", async () => {
  const phone = await newPage({ width: 390, height: 844 });
  await signIn(phone, INSTRUCTOR, courseUrl);
  for (const [path, name] of [
    [courseUrl, "course-editor"],
    [`${courseUrl}/analytics`, "analytics"],
    [`${courseUrl}/learners`, "learners"],
  ]) {
    await phone.goto(path);
    await phone.locator("main h1").first().waitFor();
    await phone.waitForLoadState("networkidle");
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${name} scrolls sideways by ${overflow}px on a phone`);
    await screenshot(phone, `studio-phone-${name}`);
    await expectAccessible(phone, `${name} on a phone`);
  }
  await phone.context().close();
});

test("an admin grants the instructor role to a new user", async () => {
  const stamp = Date.now();
  const email = `new-teacher-${stamp}@example.com`;
  const name = `Nia Newteacher ${stamp}`;
  const signup = await fetch(`${stack.webUrl}/api/v1/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: "a-long-enough-password", display_name: name }),
  });
  assert.equal(signup.status, 201);

  const admin = await newPage();
  await signIn(admin, ADMIN, "/admin");
  await admin.getByRole("heading", { name: "Administration" }).waitFor();
  await admin.getByLabel("Search users").fill(String(stamp));
  await admin.getByRole("button", { name: "Search", exact: true }).click();
  await admin.getByRole("cell", { name: email }).waitFor();
  await admin.getByLabel(`Grant a role to ${name}`).selectOption("instructor");
  await admin.getByText(`${name} now has the role instructor.`).waitFor();
  await screenshot(admin, "admin");
  await expectAccessible(admin, "administration");

  const newcomer = await newPage();
  await signIn(newcomer, { email, password: "a-long-enough-password" }, "/studio");
  await newcomer.getByRole("heading", { name: "My courses" }).waitFor();
  await newcomer.getByText("You teach no course yet").waitFor();
  await admin.context().close();
  await newcomer.context().close();
});
