// The heartbeat table with a clock of the test's: gaps, late heartbeats, down at the timeout
// (not a millisecond before), back up, the bounded table, and the datagram format.

import assert from "node:assert/strict";
import { test } from "node:test";
import { formatHeartbeat, parseHeartbeat } from "./heartbeat-format.js";
import { type HeartbeatEvent, type HeartbeatOptions, HeartbeatTable } from "./heartbeat-table.js";

function setUp(options: HeartbeatOptions = {}) {
  let nowMs = 1_765_000_000_000;
  const events: HeartbeatEvent[] = [];
  const table = new HeartbeatTable(
    options,
    (event) => events.push(event),
    () => nowMs,
  );
  const beat = (sequence: number, port = 5000, sentAtMs = nowMs - 2) =>
    table.observe(Buffer.from(formatHeartbeat(sequence, sentAtMs)), "::ffff:127.0.0.1", port);
  const advance = (ms: number) => {
    nowMs += ms;
  };
  const kinds = () => events.filter((event) => event.kind !== "beat").map((event) => event.kind);
  return { table, events, beat, advance, kinds };
}

test("first heartbeat, then a gap: the lost ones are counted and named; delay is receive minus send time", () => {
  const { table, events, beat } = setUp();
  beat(1);
  assert.deepEqual(events[0], { kind: "first", peer: "127.0.0.1:5000", sequence: 1, delayMs: 2 });
  beat(2);
  beat(6);
  assert.deepEqual(
    events.find((event) => event.kind === "lost"),
    { kind: "lost", peer: "127.0.0.1:5000", count: 3, first: 3, last: 5 },
  );
  beat(4); // late: already counted lost, not counted again, not a new last
  beat(7);
  assert.deepEqual(table.statistics(), {
    received: 5,
    senders: 1,
    lost: 3,
    late: 1,
    jumps: 0,
    downEvents: 0,
    evicted: 0,
  });
});

test("presumed down at the timeout, not before; back up when it returns; once per silence", () => {
  const { table, beat, advance, kinds, events } = setUp({ timeoutMs: 5000 });
  beat(1);
  advance(4999);
  table.sweep();
  assert.deepEqual(kinds(), ["first"]);
  advance(1);
  table.sweep();
  table.sweep();
  assert.deepEqual(kinds(), ["first", "down"]);
  assert.deepEqual(events.at(-1), { kind: "down", peer: "127.0.0.1:5000", silentMs: 5000, sequence: 1 });
  advance(3000);
  beat(9);
  assert.deepEqual(kinds(), ["first", "down", "up", "lost"]);
  assert.equal(table.statistics().downEvents, 1);
});

test("back up counting from 1 again (a sender restarted): its gaps are counted from there, not late", () => {
  const { table, beat, advance, kinds, events } = setUp({ timeoutMs: 1000 });
  for (const sequence of [1, 2, 3, 4, 5]) beat(sequence);
  advance(1000);
  table.sweep();
  beat(1);
  beat(2);
  beat(4);
  assert.deepEqual(kinds(), ["first", "down", "up", "lost"]);
  assert.deepEqual(events.at(-2), { kind: "lost", peer: "127.0.0.1:5000", count: 1, first: 3, last: 3 });
  assert.equal(table.statistics().late, 0);
});

test("the sweep stops at the first sender heard recently; each sender is timed on its own", () => {
  const { table, beat, advance, events } = setUp({ timeoutMs: 1000 });
  beat(1, 5000);
  advance(600);
  beat(1, 5001);
  advance(400);
  table.sweep();
  assert.deepEqual(
    events.filter((event) => event.kind === "down").map((event) => event.peer),
    ["127.0.0.1:5000"],
  );
  advance(600);
  table.sweep();
  assert.equal(events.filter((event) => event.kind === "down").length, 2);
});

test("the table holds maxSenders: one more evicts the one heard from least recently, counted", () => {
  const { table, beat, advance, events } = setUp({ maxSenders: 3 });
  for (const port of [5000, 5001, 5002]) {
    beat(1, port);
    advance(1);
  }
  beat(2, 5000); // 5000 is now the most recent: 5001 is the oldest
  assert.equal(table.statistics().evicted, 0);
  beat(1, 5003);
  assert.deepEqual(events.at(-2), { kind: "evicted", peer: "127.0.0.1:5001", maxSenders: 3 });
  assert.deepEqual(table.statistics(), {
    received: 5,
    senders: 3,
    lost: 0,
    late: 0,
    jumps: 0,
    downEvents: 0,
    evicted: 1,
  });
});

test("only an exact heartbeat counts: anything else is a line like any other", () => {
  assert.deepEqual(parseHeartbeat(Buffer.from("HEARTBEAT 7 1765000000000")), { sequence: 7, sentAtMs: 1765000000000 });
  assert.deepEqual(parseHeartbeat(Buffer.from("HEARTBEAT 7 1765000000000\r\n")), {
    sequence: 7,
    sentAtMs: 1765000000000,
  });
  for (const text of [
    "heartbeat 7 1765000000000",
    "HEARTBEAT 0 1765000000000",
    "HEARTBEAT 7",
    "HEARTBEAT 7 1765000000000 extra",
    "HEARTBEAT -1 5",
    "HEARTBEAT 99999999999999999 5",
    "",
  ]) {
    assert.equal(parseHeartbeat(Buffer.from(text)), undefined, text);
  }
  const { table } = setUp();
  table.observe(Buffer.from("hello"), "127.0.0.1", 5000);
  assert.equal(table.statistics().received, 0);
});

test("down senders stay in the table, and count, until a full table evicts the least recently heard", () => {
  const { table, beat, advance, events } = setUp({ maxSenders: 2, timeoutMs: 1000 });
  beat(1, 5000);
  advance(500);
  beat(1, 5001);
  advance(600);
  table.sweep(); // 5000 silent for 1100 ms: down; 5001 for 600 ms: up
  beat(2, 5000); // back up: now the most recent
  advance(500);
  table.sweep(); // 5001 silent for 1100 ms: down
  beat(1, 5002);
  assert.deepEqual(events.at(-2), { kind: "evicted", peer: "127.0.0.1:5001", maxSenders: 2 });
  assert.equal(table.statistics().senders, 2);
});

test("options out of range throw a RangeError naming the option and its range, never clamped", () => {
  const table = (options: { timeoutMs?: number; maxSenders?: number }) => () => new HeartbeatTable(options, () => {});
  for (const timeoutMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 86_400_001])
    assert.throws(table({ timeoutMs }), {
      name: "RangeError",
      message: /^timeoutMs must be a number from 1 to 86400000/,
    });
  for (const maxSenders of [0, 1.5, 1_000_001])
    assert.throws(table({ maxSenders }), {
      name: "RangeError",
      message: /^maxSenders must be a whole number from 1 to 1000000/,
    });
  assert.equal(new HeartbeatTable({ timeoutMs: 86_400_000, maxSenders: 1_000_000 }, () => {}).maxSenders, 1_000_000);
});

test("a sequence number far from the last is a jump, not lost nor late: a spoofed 2^53-1 adds nothing", () => {
  const { table, events, beat } = setUp();
  beat(1);
  beat(Number.MAX_SAFE_INTEGER); // one spoofed datagram
  assert.deepEqual(events.at(-2), {
    kind: "jump",
    peer: "127.0.0.1:5000",
    from: 1,
    to: Number.MAX_SAFE_INTEGER,
    maxGapCounted: 1000,
  });
  beat(2); // the real sender goes on: a jump back, not a late heartbeat
  beat(4);
  assert.deepEqual(table.statistics(), {
    received: 4,
    senders: 1,
    lost: 1,
    late: 0,
    jumps: 2,
    downEvents: 0,
    evicted: 0,
  });
});

test("maxGapCounted is the boundary: a gap of exactly it is counted lost, one more is a jump", () => {
  const { table, beat } = setUp({ maxGapCounted: 10 });
  beat(1);
  beat(12); // 11 away: a jump
  assert.equal(table.statistics().jumps, 1);
  beat(22); // 10 away: 9 lost (13-21)
  assert.deepEqual([table.statistics().lost, table.statistics().jumps], [9, 1]);
  beat(12); // 10 behind: late
  assert.equal(table.statistics().late, 1);
  for (const maxGapCounted of [0, 1.5, Number.NaN, 1_000_001])
    assert.throws(() => new HeartbeatTable({ maxGapCounted }, () => {}), {
      name: "RangeError",
      message: /^maxGapCounted must be a whole number from 1 to 1000000/,
    });
  assert.equal(new HeartbeatTable({ maxGapCounted: 1_000_000 }, () => {}).maxGapCounted, 1_000_000);
});
