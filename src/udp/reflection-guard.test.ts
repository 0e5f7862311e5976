// Which sources never get a UDP reply: privileged ports, NFS, mayus's own ports, broadcast and multicast.

import assert from "node:assert/strict";
import { test } from "node:test";
import { localBroadcastAddresses, ReflectionGuard } from "./reflection-guard.js";

test("ports: below 1024, 2049, and our own are refused; others are answered", () => {
  const guard = new ReflectionGuard([12000], []);
  assert.equal(guard.refusalFor("127.0.0.1", 0), "privileged-port");
  assert.equal(guard.refusalFor("127.0.0.1", 7), "privileged-port"); // echo
  assert.equal(guard.refusalFor("127.0.0.1", 19), "privileged-port"); // chargen
  assert.equal(guard.refusalFor("127.0.0.1", 1023), "privileged-port");
  assert.equal(guard.refusalFor("127.0.0.1", 1024), undefined);
  assert.equal(guard.refusalFor("127.0.0.1", 2049), "nfs-port");
  assert.equal(guard.refusalFor("127.0.0.1", 12000), "own-port");
  guard.addOwnPort(12001);
  assert.equal(guard.refusalFor("::1", 12001), "own-port");
  assert.equal(guard.refusalFor("::1", 50000), undefined);
});

test("broadcast and multicast sources, IPv4 (mapped too) and IPv6", () => {
  const guard = new ReflectionGuard([], ["192.168.1.255"]);
  assert.equal(guard.refusalFor("255.255.255.255", 5000), "broadcast");
  assert.equal(guard.refusalFor("192.168.1.255", 5000), "broadcast");
  assert.equal(guard.refusalFor("::ffff:192.168.1.255", 5000), "broadcast");
  assert.equal(guard.refusalFor("224.0.0.1", 5000), "multicast");
  assert.equal(guard.refusalFor("239.255.255.250", 5000), "multicast");
  assert.equal(guard.refusalFor("::ffff:224.0.0.251", 5000), "multicast");
  assert.equal(guard.refusalFor("ff02::1", 5000), "multicast");
  assert.equal(guard.refusalFor("223.255.255.255", 5000), undefined);
  assert.equal(guard.refusalFor("240.0.0.1", 5000), undefined);
  assert.equal(guard.refusalFor("fe80::1", 5000), undefined);
  assert.equal(guard.refusalFor("ff0e::fb", 5000), "multicast");
  assert.equal(guard.refusalFor("ff::1", 5000), undefined); // 00ff::1
  assert.equal(guard.refusalFor("ffe::1", 5000), undefined); // 0ffe::1
});

test("IPv4 multicast is exactly a first octet of 224 to 239, whatever its number of digits", () => {
  const guard = new ReflectionGuard([], []);
  for (let octet = 0; octet <= 255; octet++) {
    const expected = octet >= 224 && octet <= 239 ? "multicast" : undefined;
    assert.equal(guard.refusalFor(`${octet}.1.2.3`, 5000), expected, `${octet}.1.2.3`);
    assert.equal(guard.refusalFor(`::ffff:${octet}.0.0.1`, 5000), expected, `::ffff:${octet}.0.0.1`);
  }
});

test("local broadcast addresses are computed from the interfaces (loopback's /8 gives 127.255.255.255)", () => {
  const addresses = localBroadcastAddresses();
  for (const address of addresses) assert.match(address, /^\d+\.\d+\.\d+\.\d+$/);
  assert.ok(addresses.includes("127.255.255.255"), addresses.join(", "));
});

test("a source asked about again gets the same answer; the port is checked every time", () => {
  const guard = new ReflectionGuard([12000], ["10.0.0.255"]);
  for (let round = 0; round < 2; round++) {
    assert.equal(guard.refusalFor("224.0.0.1", 5000), "multicast");
    assert.equal(guard.refusalFor("224.0.0.1", 5000), "multicast");
    assert.equal(guard.refusalFor("224.0.0.1", 80), "privileged-port");
    assert.equal(guard.refusalFor("224.0.0.1", 12000), "own-port");
    assert.equal(guard.refusalFor("10.0.0.1", 5000), undefined);
    assert.equal(guard.refusalFor("10.0.0.1", 2049), "nfs-port");
    assert.equal(guard.refusalFor("10.0.0.1", 5000), undefined);
    assert.equal(guard.refusalFor("10.0.0.255", 5000), "broadcast");
  }
});
