// The probes of Node's internals (src/node-internals/), on the running Node: each finds what it
// looks for and the fast path is the one taken (asserted on the path, not only on the answer);
// each made to fail gives the public path with the same bytes, and is recorded and logged once
// at debug. The probes that run when their module loads are made to fail in a child process.
// CI runs this file on every Node major `engines` covers (.ci/run; NODE_MAJORS_VERIFIED).

import assert from "node:assert/strict";
import { createSocket, type Socket as DatagramSocket } from "node:dgram";
import { once } from "node:events";
import { readlinkSync } from "node:fs";
import { type AddressInfo, connect, createServer, type Server, type Socket } from "node:net";
import { constants } from "node:os";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { pino } from "pino";
import { SharedReadBuffer } from "../src/io/shared-read-buffer.js";
import {
  failedProbes,
  logFailedProbes,
  NODE_MAJORS_VERIFIED,
  PROBES,
  type ProbeName,
} from "../src/node-internals/probes.js";
import { batchedReads, streamReadsUnavailable } from "../src/tcp/batched-reads.js";
import { SHARED_READ_BUFFER_BYTES, SocketReader, sharedReadsSupported } from "../src/tcp/socket-reader.js";
import { SocketWriter } from "../src/tcp/socket-writer.js";
import { streamSyscalls, streamSyscallsUnavailable } from "../src/tcp/stream-syscalls.js";
import { DatagramIO, fastestDatagramPath } from "../src/udp/datagram-io.js";
import { datagramSyscalls } from "../src/udp/datagram-syscalls.js";
import { acceptQueue } from "./support/accept-queue.js";
import { run } from "./support/processes.js";

/** The names of the probes that failed in this process so far. */
const failedNames = (): ProbeName[] => failedProbes().map((failure) => failure.name);

test("this Node's major is one the probes were verified on, and package.json's engines starts there", async () => {
  const major = Number(process.versions.node.split(".")[0]);
  assert.ok(NODE_MAJORS_VERIFIED.includes(major), `Node ${process.versions.node}: not verified (run this file on it)`);
  const { default: manifest } = await import("../package.json", { with: { type: "json" } });
  assert.equal(manifest.engines.node, `>=${Math.min(...NODE_MAJORS_VERIFIED)}`);
});

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
    assert.deepEqual(failedNames(), [], "a probe failed when its module loaded");
    assert.equal(sharedReadsSupported, true, "net.Socket keeps its onread fields otherwise now");
    const { client, socket } = await pair();
    const shared = new SharedReadBuffer(Buffer.allocUnsafe(SHARED_READ_BUFFER_BYTES));
    assert.deepEqual(await readAll(socket, client, shared), {
      usesSharedBuffer: true,
      everyChunkShared: true,
      text: "hola, mundo",
    });
    assert.deepEqual(failedNames(), [], "the fast path was taken, yet a probe failed");
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
    assert.ok(failedNames().includes("tcp-user-buffer"));
  });

  /** A socket Node reads itself (as one a cluster primary hands over), read by SocketReader in batches. */
  async function readHandedOver(socket: Socket, client: Socket) {
    socket.read(0); // Node starts reading it, as it does a socket built around a received descriptor
    assert.equal(tcpHandle(socket).reading, true);
    const reader = new SocketReader(socket, batchedReads());
    const chunks: Buffer[] = [];
    reader.onChunk = (chunk) => chunks.push(Buffer.from(chunk));
    const ended = once(socket, "end");
    reader.resume();
    client.end("hola, mundo");
    await ended;
    client.destroy();
    socket.destroy();
    return { path: reader.path, text: Buffer.concat(chunks).toString() };
  }

  const noBatches = batchedReads() === undefined && `batched reads are not built (${streamReadsUnavailable})`;

  test("reads: the read-stop probe stops Node reading a socket it reads, and every byte comes in batches", {
    skip: noBatches,
  }, async () => {
    const { client, socket } = await pair();
    assert.deepEqual(await readHandedOver(socket, client), { path: "batched", text: "hola, mundo" });
    assert.ok(!failedNames().includes("tcp-read-stop"));
  });

  test("reads: a handle without readStop, on a socket Node reads, falls back to data events, same bytes", {
    skip: noBatches,
  }, async () => {
    const { client, socket } = await pair();
    tcpHandle(socket).readStop = undefined;
    assert.deepEqual(await readHandedOver(socket, client), { path: "data events", text: "hola, mundo" });
    assert.ok(failedNames().includes("tcp-read-stop"));
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
    assert.ok(!failedNames().includes("tcp-descriptor"));
  });

  test("writes: a handle without a descriptor falls back to socket.write, same bytes", async () => {
    const { client, socket } = await pair();
    Object.defineProperty(tcpHandle(socket), "fd", { value: undefined });
    const writer = new SocketWriter(socket, { send: () => -constants.errno.EBADF });
    assert.equal(writer.sendsDirectly, false);
    assert.equal(await answer(writer, client, socket), "HOLA");
    assert.equal(writer.directBytes, 0);
    assert.ok(failedNames().includes("tcp-descriptor"));
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
    assert.deepEqual(
      failedNames().filter((name) => name.startsWith("udp-")),
      [],
    );
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
    assert.ok(failedNames().includes("udp-state-handle"));
  });
});

/** Runs `code` (an ES module, tsx loaded) in a child Node; its stdout parsed as JSON. */
async function inChild(code: string): Promise<unknown> {
  const finished = await run(process.execPath, ["--import", "tsx", "--input-type=module", "--eval", code]);
  assert.equal(finished.code, 0, finished.stderr);
  return JSON.parse(String(finished.stdout));
}

describe("the probes that run when their module loads, made to fail in a child process", () => {
  const probes = new URL("../src/node-internals/probes.ts", import.meta.url).href;

  test("onread-fields: net.Socket's symbols not found means data events", async () => {
    const reader = new URL("../src/tcp/socket-reader.ts", import.meta.url).href;
    const seen = await inChild(`
      const symbols = Object.getOwnPropertySymbols;
      Object.getOwnPropertySymbols = (target) => symbols(target).filter((symbol) => symbol.description !== "kBufferCb");
      const { sharedReadsSupported } = await import(${JSON.stringify(reader)});
      const { failedProbes } = await import(${JSON.stringify(probes)});
      console.log(JSON.stringify({ sharedReadsSupported, failed: failedProbes().map((failure) => failure.name) }));`);
    assert.deepEqual(seen, { sharedReadsSupported: false, failed: ["onread-fields"] });
  });

  test("udp-send-wrap: process.binding refused means dgram's events", async () => {
    const io = new URL("../src/udp/datagram-io.ts", import.meta.url).href;
    const seen = await inChild(`
      process.binding = () => { throw new Error("no bindings here"); };
      const { fastestDatagramPath } = await import(${JSON.stringify(io)});
      const { failedProbes } = await import(${JSON.stringify(probes)});
      console.log(JSON.stringify({ fastestDatagramPath, failed: failedProbes().map((failure) => failure.name) }));`);
    assert.deepEqual(seen, { fastestDatagramPath: "events", failed: ["udp-send-wrap"] });
  });
});

test("each failed probe is logged once, at debug, with its fallback", () => {
  const lines: { level: number; probe: string; fallback: string }[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  const logger = pino({ level: "debug" }, sink);
  const failed = failedNames();
  assert.ok(failed.length >= 3, "the tests above made probes fail");
  logFailedProbes(logger);
  logFailedProbes(logger);
  assert.deepEqual(
    lines.map((line) => line.probe),
    failed,
  );
  for (const line of lines) {
    assert.equal(line.level, 20, "not at debug");
    assert.equal(line.fallback, PROBES.find((probe) => probe.name === line.probe)?.fallback);
  }
});
