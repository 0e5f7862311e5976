// SocketReader on real loopback sockets, on each of its three paths (batched by the native
// module, a shared buffer, data events): every byte of every connection arrives, in order, each
// chunk right while it is handed out (receivers copy what they keep); pause stops reading.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { acceptQueue } from "../../test/support/accept-queue.js";
import { SharedReadBuffer } from "../io/shared-read-buffer.js";
import { type BatchedReads, batchedReads, streamReadsUnavailable } from "./batched-reads.js";
import { type ReadPath, SHARED_READ_BUFFER_BYTES, SocketReader, sharedReadsSupported } from "./socket-reader.js";

interface Received {
  socket: Socket;
  reader: SocketReader;
  /** Every chunk as delivered, copied at once (the shared buffer's next read overwrites it). */
  chunks: Buffer[];
  ended: Promise<unknown>;
}

/** A server whose sockets are read by SocketReader; `accepted` yields each one's record. */
function readingServer(source: BatchedReads | SharedReadBuffer | undefined) {
  const accepted = acceptQueue<Received>();
  const server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket: Socket) => {
    const reader = new SocketReader(socket, source);
    const received: Received = { socket, reader, chunks: [], ended: once(socket, "end") };
    received.reader.onChunk = (chunk) => received.chunks.push(Buffer.from(chunk));
    socket.on("error", () => socket.destroy());
    socket.on("end", () => socket.end());
    reader.resume();
    accepted.push(received);
  });
  return { server, nextAccepted: accepted.next };
}

async function send(port: number, payload: Buffer): Promise<Socket> {
  const socket = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
  await once(socket, "connect");
  // In pieces of varied sizes, so reads of many connections interleave.
  for (let offset = 0; offset < payload.length; ) {
    const size = 1 + ((offset * 7919) % 9000);
    if (!socket.write(payload.subarray(offset, offset + size))) await once(socket, "drain");
    offset += size;
  }
  socket.end();
  return socket;
}

/** Each path's source; undefined where this process has no such path (`skip` says why). */
function sourceOf(path: ReadPath): { source: BatchedReads | SharedReadBuffer | undefined; skip?: string } {
  if (path === "batched") {
    const batched = batchedReads();
    return batched === undefined ? { source: undefined, skip: streamReadsUnavailable } : { source: batched };
  }
  if (path === "shared buffer") return { source: new SharedReadBuffer(Buffer.allocUnsafe(SHARED_READ_BUFFER_BYTES)) };
  return { source: undefined };
}

for (const path of ["batched", "shared buffer", "data events"] as const) {
  const { source, skip } = sourceOf(path);
  describe(`SocketReader (${path})`, { skip }, () => {
    const { server, nextAccepted } = readingServer(source);
    let port: number;
    before(async () => {
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      port = (server.address() as AddressInfo).port;
    });
    after(() => new Promise<void>((resolve) => (server as Server).close(() => resolve())));

    test("reads the way it was asked to", async () => {
      const client = await send(port, Buffer.from("x"));
      const received = await nextAccepted();
      await received.ended;
      assert.equal(received.reader.path, path);
      assert.equal(received.reader.usesSharedBuffer, path !== "data events");
      client.destroy();
    });

    test("20 connections at once: every chunk right when handed out, every byte in order, then end", async () => {
      const payloads = Array.from({ length: 20 }, () => randomBytes(300_000));
      const clients = await Promise.all(payloads.map((payload) => send(port, payload)));
      const records = await Promise.all(payloads.map(() => nextAccepted()));
      await Promise.all(records.map((record) => record.ended));
      const got = records.map((record) => Buffer.concat(record.chunks));
      // Accept order need not match connect order: match each payload to one connection.
      for (const payload of payloads) {
        const index = got.findIndex((bytes) => bytes.equals(payload));
        assert.notEqual(index, -1, "a connection's bytes were lost or changed");
        got.splice(index, 1);
      }
      for (const client of clients) client.destroy();
    });

    test("pause stops reading until resume; nothing is lost across it", async () => {
      const payload = randomBytes(4 * 1024 * 1024);
      const client = await send(port, payload);
      const received = await nextAccepted();
      const keep = received.reader.onChunk;
      // Pause from inside the first delivery, as the server does when a client stops reading.
      const firstChunk = new Promise<void>((resolve) => {
        received.reader.onChunk = (chunk) => {
          keep(chunk);
          received.reader.pause();
          received.reader.onChunk = keep;
          resolve();
        };
      });
      await firstChunk;
      const chunksWhenPaused = received.chunks.length;
      await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(received.chunks.length, chunksWhenPaused, "chunks arrived while paused");
      received.reader.resume();
      await received.ended;
      assert.ok(Buffer.concat(received.chunks).equals(payload));
      client.destroy();
    });
  });
}

test("this Node lets accepted sockets read into a shared buffer (else the server is slower, not wrong)", () => {
  assert.equal(sharedReadsSupported, true);
});
