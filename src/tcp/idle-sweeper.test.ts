// The shared idle clock: a connection idle for a whole timeout is closed at the next sweep, an active one never.

import assert from "node:assert/strict";
import { test } from "node:test";
import { type IdleConnection, IdleSweeper, SWEEPS_PER_TIMEOUT } from "./idle-sweeper.js";

test("closes a connection after a whole timeout without bytes, and only then", () => {
  const closed: string[] = [];
  const idle: IdleConnection & { name: string } = {
    name: "idle",
    lastActiveTick: 0,
    closeForIdleness: () => closed.push("idle"),
  };
  const busy: IdleConnection & { name: string } = {
    name: "busy",
    lastActiveTick: 0,
    closeForIdleness: () => closed.push("busy"),
  };
  const sweeper = new IdleSweeper(1000, () => [idle, busy]);
  for (let sweep = 1; sweep <= SWEEPS_PER_TIMEOUT; sweep++) {
    sweeper.sweep();
    busy.lastActiveTick = sweeper.tick; // bytes moved
    assert.deepEqual(closed, [], `closed too early, at sweep ${sweep}`);
  }
  sweeper.sweep();
  assert.deepEqual(closed, ["idle"]);
});

test("a timeout of 0 starts no timer", () => {
  const sweeper = new IdleSweeper(0, () => []);
  sweeper.start();
  sweeper.stop();
  assert.equal(sweeper.tick, 0);
});
