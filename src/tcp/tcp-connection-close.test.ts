// After the client's FIN the server closes its socket at once when every answer is in the
// kernel (TcpConnection's shortcut past shutdown()): the client, reading only after the server
// has closed, still gets every answer, then a clean end of stream; a character held at the end
// goes first, by the usual end(). (A reset after every answer has arrived also reads as an end
// on Linux: the interop and hostile suites cover the wire.)

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { TcpServer } from "./tcp-server.js";

/** Sends `payload`, half-closes, waits until the server has closed its side, then reads it all. */
async function answerAfterServerClosed(server: TcpServer, port: number, payload: Buffer): Promise<Buffer> {
  const client: Socket = connect({ host: "127.0.0.1", port });
  const serverClosed = once(server, "connection-closed");
  const errors: Error[] = [];
  client.on("error", (error) => errors.push(error));
  client.pause(); // nothing read until the server is done with the connection
  await once(client, "connect");
  client.end(payload);
  await serverClosed;
  const chunks: Buffer[] = [];
  client.on("data", (chunk: Buffer) => chunks.push(chunk));
  client.resume();
  await once(client, "close");
  assert.deepEqual(errors, [], "a clean end of stream, not a reset");
  return Buffer.concat(chunks);
}

test("after the client's FIN: every answer, then a clean end", { timeout: 60_000 }, async () => {
  const server = new TcpServer({ host: "127.0.0.1", port: 0 });
  const { port } = await server.listen();
  try {
    // All in the kernel when the FIN comes (the close at once).
    const small = Buffer.from("hola, ñandú ".repeat(100));
    assert.equal((await answerAfterServerClosed(server, port, small)).toString(), small.toString().toUpperCase());
    // A character cut at the end of the stream: held, then sent as it is before the FIN.
    const cut = Buffer.from([0x61, 0xc3]);
    assert.deepEqual(await answerAfterServerClosed(server, port, cut), Buffer.from([0x41, 0xc3]));
  } finally {
    await server.close(1_000);
  }
});
