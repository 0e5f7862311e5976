// -w is one budget: what the lookup spent, the connect no longer has.

import assert from "node:assert/strict";
import { test } from "node:test";
import { connectBudget } from "./connect-timeout.js";

const never = new Promise<never>(() => {});

test("a step that ends in time clears its timer; without a limit the step is returned as is", async () => {
  const expired: string[] = [];
  const budget = connectBudget(60_000, undefined, (message) => expired.push(message));
  assert.equal(await budget.within(Promise.resolve(7), "127.0.0.1:1"), 7);
  const unlimited = connectBudget(undefined);
  const step = Promise.resolve(8);
  assert.equal(unlimited.within(step, "x"), step);
  assert.deepEqual(expired, []);
});

test("the second step gets only what is left: with the clock past the limit it expires at once", {
  timeout: 10_000,
}, async () => {
  let nowMs = 0;
  const expired: string[] = [];
  const budget = connectBudget(
    60_000,
    () => nowMs,
    (message) => expired.push(message),
  );
  nowMs = 60_001; // the lookup took it all
  await new Promise<void>((resolve) => {
    void budget.within(never, "[::1]:12000");
    const check = setInterval(() => {
      if (expired.length === 0) return;
      clearInterval(check);
      resolve();
    }, 1);
  });
  assert.deepEqual(expired, [
    "no connection to [::1]:12000 in 60000 ms: is the host up and the port open? -w gives it longer",
  ]);
});
