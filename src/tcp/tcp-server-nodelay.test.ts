// TCP_NODELAY on every connection the server serves (answers are small and must not wait for
// the client's ACK), looked up on the server's own descriptors by a Python peer
// (test/peers/tcp_nodelay.py, pidfd_getfd): the first connections, which the server sets one by
// one, and one past a full accept queue, which inherits it from the listening socket on Linux.

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { test } from "node:test";
import { PEERS, run } from "../../test/support/processes.js";
import { descriptorOf } from "../node-internals/tcp-handle.js";
import type { TcpConnection } from "./tcp-connection.js";
import { LISTEN_BACKLOG, TcpServer } from "./tcp-server.js";

/** TCP_NODELAY of this process's descriptor `fd`, as the kernel says; undefined where it cannot be looked at. */
async function noDelayOf(fd: number): Promise<{ on?: boolean; why?: string }> {
  const finished = await run("python3", [`${PEERS}tcp_nodelay.py`, String(process.pid), String(fd)]);
  if (finished.code === 2) return { why: finished.stderr.toString().trim() };
  assert.equal(finished.code, 0, finished.stderr.toString());
  return { on: finished.stdout.toString().trim() === "1" };
}

test("every served connection has TCP_NODELAY, also past a full accept queue", { timeout: 120_000 }, async (t) => {
  const server = new TcpServer({ host: "127.0.0.1", port: 0, maxConnectionsPerAddress: 10_000 });
  const { port } = await server.listen();
  try {
    /** Connects, and gives the server's side while it is open. */
    const served = async (): Promise<{ connection: TcpConnection; close(): Promise<void> }> => {
      const accepted = once(server, "connection") as Promise<[TcpConnection]>;
      const client = connect({ host: "127.0.0.1", port });
      const [connection] = await accepted;
      return {
        connection,
        async close() {
          const closed = once(connection.socket, "close");
          client.destroy();
          await closed;
        },
      };
    };
    const first = await served();
    const firstState = await noDelayOf(descriptorOf(first.connection.socket));
    if (firstState.why !== undefined) {
      t.skip(`cannot look into this process's descriptors: ${firstState.why}`);
      await first.close();
      return;
    }
    assert.equal(firstState.on, true, "the first connection");
    await first.close();
    // Those the server sets one by one: as many as a full accept queue can hold when it listens.
    for (let accepted = 1; accepted <= LISTEN_BACKLOG; accepted++) await (await served()).close();
    const inheriting = await served();
    assert.equal((await noDelayOf(descriptorOf(inheriting.connection.socket))).on, true, "past the accept queue");
    await inheriting.close();
  } finally {
    await server.close(1_000);
  }
});
