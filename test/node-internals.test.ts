// The fast paths that lean on Node's internals, on the running Node: each probe finds what it
// looks for and the fast path is the one taken (asserted on the path, not only on the answer);
// where a probe can be made to fail here, the public path takes over with the same bytes. CI
// runs this file on every Node major `engines` covers (.ci/run); it passed on Node 20.20,
// 22.23, 24.22 and 26.12. Not forced here: the onread-symbol and SendWrap probes, which run
// once when their modules load.

import assert from "node:assert/strict";
import { createSocket, type Socket as DatagramSocket } from "node:dgram";
import { once } from "node:events";
import { readlinkSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { constants } from "node:os";
import { after, before, describe, test } from "node:test";
import { SharedReadBuffer } from "../src/net/shared-read-buffer.js";
import { SHARED_READ_BUFFER_BYTES, SocketReader, sharedReadsSupported } from "../src/tcp/socket-reader.js";
import { SocketWriter } from "../src/tcp/socket-writer.js";
import { streamSyscalls, streamSyscallsUnavailable } from "../src/tcp/stream-syscalls.js";
import { DatagramIO, fastestDatagramPath } from "../src/udp/datagram-io.js";
import { datagramSyscalls } from "../src/udp/datagram-syscalls.js";
import { acceptQueue } from "./support/accept-queue.js";

/** What the private handle of a socket offers, as far as the probes look (own properties shadow Node's). */
type HandleOf = Record<string, unknown>;

function tcpHandle(socket: Socket): HandleOf {
  const handle = (socket as unknown as { _handle?: HandleOf | null })._handle;
  assert.ok(handle, "an accepted socket without a handle");
  return handle;
}

/** dgram's handle, found as DatagramIO finds it. */
function udpHandle(socket: DatagramSocket): HandleOf {
  const state = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === "state symbol");
  const handle = state && (socket as unknown as Record<symbol, { handle?: HandleOf }>)[state]?.handle;
  assert.ok(handle, "dgram keeps no handle under its state symbol");
  return handle;
}

describe("TCP: SocketReader and SocketWriter on accepted sockets", () => {
  const accepted = acceptQueue<Socket>();
  const server: Server = createServer({ pauseOnConnect: true, allowHalfOpen: true }, (socket) => accepted.push(socket));
  let port: number;
  before(async () => {
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });
  after(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** A client and the server's side of its connection, still paused. */
  async function pair(): Promise<{ client: Socket; socket: Socket }> {
    const client = connect({ host: "127.0.0.1", port, allowHalfOpen: true });
    const [socket] = await Promise.all([accepted.next(), once(client, "connect")]);
    return { client, socket };
  }

  /** Reads `socket` with SocketReader until the client ends: the bytes, and whether every chunk was a view of `shared`. */
  async function readAll(socket: Socket, client: Socket, shared: SharedReadBuffer) {
    const reader = new SocketReader(socket, shared);
    const chunks: Buffer[] = [];
    let everyChunkShared = true;
    reader.onChunk = (chunk) => {
      everyChunkShared &&= chunk.buffer === shared.memory.buffer;
      chunks.push(Buffer.from(chunk));
    };
    const ended = once(socket, "end");
    socket.resume();
    client.end("hola, mundo");
    await ended;
    client.destroy();
    socket.destroy();
    return { usesSharedBuffer: reader.usesSharedBuffer, everyChunkShared, text: Buffer.concat(chunks).toString() };
  }

  test("reads: the onread probe finds kBuffer/kBufferCb/kBufferGen, and every chunk is a view of the shared buffer", async () => {
    assert.equal(sharedReadsSupported, true, "net.Socket keeps its onread fields otherwise now");
    const { client, socket } = await pair();
    const shared = new SharedReadBuffer(Buffer.allocUnsafe(SHARED_READ_BUFFER_BYTES));
    assert.deepEqual(await readAll(socket, client, shared), {
      usesSharedBuffer: true,
      everyChunkShared: true,
      text: "hola, mundo",
    });
  });

  test("reads: a handle without useUserBuffer falls back to data events, same bytes", async () => {
    const { client, socket } = await pair();
    tcpHandle(socket).useUserBuffer = undefined;
    const shared = new SharedReadBuffer(Buffer.allocUnsafe(SHARED_READ_BUFFER_BYTES));
    assert.deepEqual(await readAll(socket, client, shared), {
      usesSharedBuffer: false,
      everyChunkShared: false,
      text: "hola, mundo",
    });
  });

  /** Writes "HOLA" with `writer`; what the client got. */
  async function answer(writer: SocketWriter, client: Socket, socket: Socket): Promise<string> {
    const received = once(client, "data");
    writer.write(Buffer.from("HOLA"));
    const [chunk] = await received;
    client.destroy();
    socket.destroy();
    return String(chunk);
  }

  test("writes: the fd probe finds the socket's descriptor, and answers go by the native send", {
    skip: streamSyscalls === undefined && `the native send is not built (${streamSyscallsUnavailable})`,
  }, async () => {
    const { client, socket } = await pair();
    // What each descriptor the writer sends on is, while it is open ("socket:[inode]" on Linux).
    const descriptors: string[] = [];
    const send = streamSyscalls?.send as NonNullable<typeof streamSyscalls>["send"];
    const writer = new SocketWriter(socket, {
      send: (fd, buffer, length) => {
        descriptors.push(process.platform === "linux" ? readlinkSync(`/proc/self/fd/${fd}`) : "socket:");
        return send(fd, buffer, length);
      },
    });
    assert.equal(writer.sendsDirectly, true, "the TCP handle shows no descriptor (_handle.fd)");
    assert.equal(await answer(writer, client, socket), "HOLA");
    assert.equal(writer.directBytes, 4, "the answer went through socket.write");
    assert.equal(descriptors.length, 1);
    assert.match(descriptors[0] ?? "", /^socket:/, "the descriptor found is no socket");
  });

  test("writes: a handle without a descriptor falls back to socket.write, same bytes", async () => {
    const { client, socket } = await pair();
    Object.defineProperty(tcpHandle(socket), "fd", { value: undefined });
    const writer = new SocketWriter(socket, { send: () => -constants.errno.EBADF });
    assert.equal(writer.sendsDirectly, false);
    assert.equal(await answer(writer, client, socket), "HOLA");
    assert.equal(writer.directBytes, 0);
  });
});

describe("UDP: DatagramIO on a bound socket", () => {
  /** An echo on DatagramIO; two datagrams through it: the replies and what the receiver saw. */
  async function echoTwice(prepare: (socket: DatagramSocket) => void = () => {}) {
    const socket = createSocket("udp4");
    socket.bind(0, "127.0.0.1");
    await once(socket, "listening");
    prepare(socket);
    const memories: ArrayBufferLike[] = [];
    const io = new DatagramIO<undefined>(
      socket,
      (message, remote) => {
        memories.push(message.buffer);
        io.send(message, remote, undefined);
      },
      () => {},
    );
    const client = createSocket("udp4");
    const replies: string[] = [];
    for (const text of ["uno", "dos"]) {
      const reply = once(client, "message");
      client.send(text, socket.address().port, "127.0.0.1");
      replies.push(String((await reply)[0]));
    }
    client.close();
    const seen = {
      path: io.path,
      messageListeners: socket.listenerCount("message"),
      oneMemory: memories.length === 2 && memories[0] === memories[1],
      replies,
    };
    socket.close();
    return seen;
  }

  test("the probes (udp_wrap's SendWrap, dgram's state symbol, its onMessage) hold: the fastest path is taken", async () => {
    assert.equal(fastestDatagramPath, datagramSyscalls === undefined ? "handle" : "syscalls");
    const seen = await echoTwice();
    assert.equal(seen.path, fastestDatagramPath);
    assert.equal(seen.messageListeners, 0, "datagrams came through dgram's message event");
    // The native path reads every datagram into one buffer; Node's handle makes one per datagram.
    assert.equal(seen.oneMemory, seen.path === "syscalls");
    assert.deepEqual(seen.replies, ["uno", "dos"]);
  });

  test("a handle whose receiver is not dgram's onMessage falls back to dgram's events, same replies", async () => {
    const seen = await echoTwice((socket) => {
      const handle = udpHandle(socket);
      const onMessage = handle.onmessage as (...args: unknown[]) => void;
      handle.onmessage = function replaced(this: unknown, ...args: unknown[]) {
        onMessage.apply(this, args);
      };
    });
    assert.deepEqual(seen, { path: "events", messageListeners: 1, oneMemory: false, replies: ["uno", "dos"] });
  });
});
