// The TCP server behind a load balancer (--proxy-protocol): the header's client is the one limits and logs see.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  Command,
  IPv4Address,
  IPv4ProxyAddress,
  TransportProtocol,
  UnspecProxyAddress,
  V2ProxyProtocol,
} from "proxy-protocol-js";
import { TcpServer } from "../src/index.js";
import { tcpConnect, tcpExchange } from "./support/sockets.js";

function v2Header(source: string, sourcePort: number): Uint8Array {
  const bytes = (address: string) => address.split(".").map(Number);
  return new V2ProxyProtocol(
    Command.PROXY,
    TransportProtocol.STREAM,
    new IPv4ProxyAddress(
      IPv4Address.createFrom(bytes(source)),
      sourcePort,
      IPv4Address.createFrom([10, 0, 0, 1]),
      12000,
    ),
  ).build();
}

async function withServer(
  options: ConstructorParameters<typeof TcpServer>[0],
  body: (server: TcpServer, port: number) => Promise<void>,
) {
  const server = new TcpServer({ host: "127.0.0.1", port: 0, proxyProtocol: true, ...options });
  const { port } = await server.listen();
  try {
    await body(server, port);
  } finally {
    await server.close(0);
  }
}

describe("--proxy-protocol", () => {
  test("v1 and v2 headers: the payload after the header is answered, the header is not", async () => {
    await withServer({}, async (_server, port) => {
      const v1 = Buffer.from("PROXY TCP4 192.0.2.1 198.51.100.7 56324 12000\r\nhola");
      assert.equal((await tcpExchange(port, [v1])).toString(), "HOLA");
      const v2 = Buffer.concat([v2Header("192.0.2.2", 40000), Buffer.from("mundo")]);
      assert.equal((await tcpExchange(port, [v2])).toString(), "MUNDO");
      // Header and payload cut anywhere across segments, each its own read (the header is kept
      // across reads that reuse the server's read buffer).
      const chunks = [...v2].map((byte) => Buffer.from([byte]));
      assert.equal((await tcpExchange(port, chunks)).toString(), "MUNDO");
      assert.equal((await tcpExchange(port, chunks, { gapMs: 2 })).toString(), "MUNDO");
    });
  });

  test("1 to 3 bytes after the header, at the very end of a read's memory, are answered (no crash)", async () => {
    // Through data events each read is its own exact-size memory: the payload after a
    // 33-byte header is then a short slice at the end of it, where the ASCII kernel's word view
    // once threw a RangeError in the read callback and brought the process down.
    await withServer({ readIntoSharedBuffer: false }, async (_server, port) => {
      for (const payload of ["a", "ab", "abc"]) {
        for (const clientPort of ["1", "12", "123", "1234"]) {
          const header = `PROXY TCP4 1.2.3.4 5.6.7.8 ${clientPort} 2\r\n`;
          const answer = await tcpExchange(port, [Buffer.from(header + payload)]);
          assert.equal(answer.toString(), payload.toUpperCase(), `header of ${header.length} bytes`);
        }
      }
    });
  });

  test("close() does not wait for a connection that sends no header: quiet, it is refused as draining", {
    timeout: 15_000, // without the fix, close() waited for the 60 s header timeout
  }, async () => {
    const server = new TcpServer({ host: "127.0.0.1", port: 0, proxyProtocol: true, proxyHeaderTimeoutMs: 60_000 });
    const { port } = await server.listen();
    const silent = await tcpConnect(port);
    silent.on("error", () => {});
    const silentClosed = new Promise((resolve) => silent.once("end", resolve).once("error", resolve));
    silent.resume();
    while (server.statistics().connectionsAwaitingHeader === 0) await new Promise((resolve) => setTimeout(resolve, 10));
    assert.equal((await server.close(10_000)).connectionsReset, 0);
    await silentClosed;
    assert.equal(server.statistics().refused.draining, 1);
    assert.equal(server.statistics().refused["proxy-header"], 0);
  });

  test("connections still waiting for their header are limited per peer address (--max-awaiting-header-per-address)", async () => {
    await withServer({ maxAwaitingHeaderPerAddress: 3 }, async (server, port) => {
      const silent: import("node:net").Socket[] = [];
      for (let index = 0; index < 3; index++) {
        const socket = await tcpConnect(port);
        socket.on("error", () => {});
        silent.push(socket);
      }
      while (server.statistics().connectionsAwaitingHeader < 3) await new Promise((resolve) => setTimeout(resolve, 10));
      // A fourth from the same address is closed at accept, before it can send anything.
      const refused = await tcpExchange(port, [Buffer.concat([v2Header("192.0.2.60", 7000), Buffer.from("no")])]);
      assert.equal(refused.length, 0);
      assert.equal(server.statistics().refused["max-awaiting-header-per-address"], 1);
      // Once one of them finishes its header, a slot is free again.
      const answered = new Promise<Buffer>((resolve) => silent[0].once("data", resolve));
      silent[0].write(Buffer.concat([v2Header("192.0.2.61", 7001), Buffer.from("ya")]));
      assert.equal((await answered).toString(), "YA");
      const served = await tcpExchange(port, [Buffer.concat([v2Header("192.0.2.62", 7002), Buffer.from("si")])]);
      assert.equal(served.toString(), "SI");
      for (const socket of silent) socket.destroy();
    });
  });

  test("the per-address limit counts the client named in the header, not the proxy", async () => {
    await withServer({ maxConnectionsPerAddress: 2 }, async (server, port) => {
      const open = [];
      for (let index = 0; index < 2; index++) {
        const socket = await tcpConnect(port);
        socket.write(v2Header("192.0.2.50", 5000 + index));
        open.push(socket);
      }
      // A third from the same real client is refused; one from another real client is served.
      const refused = await tcpExchange(port, [Buffer.concat([v2Header("192.0.2.50", 6000), Buffer.from("no")])]);
      assert.equal(refused.length, 0);
      const other = await tcpExchange(port, [Buffer.concat([v2Header("192.0.2.51", 6001), Buffer.from("si")])]);
      assert.equal(other.toString(), "SI");
      assert.equal(server.statistics().refused["max-connections-per-address"], 1);
      const peers = [...server.connections()].map((connection) => connection.peer);
      assert.deepEqual(peers.sort(), ["192.0.2.50:5000", "192.0.2.50:5001"]);
      for (const socket of open) socket.destroy();
    });
  });

  test("a LOCAL header alone (HAProxy's health check) is closed quietly and counted apart", async () => {
    await withServer({}, async (server, port) => {
      const local = new V2ProxyProtocol(Command.LOCAL, TransportProtocol.UNSPEC, new UnspecProxyAddress()).build();
      const socket = await tcpConnect(port);
      socket.on("error", () => {}); // the server may reset it: that is the point
      socket.write(local);
      await new Promise((resolve) => socket.once("end", resolve));
      socket.destroy();
      const statistics = server.statistics();
      assert.equal(statistics.healthChecks, 1);
      assert.equal(statistics.refused["proxy-header"], 0);
      assert.equal(statistics.connectionsAccepted, 0);
    });
  });

  test("garbage, a truncated v2 header, and a missing header in time are refused and counted", async () => {
    await withServer({ proxyHeaderTimeoutMs: 200 }, async (server, port) => {
      assert.equal((await tcpExchange(port, [Buffer.from("GET / HTTP/1.1\r\n\r\n")])).length, 0);
      const truncated = Buffer.from(v2Header("192.0.2.3", 1));
      truncated.writeUInt16BE(4, 14); // length too short for the IPv4 address block
      assert.equal((await tcpExchange(port, [truncated])).length, 0);
      const silent = await tcpConnect(port);
      await new Promise((resolve) => silent.once("end", resolve)); // the server gave up on it
      silent.destroy();
      assert.equal(server.statistics().refused["proxy-header"], 3);
    });
  });
});
