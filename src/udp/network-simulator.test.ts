// The simulated network: exact probabilities, repeatable by seed, delays within the jitter, --delay parsing.

import assert from "node:assert/strict";
import { test } from "node:test";
import { NetworkSimulator, parseDelay } from "./network-simulator.js";

test("the same seed gives the same fates; another seed, others", () => {
  const fates = (seed: number) => {
    const network = new NetworkSimulator({
      dropProbability: 0.3,
      duplicateProbability: 0.2,
      delayMs: 5,
      jitterMs: 5,
      seed,
    });
    return Array.from({ length: 200 }, () => network.decide());
  };
  assert.deepEqual(fates(7), fates(7));
  assert.notDeepEqual(fates(7), fates(8));
});

test("probabilities are what the user says: 0.3 drops 30% (the lab's 4 in 11 is not 30%)", () => {
  const network = new NetworkSimulator({ dropProbability: 0.3, duplicateProbability: 0.2, seed: 1 });
  const count = 200_000;
  let dropped = 0;
  let duplicated = 0;
  for (let index = 0; index < count; index++) {
    const fate = network.decide();
    if (fate.dropped) dropped++;
    else if (fate.delaysMs.length === 2) duplicated++;
  }
  assert.ok(Math.abs(dropped / count - 0.3) < 0.005, `dropped ${dropped / count}`);
  // Duplication applies to what was not dropped: 0.7 x 0.2.
  assert.ok(Math.abs(duplicated / count - 0.14) < 0.005, `duplicated ${duplicated / count}`);
});

test("drop 0 never drops, drop 1 always does; delays stay within delay ± jitter and never below 0", () => {
  const never = new NetworkSimulator({ dropProbability: 0, delayMs: 20, jitterMs: 10, seed: 3 });
  const always = new NetworkSimulator({ dropProbability: 1, seed: 3 });
  for (let index = 0; index < 10_000; index++) {
    const fate = never.decide();
    assert.equal(fate.dropped, false);
    for (const delayMs of fate.delaysMs) assert.ok(delayMs >= 10 && delayMs <= 30, `${delayMs}`);
    assert.equal(always.decide().dropped, true);
  }
  const wide = new NetworkSimulator({ delayMs: 2, jitterMs: 10, seed: 4 });
  for (let index = 0; index < 1000; index++) for (const delayMs of wide.decide().delaysMs) assert.ok(delayMs >= 0);
  assert.equal(new NetworkSimulator({}).isActive, false);
});

test("--delay accepts MS, MS±J and MS+-J, and nothing else", () => {
  assert.deepEqual(parseDelay("20"), { delayMs: 20, jitterMs: 0 });
  assert.deepEqual(parseDelay("5±5"), { delayMs: 5, jitterMs: 5 });
  assert.deepEqual(parseDelay("20+-10"), { delayMs: 20, jitterMs: 10 });
  assert.deepEqual(parseDelay("1.5 ± 0.5"), { delayMs: 1.5, jitterMs: 0.5 });
  for (const bad of ["", "-5", "5±", "±5", "five", "5±-1"]) assert.equal(parseDelay(bad), undefined, bad);
});

test("configure() changes the knobs while running; the seed and the draws go on", () => {
  const network = new NetworkSimulator({ seed: 11 });
  assert.equal(network.isActive, false);
  network.configure({ dropProbability: 1 });
  assert.equal(network.isActive, true);
  assert.deepEqual(network.settings, { dropProbability: 1, duplicateProbability: 0, delayMs: 0, jitterMs: 0 });
  for (let index = 0; index < 20; index++) assert.equal(network.decide().dropped, true);
  network.configure({ dropProbability: 0, duplicateProbability: 1, delayMs: 5 });
  const fate = network.decide();
  assert.equal(fate.dropped, false);
  assert.equal(fate.delaysMs.length, 2);
  assert.equal(network.seed, 11);
});

test("options out of range throw a RangeError naming the option and its range, never run as another", () => {
  const bad: Array<[Record<string, number>, RegExp]> = [
    [{ dropProbability: 2 }, /^network\.dropProbability must be a number from 0 to 1/],
    [{ dropProbability: -1 }, /^network\.dropProbability must be a number from 0 to 1/],
    [{ duplicateProbability: Number.NaN }, /^network\.duplicateProbability must be a number from 0 to 1/],
    [{ delayMs: -5 }, /^network\.delayMs must be a number from 0 to 3600000/],
    [{ jitterMs: 3_600_001 }, /^network\.jitterMs must be a number from 0 to 3600000/],
    [{ seed: 1.5 }, /^network\.seed must be a whole number from 0 to 4294967295/],
  ];
  for (const [options, message] of bad)
    assert.throws(() => new NetworkSimulator(options), { name: "RangeError", message });
  const edge = { dropProbability: 1, duplicateProbability: 1, delayMs: 3_600_000, jitterMs: 0, seed: 2 ** 32 - 1 };
  assert.equal(new NetworkSimulator(edge).decide().dropped, true);
});

test("configure() checks the same ranges, and a refused change leaves the knobs as they were", () => {
  const network = new NetworkSimulator({ seed: 3, dropProbability: 0.5 });
  assert.throws(() => network.configure({ dropProbability: 1.5 }), {
    name: "RangeError",
    message: /^network\.dropProbability must be a number from 0 to 1/,
  });
  assert.throws(() => network.configure({ delayMs: 20, jitterMs: 3_600_001 }), { name: "RangeError" });
  assert.equal(network.settings.dropProbability, 0.5);
  assert.equal(network.settings.delayMs, 0);
});
