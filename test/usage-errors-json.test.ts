// Usage errors of `mayus serve` when JSON logs were asked for: one JSON line on stderr with the
// logger's fields (level, msg, code, kind), exit 2; text as before otherwise.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import { runMayus } from "./support/processes.js";

interface ErrorLine {
  level: number;
  time: number;
  pid: number;
  event: string;
  code: number;
  kind: string;
  msg: string;
}

/** The one line on stderr, parsed: fails when there is more than one, or it is not JSON. */
function onlyJsonLine(stderr: string): ErrorLine {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, stderr);
  return JSON.parse(lines[0]) as ErrorLine;
}

function assertUsageLine(line: ErrorLine, message: RegExp): void {
  assert.equal(line.level, 50, "pino's error level");
  assert.equal(line.event, "exit");
  assert.equal(line.code, EXIT_CODES.usage);
  assert.equal(line.kind, "usage");
  assert.equal(typeof line.time, "number");
  assert.equal(typeof line.pid, "number");
  assert.match(line.msg, message);
}

describe("usage errors under --log-format json", () => {
  test("a bad flag value: one JSON line naming the flag, exit 2", async () => {
    const result = await runMayus(["serve", "--log-format", "json", "--port", "x"]);
    assert.equal(result.code, EXIT_CODES.usage);
    assertUsageLine(onlyJsonLine(result.stderr), /--port must be a whole number from 0 to 65535, not "x"/);
  });

  test("a bad --metrics-port names --metrics-port, not --port", async () => {
    const result = await runMayus(["serve", "--log-format", "json", "--metrics-port", "99999"]);
    assert.equal(result.code, EXIT_CODES.usage);
    assertUsageLine(onlyJsonLine(result.stderr), /--metrics-port must be a whole number from 0 to 65535, not "99999"/);
  });

  test("an unknown option, with --log-format=json after it", async () => {
    const result = await runMayus(["serve", "--bogus", "--log-format=json"]);
    assert.equal(result.code, EXIT_CODES.usage);
    assertUsageLine(onlyJsonLine(result.stderr), /unknown option '--bogus'/);
  });

  test("MAYUS_LOG_FORMAT=json, in Spanish", async () => {
    const result = await runMayus(["serve", "--drop", "2", "--lang", "es"], "", {
      env: { MAYUS_LOG_FORMAT: "json" },
    });
    assert.equal(result.code, EXIT_CODES.usage);
    assertUsageLine(onlyJsonLine(result.stderr), /--drop debe ser un número de 0 a 1, no "2"/);
  });

  test("a usage error found after parsing (a bad --allow rule) is JSON too", async () => {
    const result = await runMayus(["serve", "--log-format", "json", "--allow", "10.0.0.0/33"]);
    assert.equal(result.code, EXIT_CODES.usage);
    assertUsageLine(onlyJsonLine(result.stderr), /--allow: "10\.0\.0\.0\/33" is not an IPv4 or IPv6 address or CIDR/);
  });

  test("text stays text: without json, with a later --log-format text, and for the client", async () => {
    const cases: Array<{ args: string[]; env?: NodeJS.ProcessEnv }> = [
      { args: ["serve", "--port", "x"] },
      { args: ["serve", "--log-format", "json", "--log-format", "text", "--port", "x"] },
      { args: ["serve", "--port", "x"], env: { MAYUS_LOG_FORMAT: "text" } },
      // --log-format is the server's: a person at the client keeps the usual line.
      { args: ["client", "--bogus"], env: { MAYUS_LOG_FORMAT: "json" } },
    ];
    for (const { args, env } of cases) {
      const result = await runMayus(args, "", { env });
      assert.equal(result.code, EXIT_CODES.usage, args.join(" "));
      assert.match(result.stderr, /^mayus: .+\n$/, args.join(" "));
    }
  });
});
