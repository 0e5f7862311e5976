// SocketWriter on real loopback sockets, by the native send and through socket.write alone:
// every byte arrives in order when the kernel's buffers fill (the rest waits in Node's queue),
// a failed send destroys the socket with Node's error, and a destroyed socket's descriptor
// number, taken by the next connection, never gets its bytes.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { constants } from "node:os";
import { after, before, describe, test } from "node:test";
import { acceptQueue } from "../../test/support/accept-queue.js";
import { peerAvailable } from "../../test/support/processes.js";
import { SocketWriter } from "./socket-writer.js";
import { streamSyscalls, streamSyscallsUnavailable } from "./stream-syscalls.js";

test("the build made the native send (build/stream-syscalls.node) and this Node loads it", {
  skip: !peerAvailable("cc") && "no C compiler (cc): the build skips the module",
}, () => {
  assert.equal(streamSyscallsUnavailable, undefined);
  assert.equal(typeof streamSyscalls?.send, "function");
});

/** A server handing each accepted socket to the test; the client side connects with `pair()`. */
/** An injected send: the first answer's first 3 bytes taken, the second refused (socket full), then all. */
function partialThenFullSend() {
  let call = 0;
  return (fd: number, buffer: Buffer, length: number) => {
    call++;
    if (call === 1) return streamSyscalls?.send(fd, buffer, 3) ?? -constants.errno.EAGAIN;
    if (call === 2) return -constants.errno.EAGAIN;
    return streamSyscalls?.send(fd, buffer, length) ?? -constants.errno.EAGAIN;
  };
}

function acceptingServer() {
  const accepted = acceptQueue<Socket>();
  const server = createServer((socket) => accepted.push(socket));
  return { server, nextAccepted: accepted.next };
}

for (const direct of [true, false]) {
  describe(`SocketWriter (${direct ? "native send" : "socket.write"})`, { timeout: 30_000 }, () => {
    const { server, nextAccepted } = acceptingServer();
    let port: number;
    before(async () => {
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      port = (server.address() as AddressInfo).port;
    });
    after(() => server.close());

    async function pair(): Promise<{ client: Socket; accepted: Socket; writer: SocketWriter }> {
      const client = connect({ host: "127.0.0.1", port });
      const [accepted] = await Promise.all([nextAccepted(), once(client, "connect")]);
      const writer = new SocketWriter(accepted, { direct });
      return { client, accepted, writer };
    }

    test("uses the native send only where asked and built", async () => {
      const { client, accepted, writer } = await pair();
      assert.equal(writer.sendsDirectly, direct && streamSyscalls !== undefined);
      client.destroy();
      accepted.destroy();
    });

    test("32 MiB to a client that reads late: every byte, in order; what the kernel refuses waits in Node's queue", async () => {
      const { client, accepted, writer } = await pair();
      const payload = randomBytes(32 * 1024 * 1024);
      const received: Buffer[] = [];
      client.pause(); // the kernel's buffers fill first
      client.on("data", (chunk: Buffer) => received.push(chunk));
      const clientEnded = once(client, "end");
      setTimeout(() => client.resume(), 300);
      let sawBackpressure = false;
      for (let offset = 0; offset < payload.length; ) {
        const size = 1 + ((offset * 7919) % 70_000);
        // Each answer is the server's own buffer, as TcpConnection's are.
        // Like TcpConnection, it goes on answering past a false return, up to a bound, so that
        // answers come while others wait in Node's queue.
        if (!writer.write(Buffer.from(payload.subarray(offset, offset + size)))) {
          sawBackpressure = true;
          if (accepted.writableLength > 4 * 1024 * 1024) await once(accepted, "drain");
        }
        offset += size;
      }
      accepted.end();
      await clientEnded;
      assert.ok(sawBackpressure, "the client's late reading never filled the kernel's buffers");
      assert.ok(Buffer.concat(received).equals(payload), "bytes lost, added or reordered");
      if (writer.sendsDirectly) {
        assert.ok(writer.directBytes > 0, "nothing went by the native send");
        assert.ok(writer.directBytes < payload.length, "nothing waited in Node's queue: the fallback never ran");
      } else {
        assert.equal(writer.directBytes, 0);
      }
    });

    test("never overtakes what waits in Node's queue (here held by cork(), with the kernel's buffer empty)", async () => {
      const { client, accepted, writer } = await pair();
      const received: Buffer[] = [];
      client.on("data", (chunk: Buffer) => received.push(chunk));
      accepted.cork();
      accepted.write("first ");
      writer.write(Buffer.from("second "));
      accepted.uncork();
      writer.write(Buffer.from("third"));
      while (Buffer.concat(received).length < "first second third".length) await once(client, "data");
      assert.equal(Buffer.concat(received).toString(), "first second third");
      client.destroy();
      accepted.destroy();
    });

    test("a send the kernel refuses (EPIPE here, injected) destroys the socket with Node's error; false, as socket.write's", async () => {
      const { client, accepted } = await pair();
      const writer = new SocketWriter(accepted, { direct, send: () => -constants.errno.EPIPE });
      const failed = once(accepted, "error");
      const accepting = writer.write(Buffer.from("never sent"));
      if (writer.sendsDirectly) {
        assert.equal(accepting, false);
        const [error] = (await failed) as [NodeJS.ErrnoException];
        assert.equal(error.message, "write EPIPE");
        assert.deepEqual([error.code, error.errno, error.syscall], ["EPIPE", -constants.errno.EPIPE, "write"]);
        assert.equal(accepted.destroyed, true);
      } else {
        // socket.write alone: the injected send is never called, the bytes arrive.
        const [chunk] = (await once(client, "data")) as [Buffer];
        assert.equal(chunk.toString(), "never sent");
      }
      client.destroy();
      accepted.destroy();
    });

    test("a partial send or a full socket (injected) leaves the rest to socket.write: every byte, in order", async () => {
      const { client, accepted } = await pair();
      const send = partialThenFullSend();
      const writer = new SocketWriter(accepted, { direct, send });
      const received: Buffer[] = [];
      client.on("data", (chunk: Buffer) => received.push(chunk));
      const expected = "first answer|second answer|third answer";
      for (const answer of expected.split(/(?<=\|)/)) {
        writer.write(Buffer.from(answer));
        await new Promise((resolve) => setImmediate(resolve)); // Node's queue empties between answers
      }
      while (Buffer.concat(received).length < expected.length) await once(client, "data");
      assert.equal(Buffer.concat(received).toString(), expected);
      if (writer.sendsDirectly) assert.equal(writer.directBytes, 3 + "third answer".length);
      client.destroy();
      accepted.destroy();
    });

    test("copyWhatWaits: answers in one reused buffer, overwritten after each write(), arrive as written", async () => {
      const { client, accepted } = await pair();
      const send = partialThenFullSend();
      const writer = new SocketWriter(accepted, { direct, send, copyWhatWaits: true });
      const received: Buffer[] = [];
      client.on("data", (chunk: Buffer) => received.push(chunk));
      // As the server's reads: every answer in the same memory, which the next read overwrites.
      const memory = Buffer.alloc(64);
      const write = (text: string) => {
        const answer = memory.subarray(0, text.length);
        answer.write(text);
        writer.write(answer);
        memory.fill("X");
      };
      write("partial send|");
      await new Promise((resolve) => setImmediate(resolve));
      write("full socket|");
      await new Promise((resolve) => setImmediate(resolve));
      // Something already waits in Node's queue (held there by cork): the next answers queue behind it.
      accepted.cork();
      accepted.write("held|");
      write("queued one|");
      write("queued two");
      accepted.uncork();
      const expected = "partial send|full socket|held|queued one|queued two";
      try {
        while (Buffer.concat(received).length < expected.length) await once(client, "data");
        assert.equal(Buffer.concat(received).toString(), expected);
      } finally {
        client.destroy();
        accepted.destroy();
      }
    });

    test("a send to a client that reset: the socket is destroyed with Node's error (write EPIPE or ECONNRESET)", async () => {
      const { client, accepted, writer } = await pair();
      const failed = once(accepted, "error");
      // (not `once`: it would reject with the error the test waits for)
      const closed = new Promise((resolve) => accepted.once("close", resolve));
      client.resetAndDestroy();
      await once(client, "close");
      // The reset reaches the server's socket at once on loopback; the next send meets it.
      const answer = Buffer.alloc(1024, "A");
      for (let attempt = 0; attempt < 100 && !accepted.destroyed; attempt++) {
        writer.write(answer);
        await new Promise((resolve) => setImmediate(resolve));
      }
      const [error] = (await failed) as [NodeJS.ErrnoException];
      assert.match(error.message, /^write (EPIPE|ECONNRESET)$/);
      assert.equal(error.syscall, "write");
      await closed;
    });

    test("a destroyed socket's descriptor number, taken by the next connection, never gets its bytes", async (t) => {
      const first = await pair();
      const oldDescriptor = (first.accepted as unknown as { _handle: { fd: number } })._handle.fd;
      first.accepted.on("error", () => {}); // writing after destroy is an error, reported this way
      first.accepted.destroy();
      await once(first.accepted, "close");
      first.client.destroy();
      const second = await pair();
      const newDescriptor = (second.accepted as unknown as { _handle: { fd: number } })._handle.fd;
      if (newDescriptor !== oldDescriptor) {
        t.skip("the kernel gave the next connection another descriptor: nothing to test");
        second.client.destroy();
        second.accepted.destroy();
        return;
      }
      const received: Buffer[] = [];
      second.client.on("data", (chunk: Buffer) => received.push(chunk));
      first.writer.write(Buffer.from("stale answer to a closed connection"));
      second.writer.write(Buffer.from("fresh"));
      while (Buffer.concat(received).length < 5) await once(second.client, "data");
      assert.equal(Buffer.concat(received).toString(), "fresh");
      second.client.destroy();
      second.accepted.destroy();
    });
  });
}
