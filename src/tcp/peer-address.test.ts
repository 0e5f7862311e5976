// peerAddressOf on real loopback sockets: the native getpeername() gives what Node's
// `remoteAddress`/`remotePort` give, on IPv4, IPv6 and a dual-stack listener (IPv4-mapped);
// Node's getters answer without the module; and the server's traces still name the port of a
// client it refuses.

import assert from "node:assert/strict";
import { once } from "node:events";
import { closeSync, openSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { constants } from "node:os";
import { describe, test } from "node:test";
import { acceptQueue } from "../../test/support/accept-queue.js";
import { peerAvailable } from "../../test/support/processes.js";
import { descriptorOf } from "../node-internals/tcp-handle.js";
import type { TraceEvent } from "../observability/trace.js";
import { peerAddressOf } from "./peer-address.js";
import { streamSyscalls, streamSyscallsUnavailable } from "./stream-syscalls.js";
import { TcpServer } from "./tcp-server.js";

const noModule =
  streamSyscalls === undefined &&
  (peerAvailable("cc") ? `the native module does not load (${streamSyscallsUnavailable})` : "no C compiler (cc)");

/** An accepted socket and its client, for a listener on `listenHost` reached at `connectHost`. */
async function acceptedFrom(listenHost: string, connectHost: string): Promise<{ accepted: Socket; client: Socket }> {
  const accepted = acceptQueue<Socket>();
  const server = createServer((socket) => accepted.push(socket));
  server.listen({ host: listenHost, port: 0, ipv6Only: false });
  await once(server, "listening");
  const client = connect({ host: connectHost, port: (server.address() as AddressInfo).port });
  const [socket] = await Promise.all([accepted.next(), once(client, "connect")]);
  server.close();
  return { accepted: socket, client };
}

const LISTENERS = [
  { name: "IPv4", listen: "127.0.0.1", connect: "127.0.0.1", address: "127.0.0.1" },
  { name: "IPv6", listen: "::1", connect: "::1", address: "::1" },
  { name: "IPv4 on a dual-stack listener", listen: "::", connect: "127.0.0.1", address: "::ffff:127.0.0.1" },
];

describe("peerAddressOf", { timeout: 30_000 }, () => {
  for (const listener of LISTENERS) {
    test(`native getpeername(): what Node's getters say (${listener.name})`, { skip: noModule }, async () => {
      const { accepted, client } = await acceptedFrom(listener.listen, listener.connect);
      try {
        const port = new Int32Array(1);
        // The native call itself answered (not the fallback to Node's getters).
        assert.equal(streamSyscalls?.peerAddress(descriptorOf(accepted), port), listener.address);
        assert.equal(port[0], client.localPort);
        const peer = peerAddressOf(accepted, descriptorOf(accepted));
        assert.deepEqual(peer, { address: accepted.remoteAddress, port: accepted.remotePort });
        assert.deepEqual(peer, { address: listener.address, port: client.localPort });
      } finally {
        client.destroy();
        accepted.destroy();
      }
    });
  }

  test("without the native call, or where it declines, Node's getters answer", async () => {
    const { accepted, client } = await acceptedFrom("127.0.0.1", "127.0.0.1");
    try {
      const expected = { address: "127.0.0.1", port: client.localPort };
      assert.deepEqual(peerAddressOf(accepted, descriptorOf(accepted), undefined), expected);
      assert.deepEqual(
        peerAddressOf(accepted, descriptorOf(accepted), () => null),
        expected,
      );
      assert.deepEqual(peerAddressOf(accepted, -1), expected);
    } finally {
      client.destroy();
      accepted.destroy();
    }
  });

  test("a failed getpeername() is a negative errno, and Node's getters answer", { skip: noModule }, async () => {
    const { accepted, client } = await acceptedFrom("127.0.0.1", "127.0.0.1");
    client.destroy();
    accepted.destroy();
    const notASocket = openSync("/dev/null", "r");
    try {
      assert.equal(streamSyscalls?.peerAddress(notASocket, new Int32Array(1)), -constants.errno.ENOTSOCK);
      // The socket is closed: Node's getters have nothing to say either.
      assert.deepEqual(peerAddressOf(accepted, notASocket), { address: undefined, port: undefined });
    } finally {
      closeSync(notASocket);
    }
  });
});

test("a client refused for its address is traced with its own port", { timeout: 30_000 }, async () => {
  const events: TraceEvent[] = [];
  const server = new TcpServer({
    host: "127.0.0.1",
    port: 0,
    maxConnectionsPerAddress: 1,
    trace: (event) => events.push(event),
  });
  const { port } = await server.listen();
  const served = once(server, "connection");
  const first = connect({ host: "127.0.0.1", port });
  let second: Socket | undefined;
  try {
    await served;
    second = connect({ host: "127.0.0.1", port });
    second.on("error", () => {}); // refused: closed by the server, maybe with a reset
    await once(second, "connect");
    const secondPort = second.localPort;
    await once(second, "close");
    const refusal = events.find((event) => event.step === "refuse");
    assert.equal(refusal?.peer, `127.0.0.1:${secondPort}`);
  } finally {
    first.destroy();
    second?.destroy();
    await server.close(1_000);
  }
});
