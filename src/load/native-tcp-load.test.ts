// The native load engine's choice (nativeLoadFits) and its module's answers to misuse.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { GeneratorPlan } from "./generator.js";
import { loadLoop, nativeLoadFits } from "./native-tcp-load.js";

const PLAN: GeneratorPlan = {
  protocol: "tcp",
  address: "127.0.0.1",
  host: "localhost",
  port: 12000,
  connections: 2,
  pattern: "pingpong",
  sizeBytes: 64,
  mode: "unicode",
  text: "ascii",
  udpTimeoutMs: 1000,
};

test("the native engine runs only where it measures what the TypeScript generator would", () => {
  assert.equal(nativeLoadFits(PLAN), true);
  assert.equal(nativeLoadFits({ ...PLAN, pattern: "connect", address: "::1" }), true);
  assert.equal(nativeLoadFits({ ...PLAN, pattern: "stream" }), false);
  assert.equal(nativeLoadFits({ ...PLAN, protocol: "udp" }), false);
  assert.equal(nativeLoadFits({ ...PLAN, ratePerSecond: 100 }), false);
  assert.equal(nativeLoadFits({ ...PLAN, tls: { insecure: true } }), false);
  assert.equal(nativeLoadFits({ ...PLAN, address: "fe80::1%eth0" }), false);
  assert.equal(nativeLoadFits({ ...PLAN, address: "localhost" }), false);
});

test("load-loop.node refuses what it cannot run, with a message that says what it takes", (context) => {
  const { module, unavailable } = loadLoop();
  if (module === undefined) return context.skip(`load-loop.node not loaded: ${unavailable}`);
  const payload = Buffer.from("abc");
  const expected = Buffer.from("ABC");
  assert.throws(() => module.open("localhost", 12000, 0, 1, payload, expected), /not a numeric IPv4 or IPv6 address/);
  assert.throws(() => module.open("127.0.0.1", 12000, 2, 1, payload, expected), /pattern 0\|1/);
  assert.throws(() => module.open("127.0.0.1", 12000, 0, 1, Buffer.alloc(0), expected), /non-empty Buffers/);
  const handle = module.open("127.0.0.1", 12000, 0, 1, payload, expected);
  assert.throws(() => module.run(handle, 1, 0, new Float64Array(3), new Float64Array(512)), /Float64Array\(9\)/);
  module.close(handle);
  // Closed: its sockets are gone, and it says so rather than touching freed memory.
  assert.throws(() => module.run(handle, 1, 0, new Float64Array(9), new Float64Array(512)), /open handle/);
});
