// TcpClient against a server in the lesson's style (one recv, reply, close): unanswered lines are sent again, nothing twice.

import assert from "node:assert/strict";
import { createServer, type Server } from "node:net";
import { after, before, test } from "node:test";
import { TcpClient } from "./tcp-client.js";

let server: Server;
let port: number;

before(async () => {
  // Answers only the first chunk it gets, then closes: the lesson's TCP server.
  server = createServer((socket) => {
    socket.once("data", (chunk) => socket.end(chunk.toString("latin1").toUpperCase(), "latin1"));
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as { port: number }).port;
});
after(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function exchange(writes: string[], gapMs = 0): Promise<string> {
  const client = new TcpClient({ host: "127.0.0.1", port });
  const replies: Buffer[] = [];
  client.on("reply", (bytes: Buffer) => replies.push(bytes));
  for (const text of writes) {
    await client.write(Buffer.from(text, "latin1"));
    if (gapMs > 0) await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
  await client.end();
  return Buffer.concat(replies).toString("latin1");
}

test("a chunk whose answered part ends inside it: only the rest is sent again", async () => {
  assert.equal(await exchange(["a\nb"]), "A\nB");
});

test("lines written one by one with pauses: each answered once, in order", async () => {
  assert.equal(await exchange(["uno\n", "dos\n", "tres\n", "cuatro"], 30), "UNO\nDOS\nTRES\nCUATRO");
});

test("lines cut anywhere across writes", async () => {
  const text = "first line\nsecond\nthird and last\n";
  for (const cut of [1, 5, 11, 12, 20, text.length - 1]) {
    assert.equal(await exchange([text.slice(0, cut), text.slice(cut)], 30), text.toUpperCase(), `cut at ${cut}`);
  }
});
