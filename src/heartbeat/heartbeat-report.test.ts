// The heartbeat lines: one per event for people, a JSON event each with --log-format json,
// every heartbeat at debug level only, and at most MAX_HEARTBEAT_LINES_PER_SECOND a second.

import assert from "node:assert/strict";
import { Writable } from "node:stream";
import { test } from "node:test";
import { pino } from "pino";
import { setLanguage } from "../i18n/index.js";
import { heartbeatReporter, MAX_HEARTBEAT_LINES_PER_SECOND } from "./heartbeat-report.js";

function capture(level: "info" | "debug") {
  const records: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      records.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: pino({ level }, sink), records };
}

test("text: one line per event; a heartbeat and a late one only at debug, never as a line", () => {
  setLanguage("en");
  const { logger, records } = capture("info");
  const lines: string[] = [];
  const report = heartbeatReporter(
    logger,
    false,
    (line) => lines.push(line),
    5000,
    () => 0,
  );
  report({ kind: "first", peer: "127.0.0.1:5000", sequence: 1, delayMs: 0.4 });
  report({ kind: "beat", peer: "127.0.0.1:5000", sequence: 1, delayMs: 0.4 });
  report({ kind: "late", peer: "127.0.0.1:5000", sequence: 1 });
  report({ kind: "lost", peer: "127.0.0.1:5000", count: 3, first: 7, last: 9 });
  report({ kind: "down", peer: "127.0.0.1:5000", silentMs: 5012, sequence: 10 });
  report({ kind: "up", peer: "127.0.0.1:5000", silentMs: 8240, sequence: 15 });
  assert.deepEqual(lines, [
    "mayus: heartbeat: 127.0.0.1:5000 is up (seq 1, one-way delay 0.4 ms if the clocks are synchronized)",
    "mayus: heartbeat: 3 heartbeats lost from 127.0.0.1:5000 (seq 7-9)",
    "mayus: heartbeat: 127.0.0.1:5000 presumed down after 5 s (last seq 10)",
    "mayus: heartbeat: 127.0.0.1:5000 back up after 8.2 s of silence (seq 15)",
  ]);
  assert.deepEqual(records, []);
});

test("json: each event a log record with its fields; heartbeats at debug when asked for", () => {
  const { logger, records } = capture("debug");
  const lines: string[] = [];
  const report = heartbeatReporter(
    logger,
    true,
    (line) => lines.push(line),
    5000,
    () => 0,
  );
  report({ kind: "lost", peer: "[::1]:5000", count: 1, first: 4, last: 4 });
  report({ kind: "beat", peer: "[::1]:5000", sequence: 5, delayMs: 1 });
  assert.deepEqual(lines, []);
  assert.deepEqual(
    records.map(({ level, event, peer, msg }) => ({ level, event, peer, msg })),
    [
      {
        level: 40,
        event: "heartbeat-lost",
        peer: "[::1]:5000",
        msg: "heartbeat: 1 heartbeat lost from [::1]:5000 (seq 4)",
      },
      { level: 20, event: "heartbeat", peer: "[::1]:5000", msg: "heartbeat 5 from [::1]:5000, one-way delay 1 ms" },
    ],
  );
});

test("a flood of new senders: at most MAX_HEARTBEAT_LINES_PER_SECOND lines a second, the rest counted", () => {
  const { logger } = capture("info");
  const lines: string[] = [];
  let nowMs = 0;
  const report = heartbeatReporter(
    logger,
    false,
    (line) => lines.push(line),
    5000,
    () => nowMs,
  );
  const extra = 7;
  for (let port = 1; port <= MAX_HEARTBEAT_LINES_PER_SECOND + extra; port++) {
    report({ kind: "first", peer: `127.0.0.1:${port}`, sequence: 1, delayMs: 0 });
  }
  assert.equal(lines.length, MAX_HEARTBEAT_LINES_PER_SECOND);
  nowMs += 1000;
  report({ kind: "first", peer: "127.0.0.1:9", sequence: 1, delayMs: 0 });
  assert.deepEqual(lines.slice(MAX_HEARTBEAT_LINES_PER_SECOND), [
    `mayus: heartbeat: ${extra} more lines not shown in the last second`,
    "mayus: heartbeat: 127.0.0.1:9 is up (seq 1, one-way delay 0 ms if the clocks are synchronized)",
  ]);
});

test("Spanish: the decimals take a comma (0,4 ms, 8,2 s), as the language writes them", () => {
  setLanguage("es");
  try {
    const { logger } = capture("info");
    const lines: string[] = [];
    const report = heartbeatReporter(
      logger,
      false,
      (line) => lines.push(line),
      1500,
      () => 0,
    );
    report({ kind: "first", peer: "127.0.0.1:5000", sequence: 1, delayMs: -0.4 });
    report({ kind: "down", peer: "127.0.0.1:5000", silentMs: 1512, sequence: 10 });
    report({ kind: "up", peer: "127.0.0.1:5000", silentMs: 8240, sequence: 15 });
    assert.deepEqual(lines, [
      "mayus: latido: 127.0.0.1:5000 está activo (seq 1, retardo de ida -0,4 ms si los relojes están sincronizados)",
      "mayus: latido: 127.0.0.1:5000 se da por caído tras 1,5 s (última seq 10)",
      "mayus: latido: 127.0.0.1:5000 vuelve a estar activo tras 8,2 s de silencio (seq 15)",
    ]);
  } finally {
    setLanguage("en");
  }
});

test("a flood that stops: its count is said when its second is over, with no event after it", () => {
  const { logger } = capture("info");
  const lines: string[] = [];
  const timers: Array<{ callback: () => void; delayMs: number }> = [];
  let nowMs = 0;
  const report = heartbeatReporter(
    logger,
    false,
    (line) => lines.push(line),
    5000,
    () => nowMs,
    (callback, delayMs) => timers.push({ callback, delayMs }),
  );
  for (let port = 1; port <= MAX_HEARTBEAT_LINES_PER_SECOND + 3; port++) {
    nowMs = port;
    report({ kind: "first", peer: `127.0.0.1:${port}`, sequence: 1, delayMs: 0 });
  }
  assert.equal(timers.length, 1, "one timer for the window, however many lines it holds back");
  assert.equal(timers[0].delayMs, 1000 - MAX_HEARTBEAT_LINES_PER_SECOND, "until the window that began at 1 ms ends");
  assert.equal(lines.length, MAX_HEARTBEAT_LINES_PER_SECOND);
  nowMs = 1001;
  timers[0].callback();
  assert.deepEqual(lines.slice(MAX_HEARTBEAT_LINES_PER_SECOND), [
    "mayus: heartbeat: 3 more lines not shown in the last second",
  ]);
  report({ kind: "first", peer: "127.0.0.1:9", sequence: 1, delayMs: 0 });
  assert.equal(lines.length, MAX_HEARTBEAT_LINES_PER_SECOND + 2, "the count is said once, not again");
});
