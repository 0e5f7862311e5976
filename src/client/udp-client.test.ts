// UdpClient against a real UDP socket on loopback that loses chosen datagrams: re-arming on a fresh sample, Karn, the deadline.

import assert from "node:assert/strict";
import { createSocket, type Socket } from "node:dgram";
import { after, before, test } from "node:test";
import { MayusError } from "../errors.js";
import { UdpClient, type UdpRetry } from "./udp-client.js";

/** Answers each datagram uppercased, except the first time it sees each text in `loseOnce`. */
let server: Socket;
let port: number;
const loseOnce = new Set(["lost first", "karn"]);
const neverAnswer = "never";

before(async () => {
  server = createSocket("udp4");
  server.on("message", (datagram, from) => {
    const text = datagram.toString();
    if (text === neverAnswer) return;
    if (loseOnce.delete(text)) return;
    server.send(text.toUpperCase(), from.port, from.address);
  });
  await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
  port = server.address().port;
});
after(() => server.close());

test("a line lost on its first try is sent again on the measured RTO, not after the initial one", async () => {
  // The initial RTO (60 s) is past the deadline (5 s): only re-arming on the sample that "dos"
  // gives lets "lost first" be sent again in time.
  const retries: UdpRetry[] = [];
  const client = new UdpClient({
    host: "127.0.0.1",
    port,
    timeoutMs: 60_000,
    deadlineMs: 5_000,
    onRetry: (retry) => retries.push(retry),
  });
  await client.open();
  try {
    const first = client.request(Buffer.from("lost first"), 1);
    const second = client.request(Buffer.from("dos"), 2);
    assert.equal((await second).toString(), "DOS");
    assert.equal((await first).toString(), "LOST FIRST");
    assert.deepEqual(
      retries.map(({ line, attempt }) => ({ line, attempt })),
      [{ line: 1, attempt: 2 }],
    );
    assert.ok(client.rtoMs < 60_000, String(client.rtoMs));
  } finally {
    client.close();
  }
});

test("Karn: the reply to a line sent twice is no sample; the RTO stays the initial one", async () => {
  const client = new UdpClient({ host: "127.0.0.1", port, timeoutMs: 50, deadlineMs: 5_000 });
  await client.open();
  try {
    assert.equal((await client.request(Buffer.from("karn"))).toString(), "KARN");
    // One timeout doubled the RTO, and no sample came to end the back-off.
    assert.equal(client.rtoMs, 100);
  } finally {
    client.close();
  }
});

test("a line never answered fails at its deadline with kind timeout, after tries backed off", async () => {
  const client = new UdpClient({ host: "127.0.0.1", port, timeoutMs: 20, deadlineMs: 300 });
  await client.open();
  try {
    const error = await client.request(Buffer.from(neverAnswer), 7).then(
      () => assert.fail("answered"),
      (caught: unknown) => caught,
    );
    assert.ok(error instanceof MayusError);
    assert.equal(error.kind, "timeout");
    const match = error.message.match(/^line 7 failed: no reply from 127\.0\.0\.1:\d+ in (\d+) ms \(tries: (\d+)\)/);
    assert.ok(match, error.message);
    assert.ok(Number(match[1]) >= 300, error.message);
    // 20, 40, 80, 160 ms: the fifth try would start after the deadline (fewer if the machine
    // stalls). Without the back-off, 20 ms apart, it would be 15.
    const tries = Number(match[2]);
    assert.ok(tries >= 2 && tries <= 4, error.message);
  } finally {
    client.close();
  }
});
