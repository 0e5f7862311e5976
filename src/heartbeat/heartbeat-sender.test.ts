// HeartbeatSender's options: each out of its range is a RangeError naming it, before any socket.

import assert from "node:assert/strict";
import { test } from "node:test";
import { HeartbeatSender } from "./heartbeat-sender.js";

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
