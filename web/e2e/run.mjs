// `make e2e`: the end-to-end tests, in node's test runner (one file at a time: they share a stack).
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";

import { webDir } from "../scripts/stack.mjs";

const dir = join(webDir, "e2e");
const files = readdirSync(dir).filter((name) => name.endsWith(".test.mjs")).map((name) => join(dir, name));
const run = spawnSync(process.execPath, ["--test", "--test-concurrency=1", ...files], { stdio: "inherit" });
process.exit(run.status ?? 1);
