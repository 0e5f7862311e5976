// DatagramIO on real loopback sockets, on each of its paths (native recvfrom/sendto, straight
// through the handle, dgram's events): every datagram arrives whole and every reply goes back
// to its sender; sends the kernel refuses or makes wait report their outcome once.

import assert from "node:assert/strict";
import { createSocket, type Socket as DatagramSocket } from "node:dgram";
import { once } from "node:events";
import { existsSync, readdirSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { PROJECT_ROOT, peerAvailable, run, start, waitForOutput } from "../../test/support/processes.js";
import { DatagramIO, type DatagramPath, fastestDatagramPath } from "./datagram-io.js";
import {
  type DatagramSyscalls,
  datagramSyscalls,
  datagramSyscallsUnavailable,
  type NativeReceiver,
} from "./datagram-syscalls.js";

interface Outcome {
  bytes: number;
  context: number;
  error?: NodeJS.ErrnoException;
}

/** A datagram this echo answers with 65,508 bytes, more than IPv4 carries. */
const ASK_TOO_LARGE = "reply too large";
/** A datagram before whose reply this echo closes its DatagramIO (the reply must still go). */
const ASK_CLOSE_FIRST = "close, then reply";

/** An echo server on DatagramIO: each reply's context is the datagram's number. */
async function echoServer(type: "udp4" | "udp6", path: DatagramPath) {
  const socket = createSocket({ type, ipv6Only: false });
  socket.bind(0, type === "udp4" ? "127.0.0.1" : "::");
  await once(socket, "listening");
  const outcomes: Outcome[] = [];
  const sources: string[] = [];
  let received = 0;
  const io = new DatagramIO<number>(
    socket,
    (message, remote) => {
      sources.push(`${remote.family} ${remote.address} ${remote.port}`);
      if (message.toString() === ASK_CLOSE_FIRST) io.close();
      io.send(message.toString() === ASK_TOO_LARGE ? Buffer.alloc(65_508) : message, remote, received++);
    },
    (reply, _remote, context, error) => outcomes.push({ bytes: reply.length, context, error }),
    { path },
  );
  assert.equal(io.path, path);
  return { socket, io, outcomes, sources, port: socket.address().port };
}

/** Sends each payload and waits for its reply (stop-and-wait: no loss on loopback). */
async function exchange(client: DatagramSocket, port: number, address: string, payloads: Buffer[]): Promise<Buffer[]> {
  const replies: Buffer[] = [];
  for (const payload of payloads) {
    const reply = once(client, "message");
    client.send(payload, port, address);
    replies.push((await reply)[0] as Buffer);
  }
  return replies;
}

function payloads(count: number): Buffer[] {
  // Sizes 0 to ~1.5 KiB, each with its number in it so a reply to the wrong datagram shows.
  return Array.from({ length: count }, (_, index) =>
    Buffer.from(`${index}:${"x".repeat((index * 37) % 1500)}`.slice(0, index % 7 === 0 ? 0 : undefined)),
  );
}

test("this Node lets the server take datagrams straight from the handle (else every datagram costs dgram's events)", async () => {
  assert.notEqual(fastestDatagramPath, "events", "process.binding('udp_wrap').SendWrap is gone: DatagramIO uses dgram");
  const { socket, io } = await echoServer("udp4", "handle");
  assert.equal(io.path, "handle", "dgram keeps its handle elsewhere now: DatagramIO falls back to dgram");
  socket.close();
});

test("the build made the native recvfrom/sendto (build/datagram-syscalls.node) and this Node loads it", {
  skip: !peerAvailable("cc") && "no C compiler (cc): the native path is not built",
}, () => {
  assert.equal(datagramSyscallsUnavailable, undefined);
  assert.equal(fastestDatagramPath, "syscalls");
});

const paths: DatagramPath[] = datagramSyscalls === undefined ? ["handle", "events"] : ["syscalls", "handle", "events"];

for (const path of paths) {
  describe(`DatagramIO (${path})`, () => {
    let server4: Awaited<ReturnType<typeof echoServer>>;
    let server6: Awaited<ReturnType<typeof echoServer>>;
    before(async () => {
      server4 = await echoServer("udp4", path);
      server6 = await echoServer("udp6", path);
    });
    after(() => {
      server4.socket.close();
      server6.socket.close();
    });

    for (const [family, clientType, address] of [
      ["IPv4", "udp4", "127.0.0.1"],
      ["IPv6", "udp6", "::1"],
      ["IPv4 to a dual-stack socket", "udp4", "127.0.0.1"],
    ] as const) {
      test(`${family}: 300 datagrams, every reply whole and to its sender, one outcome each`, async () => {
        const server = family === "IPv4" ? server4 : server6;
        const before = server.outcomes.length;
        const client = createSocket(clientType);
        const sent = payloads(300);
        const replies = await exchange(client, server.port, address, sent);
        client.close();
        assert.deepEqual(
          replies.map((reply) => reply.toString()),
          sent.map((payload) => payload.toString()),
        );
        const outcomes = server.outcomes.slice(before);
        assert.equal(outcomes.length, 300);
        assert.deepEqual(
          outcomes.map((outcome) => outcome.bytes),
          sent.map((payload) => payload.length),
        );
        assert.ok(outcomes.every((outcome) => outcome.error === undefined));
      });
    }

    test("each datagram's source (address, port, family) is its sender's, clients alternating", async () => {
      const clients = await Promise.all(
        ["127.0.0.1", "127.0.0.2", "127.0.0.1"].map(async (address) => {
          const client = createSocket("udp4");
          client.bind(0, address);
          await once(client, "listening");
          return client;
        }),
      );
      const before = server4.sources.length;
      const expected: string[] = [];
      for (let round = 0; round < 4; round++) {
        for (const client of clients) {
          const payload = Buffer.from(`round ${round}`);
          await exchange(client, server4.port, "127.0.0.1", [payload]);
          expected.push(`IPv4 ${client.address().address} ${client.address().port}`);
        }
      }
      for (const client of clients) client.close();
      assert.deepEqual(server4.sources.slice(before), expected);
    });

    test("a reply the kernel refuses (too large for IPv4) reports its error, and the next reply still goes", async () => {
      const client = createSocket("udp4");
      client.bind(0, "127.0.0.1");
      await once(client, "listening");
      const remote = { address: "127.0.0.1", family: "IPv4" as const, port: client.address().port, size: 0 };
      const before = server4.outcomes.length;
      server4.io.send(Buffer.alloc(65_508), remote, -1);
      const reply = once(client, "message");
      server4.io.send(Buffer.from("after"), remote, -2);
      assert.equal(((await reply)[0] as Buffer).toString(), "after");
      client.close();
      const [refused, sent] = server4.outcomes.slice(before);
      assert.equal(refused?.context, -1);
      assert.equal(refused?.error?.code, "EMSGSIZE");
      assert.equal(refused?.error?.syscall, "send");
      assert.equal(sent?.context, -2);
      assert.equal(sent?.error, undefined);
    });

    test("a reply to the datagram being handled that the kernel refuses reports its error once", async () => {
      const client = createSocket("udp4");
      const before = server4.outcomes.length;
      await exchange(client, server4.port, "127.0.0.1", [Buffer.from("first")]);
      client.send(ASK_TOO_LARGE, server4.port, "127.0.0.1");
      const [next] = await exchange(client, server4.port, "127.0.0.1", [Buffer.from("still answered")]);
      client.close();
      assert.equal(next?.toString(), "still answered");
      const outcomes = server4.outcomes.slice(before);
      assert.deepEqual(
        outcomes.map((outcome) => [outcome.bytes, outcome.error?.code, outcome.error?.syscall]),
        [
          [5, undefined, undefined],
          [65_508, "EMSGSIZE", "send"],
          [14, undefined, undefined],
        ],
      );
    });
  });
}

/** Sends every payload at once, then waits for as many replies (the server reads several per wakeup). */
async function burst(client: DatagramSocket, port: number, address: string, payloads: Buffer[]): Promise<Buffer[]> {
  const replies: Buffer[] = [];
  let timer: NodeJS.Timeout | undefined;
  const all = new Promise<void>((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${replies.length} of ${payloads.length} replies in 10 s`)), 10_000);
    client.on("message", (reply: Buffer) => {
      replies.push(reply);
      if (replies.length === payloads.length) resolve();
    });
  });
  for (const payload of payloads) client.send(payload, port, address);
  try {
    await all;
  } finally {
    clearTimeout(timer);
    client.removeAllListeners("message");
  }
  return replies;
}

/**
 * Runs test/fixtures/datagram-echo.ts with Node `flags`, exchanges 200 datagrams (one at a time,
 * or in bursts of 20 of the same length), returns its report. `sendtoWouldBlock`: the child's
 * native sendto answers EAGAIN to every reply (the fixture replaces it, as SocketWriter's tests
 * replace its send).
 */
async function echoInChild(
  path: DatagramPath,
  flags: string[],
  options: { sendtoWouldBlock?: boolean; inBursts?: boolean } = {},
) {
  const { sendtoWouldBlock = false, inBursts = false } = options;
  const server = start(process.execPath, [
    ...flags,
    "--import",
    "tsx",
    `${PROJECT_ROOT}test/fixtures/datagram-echo.ts`,
    path,
    ...(sendtoWouldBlock ? ["sendto-would-block"] : []),
  ]);
  try {
    const port = Number((await waitForOutput(server, /ready (\d+)/))[1]);
    const client = createSocket("udp4");
    // In bursts, each burst's first datagram holds the server's loop while the rest arrive.
    const sent = inBursts
      ? Array.from({ length: 200 }, (_, index) =>
          Buffer.from(`${index % 20 === 0 ? "hold    " : "datagram"} ${String(index).padStart(3, "0")}`),
        )
      : payloads(200);
    const replies: Buffer[] = [];
    for (let first = 0; first < sent.length; first += inBursts ? 20 : sent.length) {
      const some = sent.slice(first, inBursts ? first + 20 : sent.length);
      replies.push(...(await (inBursts ? burst : exchange)(client, port, "127.0.0.1", some)));
    }
    client.close();
    assert.deepEqual(
      replies.map((reply) => reply.toString()),
      sent.map((payload) => payload.toString()),
    );
    server.child.stdin?.write("report\n");
    const report = JSON.parse((await waitForOutput(server, /(\{.*\})/))[1] ?? "{}");
    return { report, bytes: sent.reduce((total, payload) => total + payload.length, 0) };
  } finally {
    server.child.stdin?.end();
    await server.stop();
  }
}

test("sends that must wait for the socket (node --test-udp-no-try-send) all go, each reported once, later", async () => {
  const { report, bytes } = await echoInChild("handle", ["--test-udp-no-try-send"]);
  const { receivedWhileReplyWaited: _, ...outcomes } = report;
  assert.deepEqual(outcomes, { path: "handle", outcomesAtOnce: 0, outcomesLater: 200, errors: 0, bytesSent: bytes });
});

test("native path: replies whose sendto would block go through the handle, which waits; each reported once, later", {
  skip: datagramSyscalls === undefined && `the native path is not built (${datagramSyscallsUnavailable})`,
}, async () => {
  const { report, bytes } = await echoInChild("syscalls", ["--test-udp-no-try-send"], { sendtoWouldBlock: true });
  const { receivedWhileReplyWaited: _, ...outcomes } = report;
  assert.deepEqual(outcomes, { path: "syscalls", outcomesAtOnce: 0, outcomesLater: 200, errors: 0, bytesSent: bytes });
});

test("native path: a reply that waits for the socket keeps its own bytes while the next datagrams are read where it was", {
  skip: datagramSyscalls === undefined && `the native path is not built (${datagramSyscallsUnavailable})`,
}, async () => {
  // Every datagram has the same length, so each is read into the same memory as the one before.
  const { report, bytes } = await echoInChild("syscalls", ["--test-udp-no-try-send"], {
    sendtoWouldBlock: true,
    inBursts: true,
  });
  const { receivedWhileReplyWaited, ...outcomes } = report;
  assert.deepEqual(outcomes, { path: "syscalls", outcomesAtOnce: 0, outcomesLater: 200, errors: 0, bytesSent: bytes });
  assert.ok(
    receivedWhileReplyWaited > 0,
    "no datagram was read while a reply waited: the copy was not put to the test",
  );
});

const procFileDescriptors = "/proc/self/fd";

test("native path: closing the socket closes the receiver's descriptor, and close() twice is safe", {
  skip:
    (datagramSyscalls === undefined && `the native path is not built (${datagramSyscallsUnavailable})`) ||
    (!existsSync(procFileDescriptors) && `no ${procFileDescriptors} to count descriptors`),
}, async () => {
  const descriptors = () => readdirSync(procFileDescriptors).length;
  const before = descriptors();
  const { socket, io, port } = await echoServer("udp4", "syscalls");
  assert.equal(descriptors(), before + 2, "the socket and the receiver's duplicate");
  const client = createSocket("udp4");
  assert.deepEqual((await exchange(client, port, "127.0.0.1", [Buffer.from("uno")])).map(String), ["uno"]);
  socket.close();
  await once(socket, "close");
  // Counted before io.close(): the socket's own close must have closed the duplicate.
  assert.equal(descriptors(), before + 1, "only the client's socket is left");
  io.close();
  io.close();
  client.close();
});

test("native path: a reply after close() inside the receiver still goes (through the handle)", {
  skip: datagramSyscalls === undefined && `the native path is not built (${datagramSyscallsUnavailable})`,
}, async () => {
  const { socket, outcomes, port } = await echoServer("udp4", "syscalls");
  const client = createSocket("udp4");
  const [reply] = await exchange(client, port, "127.0.0.1", [Buffer.from(ASK_CLOSE_FIRST)]);
  assert.equal(reply?.toString(), ASK_CLOSE_FIRST);
  assert.equal(outcomes[0]?.error, undefined);
  client.close();
  socket.close();
});

test("native path: a reply length past 2^32 is refused, not wrapped (2^32 + 1 as a uint32 is 1: one byte sent)", {
  skip: datagramSyscalls === undefined && `the native path is not built (${datagramSyscallsUnavailable})`,
}, async () => {
  const syscalls = datagramSyscalls as DatagramSyscalls;
  const socket = createSocket("udp4");
  socket.bind(0, "127.0.0.1");
  await once(socket, "listening");
  // The socket's handle, found as DatagramIO finds it; its own reading stops so the receiver gets the datagram.
  const state = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === "state symbol");
  const handle = (socket as unknown as Record<symbol, { handle: { fd: number; recvStop(): number } }>)[state as symbol]
    ?.handle;
  assert.ok(handle !== undefined && handle.fd >= 0, "no handle with a descriptor: see the test of the handle path");
  handle.recvStop();
  const outcomes: string[] = [];
  const native: NativeReceiver = syscalls.open(handle.fd, () => {
    for (const length of [2 ** 32 + 1, 2 ** 32 + 4, -1]) {
      for (const call of [
        () => syscalls.reply(native.receiver, Buffer.from("abcd"), length),
        () => syscalls.replyFromInput(native.receiver, length),
      ]) {
        try {
          outcomes.push(`sent ${call()}`);
        } catch (error) {
          outcomes.push((error as Error).message.split(":")[0] as string);
        }
      }
    }
    syscalls.reply(native.receiver, Buffer.from("done"), 4);
  });
  const client = createSocket("udp4");
  const [reply] = await exchange(client, socket.address().port, "127.0.0.1", [Buffer.from("x")]);
  client.close();
  syscalls.close(native.receiver);
  socket.close();
  assert.equal(reply?.toString(), "done", "a wrapped length sent a reply first");
  assert.deepEqual(
    outcomes,
    Array(3).fill(["reply(receiver, buffer, length)", "replyFromInput(receiver, length)"]).flat(),
  );
});

test("native path: a worker thread that ends with a UdpServer open (terminated, or exiting mid-close) leaves its process running", async () => {
  for (const ending of ["terminate", "exit-while-closing"]) {
    const finished = await run(process.execPath, [`${PROJECT_ROOT}test/fixtures/udp-server-in-worker.mjs`, ending]);
    assert.equal(finished.code, 0, `${ending}: exit ${finished.code} (signal ${finished.signal}); ${finished.stderr}`);
    assert.match(finished.stdout.toString(), /answered HOLA; worker ended; process alive/);
  }
});
