// Token buckets per source: the rate holds, buckets refill with time, and the table never passes its bound.

import assert from "node:assert/strict";
import { test } from "node:test";
import { SourceRateLimiter } from "./source-rate-limiter.js";

function clock() {
  let nowMs = 0;
  return { now: () => nowMs, advance: (ms: number) => (nowMs += ms) };
}

test("a source gets its burst, then one datagram per 1/rate seconds", () => {
  const time = clock();
  const limiter = new SourceRateLimiter({ datagramsPerSecond: 10, bytesPerSecond: 0, now: time.now });
  let allowed = 0;
  for (let index = 0; index < 100; index++) if (limiter.allow("192.0.2.1", 64)) allowed++;
  assert.equal(allowed, 10);
  time.advance(100);
  assert.equal(limiter.allow("192.0.2.1", 64), true);
  assert.equal(limiter.allow("192.0.2.1", 64), false);
  assert.equal(limiter.allow("192.0.2.2", 64), true, "another source has its own bucket");
});

test("the byte rate limits big datagrams separately", () => {
  const time = clock();
  const limiter = new SourceRateLimiter({ datagramsPerSecond: 0, bytesPerSecond: 1000, now: time.now });
  assert.equal(limiter.allow("a", 600), true);
  assert.equal(limiter.allow("a", 600), false);
  time.advance(200);
  assert.equal(limiter.allow("a", 600), true);
});

test("the table keeps at most maxSources, forgetting the least recently seen", () => {
  const limiter = new SourceRateLimiter({ datagramsPerSecond: 1, maxSources: 100, now: clock().now });
  for (let index = 0; index < 100_000; index++) limiter.allow(`10.0.${index >> 8}.${index & 0xff}`, 10);
  assert.equal(limiter.size, 100);
  assert.equal(limiter.allow("10.0.0.0", 10), true, "a forgotten source starts with a full bucket");
});

test("rates of 0 turn the limiter off", () => {
  assert.equal(new SourceRateLimiter({ datagramsPerSecond: 0, bytesPerSecond: 0 }).isActive, false);
});

test("options out of range throw a RangeError naming the option and its range, never run as another", () => {
  const bad: Array<[Record<string, number>, RegExp]> = [
    [{ datagramsPerSecond: -1 }, /^rateLimit\.datagramsPerSecond must be a whole number from 0 to 10000000/],
    [{ datagramsPerSecond: 1.5 }, /^rateLimit\.datagramsPerSecond must be a whole number/],
    [{ bytesPerSecond: Number.NaN }, /^rateLimit\.bytesPerSecond must be a whole number from 0 to 10000000000/],
    [{ burstSeconds: 0 }, /^rateLimit\.burstSeconds must be a number from 0\.001 to 3600/],
    [{ maxSources: 0 }, /^rateLimit\.maxSources must be a whole number from 1 to 10000000/],
  ];
  for (const [options, message] of bad)
    assert.throws(() => new SourceRateLimiter(options), { name: "RangeError", message });
  const edge = new SourceRateLimiter({ datagramsPerSecond: 0, bytesPerSecond: 0, burstSeconds: 0.001, maxSources: 1 });
  assert.equal(edge.isActive, false);
});
