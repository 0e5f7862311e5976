// The accept callback put in Node 20's place: each socket is what Node's own makes (server,
// options, count, diagnostics channel), past maxConnections Node's own still drops, and
// elsewhere (another major, a server not listening) Node's callback stays, a failure recorded.

import assert from "node:assert/strict";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { test } from "node:test";
import { failedProbes } from "./probes.js";
import { acceptWithSettledOptions } from "./tcp-accept.js";

const onNode20 = process.versions.node.startsWith("20.");

async function listening(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

test("sockets made by the callback are Node's: options, server, count, channel, bytes", async () => {
  const published: Socket[] = [];
  const onPublish = (message: unknown) => published.push((message as { socket: Socket }).socket);
  subscribe("net.server.socket", onPublish);
  const server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (socket) => {
    socket.on("data", (data) => socket.write(data.toString().toUpperCase()));
    socket.on("end", () => socket.end());
    socket.resume();
  });
  try {
    const port = await listening(server);
    assert.equal(acceptWithSettledOptions(server), onNode20);
    const accepted = once(server, "connection");
    const client = connect(port, "127.0.0.1");
    const [socket] = (await accepted) as [Socket & { server: Server }];
    assert.equal(socket.server, server);
    assert.equal(socket.allowHalfOpen, true);
    assert.equal(socket.readableFlowing, true, "resumed by the listener after pauseOnConnect");
    const count = await new Promise<number>((resolve, reject) =>
      server.getConnections((error, n) => (error ? reject(error) : resolve(n))),
    );
    assert.equal(count, 1);
    assert.deepEqual(published, [socket]);
    client.end("abc");
    const chunks: Buffer[] = [];
    for await (const chunk of client) chunks.push(chunk as Buffer);
    assert.equal(Buffer.concat(chunks).toString(), "ABC");
    await new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once("close", () => resolve())));
    assert.equal((server as unknown as { _connections: number })._connections, 0);
  } finally {
    unsubscribe("net.server.socket", onPublish);
    server.close();
  }
});

test("past maxConnections, Node's own callback drops and says so", async () => {
  const server = createServer({ pauseOnConnect: true });
  server.maxConnections = 1;
  try {
    const port = await listening(server);
    acceptWithSettledOptions(server);
    const first = connect(port, "127.0.0.1");
    await once(server, "connection");
    const dropped = once(server, "drop");
    const second = connect(port, "127.0.0.1");
    const [data] = (await dropped) as [{ remoteAddress?: string } | undefined];
    assert.equal(data?.remoteAddress, "127.0.0.1");
    first.destroy();
    second.destroy();
  } finally {
    server.close();
  }
});

test("a server not listening keeps Node's callback; on Node 20 the failure is recorded", () => {
  const server = createServer();
  assert.equal(acceptWithSettledOptions(server), false);
  assert.equal(
    failedProbes().some((failure) => failure.name === "tcp-accept-options"),
    onNode20,
  );
});
