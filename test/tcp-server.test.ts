// The TCP server in-process on loopback: streaming answers, half-close, many clients, resets, backpressure.

import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { after, before, describe, test } from "node:test";
import { TcpServer } from "../src/index.js";
import { batchedReads } from "../src/tcp/batched-reads.js";
import { uppercase } from "../src/transform/index.js";
import { tcpConnect, tcpExchange } from "./support/sockets.js";

describe("TcpServer", () => {
  let server: TcpServer;
  let port: number;

  before(async () => {
    server = new TcpServer({ host: "127.0.0.1", port: 0 });
    ({ port } = await server.listen());
  });
  after(async () => {
    await server.close();
  });

  test("answers a chunk at once, without waiting for a newline or the end", async () => {
    const socket = await tcpConnect(port);
    socket.write("no newline here");
    const [answer] = (await onceData(socket)) as [Buffer];
    assert.equal(answer.toString(), "NO NEWLINE HERE");
    socket.destroy();
  });

  test("answers everything after the client half-closes, then closes", async () => {
    const answer = await tcpExchange(port, [Buffer.from("abc")]);
    assert.equal(answer.toString(), "ABC");
  });

  test("a character split across writes, with pauses between, is still converted", async () => {
    const text = "ñ á é í ó ú ü ß Ñandú straße";
    const bytes = Buffer.from(text);
    const chunks = [...bytes].map((byte) => Buffer.from([byte]));
    const answer = await tcpExchange(port, chunks, { gapMs: 5 });
    assert.equal(answer.toString(), text.toUpperCase());
  });

  test("an unfinished character at the end of the stream passes through unchanged", async () => {
    const answer = await tcpExchange(port, [Buffer.from([0x61, 0xc3])]);
    assert.deepEqual(answer, Buffer.from([0x41, 0xc3]));
  });

  test("200 clients at once each get their own answers", async () => {
    const clients = Array.from({ length: 200 }, (_, index) => {
      const payload = Buffer.concat([Buffer.from(`client ${index} ñ `), randomBytes(2000)]);
      return tcpExchange(port, [payload.subarray(0, 1000), payload.subarray(1000)]).then((answer) =>
        assert.deepEqual(answer, uppercase(payload), `client ${index}`),
      );
    });
    await Promise.all(clients);
  });

  test("a client that resets mid-stream does not disturb the others", async () => {
    const rude = await tcpConnect(port);
    rude.write("half of a message é".slice(0, 10));
    const others = Array.from({ length: 20 }, (_, index) =>
      tcpExchange(port, [Buffer.from(`polite ${index}`)], { gapMs: 10 }),
    );
    rude.resetAndDestroy();
    const answers = await Promise.all(others);
    for (const [index, answer] of answers.entries()) assert.equal(answer.toString(), `POLITE ${index}`);
  });

  test("a client that sends and never reads is paused: the server buffers a bounded amount", async () => {
    const greedy = await tcpConnect(port);
    greedy.pause(); // never reads its answers
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    const sendBytes = 32 * 1024 * 1024;
    let written = 0;
    // Write until our own socket's buffer backs up for a while: the server has stopped reading.
    while (written < sendBytes) {
      if (!greedy.write(chunk)) {
        const drained = await Promise.race([
          new Promise((resolve) => greedy.once("drain", () => resolve(true))),
          new Promise((resolve) => setTimeout(() => resolve(false), 500)),
        ]);
        if (!drained) break;
      }
      written += chunk.length;
    }
    assert.ok(written < sendBytes, "the server kept reading from a client that does not read");
    const connection = [...server.connections()].sort((a, b) => b.bytesReceived - a.bytesReceived)[0];
    assert.ok(connection.bufferedBytes < 1024 * 1024, `server buffered ${connection.bufferedBytes} bytes`);
    // Another client is served normally meanwhile.
    assert.equal((await tcpExchange(port, [Buffer.from("still served")])).toString(), "STILL SERVED");
    greedy.destroy();
  });

  test("a client that reads its answers only after sending 24 MiB gets every byte right", async () => {
    // Answers that wait in the server's queue must not be views of the read buffer the next reads
    // overwrite. Letters, so every answer is uppercased in place (nothing grows into a new buffer).
    const payload = randomBytes(24 * 1024 * 1024).map((byte) => 0x61 + (byte % 26));
    const socket = await tcpConnect(port);
    socket.pause();
    const received: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => received.push(chunk));
    const closed = new Promise((resolve) => socket.once("close", resolve));
    socket.end(payload);
    await new Promise((resolve) => setTimeout(resolve, 300));
    socket.resume();
    await closed;
    assert.ok(Buffer.concat(received).equals(uppercase(payload)), "answers changed while they waited");
  });

  test("close() while a client is paused for not reading: it is still served to the end of its stream, no reset", async () => {
    const draining = new TcpServer({ host: "127.0.0.1", port: 0 });
    const { port: drainingPort } = await draining.listen();
    const client = await tcpConnect(drainingPort);
    const errors: Error[] = [];
    client.on("error", (error) => errors.push(error));
    client.pause(); // reads nothing until the server is closing
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    let written = 0;
    // Write until the server stops reading us: it is paused for backpressure, our bytes wait unread.
    while (written < 64 * 1024 * 1024) {
      written += chunk.length;
      if (client.write(chunk)) continue;
      const drained = await Promise.race([
        new Promise((resolve) => client.once("drain", () => resolve(true))),
        new Promise((resolve) => setTimeout(() => resolve(false), 500)),
      ]);
      if (!drained) break;
    }
    const [connection] = [...draining.connections()];
    assert.ok(connection?.isPaused, "the server never paused the connection");
    const closing = draining.close();
    // Now read the answers and end our stream: every byte we sent is answered, then the server's FIN.
    let answered = 0;
    let wrong = 0;
    client.on("data", (answer: Buffer) => {
      answered += answer.length;
      if (answer.some((byte) => byte !== 0x41)) wrong++;
    });
    const closed = new Promise((resolve) => client.once("close", resolve));
    client.end();
    client.resume();
    await closed;
    const report = await closing;
    assert.deepEqual(errors, [], "the server reset the client");
    assert.equal(answered, written, "not every byte sent was answered");
    assert.equal(wrong, 0);
    assert.deepEqual(report, { connectionsFinished: 1, connectionsReset: 0, bytesDiscarded: 0 });
  });

  test("every read path gives the same answers: batched (where built), Node into a shared buffer, data events", async () => {
    const servers = [
      new TcpServer({ host: "127.0.0.1", port: 0, readInBatches: false }),
      new TcpServer({ host: "127.0.0.1", port: 0, readIntoSharedBuffer: false }),
    ];
    const fastest = batchedReads() === undefined ? "shared buffer" : "batched";
    assert.equal(server.readPath, fastest);
    // Behind a load balancer too: the PROXY header's drain counts the reader's bytes, not Node's.
    assert.equal(new TcpServer({ host: "127.0.0.1", port: 0, proxyProtocol: true }).readPath, fastest);
    assert.deepEqual(
      servers.map((other) => other.readPath),
      ["shared buffer", "data events"],
    );
    const ports = await Promise.all(servers.map(async (other) => (await other.listen()).port));
    try {
      const payload = Buffer.concat([Buffer.from("ñandú straße "), randomBytes(100_000)]);
      const chunks = [payload.subarray(0, 1), payload.subarray(1, 50_001), payload.subarray(50_001)];
      const answers = await Promise.all([port, ...ports].map((each) => tcpExchange(each, chunks)));
      for (const answer of answers) assert.deepEqual(answer, uppercase(payload));
    } finally {
      await Promise.all(servers.map((other) => other.close()));
    }
  });

  test("close() is safe to call twice and ends in the closed state", async () => {
    const other = new TcpServer({ host: "127.0.0.1", port: 0 });
    await other.listen();
    assert.equal(other.state, "listening");
    const first = other.close();
    const second = other.close();
    await Promise.all([first, second]);
    assert.equal(other.state, "closed");
  });

  test("close() while listen() is under way closes what the listen opens; listen() after close() is refused", async () => {
    const starting = new TcpServer({ host: "127.0.0.1", port: 0 });
    const listening = starting.listen();
    const closed = starting.close();
    const { port: startedPort } = await listening;
    assert.equal((await closed).connectionsReset, 0);
    assert.equal(starting.state, "closed");
    await assert.rejects(tcpConnect(startedPort), { code: "ECONNREFUSED" });
    await assert.rejects(starting.listen(), /after close/);
  });
});

function onceData(socket: import("node:net").Socket): Promise<unknown[]> {
  return new Promise((resolve) => socket.once("data", (...args) => resolve(args)));
}
