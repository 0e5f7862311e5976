/**
 * `import "mayus"` loads the library and what its servers' default (silent) logger needs: pino
 * and pino's own dependencies, nothing of the CLI's (the text log formatter, commander...).
 */

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { PROJECT_ROOT, run } from "./support/processes.js";

const LIBRARY = fileURLToPath(new URL("../dist/index.js", import.meta.url));

/** The packages of the CommonJS files a fresh Node process holds after importing the library. */
async function commonJsPackagesLoadedByTheLibrary(): Promise<Set<string>> {
  const listing = `await import(${JSON.stringify(LIBRARY)});
const { createRequire } = await import("node:module");
process.stdout.write(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));`;
  const finished = await run(process.execPath, ["--input-type=module", "-e", listing]);
  assert.equal(finished.code, 0, finished.stderr);
  const files = JSON.parse(finished.stdout.toString()) as string[];
  const packages = files
    .filter((file) => file.includes("/node_modules/"))
    .map(
      (file) =>
        file
          .split("/node_modules/")
          .at(-1)
          ?.match(/^(@[^/]+\/[^/]+|[^/]+)/)?.[1] ?? file,
    );
  return new Set(packages);
}

/** `name` and every package it depends on, as installed in the project's node_modules. */
function dependencyClosure(name: string, into = new Set<string>()): Set<string> {
  if (into.has(name)) return into;
  into.add(name);
  const manifest = JSON.parse(readFileSync(join(PROJECT_ROOT, "node_modules", name, "package.json"), "utf8"));
  for (const dependency of Object.keys(manifest.dependencies ?? {})) dependencyClosure(dependency, into);
  return into;
}

test("importing the library loads pino and its dependencies, and no other package", async () => {
  const loaded = await commonJsPackagesLoadedByTheLibrary();
  assert.ok(loaded.has("pino"), "the listing sees CommonJS packages (pino)");
  const pinos = dependencyClosure("pino");
  assert.deepEqual(
    [...loaded].filter((name) => !pinos.has(name)),
    [],
  );
});
