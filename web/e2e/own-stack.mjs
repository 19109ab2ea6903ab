// A throwaway stack for an end-to-end test file: the API and the production web app on free
// ports, with a fresh SQLite database and media folder loaded with the demo data. E2E_BASE_URL
// instead runs against a stack already serving the demo data (e.g. `make run`'s).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { buildIfNeeded, freePort, learnwiseCommand, startStack } from "../scripts/stack.mjs";

export async function startOwnStack() {
  const baseUrl = process.env.E2E_BASE_URL;
  if (baseUrl) return { webUrl: baseUrl, stop: async () => undefined };
  const dataDir = await mkdtemp(join(tmpdir(), "learnwise-e2e-"));
  const [apiPort, webPort] = [await freePort(), await freePort()];
  const env = {
    DATABASE_URL: `sqlite+aiosqlite:///${join(dataDir, "e2e.db")}`,
    LEARNWISE_MEDIA__LOCAL_ROOT: join(dataDir, "media"),
    // Not ./data under web/: Tailwind would scan it, and the model file there breaks `next build`.
    LEARNWISE_AI__EMBEDDING_CACHE_DIR: join(dataDir, "wordllama"),
    LEARNWISE_PUBLIC_URL: `http://127.0.0.1:${webPort}`,
    LEARNWISE_LOG_LEVEL: "WARNING",
  };
  learnwiseCommand(["db", "upgrade"], env);
  learnwiseCommand(["seed-demo"], env);
  buildIfNeeded({ apiUrl: `http://127.0.0.1:${apiPort}`, distDir: ".next-e2e" });
  const stack = await startStack({ apiPort, webPort, distDir: ".next-e2e", env, quiet: true });
  return {
    ...stack,
    stop: async () => {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
