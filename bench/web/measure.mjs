// The web app's first-load JavaScript and LCP, measured on the production build in Debian's
// Chromium. Usage: node bench/web/measure.mjs [--runs N] (from the repository root, after
// `make install web-install`); BASE_URL=http://127.0.0.1:3000 measures a running `make run`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

import { launchBrowser } from "../../web/e2e/browser.mjs";
import { buildIfNeeded, freePort, learnwiseCommand, startStack } from "../../web/scripts/stack.mjs";

const runs = Number(process.argv[process.argv.indexOf("--runs") + 1] || 7);
const DEMO = { email: "learner@learnwise.dev", password: "learnwise-learner-demo" };

async function ownStack() {
  const dataDir = await mkdtemp(join(tmpdir(), "learnwise-bench-web-"));
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const env = {
    DATABASE_URL: `sqlite+aiosqlite:///${join(dataDir, "bench.db")}`,
    LEARNWISE_MEDIA__LOCAL_ROOT: join(dataDir, "media"),
    LEARNWISE_AI__EMBEDDING_CACHE_DIR: join(dataDir, "wordllama"),
    LEARNWISE_LOG_LEVEL: "WARNING",
  };
  learnwiseCommand(["db", "upgrade"], env);
  learnwiseCommand(["seed-demo"], env);
  buildIfNeeded({ apiUrl: `http://127.0.0.1:${apiPort}`, distDir: ".next-e2e" });
  const stack = await startStack({ apiPort, webPort, distDir: ".next-e2e", env, quiet: true });
  return { ...stack, stop: async () => (await stack.stop(), await rm(dataDir, { recursive: true })) };
}

/**
 * The JavaScript a first visit downloads: every script of the page's HTML, gzipped. `nomodule`
 * scripts (Next.js's polyfills for browsers without ES modules) are counted apart: every browser
 * that runs the app's modules skips them without downloading them.
 */
async function firstLoadJs(baseUrl, path) {
  const html = await (await fetch(new URL(path, baseUrl))).text();
  const tags = [...html.matchAll(/<script([^>]+)>/g)].map((m) => m[1]);
  const sources = new Map();
  for (const tag of tags) {
    const source = tag.match(/src="([^"]+)"/)?.[1];
    if (source) sources.set(source, /\snomodule/i.test(tag));
  }
  let raw = 0;
  let gzipped = 0;
  let noModuleGzipped = 0;
  for (const [source, noModule] of sources) {
    const body = Buffer.from(await (await fetch(new URL(source, baseUrl))).arrayBuffer());
    const size = gzipSync(body, { level: 9 }).length;
    if (noModule) {
      noModuleGzipped += size;
    } else {
      raw += body.length;
      gzipped += size;
    }
  }
  const scripts = [...sources.values()].filter((noModule) => !noModule).length;
  const noModuleSources = [...sources].filter(([, noModule]) => noModule).map(([source]) => source);
  return { scripts, rawKB: raw / 1024, gzipKB: gzipped / 1024, noModuleKB: noModuleGzipped / 1024, noModuleSources };
}

/**
 * LCP of one cold navigation (a new page; the HTTP cache is warm after the first run), and
 * whether the browser fetched any of `skipped` (it must not: they are nomodule scripts).
 */
async function lcp(context, url, readySelector, skipped) {
  const page = await context.newPage();
  await page.goto(url);
  await page.locator(readySelector).first().waitFor({ timeout: 60_000 });
  await page.waitForTimeout(500);
  const fetched = await page.evaluate(() => performance.getEntriesByType("resource").map((e) => new URL(e.name).pathname));
  const unexpected = skipped.filter((source) => fetched.includes(source));
  if (unexpected.length > 0) throw new Error(`the browser fetched nomodule scripts: ${unexpected.join(", ")}`);
  const value = await page.evaluate(
    () =>
      new Promise((resolve) => {
        new PerformanceObserver((list) => resolve(list.getEntries().at(-1)?.startTime ?? NaN)).observe({
          type: "largest-contentful-paint",
          buffered: true,
        });
      }),
  );
  await page.close();
  return value;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const stack = process.env.BASE_URL
  ? { webUrl: process.env.BASE_URL, stop: async () => undefined }
  : await ownStack();
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ baseURL: stack.webUrl, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto("/sign-in");
  await page.getByLabel("Email").fill(DEMO.email);
  await page.getByLabel("Password").fill(DEMO.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL("**/dashboard");
  await page.goto("/catalog");
  await page.getByRole("link", { name: "Python Basics" }).click();
  await page.getByRole("heading", { name: "Outline" }).waitFor();
  const coursePath = new URL(page.url()).pathname;
  await page.close();

  const pages = [
    { name: "sign-in (baseline: a server-rendered form, no data)", path: "/sign-in", ready: "form" },
    { name: "dashboard (session restored, then 8 data calls)", path: "/dashboard", ready: '[data-testid="xp"]' },
    { name: "course page (outline and progress)", path: coursePath, ready: "#outline-title" },
  ];
  const results = [];
  for (const { name, path, ready } of pages) {
    const js = await firstLoadJs(stack.webUrl, path);
    const samples = [];
    for (let run = 0; run < runs; run += 1) samples.push(await lcp(context, path, ready, js.noModuleSources));
    results.push({ name, path, ...js, lcpMs: median(samples), samples });
  }
  const baseline = results[0];
  console.log(`runs per page: ${runs}; ${new Date().toISOString()}`);
  console.log("| page | scripts | first-load JS raw KB | gzip KB | ratio to baseline | nomodule gzip KB (not downloaded) | LCP median ms | ratio to baseline | LCP samples ms |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const r of results) {
    console.log(
      `| ${r.name} | ${r.scripts} | ${r.rawKB.toFixed(1)} | ${r.gzipKB.toFixed(1)} | ${(r.gzipKB / baseline.gzipKB).toFixed(2)} | ${r.noModuleKB.toFixed(1)} | ${r.lcpMs.toFixed(0)} | ${(r.lcpMs / baseline.lcpMs).toFixed(2)} | ${r.samples.map((s) => s.toFixed(0)).join(", ")} |`,
    );
  }
} finally {
  await browser.close();
  await stack.stop();
}
