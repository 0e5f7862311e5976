// PendingListen: a listen under way is there to wait for until it settles, either way.

import assert from "node:assert/strict";
import { test } from "node:test";
import { PendingListen } from "./pending-listen.js";

test("settled is there while a listen is under way, resolves when it fails too, and is gone after", async () => {
  const pending = new PendingListen();
  assert.equal(pending.settled, undefined);
  let fail: (error: Error) => void = () => {};
  const listening = pending.track(new Promise<number>((_, reject) => (fail = reject)));
  const settled = pending.settled;
  assert.ok(settled !== undefined);
  fail(new Error("EADDRINUSE"));
  await assert.rejects(listening, /EADDRINUSE/);
  await settled;
  assert.equal(pending.settled, undefined);
});

test("a second listen replaces the first: the first settling does not forget the second", async () => {
  const pending = new PendingListen();
  let first: (port: number) => void = () => {};
  pending.track(new Promise<number>((resolve) => (first = resolve)));
  pending.track(new Promise<number>(() => {}));
  const secondSettled = pending.settled;
  first(1);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(pending.settled, secondSettled);
});
