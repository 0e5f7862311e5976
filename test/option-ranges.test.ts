// Out-of-range options seen from outside: the library throws a RangeError before any socket is
// opened (never a server that quietly refuses every datagram), and `mayus serve` gives a usage
// error (exit 2) naming the flag, not a stack trace nor a value Node's timers would not honour.

import assert from "node:assert/strict";
import { test } from "node:test";
import { UdpServer } from "../src/index.js";
import { runMayus } from "./support/processes.js";

test("UdpServer: a rate limit or simulated network out of range is a RangeError naming it", () => {
  assert.throws(() => new UdpServer({ port: 0, rateLimit: { datagramsPerSecond: -1 } }), {
    name: "RangeError",
    message: /^rateLimit\.datagramsPerSecond must be a whole number from 0 to/,
  });
  assert.throws(() => new UdpServer({ port: 0, network: { dropProbability: 1.5 } }), {
    name: "RangeError",
    message: /^network\.dropProbability must be a number from 0 to 1, not 1\.5/,
  });
});

test("serve --delay past an hour: exit 2, one line naming --delay and its range", async () => {
  for (const value of ["99999999999", "10±3600001"]) {
    const finished = await runMayus(["serve", "--port", "0", "--host", "127.0.0.1", "--udp", "--delay", value], "", {
      env: { LANG: "C" },
    });
    assert.equal(finished.code, 2, finished.stderr);
    assert.match(finished.stderr, /--delay must be a number from 0 to 3600000, not "/);
    assert.doesNotMatch(finished.stderr, /\n\s+at /, "no stack trace");
  }
});

test("serve --metrics-port 70000: the usage error names --metrics-port, the flag typed, not --port", async () => {
  const finished = await runMayus(["serve", "--port", "0", "--metrics-port", "70000", "--host", "127.0.0.1"], "", {
    env: { LANG: "C" },
  });
  assert.equal(finished.code, 2, finished.stderr);
  assert.match(finished.stderr, /--metrics-port must be a whole number from 0 to 65535, not "70000"/);
});
