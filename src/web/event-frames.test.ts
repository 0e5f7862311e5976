// What a page is sent: the payload cut as --trace cuts it, a history of exactly its capacity,
// and a per-page rate of events with a second's burst.
import assert from "node:assert/strict";
import { test } from "node:test";
import { TRACE_PAYLOAD_BYTES } from "../observability/trace.js";
import { EventHistory, EventRateLimit, toWebEvent } from "./event-frames.js";

test("the payload is escaped and cut exactly as a --trace line shows it; the bytes are copied", () => {
  const payload = Buffer.from(`${"a".repeat(TRACE_PAYLOAD_BYTES)}b\n`);
  const event = toWebEvent(
    { step: "recv", protocol: "tcp", peer: "127.0.0.1:5", bytes: payload.length, payload },
    1,
    2.345,
  );
  assert.equal(event.payload, `${"a".repeat(TRACE_PAYLOAD_BYTES)}…`);
  payload.fill(0x7a);
  assert.equal(event.payload, `${"a".repeat(TRACE_PAYLOAD_BYTES)}…`);
  assert.deepEqual(
    { ...event, payload: undefined },
    { seq: 1, atMs: 2.3, step: "recv", protocol: "tcp", peer: "127.0.0.1:5", bytes: 42, payload: undefined },
  );
  const short = toWebEvent({ step: "recvfrom", protocol: "udp", payload: Buffer.from("ñ\t\x01") }, 2, 0);
  assert.equal(short.payload, "ñ\\t\\x01");
  assert.equal("payload" in toWebEvent({ step: "recv", protocol: "tcp", payload: Buffer.alloc(0) }, 3, 0), false);
});

test("the history keeps exactly its capacity, the newest, oldest first", () => {
  const history = new EventHistory(3);
  for (let seq = 1; seq <= 3; seq++) history.push(toWebEvent({ step: "send", protocol: "tcp" }, seq, 0));
  assert.deepEqual(
    history.events.map((event) => event.seq),
    [1, 2, 3],
  );
  history.push(toWebEvent({ step: "send", protocol: "tcp" }, 4, 0));
  assert.deepEqual(
    history.events.map((event) => event.seq),
    [2, 3, 4],
  );
});

test("the rate: a second's burst, then one event per 1/rate seconds", () => {
  let nowMs = 0;
  const limit = new EventRateLimit(10, () => nowMs);
  const taken = Array.from({ length: 11 }, () => limit.take());
  assert.deepEqual(taken, [...Array(10).fill(true), false]);
  nowMs += 99;
  assert.equal(limit.take(), false);
  nowMs += 1;
  assert.equal(limit.take(), true);
  assert.equal(limit.take(), false);
  nowMs += 60_000;
  assert.equal(Array.from({ length: 20 }, () => limit.take()).filter(Boolean).length, 10);
});
