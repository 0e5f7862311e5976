// The two clients as a library user meets them: both connect on first use (open() only connects
// earlier), both give a promise per line, against mayus's own servers, the lesson's Python TCP
// server (one recv, reply, close) and ports nobody listens on. Loopback, port 0, real sockets.

import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, before, describe, test } from "node:test";
import { MayusError, TcpClient, TcpServer, UdpClient, UdpServer } from "../src/index.js";
import { type Started, startPythonServer } from "./support/processes.js";

const HOST = "127.0.0.1";
/** A bound, not a timing: a client that never gets its answer fails instead of hanging the run. */
const HANG_BOUND_MS = 60_000;
const LINES = ["hello", "ñandú y pingüino", "straße", "", "último", "a\tb c"];

let tcpServer: TcpServer;
let udpServer: UdpServer;
let tcpPort: number;
let udpPort: number;

before(async () => {
  tcpServer = new TcpServer({ host: HOST, port: 0 });
  udpServer = new UdpServer({ host: HOST, port: 0 });
  tcpPort = (await tcpServer.listen()).port;
  udpPort = (await udpServer.listen()).port;
});

after(async () => {
  await tcpServer.close();
  await udpServer.close();
});

/** A port nothing listens on: bound by the kernel's choice, then closed. */
async function closedTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, HOST, resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function rejection(promise: Promise<unknown>): Promise<MayusError> {
  const error = await promise.then(
    () => assert.fail("resolved, expected a rejection"),
    (reason: unknown) => reason,
  );
  assert.ok(error instanceof MayusError, `a MayusError, got ${String(error)}`);
  return error;
}

describe("both clients connect on first use", { timeout: HANG_BOUND_MS }, () => {
  test("TcpClient: request() without open() connects and answers", async () => {
    const client = new TcpClient({ host: HOST, port: tcpPort });
    assert.equal((await client.request("first use")).toString(), "FIRST USE");
    await client.end();
  });

  test("UdpClient: request() without open() connects and answers", async () => {
    const client = new UdpClient({ host: HOST, port: udpPort });
    try {
      assert.equal((await client.request("first use")).toString(), "FIRST USE");
    } finally {
      client.close();
    }
  });

  test("open() connects earlier, may be called more than once, and changes nothing after", async () => {
    const tcp = new TcpClient({ host: HOST, port: tcpPort });
    const udp = new UdpClient({ host: HOST, port: udpPort });
    await Promise.all([tcp.open(), tcp.open(), udp.open(), udp.open()]);
    assert.equal((await tcp.request("opened")).toString(), "OPENED");
    assert.equal((await udp.request("opened")).toString(), "OPENED");
    await tcp.end();
    udp.close();
  });

  test("a port nobody listens on: both reject the request with connection-refused", async () => {
    const port = await closedTcpPort();
    const tcp = new TcpClient({ host: HOST, port });
    assert.equal((await rejection(tcp.request("anyone?"))).kind, "connection-refused");
    assert.equal((await rejection(new TcpClient({ host: HOST, port }).open())).kind, "connection-refused");
    // UDP: the ICMP "port unreachable" on loopback reaches the connected socket.
    const udp = new UdpClient({ host: HOST, port, deadlineMs: 10_000 });
    try {
      assert.equal((await rejection(udp.request("anyone?"))).kind, "connection-refused");
    } finally {
      udp.close();
    }
  });

  test("UdpClient: after close(), request() rejects and opens no socket", async () => {
    const client = new UdpClient({ host: HOST, port: udpPort });
    client.close();
    assert.equal((await rejection(client.request("too late"))).kind, "connection-failed");
    assert.equal((await rejection(client.open())).kind, "connection-failed");
  });
});

describe("TcpClient: a promise per line", { timeout: HANG_BOUND_MS }, () => {
  test("one request at a time: each resolves with its own line's answer, without the added newline", async () => {
    const client = new TcpClient({ host: HOST, port: tcpPort });
    for (const line of LINES) assert.equal((await client.request(line)).toString(), line.toUpperCase());
    await client.end();
  });

  test("overlapping requests: each resolves with its own answer, in order", async () => {
    const client = new TcpClient({ host: HOST, port: tcpPort });
    const lines = Array.from({ length: 200 }, (_, index) => `${LINES[index % LINES.length]} ${index}`);
    const answers = await Promise.all(lines.map((line) => client.request(Buffer.from(line))));
    assert.deepEqual(
      answers.map((answer) => answer.toString()),
      lines.map((line) => line.toUpperCase()),
    );
    await client.end();
  });

  test("a line that ends in a newline keeps it; several lines resolve together", async () => {
    const client = new TcpClient({ host: HOST, port: tcpPort });
    assert.equal((await client.request("with newline\n")).toString(), "WITH NEWLINE\n");
    assert.equal((await client.request("uno\ndos\ntres")).toString(), "UNO\nDOS\nTRES");
    await client.write(Buffer.from("written, not requested\n"));
    assert.equal((await client.request("after a write")).toString(), "AFTER A WRITE");
    await client.end();
  });

  test("the reply events still carry every byte, requested or written", async () => {
    const client = new TcpClient({ host: HOST, port: tcpPort });
    const replies: Buffer[] = [];
    client.on("reply", (bytes) => replies.push(bytes));
    await client.request("uno");
    await client.write(Buffer.from("dos\n"));
    await client.request("tres");
    await client.end();
    assert.equal(Buffer.concat(replies).toString(), "UNO\nDOS\nTRES\n");
  });

  test("destroy() rejects a request still waiting, and later ones", async () => {
    // Reads and never answers.
    const silent: Server = createServer((socket) => socket.resume());
    await new Promise<void>((resolve) => silent.listen(0, HOST, resolve));
    const client = new TcpClient({ host: HOST, port: (silent.address() as { port: number }).port });
    try {
      await client.open();
      const waiting = client.request("anyone?");
      client.destroy();
      assert.equal((await rejection(waiting)).kind, "connection-failed");
      assert.equal((await rejection(client.request("again"))).kind, "connection-failed");
    } finally {
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe("TcpClient against the lesson's TCP server (one recv, reply, close)", { timeout: HANG_BOUND_MS }, () => {
  let lesson: Started & { port: number };
  before(async () => {
    lesson = await startPythonServer("tcp_server.py");
  });
  after(() => lesson.stop());

  test("each request is answered whole: the client connects again for the next", async () => {
    const client = new TcpClient({ host: HOST, port: lesson.port });
    for (const line of LINES.filter((text) => text !== "")) {
      assert.equal((await client.request(line)).toString(), line.toUpperCase());
    }
    await client.end();
  });

  test("overlapping requests: the unanswered ones are sent again, each answer goes to its own line", async () => {
    const client = new TcpClient({ host: HOST, port: lesson.port });
    const lines = ["uno", "dos", "tres", "cuatro", "cinco"];
    const answers = await Promise.all(lines.map((line) => client.request(line)));
    assert.deepEqual(
      answers.map((answer) => answer.toString()),
      lines.map((line) => line.toUpperCase()),
    );
    await client.end();
  });
});
