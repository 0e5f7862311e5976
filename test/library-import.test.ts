/** `import "mayus"` loads the library and not the CLI's pretty-printer (pino-pretty). */

import assert from "node:assert/strict";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { run } from "./support/processes.js";

const LIBRARY = fileURLToPath(new URL("../dist/index.js", import.meta.url));
const LOGGER = fileURLToPath(new URL("../dist/observability/logger.js", import.meta.url));

/**
 * The CommonJS files a fresh Node process holds after running `code` (an ES module):
 * pino-pretty and its dependencies are CommonJS, so each file loaded is in `require.cache`.
 */
async function commonJsFilesLoadedBy(code: string): Promise<string[]> {
  const listing = `${code}
const { createRequire } = await import("node:module");
process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  const finished = await run(process.execPath, ["--input-type=module", "-e", listing]);
  assert.equal(finished.code, 0, finished.stderr);
  return JSON.parse(finished.stdout.toString()) as string[];
}

const fromPinoPretty = (file: string) => file.includes("/node_modules/pino-pretty/");

test("importing the library loads no file of pino-pretty", async () => {
  const files = await commonJsFilesLoadedBy(`await import(${JSON.stringify(LIBRARY)});`);
  assert.ok(
    files.some((file) => file.includes("/node_modules/pino/")),
    "the listing sees CommonJS packages (pino)",
  );
  assert.deepEqual(files.filter(fromPinoPretty), []);
});

test("the CLI's text logger does load pino-pretty (so the listing above can see it)", async () => {
  const files = await commonJsFilesLoadedBy(
    `const { createLogger } = await import(${JSON.stringify(LOGGER)}); createLogger({ format: "text" });`,
  );
  assert.ok(files.some(fromPinoPretty), "pino-pretty is in require.cache after createLogger");
});
