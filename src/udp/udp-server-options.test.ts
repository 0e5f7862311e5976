// UdpServer's port and own ports at their bounds: 0 and 65535 are taken; 65536, -1, a
// fraction and NaN throw a RangeError naming the option (70000 used to bind 4464).

import assert from "node:assert/strict";
import { test } from "node:test";
import { UdpServer } from "./udp-server.js";
import { resolveUdpPorts, UDP_PORT_RANGE } from "./udp-server-options.js";

test("port: 0 and 65535 are taken; 65536, 70000, -1, 1.5 and NaN throw, before any socket", () => {
  assert.equal(resolveUdpPorts({ port: UDP_PORT_RANGE.min }).port, 0);
  assert.equal(resolveUdpPorts({ port: UDP_PORT_RANGE.max }).port, 65_535);
  for (const port of [65_536, 70_000, -1, 1.5, Number.NaN]) {
    assert.throws(() => new UdpServer({ host: "127.0.0.1", port }), {
      name: "RangeError",
      message: /^port must be a whole number from 0 to 65535, not/,
    });
  }
});

test("ownPorts: each must be a port; one out of range throws, naming ownPorts", () => {
  assert.deepEqual(resolveUdpPorts({ ownPorts: [0, 65_535] }).ownPorts, [0, 65_535]);
  for (const ownPort of [65_536, -1, Number.NaN]) {
    assert.throws(() => new UdpServer({ port: 0, ownPorts: [12_000, ownPort] }), {
      name: "RangeError",
      message: /^ownPorts must be a whole number from 0 to 65535, not/,
    });
  }
});
