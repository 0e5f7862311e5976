// SharedReadBuffer: views of the memory reads land in, the same one while lengths repeat.

import assert from "node:assert/strict";
import { test } from "node:test";
import { SharedReadBuffer } from "./shared-read-buffer.js";

test("the same view while reads keep their length, else a view of the new length, always of the memory", () => {
  const shared = new SharedReadBuffer(Buffer.alloc(1024));
  const first = shared.viewOf(512);
  assert.equal(shared.viewOf(512), first);
  const shorter = shared.viewOf(100);
  assert.notEqual(shorter, first);
  assert.equal(shorter.length, 100);
  shared.memory[0] = 0x61;
  assert.equal(shorter[0], 0x61, "a view of the memory, not a copy");
  assert.equal(shared.viewOf(1024).length, 1024);
  assert.equal(shared.viewOf(0).length, 0);
});
