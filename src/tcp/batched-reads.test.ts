// BatchedReads (stream-reads.c) on real loopback sockets, where SocketReader's own tests do not
// reach: descriptors reused by the next connection, a reset, a socket Node already reads, the
// process kept alive by a watched socket and by nothing else, and an exception thrown by a
// receiver. Skipped where the native module is not there (not Linux, MAYUS_NATIVE=0).

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { start, waitForOutput } from "../../test/support/processes.js";
import { batchedReads, streamReadsUnavailable } from "./batched-reads.js";
import { SocketReader } from "./socket-reader.js";

const batched = batchedReads();

/** Sends `payload` and FIN, and resolves with every byte the server sent back before its FIN. */
async function exchange(port: number, payload: Buffer): Promise<Buffer> {
  const socket = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
  const chunks: Buffer[] = [];
  socket.on("data", (chunk: Buffer) => chunks.push(chunk));
  await once(socket, "connect");
  socket.end(payload);
  await once(socket, "end");
  socket.destroy();
  return Buffer.concat(chunks);
}

/** An echo server whose sockets SocketReader reads in batches; `pauseOnConnect` false: Node reads them first. */
function echoServer(pauseOnConnect: boolean): { server: Server; paths: string[]; errors: NodeJS.ErrnoException[] } {
  const paths: string[] = [];
  const errors: NodeJS.ErrnoException[] = [];
  const server = createServer({ pauseOnConnect, allowHalfOpen: true }, (socket: Socket) => {
    const reader = new SocketReader(socket, batched);
    paths.push(reader.path);
    reader.onChunk = (chunk) => socket.write(Buffer.from(chunk)); // the chunk's memory is reused
    socket.on("end", () => socket.end());
    socket.on("error", (error) => errors.push(error));
    reader.resume();
  });
  return { server, paths, errors };
}

async function listening(server: Server): Promise<number> {
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  return (server.address() as AddressInfo).port;
}

describe("BatchedReads", { skip: batched === undefined ? streamReadsUnavailable : undefined }, () => {
  const { server, paths, errors } = echoServer(true);
  let port: number;
  before(async () => {
    port = await listening(server);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("600 connections, 8 at a time, each closed as it ends: each gets its own bytes back, whatever descriptor it had", async () => {
    // Closed sockets free their descriptors, which the next accepts take again at once.
    const next = { index: 0 };
    const mismatches: number[] = [];
    const worker = async () => {
      while (next.index < 600) {
        const index = next.index++;
        const payload = Buffer.from(`connection ${index}: ${randomBytes(16 + (index % 900)).toString("hex")}\n`);
        if (!(await exchange(port, payload)).equals(payload)) mismatches.push(index);
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    assert.deepEqual(mismatches, []);
    assert.ok(paths.length >= 600 && paths.every((path) => path === "batched"));
  });

  test("a client's reset reaches the socket as Node's own read would give it: error ECONNRESET, syscall read", async () => {
    const before = errors.length;
    const client = connect({ host: "127.0.0.1", port });
    await once(client, "connect");
    client.write("hola");
    await once(client, "data");
    client.resetAndDestroy();
    const deadline = Date.now() + 10_000;
    while (errors.length === before && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    const error = errors.at(-1);
    assert.equal(error?.code, "ECONNRESET");
    assert.equal(error?.syscall, "read");
  });
});

describe("BatchedReads when more sockets are readable than whole reads fit in its memory", {
  skip: batched === undefined,
}, () => {
  // Twelve clients that never stop sending keep twelve sockets readable at every turn; a
  // thirteenth's "ping" must still be read (every socket reported in a turn is read in it).
  let bulkBytesRead = 0;
  const server = createServer({ pauseOnConnect: true }, (socket: Socket) => {
    const reader = new SocketReader(socket, batched);
    reader.onChunk = (chunk) => {
      if (chunk.includes("ping")) socket.write("pong");
      else bulkBytesRead += chunk.length;
    };
    socket.on("error", () => socket.destroy());
    reader.resume();
  });
  let port: number;
  before(async () => {
    port = await listening(server);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("a ping-pong client beside 12 endless senders is answered before 2 GB of theirs are read", async () => {
    const senders = Array.from({ length: 12 }, () => connect({ host: "127.0.0.1", port }));
    const block = Buffer.alloc(256 * 1024, "x");
    for (const sender of senders) {
      sender.on("error", () => {});
      const send = () => {
        while (sender.write(block));
      };
      sender.on("drain", send);
      sender.once("connect", send);
    }
    while (bulkBytesRead < 64 * 1024 * 1024) await new Promise((resolve) => setTimeout(resolve, 10));
    const pinger = connect({ host: "127.0.0.1", port });
    await once(pinger, "connect");
    pinger.write("ping");
    let wasAnswered = false;
    pinger.once("data", () => {
      wasAnswered = true;
    });
    while (!wasAnswered && bulkBytesRead < 2 * 1024 * 1024 * 1024) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    const readMeanwhile = bulkBytesRead;
    for (const socket of [pinger, ...senders]) socket.destroy();
    assert.ok(wasAnswered, `no answer while the server read ${readMeanwhile} bytes of the others`);
  });
});

describe("BatchedReads of a socket Node already reads", { skip: batched === undefined }, () => {
  // As a socket a cluster primary hands over: Node builds it reading. SocketReader stops Node first.
  const { server, paths } = echoServer(false);
  let port: number;
  before(async () => {
    port = await listening(server);
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("every byte comes through the batches, none through Node", async () => {
    const payload = randomBytes(3 * 1024 * 1024);
    assert.ok((await exchange(port, payload)).equals(payload));
    assert.deepEqual(paths, ["batched"]);
  });
});

/** A process whose only socket is read in batches (its listener closed at the first accept). */
const ONE_SOCKET_SERVER = `
import { createServer } from "node:net";
import { batchedReads } from ${JSON.stringify(fileURLToPath(new URL("./batched-reads.ts", import.meta.url)))};
import { SocketReader } from ${JSON.stringify(fileURLToPath(new URL("./socket-reader.ts", import.meta.url)))};
const throwing = process.argv.includes("throw");
process.on("uncaughtException", (error) => { console.log("uncaught " + error.message); process.exit(3); });
const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => {
  server.close();
  const reader = new SocketReader(socket, batchedReads());
  let bytes = 0;
  reader.onChunk = (chunk) => {
    if (throwing) throw new Error("thrown by a receiver");
    bytes += chunk.length;
  };
  socket.on("end", () => { console.log("received " + bytes); socket.end(); });
  reader.resume();
});
server.listen(0, "127.0.0.1", () => console.log("port " + server.address().port));
`;

/** Two sockets read in batches; one turn is made to hold both clients' bytes (the loop blocked meanwhile). */
const TWO_SOCKET_SERVER = `
import { createServer } from "node:net";
import { batchedReads } from ${JSON.stringify(fileURLToPath(new URL("./batched-reads.ts", import.meta.url)))};
import { SocketReader } from ${JSON.stringify(fileURLToPath(new URL("./socket-reader.ts", import.meta.url)))};
let accepted = 0;
let answered = 0;
process.on("uncaughtException", (error) => console.log("uncaught " + error.message + "; answered " + answered));
const server = createServer({ pauseOnConnect: true }, (socket) => {
  const reader = new SocketReader(socket, batchedReads());
  reader.onChunk = (chunk) => {
    if (chunk.includes("throw")) throw new Error("thrown by a receiver");
    socket.write(Buffer.from(chunk));
    answered++;
  };
  socket.on("error", () => socket.destroy());
  reader.resume();
  if (++accepted === 2) setImmediate(() => {
    console.log("blocking");
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
  });
});
server.listen(0, "127.0.0.1", () => console.log("port " + server.address().port));
`;

function startOneSocketServer(...args: string[]) {
  return start(process.execPath, ["--import", "tsx", "--input-type=module", "-e", ONE_SOCKET_SERVER, "--", ...args]);
}

describe("BatchedReads and the process's life", { skip: batched === undefined }, () => {
  test("a watched socket keeps the process alive, as Node's reading does; once it closes, the process ends", async () => {
    const child = startOneSocketServer();
    const port = Number((await waitForOutput(child, /port (\d+)/))[1]);
    const client = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    await once(client, "connect");
    // Listener closed, nothing else pending: only the watched socket holds the process now.
    await new Promise((resolve) => setTimeout(resolve, 500));
    assert.equal(child.child.exitCode, null, `the process ended while its socket was open: ${child.stdout()}`);
    client.end(Buffer.alloc(1000, "a"));
    const finished = await child.exited; // a loop that kept it alive after the close would hang here
    assert.equal(finished.code, 0);
    assert.match(finished.stdout.toString(), /received 1000/);
    client.destroy();
  });

  test("an exception thrown for one socket's read does not lose the other reads of its turn", async () => {
    const child = start(process.execPath, ["--import", "tsx", "--input-type=module", "-e", TWO_SOCKET_SERVER]);
    try {
      const port = Number((await waitForOutput(child, /port (\d+)/))[1]);
      const [thrower, other] = [connect({ host: "127.0.0.1", port }), connect({ host: "127.0.0.1", port })];
      for (const client of [thrower, other]) client.on("error", () => {});
      await Promise.all([once(thrower, "connect"), once(other, "connect")]);
      await waitForOutput(child, /blocking/);
      thrower.write("throw");
      other.write("hola");
      // The error goes on once the whole turn is delivered: the other socket's read is answered by then.
      const [, answered] = await waitForOutput(child, /uncaught thrown by a receiver; answered (\d+)/);
      assert.equal(answered, "1");
      const [answer] = await once(other, "data");
      assert.equal(String(answer), "hola");
      thrower.destroy();
      other.destroy();
    } finally {
      await child.stop();
    }
  });

  test("an exception thrown by a receiver goes to uncaughtException, as one thrown by a data listener", async () => {
    const child = startOneSocketServer("throw");
    const port = Number((await waitForOutput(child, /port (\d+)/))[1]);
    const client = connect({ host: "127.0.0.1", port });
    client.on("error", () => {});
    await once(client, "connect");
    client.write("hola");
    const finished = await child.exited;
    assert.equal(finished.code, 3);
    assert.match(finished.stdout.toString(), /uncaught thrown by a receiver/);
    client.destroy();
  });
});
