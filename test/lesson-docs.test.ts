// The lesson guides, docs/lesson.md and docs/lesson.es.md, run as written, so they cannot drift
// from the tool.
//
// THE RULE for a guide's runnable blocks (each guide tells its readers the same, in its words):
// - A fenced block whose info string is `sh` is typed in the reader's terminal; `sh server` in the
//   other terminal, where the server runs. Other fences are not run, and may not hold `$ ` lines.
// - A first line that starts with `# ` is a caption naming the terminal; it is not run.
// - `$ COMMAND` is a command. In an `sh` block it runs to its end with `bash -c`, from the repository
//   root, stdin empty, stdout and stderr together as a terminal shows them, bounded by
//   COMMAND_TIMEOUT_MS. In an `sh server` block it starts the server in the background (one at a
//   time), as the reader leaves it running in the other terminal.
// - `^C` in an `sh server` block is Ctrl-C: SIGINT to the server's process group, as a terminal
//   sends it. The server must then exit.
// - The lines after a command or `^C`, up to the next one or the end of the block, are the output
//   to expect, exactly, line for line (trailing spaces and a final newline aside). In an `sh server`
//   block they are the server's next lines (waited for; after `^C`, all it prints until it exits).
//   Lines before any command or `^C` in an `sh server` block are what the server printed since the
//   last `sh server` block: what the reader's commands made it say.
// - Placeholders in expected lines: `…` matches any text within one line (or none); `$MAYUS_PORT`
//   is the port number, as in the commands.
// - The environment: MAYUS_PORT is a free port whose next port is free too (for the wrong-port
//   exercise); LANG=C for lesson.md and es_ES.UTF-8 for lesson.es.md, LC_ALL and LC_MESSAGES
//   empty, no other MAYUS_* variable. Each guide must end with its server stopped.
// - LESSON_DOCS_DEBUG=1 prints how long each step took.
// - `npx mayus` and `npx tsx` go through a small shim that runs what npx resolves them to here
//   (this checkout's dist/cli/main.js, and node with tsx's loader) without npm's second of start-up
//   per command; a separate test checks that the real `npx mayus` is this checkout's mayus.
//   LESSON_REAL_NPX=1 runs every command with npm's own npx instead.

import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, test } from "node:test";
import { freePorts } from "./support/free-port.js";
import { MAYUS, PROJECT_ROOT, runMayus } from "./support/processes.js";

const GUIDES = [
  { file: "docs/lesson.md", lang: "C" },
  { file: "docs/lesson.es.md", lang: "es_ES.UTF-8" },
] as const;

const COMMAND_TIMEOUT_MS = 20_000;
const SERVER_TIMEOUT_MS = 15_000;

// ---------------------------------------------------------------------------------------------
// Reading a guide.

type Step =
  | { kind: "command"; command: string; expected: string[]; line: number }
  | { kind: "interrupt"; expected: string[]; line: number }
  | { kind: "look"; expected: string[]; line: number };

interface Block {
  server: boolean;
  line: number;
  steps: Step[];
}

/** The `sh` and `sh server` blocks of a guide, in order; throws on a block of the wrong shape. */
export function parseGuide(markdown: string, file: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let index = 0; index < lines.length; index++) {
    const fence = lines[index].match(/^```(.*)$/);
    if (!fence) continue;
    const info = fence[1].trim();
    const start = index;
    const body: string[] = [];
    for (index++; index < lines.length && !/^```\s*$/.test(lines[index]); index++) body.push(lines[index]);
    const where = `${file}:${start + 1}`;
    if (info !== "sh" && info !== "sh server") {
      if (/^sh\b/.test(info)) throw new Error(`${where}: unknown block kind \`${info}\` (sh or sh server)`);
      const command = body.find((line) => line.startsWith("$ "));
      if (command) throw new Error(`${where}: \`${command}\` in a \`${info}\` block would not be run: use sh`);
      continue;
    }
    blocks.push(parseBlock(body, info === "sh server", start + 2, where));
  }
  return blocks;
}

function parseBlock(body: string[], server: boolean, firstLine: number, where: string): Block {
  const steps: Step[] = [];
  let index = body[0]?.startsWith("# ") ? 1 : 0;
  const lookExpected: string[] = [];
  for (; index < body.length; index++) {
    const text = body[index];
    const line = firstLine + index;
    if (text.startsWith("$ ")) {
      let command = text.slice(2);
      while (command.endsWith("\\") && index + 1 < body.length) command = `${command}\n${body[++index]}`;
      steps.push({ kind: "command", command, expected: [], line });
    } else if (server && text === "^C") {
      steps.push({ kind: "interrupt", expected: [], line });
    } else if (steps.length > 0) {
      steps[steps.length - 1].expected.push(text);
    } else if (server) {
      lookExpected.push(text);
    } else {
      throw new Error(`${where}: an sh block must start with \`$ COMMAND\`, not ${JSON.stringify(text)}`);
    }
  }
  if (lookExpected.length > 0) steps.unshift({ kind: "look", expected: lookExpected, line: firstLine });
  if (steps.length === 0) throw new Error(`${where}: an empty block`);
  return { server, line: firstLine - 1, steps };
}

// ---------------------------------------------------------------------------------------------
// Matching output.

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function lineMatcher(expected: string, port: number): RegExp {
  const pieces = expected
    .trimEnd()
    .split("…")
    .map((piece) => escapeRegExp(piece.replaceAll("$MAYUS_PORT", String(port))));
  return new RegExp(`^${pieces.join(".*?")}$`, "u");
}

/** Output as lines: a final newline dropped, trailing spaces dropped. */
function outputLines(text: string): string[] {
  const lines = text.split("\n");
  if (lines.at(-1) === "") lines.pop();
  return lines.map((line) => line.trimEnd());
}

function assertLines(actual: string[], expected: string[], port: number, what: string): void {
  const fits =
    actual.length === expected.length && expected.every((line, i) => lineMatcher(line, port).test(actual[i]));
  if (fits) return;
  assert.fail(
    `${what}\n--- expected (MAYUS_PORT=${port}) ---\n${expected.join("\n")}\n--- actual ---\n${actual.join("\n")}\n---`,
  );
}

// ---------------------------------------------------------------------------------------------
// Running commands and servers, each in a process group of its own (as a terminal's job is),
// so a timeout or Ctrl-C reaches every process a command started.

const groups = new Set<number>();
process.on("exit", () => {
  for (const group of groups) killGroup(group, "SIGKILL");
});

function killGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // already gone
  }
}

interface Shell {
  child: ChildProcess;
  output(): string;
  closed: Promise<void>;
}

function shell(command: string, env: NodeJS.ProcessEnv): Shell {
  const child = spawn("bash", ["-c", `exec 2>&1\n${command}`], {
    cwd: PROJECT_ROOT,
    env,
    detached: true,
    stdio: ["ignore", "pipe", "ignore"],
  });
  const group = child.pid;
  if (group !== undefined) groups.add(group);
  const chunks: Buffer[] = [];
  child.stdout?.on("data", (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => {
    child.on("close", () => {
      if (group !== undefined) {
        killGroup(group, "SIGKILL"); // anything the command left behind
        groups.delete(group);
      }
      resolve();
    });
  });
  return { child, output: () => Buffer.concat(chunks).toString(), closed };
}

async function runCommand(command: string, env: NodeJS.ProcessEnv): Promise<{ output: string; timedOut: boolean }> {
  const running = shell(command, env);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (running.child.pid !== undefined) killGroup(running.child.pid, "SIGKILL");
  }, COMMAND_TIMEOUT_MS);
  await running.closed;
  clearTimeout(timer);
  return { output: running.output(), timedOut };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether `promise` settles within `ms` (the timer does not outlive it). */
async function within(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Waits until `done()` or the server exits or the time is up. */
async function until(done: () => boolean, server: Shell, timeoutMs = SERVER_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done() && server.child.exitCode === null && server.child.signalCode === null && Date.now() < deadline) {
    await sleep(20);
  }
}

// ---------------------------------------------------------------------------------------------
// The npx shim.

const shimDirectory = mkdtempSync(join(tmpdir(), "mayus-lesson-"));
after(() => rmSync(shimDirectory, { recursive: true, force: true }));

let shimInstalled = false;
function installShim(): string {
  if (shimInstalled) return shimDirectory;
  shimInstalled = true;
  const realNpx = execFileSync("bash", ["-c", "command -v npx"]).toString().trim();
  const script = [
    "#!/usr/bin/env bash",
    "# What `npx mayus` and `npx tsx` run in this repository, without npm's start-up time (test/lesson-docs.test.ts).",
    'case "$1" in',
    `  mayus) shift; exec ${JSON.stringify(process.execPath)} ${JSON.stringify(MAYUS)} "$@" ;;`,
    `  tsx) shift; exec ${JSON.stringify(process.execPath)} --import tsx "$@" ;;`,
    `  *) exec ${JSON.stringify(realNpx)} "$@" ;;`,
    "esac",
    "",
  ].join("\n");
  const path = join(shimDirectory, "npx");
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return shimDirectory;
}

function guideEnvironment(lang: string, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) if (!name.startsWith("MAYUS_")) env[name] = value;
  const path = process.env.LESSON_REAL_NPX === "1" ? process.env.PATH : `${installShim()}:${process.env.PATH}`;
  return { ...env, PATH: path, LANG: lang, LC_ALL: "", LC_MESSAGES: "", MAYUS_PORT: String(port) };
}

// ---------------------------------------------------------------------------------------------
// Running a guide.

async function runGuide(file: string, lang: string): Promise<void> {
  const blocks = parseGuide(readFileSync(join(PROJECT_ROOT, file), "utf8"), file);
  assert.ok(blocks.length > 0, `${file} has no runnable block`);
  // The guide's port and the next one (the web page's), free on IPv4 and IPv6, TCP and UDP.
  const port = await freePorts({ count: 2, udp: true, host: "::" });
  const env = guideEnvironment(lang, port);
  let server: Shell | undefined;
  let seen = 0; // lines of the server's output already matched

  const serverLines = () => {
    const text = server?.output() ?? "";
    return { complete: text.split("\n").length - 1, text };
  };
  /** The server's next `count` lines, once they are there (or what there is when it gives up). */
  const nextServerLines = async (count: number) => {
    await until(() => serverLines().complete - seen >= count, server as Shell);
    const lines = outputLines(serverLines().text).slice(seen, seen + count);
    seen += lines.length;
    return lines;
  };

  try {
    for (const block of blocks) {
      for (const step of block.steps) {
        const where = `${file}:${step.line}`;
        const began = Date.now();
        if (!block.server && step.kind === "command") {
          const { output, timedOut } = await runCommand(step.command, env);
          assert.ok(!timedOut, `${where}: \`${step.command}\` did not end within ${COMMAND_TIMEOUT_MS} ms:\n${output}`);
          assertLines(outputLines(output), step.expected, port, `${where}: $ ${step.command}`);
        } else if (step.kind === "command") {
          assert.equal(server, undefined, `${where}: starts a server while the one before still runs (^C it first)`);
          server = shell(step.command, env);
          seen = 0;
          const lines = await nextServerLines(step.expected.length);
          assertLines(lines, step.expected, port, `${where}: the server $ ${step.command} (what it printed first)`);
        } else if (step.kind === "look") {
          assert.ok(server, `${where}: shows the server's output, but no server runs`);
          const lines = await nextServerLines(step.expected.length);
          assertLines(lines, step.expected, port, `${where}: the server's terminal`);
        } else {
          const running = server;
          assert.ok(running?.child.pid, `${where}: ^C, but no server runs`);
          killGroup(running.child.pid, "SIGINT");
          const stopped = await within(running.closed, SERVER_TIMEOUT_MS);
          assert.ok(stopped, `${where}: the server did not stop on ^C:\n${running.output()}`);
          assertLines(outputLines(running.output()).slice(seen), step.expected, port, `${where}: ^C`);
          server = undefined;
        }
        if (process.env.LESSON_DOCS_DEBUG) console.error(`${where}: ${Date.now() - began} ms`);
      }
    }
    assert.equal(server, undefined, `${file} ends with a server still running: stop it with a ^C block`);
  } finally {
    if (server?.child.pid !== undefined) killGroup(server.child.pid, "SIGKILL");
  }
}

describe("the lesson guides, run as written", { concurrency: true }, () => {
  for (const { file, lang } of GUIDES) {
    test(`${file} (LANG=${lang}): every command's output is what the guide says`, async () => {
      await runGuide(file, lang);
    });
  }

  test("`npx mayus` in the repository runs this checkout's mayus", async () => {
    const real = await new Promise<string>((resolve, reject) => {
      const child = spawn("npx", ["mayus", "--help"], { cwd: PROJECT_ROOT, env: { ...process.env, LANG: "C" } });
      const chunks: Buffer[] = [];
      child.stdout.on("data", (chunk: Buffer) => chunks.push(chunk));
      child.on("error", reject);
      child.on("close", () => resolve(Buffer.concat(chunks).toString()));
    });
    const direct = await runMayus(["--help"], "", { env: { LANG: "C" } });
    assert.equal(real, direct.stdout.toString());
  });
});

describe("the guides' block format", () => {
  test("commands, captions, Ctrl-C, and what the server printed meanwhile", () => {
    const markdown = [
      "```sh server",
      "# server terminal",
      "$ npx mayus serve",
      "mayus: listening on tcp …:$MAYUS_PORT",
      "```",
      "```sh",
      "$ echo hola | npx mayus client localhost $MAYUS_PORT",
      "HOLA",
      "$ echo a \\",
      "b",
      "a b",
      "```",
      "```sh server",
      "+…s tcp accept   …",
      "^C",
      "mayus: closed",
      "```",
      "```text",
      "not run",
      "```",
    ].join("\n");
    const blocks = parseGuide(markdown, "sample.md");
    assert.deepEqual(
      blocks.map((block) => [block.server, block.steps.map((step) => [step.kind, step.expected.length])]),
      [
        [true, [["command", 1]]],
        [
          false,
          [
            ["command", 1],
            ["command", 1],
          ],
        ],
        [
          true,
          [
            ["look", 1],
            ["interrupt", 1],
          ],
        ],
      ],
    );
    assert.deepEqual(blocks[1].steps[1], { kind: "command", command: "echo a \\\nb", expected: ["a b"], line: 9 });
    assert.throws(() => parseGuide("```console\n$ mayus serve\n```", "x.md"), /would not be run: use sh/);
    assert.throws(() => parseGuide("```sh\nHOLA\n```", "x.md"), /must start with `\$ COMMAND`/);
    assert.throws(() => parseGuide("```sh client\n$ a\n```", "x.md"), /unknown block kind/);
  });

  test("placeholders: … is any text within a line, $MAYUS_PORT the port", () => {
    assert.ok(lineMatcher("mayus: listening on tcp …:$MAYUS_PORT", 20001).test("mayus: listening on tcp [::]:20001"));
    assert.ok(!lineMatcher("mayus: listening on tcp …:$MAYUS_PORT", 20001).test("mayus: listening on tcp [::]:20002"));
    assert.ok(lineMatcher("rtt = …/… ms", 1).test("rtt = 1.0/2.5 ms"));
    assert.ok(lineMatcher("a (b) [c] $", 1).test("a (b) [c] $"));
    assert.ok(!lineMatcher("HOLA", 1).test("HOLA MUNDO"));
  });
});
