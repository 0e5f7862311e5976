// English and Spanish everywhere: the two catalogues match key for key and placeholder for
// placeholder, no user-facing string in src/ bypasses them, and the CLI picks the language from
// --lang, LC_ALL, LC_MESSAGES and LANG, in that order.

import assert from "node:assert/strict";
import { once } from "node:events";
import { readdirSync, readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { join, relative } from "node:path";
import { describe, test } from "node:test";
import { en, es, messageAreas } from "../src/i18n/messages/index.js";
import { PROJECT_ROOT, runMayus } from "./support/processes.js";

const placeholders = (message: string) => [...new Set([...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();

describe("the catalogues", () => {
  test("each area has the same keys in English and Spanish", () => {
    for (const [index, area] of messageAreas.entries()) {
      const first = Object.keys(area.en)[0];
      assert.deepEqual(Object.keys(area.es).sort(), Object.keys(area.en).sort(), `area ${index} (${first}...)`);
    }
  });

  test("overall: the same keys, and no key defined in two areas (the later would silently win)", () => {
    assert.deepEqual(Object.keys(es).sort(), Object.keys(en).sort());
    const seen = new Map<string, number>();
    for (const [index, area] of messageAreas.entries()) {
      for (const key of Object.keys(area.en)) {
        assert.ok(!seen.has(key), `${key} is defined in area ${seen.get(key)} and again in area ${index}`);
        seen.set(key, index);
      }
    }
    assert.equal(seen.size, Object.keys(en).length);
  });

  test("no message is empty, and every {placeholder} is on both sides", () => {
    const english: Record<string, string> = en;
    const spanish: Record<string, string> = es;
    for (const key of Object.keys(english)) {
      assert.notEqual(english[key].trim(), "", `en ${key} is empty`);
      assert.notEqual(spanish[key].trim(), "", `es ${key} is empty`);
      assert.deepEqual(placeholders(spanish[key]), placeholders(english[key]), `placeholders of ${key}`);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The bypass scanner. It reads src/**/*.ts (not tests, not src/i18n/) with comments blanked
// out, finds the calls that put text in front of a person, and flags each string or template
// literal in the text arguments that contains a word (two letters in a row, once escapes like
// \x1b and ${...} are taken out). The first argument of t(...) is a key, not text. Literals
// inside ${...} are checked too. Regular expressions are not text.

interface TextCall {
  /** Where the call starts: matched against the comment-free source. */
  pattern: RegExp;
  /** Which arguments are text a person reads ("all" for console.*). */
  text: number[] | "all";
}

const TEXT_CALLS: TextCall[] = [
  { pattern: /\bwrite\(/g, text: [0] }, // process.stdout.write, process.stderr.write, any stream's write
  { pattern: /\bconsole\.\w+\(/g, text: "all" },
  { pattern: /\bnew MayusError\(/g, text: [1] }, // (kind, message)
  { pattern: /\bnew InvalidArgumentError\(/g, text: [0] }, // commander shows its message as a usage error
  { pattern: /\.description\(/g, text: [0] },
  { pattern: /\.summary\(/g, text: [0] },
  { pattern: /\bnew Option\(/g, text: [1] }, // (flags, description)
  { pattern: /\bnew Argument\(/g, text: [1] },
  { pattern: /\.argument\(/g, text: [1] }, // (name, description, ...)
  { pattern: /\.(?:option|requiredOption)\(/g, text: [1] },
  { pattern: /\.helpOption\(/g, text: [1] },
  { pattern: /\.helpCommand\(/g, text: [1] },
  { pattern: /\.version\(/g, text: [2] },
  { pattern: /\.addHelpText\(/g, text: [1] },
  { pattern: /\.(?:question|setPrompt)\(/g, text: [0] }, // readline prompts
];
// Not scanned, on purpose: `new Error(...)`, which is a programmer's mistake (the CLI shows it as
// "internal error: ..."), and the logger's messages (see the TODO test below).

/** Literals that may stay as they are, each with its reason. Every entry must still match something. */
const ALLOWED: Array<{ file?: string; literal: RegExp; reason: string }> = [];

export interface Bypass {
  file: string;
  line: number;
  call: string;
  literal: string;
}

/** The source with comments replaced by spaces (newlines kept, so line numbers stay right). */
function blankComments(source: string): string {
  let out = "";
  let index = 0;
  let previous = ""; // the last significant character, to tell a regex from a division
  const templateDepth: number[] = []; // brace depth at which each open ${ ... } ends
  let braces = 0;
  while (index < source.length) {
    const char = source[index];
    const next = source[index + 1];
    if (char === "/" && next === "/") {
      const end = source.indexOf("\n", index);
      const stop = end === -1 ? source.length : end;
      out += " ".repeat(stop - index);
      index = stop;
      continue;
    }
    if (char === "/" && next === "*") {
      const end = source.indexOf("*/", index + 2);
      const stop = end === -1 ? source.length : end + 2;
      out += source.slice(index, stop).replace(/[^\n]/g, " ");
      index = stop;
      continue;
    }
    if (char === '"' || char === "'") {
      const stop = endOfQuoted(source, index, char);
      out += source.slice(index, stop);
      index = stop;
      previous = char;
      continue;
    }
    if (char === "`" || (char === "}" && templateDepth.at(-1) === braces)) {
      // A template's text up to its end or its next ${.
      if (char === "}") templateDepth.pop();
      let stop = index + 1;
      while (stop < source.length && source[stop] !== "`") {
        if (source[stop] === "\\") stop += 2;
        else if (source[stop] === "$" && source[stop + 1] === "{") break;
        else stop++;
      }
      if (source[stop] === "`") stop++;
      else {
        stop += 2;
        templateDepth.push(braces);
      }
      out += source.slice(index, stop);
      index = stop;
      previous = "`";
      continue;
    }
    if (char === "/" && (previous === "" || "(,=:[!&|?{};+-*%<>~^".includes(previous) || /\breturn\s*$/.test(out))) {
      const stop = endOfRegex(source, index);
      out += source.slice(index, stop);
      index = stop;
      previous = "/";
      continue;
    }
    if (char === "{") braces++;
    if (char === "}") braces--;
    if (!/\s/.test(char)) previous = char;
    out += char;
    index++;
  }
  return out;
}

function endOfQuoted(source: string, start: number, quote: string): number {
  let index = start + 1;
  while (index < source.length && source[index] !== quote && source[index] !== "\n") {
    index += source[index] === "\\" ? 2 : 1;
  }
  return index + 1;
}

function endOfRegex(source: string, start: number): number {
  let index = start + 1;
  let inClass = false;
  while (index < source.length && source[index] !== "\n") {
    const char = source[index];
    if (char === "\\") index++;
    else if (char === "[") inClass = true;
    else if (char === "]") inClass = false;
    else if (char === "/" && !inClass) break;
    index++;
  }
  index++;
  while (/[a-z]/i.test(source[index] ?? "")) index++;
  return index;
}

/** A string or template literal in an expression, with where it starts. */
interface Literal {
  offset: number;
  source: string;
  /** The text a person would read: escapes and ${...} taken out. */
  words: string;
  /** Whether it is the first argument of a t(...) call: a message key. */
  isKey: boolean;
}

/**
 * The arguments of the call whose "(" is at `open`: each as [offset, text], split at top-level
 * commas, and the offset just after the closing ")".
 */
function callArguments(code: string, open: number): { args: Array<[number, string]>; end: number } {
  const args: Array<[number, string]> = [];
  let depth = 0;
  let start = open + 1;
  let index = open;
  for (; index < code.length; index++) {
    const char = code[index];
    if (char === '"' || char === "'") {
      index = endOfQuoted(code, index, char) - 1;
    } else if (char === "`") {
      index = endOfTemplate(code, index) - 1;
    } else if (char === "/" && /[(,=:[!&|?{};]\s*$/.test(code.slice(Math.max(open, index - 20), index))) {
      index = endOfRegex(code, index) - 1;
    } else if ("([{".includes(char)) {
      depth++;
    } else if (")]}".includes(char)) {
      depth--;
      if (depth === 0) break;
    } else if (char === "," && depth === 1) {
      args.push([start, code.slice(start, index)]);
      start = index + 1;
    }
  }
  const last = code.slice(start, index);
  if (last.trim() !== "") args.push([start, last]);
  return { args, end: index + 1 };
}

/** The end of the template literal starting at `start` (nested templates and braces included). */
function endOfTemplate(code: string, start: number): number {
  let index = start + 1;
  while (index < code.length && code[index] !== "`") {
    if (code[index] === "\\") index += 2;
    else if (code[index] === "$" && code[index + 1] === "{") index = endOfInterpolation(code, index + 2);
    else index++;
  }
  return index + 1;
}

/** From just inside `${`, the index just after its closing `}`. */
function endOfInterpolation(code: string, start: number): number {
  let depth = 1;
  let index = start;
  while (index < code.length && depth > 0) {
    const char = code[index];
    if (char === '"' || char === "'") index = endOfQuoted(code, index, char);
    else if (char === "`") index = endOfTemplate(code, index);
    else {
      if (char === "{") depth++;
      if (char === "}") depth--;
      index++;
    }
  }
  return index;
}

const readable = (text: string) =>
  text
    .replace(/\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|.)/g, " ")
    .replace(/\$\{/g, " ")
    .replace(/\}/g, " ");

/** Every string and template literal in an expression, templates' ${...} searched too. */
function literalsIn(expression: string, base: number): Literal[] {
  const found: Literal[] = [];
  for (let index = 0; index < expression.length; index++) {
    const char = expression[index];
    if (char === '"' || char === "'") {
      const stop = endOfQuoted(expression, index, char);
      const source = expression.slice(index, stop);
      const isKey = /(?<![\w$.#])t\(\s*$/.test(expression.slice(0, index));
      found.push({ offset: base + index, source, words: readable(source.slice(1, -1)), isKey });
      index = stop - 1;
    } else if (char === "`") {
      const stop = endOfTemplate(expression, index);
      const source = expression.slice(index, stop);
      let text = "";
      for (let inner = 1; inner < source.length - 1; inner++) {
        if (source[inner] === "\\") {
          text += source.slice(inner, inner + 2);
          inner++;
        } else if (source[inner] === "$" && source[inner + 1] === "{") {
          const close = endOfInterpolation(source, inner + 2);
          found.push(...literalsIn(source.slice(inner + 2, close - 1), base + index + inner + 2));
          text += " ";
          inner = close - 1;
        } else text += source[inner];
      }
      found.push({ offset: base + index, source, words: readable(text), isKey: false });
      index = stop - 1;
    } else if (char === "/" && /(^|[(,=:[!&|?{};])\s*$/.test(expression.slice(0, index))) {
      index = endOfRegex(expression, index) - 1;
    }
  }
  return found;
}

const HAS_WORD = /\p{L}{2}/u;

/** The literals with words in the text arguments of the calls of TEXT_CALLS, in one file's source. */
export function findBypasses(file: string, source: string): Bypass[] {
  const code = blankComments(source);
  const lineOf = (offset: number) => code.slice(0, offset).split("\n").length;
  const bypasses: Bypass[] = [];
  for (const call of TEXT_CALLS) {
    for (const match of code.matchAll(call.pattern)) {
      const open = (match.index ?? 0) + match[0].length - 1;
      const { args } = callArguments(code, open);
      for (const [position, [offset, argument]] of args.entries()) {
        if (call.text !== "all" && !call.text.includes(position)) continue;
        for (const literal of literalsIn(argument, offset)) {
          if (literal.isKey || !HAS_WORD.test(literal.words)) continue;
          bypasses.push({ file, line: lineOf(literal.offset), call: match[0], literal: literal.source });
        }
      }
    }
  }
  return bypasses;
}

function sourceFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    if (entry.isDirectory()) {
      if (relative(PROJECT_ROOT, path) !== join("src", "i18n")) files.push(...sourceFiles(path));
    } else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) files.push(path);
  }
  return files.sort();
}

function scanSources(): Bypass[] {
  return sourceFiles(join(PROJECT_ROOT, "src")).flatMap((path) =>
    findBypasses(relative(PROJECT_ROOT, path), readFileSync(path, "utf8")),
  );
}

const allows = (entry: (typeof ALLOWED)[number], bypass: Bypass) =>
  (entry.file === undefined || entry.file === bypass.file) && entry.literal.test(bypass.literal);

describe("no user-facing string bypasses the catalogues", () => {
  test("the scanner finds the bypasses it is meant to find, and nothing else", () => {
    // The sample is in a .txt file: as TypeScript it would be checked and linted as this project's code.
    const sample = readFileSync(join(PROJECT_ROOT, "test/fixtures/bypass-sample.txt"), "utf8");
    const expected = sample.split("\n").flatMap((line, index) => {
      const marked = line.match(/\/\/ flagged: (.*)$/);
      return marked ? [`${index + 1} ${marked[1]}`] : [];
    });
    assert.ok(expected.length >= 10);
    const found = findBypasses("sample.ts", sample).map((bypass) => `${bypass.line} ${bypass.literal}`);
    assert.deepEqual(found.sort(), expected.sort());
  });

  test("src/**/*.ts (not tests, not src/i18n/): every text goes through t(...)", () => {
    const bypasses = scanSources();
    const report = bypasses
      .filter((bypass) => !ALLOWED.some((entry) => allows(entry, bypass)))
      .map((bypass) => `${bypass.file}:${bypass.line}: ${bypass.call} ${bypass.literal}`);
    assert.deepEqual(report, [], `user-facing text outside the catalogues:\n${report.join("\n")}`);
    for (const entry of ALLOWED) {
      const used = bypasses.some((bypass) => allows(entry, bypass));
      assert.ok(used, `allow-list entry ${entry.file ?? "(any file)"} ${entry.literal} matches nothing: remove it`);
    }
  });

  // Log lines (stderr, pino) are not translated, by design: they are for operators and their
  // tools (grep, alerts, JSON pipelines), so their messages and fields stay the same in every
  // language. Everything a person reads at the terminal (help, prompts, errors, reports,
  // --trace) goes through the catalogues, as the test above checks.
});

// ---------------------------------------------------------------------------------------------
// The language of the CLI, from the environment and --lang.

/** `{name}` filled, as t() does. */
function fill(template: string, parameters: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => parameters[name] ?? whole);
}

/** Help text with its line wrapping undone, so a long description can be found whole. */
const unwrapped = (text: string) => text.replace(/\s+/g, " ");

async function closedPort(): Promise<number> {
  const probe = createServer().listen(0, "127.0.0.1"); // free a moment ago, nothing listens now
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

const HELP: Record<string, { args: string[]; keys: Array<keyof typeof en> }> = {
  "mayus --help": {
    args: ["--help"],
    keys: ["program.description", "option.lang", "program.help", "serve.description"],
  },
  "mayus serve --help": { args: ["serve", "--help"], keys: ["serve.description", "option.port", "option.trace"] },
  "mayus client --help": {
    args: ["client", "--help"],
    keys: ["client.description", "client.argument.host", "option.clientUdp", "option.timeout"],
  },
};

/** Runs a help command and says which language it came out in (and fails if it was a mix). */
async function helpLanguage(args: string[], env: NodeJS.ProcessEnv, keys: Array<keyof typeof en>) {
  const result = await runMayus(args, "", { env, timeoutMs: 10_000 });
  assert.equal(result.code, 0, result.stderr);
  const text = unwrapped(result.stdout.toString());
  const found = (catalogue: Record<string, string>) =>
    keys.filter((key) => text.includes(unwrapped(catalogue[key]))).length;
  const spanish = found(es);
  const english = found(en);
  if (spanish === keys.length && english === 0 && text.startsWith(es["help.usage"])) return "es";
  if (english === keys.length && spanish === 0 && text.startsWith(en["help.usage"])) return "en";
  return `a mix (${english} English and ${spanish} Spanish of ${keys.length}):\n${result.stdout}`;
}

describe("the CLI speaks the user's language", () => {
  test("LANG=es_ES.UTF-8: a refused connection is reported in Spanish (LANG=C: in English)", async () => {
    const port = await closedPort();
    const address = `127.0.0.1:${port}`;
    const [spanish, english] = await Promise.all(
      ["es_ES.UTF-8", "C"].map((LANG) =>
        runMayus(["client", "127.0.0.1", String(port)], "hola\n", { env: { LANG }, timeoutMs: 10_000 }),
      ),
    );
    assert.equal(spanish.code, 3);
    assert.equal(spanish.stderr, `mayus: ${fill(es["error.refused"], { address })}\n`);
    assert.equal(spanish.stderr, `mayus: conexión rechazada por ${address}: ¿está el servidor en marcha?\n`);
    assert.equal(english.code, 3);
    assert.equal(english.stderr, `mayus: ${fill(en["error.refused"], { address })}\n`);
  });

  for (const [name, { args, keys }] of Object.entries(HELP)) {
    test(`${name}: Spanish with LANG=es_ES.UTF-8, English with LANG=C`, async () => {
      const [spanish, english] = await Promise.all([
        helpLanguage(args, { LANG: "es_ES.UTF-8" }, keys),
        helpLanguage(args, { LANG: "C" }, keys),
      ]);
      assert.equal(spanish, "es");
      assert.equal(english, "en");
    });
  }

  test("--lang over the environment, and LC_ALL over LC_MESSAGES over LANG", async () => {
    const { args, keys } = HELP["mayus client --help"];
    const cases: Array<[string, string[], NodeJS.ProcessEnv, "en" | "es"]> = [
      ["--lang es with LANG=C", ["--lang", "es"], { LANG: "C" }, "es"],
      ["--lang=en with LANG=es_ES.UTF-8", ["--lang=en"], { LANG: "es_ES.UTF-8" }, "en"],
      ["LC_ALL=es_ES.UTF-8 LANG=C", [], { LC_ALL: "es_ES.UTF-8", LANG: "C" }, "es"],
      ["LC_ALL=C LANG=es_ES.UTF-8", [], { LC_ALL: "C", LANG: "es_ES.UTF-8" }, "en"],
      ["LC_MESSAGES=es_ES.UTF-8 LANG=C", [], { LC_MESSAGES: "es_ES.UTF-8", LANG: "C" }, "es"],
      ["LC_ALL=C LC_MESSAGES=es_ES.UTF-8", [], { LC_ALL: "C", LC_MESSAGES: "es_ES.UTF-8" }, "en"],
    ];
    const results = await Promise.all(
      cases.map(([, extra, env]) => helpLanguage([...args.slice(0, -1), ...extra, "--help"], env, keys)),
    );
    for (const [index, [name, , , wanted]] of cases.entries()) assert.equal(results[index], wanted, name);
  });

  test("commander's own usage errors are in Spanish too", async () => {
    const cases: Array<[string[], RegExp]> = [
      [["serve", "--no-such-flag"], /^mayus: opción desconocida '--no-such-flag' \(vea 'mayus serve --help'\)\n$/],
      [
        ["client", "a", "1", "extra"],
        /^mayus: demasiados argumentos para 'client': se esperaban 2, hay 3\. \(vea 'mayus client --help'\)\n$/,
      ],
      [
        ["serve", "--log-level", "loud"],
        /no es válido\. Valores permitidos: debug, info, warn, error, silent\. \(vea 'mayus serve --help'\)\n$/,
      ],
      [["frobnicate"], /^mayus: orden desconocida 'frobnicate'/],
    ];
    for (const [args, expected] of cases) {
      const result = await runMayus(args, "", { env: { LANG: "es_ES.UTF-8" } });
      assert.equal(result.code, 2, args.join(" "));
      assert.match(result.stderr, expected);
    }
  });
});
