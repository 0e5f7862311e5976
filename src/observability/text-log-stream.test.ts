// The CLI's text log lines: pino's records as a person reads them, on a terminal and in a pipe.

import assert from "node:assert/strict";
import { test } from "node:test";
import { pino } from "pino";
import { startMayusServer, waitForStderr } from "../../test/support/processes.js";
import { formatLogRecord, textLogStream } from "./text-log-stream.js";

test("a record: time and level first, then its message, then each other field below, pid and hostname left out", () => {
  const record = {
    level: 40,
    time: Date.UTC(2026, 0, 2, 3, 4, 5, 67),
    pid: 9,
    hostname: "h",
    msg: "drop",
    peer: "::1",
  };
  assert.equal(formatLogRecord(JSON.stringify(record), false), '[03:04:05.067] WARN: drop\n    peer: "::1"\n');
});

test("nested fields are indented JSON; an error shows its stack and its other properties", () => {
  const nested = formatLogRecord(JSON.stringify({ level: 20, time: 0, msg: "m", limits: { a: 1 } }), false);
  assert.equal(nested, '[00:00:00.000] DEBUG: m\n    limits: {\n      "a": 1\n    }\n');
  const error = { type: "Error", message: "boom", stack: "Error: boom\n    at here", code: "EADDRINUSE" };
  const lines = formatLogRecord(JSON.stringify({ level: 50, time: 0, msg: "failed", err: error }), false).split("\n");
  assert.deepEqual(lines, [
    "[00:00:00.000] ERROR: failed",
    "    err: Error: boom",
    "            at here",
    '        code: "EADDRINUSE"',
    "",
  ]);
});

test("on a terminal the level is coloured; a line that is not JSON passes as it came", () => {
  assert.equal(
    formatLogRecord('{"level":30,"time":0,"msg":"up"}', true),
    "[00:00:00.000] \u001b[32mINFO\u001b[39m: up\n",
  );
  assert.equal(formatLogRecord("not json", false), "not json\n");
});

test("through pino: each record written once, as text", () => {
  const written: string[] = [];
  const logger = pino({ level: "info" }, textLogStream({ write: (text: string) => written.push(text) }, false));
  logger.debug("hidden");
  logger.info({ protocol: "udp" }, "ready");
  assert.equal(written.length, 1);
  assert.match(written[0], /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: ready\n {4}protocol: "udp"\n$/);
});

test("mayus serve --log-format text (the default) writes these lines to stderr", async () => {
  const server = await startMayusServer(["--udp", "--log-level", "debug"]);
  try {
    await waitForStderr(server, /^\[\d\d:\d\d:\d\d\.\d{3}\] DEBUG: udp datagram path\n {4}path: "\w+"$/m);
  } finally {
    await server.stop();
  }
});
