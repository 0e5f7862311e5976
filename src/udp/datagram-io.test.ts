// DatagramIO on real loopback sockets, straight through the handle and through dgram's events:
// every datagram arrives whole and every reply goes back to its sender; sends the kernel
// refuses or makes wait report their outcome once.

import assert from "node:assert/strict";
import { createSocket, type Socket as DatagramSocket } from "node:dgram";
import { once } from "node:events";
import { after, before, describe, test } from "node:test";
import { PROJECT_ROOT, start, waitForOutput } from "../../test/support/processes.js";
import { DatagramIO, directDatagramsSupported } from "./datagram-io.js";

interface Outcome {
  bytes: number;
  context: number;
  error?: NodeJS.ErrnoException;
}

/** An echo server on DatagramIO: each reply's context is the datagram's number. */
async function echoServer(type: "udp4" | "udp6", direct: boolean) {
  const socket = createSocket({ type, ipv6Only: false });
  socket.bind(0, type === "udp4" ? "127.0.0.1" : "::");
  await once(socket, "listening");
  const outcomes: Outcome[] = [];
  let received = 0;
  const io = new DatagramIO<number>(
    socket,
    (message, remote) => io.send(message, remote, received++),
    (reply, _remote, context, error) => outcomes.push({ bytes: reply.length, context, error }),
    { direct },
  );
  return { socket, io, outcomes, port: socket.address().port };
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
  assert.ok(directDatagramsSupported, "process.binding('udp_wrap').SendWrap is gone: DatagramIO falls back to dgram");
  const { socket, io } = await echoServer("udp4", true);
  assert.equal(io.direct, true, "dgram keeps its handle elsewhere now: DatagramIO falls back to dgram");
  socket.close();
});

for (const direct of [true, false]) {
  describe(`DatagramIO (${direct ? "straight through the handle" : "dgram events"})`, () => {
    let server4: Awaited<ReturnType<typeof echoServer>>;
    let server6: Awaited<ReturnType<typeof echoServer>>;
    before(async () => {
      server4 = await echoServer("udp4", direct);
      server6 = await echoServer("udp6", direct);
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
  });
}

test("sends that must wait for the socket (node --test-udp-no-try-send) all go, each reported once, later", async () => {
  const server = start(process.execPath, [
    "--test-udp-no-try-send",
    "--import",
    "tsx",
    `${PROJECT_ROOT}test/fixtures/datagram-echo.ts`,
  ]);
  try {
    const port = Number((await waitForOutput(server, /ready (\d+)/))[1]);
    const client = createSocket("udp4");
    const sent = payloads(200);
    const replies = await exchange(client, port, "127.0.0.1", sent);
    client.close();
    assert.deepEqual(
      replies.map((reply) => reply.toString()),
      sent.map((payload) => payload.toString()),
    );
    server.child.stdin?.write("report\n");
    const report = JSON.parse((await waitForOutput(server, /(\{.*\})/))[1] ?? "{}");
    const bytes = sent.reduce((total, payload) => total + payload.length, 0);
    assert.deepEqual(report, { direct: true, outcomesAtOnce: 0, outcomesLater: 200, errors: 0, bytesSent: bytes });
  } finally {
    server.child.stdin?.end();
    await server.stop();
  }
});
