// Starts the API (`learnwise serve`) and the web app (`next start`) together, for `make run`
// and the end-to-end tests. The web app proxies /api/* to the API (next.config.ts).
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

export const webDir = join(dirname(fileURLToPath(import.meta.url)), "..");
export const repoDir = join(webDir, "..");
export const learnwise =
  process.env.LEARNWISE_BIN ?? join(repoDir, "backend", ".venv", "bin", "learnwise");
const nextBin = join(webDir, "node_modules", "next", "dist", "bin", "next");

/** A TCP port nobody listens on right now. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

const SOURCES = ["app", "components", "lib", "stores", "styles", "public"];
const CONFIGS = ["package-lock.json", "next.config.ts", "postcss.config.mjs", "tsconfig.json"];

function sourceHash() {
  const hash = createHash("sha256");
  const visit = (path) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const name of readdirSync(path).sort()) visit(join(path, name));
    } else {
      hash.update(relative(webDir, path)).update(readFileSync(path));
    }
  };
  [...SOURCES, ...CONFIGS].forEach((name) => visit(join(webDir, name)));
  return hash.digest("hex");
}

/**
 * Runs `next build` unless the last build into distDir was of the same sources for the same
 * API address (the /api rewrites are fixed at build time).
 */
export function buildIfNeeded({ apiUrl, distDir = ".next" }) {
  const marker = join(webDir, distDir, "learnwise-source-hash");
  const current = `${sourceHash()} ${apiUrl}`;
  if (existsSync(marker) && readFileSync(marker, "utf8") === current) {
    console.log("Web app: the production build is up to date.");
    return;
  }
  console.log("Web app: building for production (a few minutes the first time)…");
  const build = spawnSync(process.execPath, [nextBin, "build"], {
    cwd: webDir,
    stdio: "inherit",
    env: {
      ...process.env,
      LEARNWISE_API_URL: apiUrl,
      LEARNWISE_WEB_DIST_DIR: distDir,
      NEXT_TELEMETRY_DISABLED: "1",
    },
  });
  if (build.status !== 0) throw new Error("next build failed");
  writeFileSync(marker, current);
}

/** Runs a `learnwise` command to completion; returns its output. */
export function learnwiseCommand(args, env) {
  const run = spawnSync(learnwise, args, { env: { ...process.env, ...env }, encoding: "utf8" });
  if (run.status !== 0) {
    throw new Error(`learnwise ${args.join(" ")} failed:\n${run.stdout}\n${run.stderr}`);
  }
  return run.stdout;
}

async function waitFor(url, child, name, timeoutMs = 300_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  throw new Error(`${name} did not answer ${url} within ${timeoutMs / 1000} s`);
}

/**
 * Serves the API on apiPort and the web app on webPort; `env` adds settings for the API
 * (DATABASE_URL, ...). Resolves once both answer; `stop()` ends both.
 */
export async function startStack({
  host = "127.0.0.1",
  apiPort,
  webPort,
  distDir = ".next",
  env = {},
  quiet = false,
}) {
  const webUrl = `http://${host}:${webPort}`;
  const apiUrl = `http://${host}:${apiPort}`;
  const stdio = quiet ? ["ignore", "ignore", "inherit"] : "inherit";
  const api = spawn(learnwise, ["serve", "--host", host, "--port", String(apiPort)], {
    // Links the API makes (SSO, signed media URLs) point at the web app, which proxies them.
    env: { LEARNWISE_PUBLIC_URL: webUrl, ...process.env, ...env },
    stdio,
  });
  const web = spawn(process.execPath, [nextBin, "start", "-H", host, "-p", String(webPort)], {
    cwd: webDir,
    env: { ...process.env, LEARNWISE_WEB_DIST_DIR: distDir, NEXT_TELEMETRY_DISABLED: "1" },
    stdio,
  });
  const stop = async () => {
    for (const child of [web, api]) {
      if (child.exitCode === null) child.kill("SIGTERM");
    }
    await Promise.all(
      [web, api].map(
        (child) =>
          child.exitCode !== null || new Promise((resolve) => child.once("exit", resolve)),
      ),
    );
  };
  try {
    await waitFor(`${apiUrl}/health/ready`, api, "the API");
    await waitFor(`${webUrl}/sign-in`, web, "the web app");
  } catch (error) {
    await stop();
    throw error;
  }
  return { webUrl, apiUrl, api, web, stop };
}
