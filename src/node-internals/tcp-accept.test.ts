// The accept callback put in Node 20's place: each socket is what Node's own makes (server,
// options, count, diagnostics channel), past maxConnections Node's own still drops, and
// elsewhere (another major, a server not listening) Node's callback stays, a failure recorded.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { once } from "node:events";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
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

test("in a cluster worker Node's callback stays (workers share one socket's connections by how soon each accepts)", async () => {
  // A worker of its own, with scheduling "none": it listens on the shared socket itself.
  const script = [
    'import cluster from "node:cluster";',
    'import { createServer } from "node:net";',
    `import { acceptWithSettledOptions } from ${JSON.stringify(new URL("./tcp-accept.ts", import.meta.url).href)};`,
    "if (cluster.isPrimary) {",
    '  cluster.fork().on("message", (replaced) => { console.log("replaced", replaced); cluster.disconnect(); });',
    "} else {",
    "  const server = createServer();",
    '  server.listen(0, "127.0.0.1", () => { process.send(acceptWithSettledOptions(server)); server.close(); });',
    "}",
  ].join("\n");
  // A file, not --eval: the worker runs the primary's script again.
  const folder = mkdtempSync(join(tmpdir(), "mayus-tcp-accept-"));
  const file = join(folder, "cluster.mjs");
  writeFileSync(file, script);
  try {
    const child = spawn(process.execPath, ["--import", "tsx", file], {
      env: { ...process.env, NODE_CLUSTER_SCHED_POLICY: "none" },
    });
    const output: Buffer[] = [];
    const errors: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => output.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => errors.push(chunk));
    const [code] = (await once(child, "exit")) as [number | null];
    assert.equal(code, 0, Buffer.concat(errors).toString());
    assert.equal(Buffer.concat(output).toString().trim(), "replaced false");
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});
