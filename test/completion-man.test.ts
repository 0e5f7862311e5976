// `mayus completion bash|zsh|fish` and `man mayus`: generated from commander's own option
// definitions, so each is checked against the options the command line parses, in the real
// shells and with the real `man`.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { before, describe, test } from "node:test";
import { describeProgram, type ProgramModel } from "../src/cli/command-model.js";
import { englishManPage } from "../src/cli/man-page.js";
import { buildProgram } from "../src/cli/program.js";
import { setLanguage } from "../src/i18n/index.js";
import { MAYUS, PEERS, PROJECT_ROOT, peerAvailable, run, runMayus } from "./support/processes.js";

let model: ProgramModel;
before(() => {
  setLanguage("en");
  model = describeProgram(buildProgram());
});

/** Every spelling of every option of a subcommand: `-u`, `--udp`, ... */
function spellings(command: string): string[] {
  const found = model.commands.find((candidate) => candidate.name === command);
  assert.ok(found, command);
  return found.options.flatMap((option) => [option.short, option.long]).filter((name): name is string => !!name);
}

const SUBCOMMANDS = ["serve", "client", "ping", "bench", "heartbeat", "completion"];

describe("bash", () => {
  /** Runs the completion function on the words, the last one being completed. */
  async function complete(words: string[]): Promise<string[]> {
    const script = [
      `source <("${process.execPath}" "${MAYUS}" completion bash)`,
      `COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}`,
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash's ${...}, not JavaScript's
      '_mayus; printf "%s\\n" "${COMPREPLY[@]}"',
    ].join("\n");
    const result = await run("bash", ["-c", script]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout.toString().split("\n").filter(Boolean);
  }

  test("the script registers _mayus for mayus", async (t) => {
    if (!peerAvailable("bash")) return t.skip("bash is missing");
    const result = await run("bash", [
      "-c",
      `source <("${process.execPath}" "${MAYUS}" completion bash); complete -p mayus`,
    ]);
    assert.equal(result.stdout.toString().trim(), "complete -o default -F _mayus mayus", result.stderr);
  });

  test("subcommands, each subcommand's every option, and fixed values", async (t) => {
    if (!peerAvailable("bash")) return t.skip("bash is missing");
    assert.deepEqual(await complete(["mayus", ""]), [
      ...model.program.options.flatMap((o) => [o.short, o.long]).filter(Boolean),
      ...SUBCOMMANDS,
      "help",
    ]);
    assert.deepEqual(await complete(["mayus", "cl"]), ["client"]);
    for (const command of SUBCOMMANDS) {
      const offered = await complete(["mayus", command, "-"]);
      assert.deepEqual(offered.sort(), spellings(command).sort(), command);
    }
    assert.deepEqual(await complete(["mayus", "client", "--ud"]), ["--udp"]);
    assert.deepEqual(await complete(["mayus", "client", "--lang", ""]), ["en", "es"]);
    assert.deepEqual(await complete(["mayus", "serve", "--log-format", ""]), ["text", "json"]);
    assert.deepEqual(await complete(["mayus", "bench", "--pattern", "s"]), ["stream"]);
    assert.deepEqual(await complete(["mayus", "serve", "--mode", "low"]), ["lower", "lower-ascii"]);
    assert.deepEqual(await complete(["mayus", "heartbeat", "--sk"]), ["--skip"]);
    assert.deepEqual(await complete(["mayus", "completion", "z"]), ["zsh"]);
  });
});

describe("fish", () => {
  async function complete(line: string): Promise<string[]> {
    const script = `"${process.execPath}" "${MAYUS}" completion fish | source; complete -C '${line}'`;
    const result = await run("fish", ["-c", script]);
    assert.equal(result.code, 0, result.stderr);
    return result.stdout
      .toString()
      .split("\n")
      .filter(Boolean)
      .map((entry) => entry.split("\t")[0]);
  }

  test("subcommands, each subcommand's every option, and fixed values", async (t) => {
    if (!peerAvailable("fish")) return t.skip("fish is missing");
    assert.deepEqual(await complete("mayus cl"), ["client"]);
    for (const command of SUBCOMMANDS) {
      const offered = await complete(`mayus ${command} -`);
      for (const spelling of spellings(command))
        assert.ok(offered.includes(spelling), `${command} ${spelling}: ${offered}`);
    }
    assert.deepEqual(await complete("mayus client --ud"), ["--udp"]);
    assert.deepEqual(await complete("mayus client --lang "), ["en", "es"]);
    assert.deepEqual(await complete("mayus completion "), ["bash", "fish", "zsh"]);
  });
});

describe("zsh", () => {
  test("the script parses, and compinit's compdef registers _mayus", async (t) => {
    if (!peerAvailable("zsh")) return t.skip("zsh is missing");
    const script = `autoload -U compinit; compinit -u -D; source <("${process.execPath}" "${MAYUS}" completion zsh); print -r -- $_comps[mayus]`;
    const result = await run("zsh", ["-f", "-c", script]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString().trim(), "_mayus");
  });

  test("Tab in a real interactive zsh lists each subcommand's every option, and fixed values", async (t) => {
    if (!peerAvailable("zsh")) return t.skip("zsh is missing");
    const directory = mkdtempSync(join(tmpdir(), "mayus-zsh-"));
    const script = join(directory, "_mayus");
    writeFileSync(script, (await runMayus(["completion", "zsh"])).stdout);
    /** What zsh lists for the line (test/peers/zsh_complete.zsh), escape codes taken out. */
    const complete = async (line: string) => {
      const result = await run("zsh", ["-f", `${PEERS}zsh_complete.zsh`, script, line], "", { timeoutMs: 20_000 });
      assert.equal(result.code, 0, `${line}: ${result.stderr}`);
      return (
        result.stdout
          .toString()
          .replace(/\r/g, "")
          // biome-ignore lint/suspicious/noControlCharactersInRegex: the terminal's escape sequences
          .replace(/\x1b\[[0-9;?]*[a-zA-Z]/g, "")
      );
    };
    try {
      for (const command of SUBCOMMANDS) {
        const shown = await complete(`mayus ${command} -`);
        for (const spelling of spellings(command)) {
          assert.match(shown, new RegExp(`(^|\\s)${spelling}(\\s|$)`, "m"), `${command} ${spelling}: ${shown}`);
        }
      }
      assert.match(await complete("mayus client --ud"), /^--udp\s+-- use UDP/m);
      assert.match(await complete("mayus cl"), /^client\s+-- Send lines/m);
      assert.match(await complete("mayus client --lang "), /^en\s+es/m);
      assert.match(await complete("mayus completion "), /^bash\s+fish\s+zsh/m);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe("an unknown shell", () => {
  test("is a usage error that names the choices", async () => {
    const result = await runMayus(["completion", "tcsh"]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /^mayus: .*'tcsh'.*bash, zsh, fish.*\(see 'mayus completion --help'\)\n$/);
  });
});

describe("the man page", () => {
  const page = () => readFileSync(`${PROJECT_ROOT}man/mayus.1`, "utf8");

  test("man/mayus.1 is what the option definitions generate now (npm run build writes it)", () => {
    assert.equal(page(), englishManPage());
  });

  test("package.json installs it as `man mayus`, and ships it", () => {
    const manifest = JSON.parse(readFileSync(`${PROJECT_ROOT}package.json`, "utf8")) as {
      man: string[];
      files: string[];
    };
    assert.deepEqual(manifest.man, ["./man/mayus.1"]);
    assert.ok(manifest.files.includes("man"));
  });

  test("man -l renders it without warnings, with every option of every subcommand and its examples", async (t) => {
    if (!peerAvailable("man")) return t.skip("man (man-db) is missing");
    const result = await run("man", ["--warnings", "-l", `${PROJECT_ROOT}man/mayus.1`], "", {
      env: { MANWIDTH: "200", MANPAGER: "cat", PAGER: "cat", LANG: "C.UTF-8" },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stderr, "");
    const text = result.stdout.toString();
    for (const command of model.commands) {
      // Section headings are indented 3 spaces (the synopsis lines 7).
      const start = text.indexOf(`\n   mayus ${command.name} [options]`);
      assert.notEqual(start, -1, `no section for ${command.name}`);
      const next = model.commands[model.commands.indexOf(command) + 1];
      const section = text.slice(
        start,
        next === undefined ? undefined : text.indexOf(`\n   mayus ${next.name} [options]`),
      );
      for (const spelling of spellings(command.name)) {
        assert.match(section, new RegExp(`(^|[ ,])${spelling}([ ,]|$)`, "m"), `${command.name} ${spelling}`);
      }
      for (const example of command.examples) assert.ok(section.includes(example.command), example.command);
    }
  });
});
