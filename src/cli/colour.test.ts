// The colour decision: NO_COLOR wins, FORCE_COLOR forces either way, else only on a terminal.

import assert from "node:assert/strict";
import { test } from "node:test";
import { useColour } from "./colour.js";

test("NO_COLOR, FORCE_COLOR and isTTY, in that order", () => {
  const tty = { isTTY: true };
  const pipe = { isTTY: false };
  assert.equal(useColour(tty, {}), true);
  assert.equal(useColour(pipe, {}), false);
  assert.equal(useColour(tty, { NO_COLOR: "1" }), false);
  assert.equal(useColour(tty, { NO_COLOR: "" }), true, "an empty NO_COLOR is not set");
  assert.equal(useColour(pipe, { FORCE_COLOR: "1" }), true);
  assert.equal(useColour(pipe, { FORCE_COLOR: "3" }), true);
  assert.equal(useColour(tty, { FORCE_COLOR: "0" }), false);
  assert.equal(useColour(tty, { FORCE_COLOR: "false" }), false);
  assert.equal(useColour(pipe, { FORCE_COLOR: "" }), false, "an empty FORCE_COLOR is not set");
  assert.equal(useColour(pipe, { NO_COLOR: "1", FORCE_COLOR: "1" }), false, "NO_COLOR wins");
});
