// HeartbeatSender's options: each out of its range is a RangeError naming it, before any socket.

import assert from "node:assert/strict";
import { test } from "node:test";
import { HeartbeatSender, nextHeartbeat } from "./heartbeat-sender.js";

test("count, intervalMs and port out of range throw a RangeError naming the option and its range", () => {
  const sender = (options: { count?: number; intervalMs?: number; port?: number }) => () =>
    new HeartbeatSender({ host: "127.0.0.1", port: 12000, ...options });
  for (const count of [0, 1.5, Number.POSITIVE_INFINITY, Number.NaN])
    assert.throws(sender({ count }), { name: "RangeError", message: /^count must be a whole number from 1 to / });
  for (const intervalMs of [-1, Number.NaN, Number.POSITIVE_INFINITY, 3_600_001])
    assert.throws(sender({ intervalMs }), {
      name: "RangeError",
      message: /^intervalMs must be a number from 0 to 3600000/,
    });
  for (const port of [0, 65_536, 80.5])
    assert.throws(sender({ port }), { name: "RangeError", message: /^port must be a whole number from 1 to 65535/ });
  assert.doesNotThrow(sender({ count: 1, intervalMs: 0, port: 65_535 }));
  assert.doesNotThrow(sender({ intervalMs: 3_600_000, port: 1 }));
});

test("the schedule keeps its rhythm, catches up a little lateness, and sends no burst after a stall", () => {
  assert.deepEqual(nextHeartbeat(0, 3, 1000, 2500), { startMs: 0, delayMs: 500 });
  assert.deepEqual(nextHeartbeat(0, 3, 1000, 3400), { startMs: 0, delayMs: 0 }, "less than an interval late: at once");
  // A sender stopped for a minute, one heartbeat a second: the timer due at 3 s fires at 60 s.
  let startMs = 0;
  let nowMs = 60_000;
  const delaysMs: number[] = [];
  for (let sequence = 3; sequence < 13; sequence++) {
    const next = nextHeartbeat(startMs, sequence, 1000, nowMs);
    delaysMs.push(next.delayMs);
    startMs = next.startMs;
    nowMs += next.delayMs;
  }
  assert.deepEqual(delaysMs, Array(10).fill(1000), "one a second from the return on, not the missed ones at once");
});
