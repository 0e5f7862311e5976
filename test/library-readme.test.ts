// The README's Library section runs as written: each `ts` block is saved in a fresh project that
// has mayus installed (a link to this checkout, so `"mayus"` resolves through package.json's
// exports to dist/), run with tsx, and what it prints must be the `text` block after it. The
// blocks are also type-checked together against dist/'s declarations, as a user's editor would.

import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { PROJECT_ROOT, run } from "./support/processes.js";

const RUN_TIMEOUT_MS = 20_000;

interface Example {
  heading: string;
  code: string;
  expected: string;
  file: string;
}

/** The `ts` blocks of the README's "## Library" section, each with the `text` block after it. */
function libraryExamples(): Example[] {
  const readme = readFileSync(join(PROJECT_ROOT, "README.md"), "utf8");
  const start = readme.indexOf("\n## Library\n");
  assert.notEqual(start, -1, "README.md has no '## Library' section");
  const end = readme.indexOf("\n## ", start + 1);
  const section = readme.slice(start, end === -1 ? undefined : end);
  const examples: Example[] = [];
  const block = /^### (.+)\n[\s\S]*?^```ts\n([\s\S]*?)^```\n[\s\S]*?^```text\n([\s\S]*?)^```$/gm;
  for (const match of section.matchAll(block)) {
    const heading = match[1].replaceAll("`", "");
    examples.push({ heading, code: match[2], expected: match[3], file: `${heading.toLowerCase()}.ts` });
  }
  return examples;
}

const examples = libraryExamples();
let project = "";

before(() => {
  project = mkdtempSync(join(tmpdir(), "mayus-readme-"));
  writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module", private: true }));
  mkdirSync(join(project, "node_modules"));
  symlinkSync(PROJECT_ROOT, join(project, "node_modules", "mayus"), "dir");
  symlinkSync(join(PROJECT_ROOT, "node_modules", "@types"), join(project, "node_modules", "@types"), "dir");
  for (const example of examples) writeFileSync(join(project, example.file), example.code);
});

after(() => rmSync(project, { recursive: true, force: true }));

describe("README, Library: one runnable example per class", () => {
  test("an example for each of uppercase, UppercaseStream, TcpServer, UdpServer, TcpClient, UdpClient", () => {
    assert.deepEqual(examples.map((example) => example.heading).sort(), [
      "TcpClient",
      "TcpServer",
      "UdpClient",
      "UdpServer",
      "UppercaseStream",
      "uppercase",
    ]);
    for (const example of examples) {
      assert.match(example.code, /from "mayus";$/m, `${example.heading}: imports from "mayus"`);
      assert.doesNotMatch(example.code, /port: (?!0\b|port\b)/, `${example.heading}: listens on port 0`);
    }
  });

  for (const example of examples) {
    test(`${example.heading}: runs, prints what the README says, and exits by itself`, async () => {
      // tsx from this checkout (a user gets it with npx); the example itself resolves "mayus" from its project.
      const tsx = join(PROJECT_ROOT, "node_modules", "tsx", "dist", "esm", "index.mjs");
      const finished = await run(process.execPath, ["--import", tsx, join(project, example.file)], "", {
        timeoutMs: RUN_TIMEOUT_MS,
      });
      assert.equal(finished.signal, null, `${example.heading} did not exit by itself: ${finished.stderr}`);
      assert.equal(finished.code, 0, finished.stderr);
      assert.equal(finished.stdout.toString(), example.expected);
      assert.equal(finished.stderr, "");
    });
  }

  test("the examples type-check against the package's declarations (strict)", async () => {
    const tsconfig = {
      compilerOptions: {
        target: "ES2022",
        module: "NodeNext",
        moduleResolution: "NodeNext",
        lib: ["ES2022"],
        types: ["node"],
        strict: true,
        noEmit: true,
        skipLibCheck: true,
      },
      files: examples.map((example) => example.file),
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(tsconfig));
    const tsc = join(PROJECT_ROOT, "node_modules", "typescript", "bin", "tsc");
    const finished = await run(process.execPath, [tsc, "-p", join(project, "tsconfig.json")], "", {
      timeoutMs: 60_000,
    });
    assert.equal(finished.code, 0, finished.stdout.toString());
  });
});
