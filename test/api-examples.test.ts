// The `@example` blocks of src/ run as written, so they cannot drift from the code (as the
// lesson guides cannot: test/lesson-docs.test.ts).
//
// THE RULE for an `@example` (in a doc comment of a module under src/, test files aside):
// - Its body is one fenced block, ```ts ... ```, complete: its own imports, its own setup.
// - Relative imports are from the module's own folder (`./address.js`), as a reader beside it
//   would write them; `mayus` and `mayus/internals` are the built package (dist/).
// - It runs as an ES module in its own Node process (tsx), from an empty temporary folder,
//   stdin empty, and must exit 0 by itself within EXAMPLE_TIMEOUT_MS: what it opens, it closes.
// - 12000 (DEFAULT_PORT) in it is the port of a real `mayus serve --host 127.0.0.1` started on
//   port 0 for the run (TCP and UDP), so an example that talks to a server has one.
// - It typechecks: tsc, with the project's compiler options, over all of them at once.
// - A comment after an expression says what it gives, for the reader; it is not checked.

import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { after, before, describe, test } from "node:test";
import { pathToFileURL } from "node:url";
import { type MayusServer, PROJECT_ROOT, run, startMayusServer } from "./support/processes.js";

const EXAMPLE_TIMEOUT_MS = 20_000;
/** tsx's loader, found from here: the examples run from a folder with no node_modules. */
const TSX = import.meta.resolve("tsx");
const DEFAULT_PORT_TEXT = "12000";

interface Example {
  /** `src/address/address.ts:6`, where its `@example` tag is. */
  where: string;
  file: string;
  /** The comment lines after the tag, without their ` * `. */
  body: string[];
}

/** Every `@example` in the doc comments of `src/` (test files aside). */
function examplesIn(folder: string): Example[] {
  const examples: Example[] = [];
  for (const entry of readdirSync(folder, { recursive: true, encoding: "utf8" }).sort()) {
    if (!entry.endsWith(".ts") || entry.endsWith(".test.ts")) continue;
    const file = join(folder, entry);
    const lines = readFileSync(file, "utf8").split("\n");
    lines.forEach((line, index) => {
      if (!/^\s*\*\s*@example\b/.test(line)) return;
      const body: string[] = [];
      for (const next of lines.slice(index + 1)) {
        if (/^\s*\*\//.test(next) || /^\s*\*\s*@\w/.test(next)) break;
        body.push(next.replace(/^\s*\* ?/, ""));
      }
      examples.push({ where: `${relative(PROJECT_ROOT, file)}:${index + 1}`, file, body });
    });
  }
  return examples;
}

/** The code of a fenced example, or why it is not one. */
function codeOf(example: Example): string | Error {
  const lines = [...example.body];
  while (lines.length > 0 && lines.at(-1)?.trim() === "") lines.pop();
  if (lines[0] !== "```ts" || lines.at(-1) !== "```")
    return new Error(`${example.where}: an @example must be one \`\`\`ts fenced block`);
  return lines.slice(1, -1).join("\n");
}

/**
 * The example with its imports made absolute: to run it from anywhere (file URLs, `mayus` the
 * built package) or to typecheck it (paths, `mayus` the sources).
 */
function absoluteImports(code: string, example: Example, purpose: "run" | "typecheck"): string {
  const at = (path: string) => (purpose === "run" ? pathToFileURL(path).href : path);
  const root = join(PROJECT_ROOT, purpose === "run" ? "dist" : "src");
  return code
    .replace(
      /(from\s+|import\s*\(\s*)(["'])(\.{1,2}\/[^"']+)\2/g,
      (_whole, keyword: string, quote: string, path: string) =>
        `${keyword}${quote}${at(join(dirname(example.file), path))}${quote}`,
    )
    .replace(/(from\s+)(["'])mayus\/internals\2/g, `$1"${at(join(root, "internals.js"))}"`)
    .replace(/(from\s+)(["'])mayus\2/g, `$1"${at(join(root, "index.js"))}"`);
}

/** The example as a module that runs from anywhere, its port the server's. */
function runnable(code: string, example: Example, port: number): string {
  return absoluteImports(code, example, "run").replaceAll(DEFAULT_PORT_TEXT, String(port));
}

const examples = examplesIn(join(PROJECT_ROOT, "src"));

test("src/ has @example blocks, and every one is a ```ts fenced block", () => {
  assert.ok(examples.length >= 90, `only ${examples.length} @example blocks found: is the extraction broken?`);
  const unfenced = examples.map(codeOf).filter((code): code is Error => code instanceof Error);
  assert.deepEqual(
    unfenced.map((error) => error.message),
    [],
  );
});

test("every @example typechecks with the project's compiler options", { timeout: 180_000 }, async () => {
  const folder = mkdtempSync(join(tmpdir(), "mayus-examples-tsc-"));
  try {
    const files = examples.map((example, index) => {
      const code = codeOf(example);
      const file = join(folder, `example-${index}.mts`);
      // A `// src/x.ts:N` first line, so that tsc's messages name the example.
      writeFileSync(
        file,
        `// ${example.where}\n${code instanceof Error ? "" : absoluteImports(code, example, "typecheck")}\n`,
      );
      return file;
    });
    const config = {
      extends: join(PROJECT_ROOT, "tsconfig.json"),
      compilerOptions: { noEmit: true, typeRoots: [join(PROJECT_ROOT, "node_modules/@types")] },
      files,
    };
    writeFileSync(join(folder, "tsconfig.json"), JSON.stringify(config));
    const tsc = join(PROJECT_ROOT, "node_modules/typescript/bin/tsc");
    const finished = await run(process.execPath, [tsc, "-p", join(folder, "tsconfig.json")], "", {
      timeoutMs: 170_000,
    });
    // Each message names its example file: show the example's place in src/ instead.
    const report = finished.stdout
      .toString()
      .replace(/\S*example-(\d+)\.mts/g, (file, index: string) => examples[Number(index)]?.where ?? file);
    assert.equal(finished.code, 0, report);
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

describe("every @example runs and exits 0 by itself", () => {
  let server: MayusServer;
  let folder: string;
  before(async () => {
    server = await startMayusServer([]);
    assert.equal(server.tcpPort, server.udpPort, "TCP and UDP on one port, as DEFAULT_PORT is");
    folder = mkdtempSync(join(tmpdir(), "mayus-examples-"));
  });
  after(async () => {
    await server?.stop();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  examples.forEach((example, index) => {
    test(example.where, async () => {
      const code = codeOf(example);
      if (code instanceof Error) throw code;
      const file = join(folder, `example-${index}.mts`);
      writeFileSync(file, runnable(code, example, server.tcpPort));
      const finished = await run(process.execPath, ["--import", TSX, file], "", {
        timeoutMs: EXAMPLE_TIMEOUT_MS,
        cwd: folder,
      });
      assert.equal(finished.code, 0, `${example.where} failed:\n${code}\n--- stderr:\n${finished.stderr}`);
    });
  });
});
