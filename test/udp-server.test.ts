// The UDP server in-process on loopback: one datagram in, one out, to the sender, at any size up to the maximum.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { createUppercaser, MAX_IPV4_DATAGRAM_BYTES, MayusError, UdpServer, uppercase } from "../src/index.js";
import { udpExchange } from "./support/sockets.js";

describe("UdpServer", () => {
  let server: UdpServer;
  let port: number;
  before(async () => {
    server = new UdpServer({ host: "127.0.0.1", port: 0 });
    ({ port } = await server.listen());
  });
  after(async () => {
    await server.close();
  });

  test("answers a datagram with its uppercase, to the sender", async () => {
    assert.equal((await udpExchange(port, Buffer.from("hola ñandú")))?.toString(), "HOLA ÑANDÚ");
  });

  test("keeps ill-formed bytes and answers an empty datagram with an empty one", async () => {
    const payload = Buffer.concat([Buffer.from("a"), Buffer.from([0xff, 0xc3]), randomBytes(100)]);
    // A UDP reply never grows (no amplification): characters whose uppercase is longer stay.
    const expected = createUppercaser().transformOwned(Buffer.from(payload), { keepGrowingCharacters: true });
    assert.deepEqual(await udpExchange(port, payload), expected);
    assert.deepEqual(await udpExchange(port, Buffer.alloc(0)), Buffer.alloc(0));
  });

  test("accepts a datagram of the IPv4 maximum, 65,507 bytes", async () => {
    const payload = Buffer.alloc(MAX_IPV4_DATAGRAM_BYTES, "abc");
    const reply = await udpExchange(port, payload);
    assert.equal(reply?.length, MAX_IPV4_DATAGRAM_BYTES);
    assert.deepEqual(reply, uppercase(payload));
  });

  test("counts what it received and sent", () => {
    const statistics = server.statistics();
    assert.ok(statistics.datagramsReceived >= 4);
    assert.equal(statistics.datagramsSent, statistics.datagramsReceived);
  });

  test("listens on IPv6 too", async () => {
    const ipv6 = new UdpServer({ host: "::1", port: 0 });
    const address = await ipv6.listen();
    try {
      assert.equal((await udpExchange(address.port, Buffer.from("seis"), { host: "::1" }))?.toString(), "SEIS");
    } finally {
      await ipv6.close();
      await ipv6.close(); // twice is safe
      assert.equal(ipv6.state, "closed");
    }
  });
});

test("close() while listen() is under way closes what the listen opens; listen() after close() is refused", async () => {
  const starting = new UdpServer({ host: "127.0.0.1", port: 0 });
  const listening = starting.listen();
  const closed = starting.close();
  const { port } = await listening;
  await closed;
  assert.equal(starting.state, "closed");
  // The port is free again: nothing of the server holds it.
  const probe = createSocket("udp4");
  probe.bind(port, "127.0.0.1");
  await once(probe, "listening");
  probe.close();
  await assert.rejects(starting.listen(), /after close/);
});

test("all interfaces, with the port taken on IPv6: the error, not a quiet IPv4-only listen", async () => {
  const squatter = createSocket({ type: "udp6", ipv6Only: true });
  squatter.bind(0, "::");
  await once(squatter, "listening");
  const { port } = squatter.address();
  const server = new UdpServer({ port });
  try {
    await assert.rejects(server.listen(), (error: unknown) => {
      assert.ok(error instanceof MayusError);
      assert.equal((error.cause as NodeJS.ErrnoException).code, "EADDRINUSE");
      return true;
    });
  } finally {
    await server.close();
    squatter.close();
  }
});
