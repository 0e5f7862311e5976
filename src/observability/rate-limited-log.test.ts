// RateLimitedLog against a real pino logger: one line per kind per interval, with its fields.

import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { pino } from "pino";
import { RateLimitedLog } from "./rate-limited-log.js";

function capturingLogger() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: "warn" }, destination), lines };
}

test("fields given as a function are written, and built only for lines that are written", () => {
  const { logger, lines } = capturingLogger();
  let nowMs = 0;
  const log = new RateLimitedLog(logger, 1000, () => nowMs);
  let built = 0;
  const fields = () => {
    built++;
    return { peer: "192.0.2.1:4000" };
  };
  log.warn("rate-limited", fields, "datagram not answered");
  nowMs = 500;
  log.warn("rate-limited", fields, "datagram not answered");
  log.warn("rate-limited", fields, "datagram not answered");
  nowMs = 1500;
  log.warn("rate-limited", fields, "datagram not answered");
  assert.equal(built, 2, "fields built for the two written lines only");
  assert.equal(lines.length, 2);
  assert.equal(lines[0].peer, "192.0.2.1:4000");
  assert.equal(lines[0].reason, "rate-limited");
  assert.equal(lines[1].peer, "192.0.2.1:4000");
  assert.equal(lines[1].alsoSinceLastLine, 2);
});

test("fields given as an object are written as they are; kinds are limited apart", () => {
  const { logger, lines } = capturingLogger();
  const log = new RateLimitedLog(logger, 1000, () => 0);
  log.warn("max-connections", { peer: "192.0.2.2" }, "connection refused");
  log.warn("draining", { peer: "192.0.2.3" }, "connection refused");
  log.warn("max-connections", { peer: "192.0.2.4" }, "connection refused");
  assert.deepEqual(
    lines.map((line) => [line.reason, line.peer]),
    [
      ["max-connections", "192.0.2.2"],
      ["draining", "192.0.2.3"],
    ],
  );
});
