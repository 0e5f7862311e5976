import assert from "node:assert/strict";
import { test } from "node:test";
import { InvalidArgumentError } from "commander";
import { durationIn, formatDurationMs, parseDurationMs } from "./option-parsers.js";

test("parseDurationMs: every unit, and a bare number in the flag's unit", () => {
  assert.equal(parseDurationMs("250ms", "s"), 250);
  assert.equal(parseDurationMs("2s", "ms"), 2000);
  assert.equal(parseDurationMs("1.5m", "ms"), 90_000);
  assert.equal(parseDurationMs("1h", "ms"), 3_600_000);
  assert.equal(parseDurationMs(" 0.07 ", "s"), 70);
  assert.equal(parseDurationMs(".5s", "ms"), 500);
  assert.equal(parseDurationMs("20", "ms"), 20);
  assert.equal(parseDurationMs("20", "s"), 20_000);
  for (const bad of ["", "s", "1e3", "-1", "0x10", "2S", "1d", "1 2", "Infinity", "1ms5", "1.2.3"]) {
    assert.equal(parseDurationMs(bad, "ms"), undefined, bad);
  }
});

test("formatDurationMs: the largest unit that divides", () => {
  assert.equal(formatDurationMs(3_600_000), "1h");
  assert.equal(formatDurationMs(86_400_000), "24h");
  assert.equal(formatDurationMs(90_000), "90s");
  assert.equal(formatDurationMs(120_000), "2m");
  assert.equal(formatDurationMs(1), "1ms");
  assert.equal(formatDurationMs(0), "0ms");
});

test("durationIn: boundaries in any unit, the value in the flag's unit, whole ms for ms flags", () => {
  const timeout = durationIn("--timeout", "ms", 1, 3_600_000);
  assert.equal(timeout.durationUnit, "ms");
  assert.equal(timeout("1"), 1);
  assert.equal(timeout("1ms"), 1);
  assert.equal(timeout("1h"), 3_600_000);
  assert.equal(timeout("60m"), 3_600_000);
  assert.equal(timeout("0.5s"), 500);
  for (const outside of ["0", "0ms", "3600001", "3600001ms", "1.0001h", "61m", "1.5", "1.5ms"]) {
    assert.throws(() => timeout(outside), InvalidArgumentError, outside);
  }
  const interval = durationIn("--interval", "s", 1, 3_600_000);
  assert.equal(interval("0.2"), 0.2);
  assert.equal(interval("200ms"), 0.2);
  assert.equal(interval("0.001"), 0.001);
  assert.equal(interval("3600"), 3600);
  assert.equal(interval("1h"), 3600);
  for (const outside of ["0.0009", "0", "3600.001", "1h1", "2h"]) {
    assert.throws(() => interval(outside), InvalidArgumentError, outside);
  }
  const drain = durationIn("--drain-timeout", "ms", 0, 3_600_000);
  assert.equal(drain("0"), 0);
  assert.equal(drain("0s"), 0);
});

test("a bad value names the flag, the range, the bare unit and the accepted forms", () => {
  const wait = durationIn("--wait", "s", 1, 3_600_000);
  assert.throws(
    () => wait("soon"),
    (error: Error) =>
      error.message ===
      '--wait must be a duration from 1ms to 1h: a number of seconds, or one with a unit (250ms, 2s, 1m, 1h); not "soon"',
  );
});
