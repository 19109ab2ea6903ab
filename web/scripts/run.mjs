// `make run`: builds the web app when its sources changed, loads the demo data, then serves the
// API and the web app together until Ctrl-C, which stops both.
import { buildIfNeeded, learnwiseCommand, startStack } from "./stack.mjs";

const host = process.env.HOST ?? "127.0.0.1";
const apiPort = Number(process.env.PORT ?? 8000);
const webPort = Number(process.env.WEB_PORT ?? 3000);

buildIfNeeded({ apiUrl: `http://${host}:${apiPort}` });
const demo = learnwiseCommand(["seed-demo"], { LEARNWISE_PUBLIC_URL: `http://${host}:${webPort}` });
const stack = await startStack({ host, apiPort, webPort });
console.log(`
Learnwise is running.
  Web app: ${stack.webUrl}
  API:     ${stack.apiUrl}  (OpenAPI UI: ${stack.apiUrl}/docs)
${demo.trim()}
Press Ctrl-C to stop both.`);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  console.log("\nStopping the web app and the API…");
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", shutdown);
process.on("SIGTERM", shutdown);
for (const child of [stack.api, stack.web]) {
  child.on("exit", (code) => {
    if (stopping) return;
    console.error(`A server stopped unexpectedly (exit ${code}); stopping the other.`);
    void stack.stop().then(() => process.exit(1));
  });
}
