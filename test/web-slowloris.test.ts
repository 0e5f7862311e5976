// `mayus serve --web` under slowloris: half-sent HTTP requests held open on the web port are
// bounded (WEB_DEFAULTS.maxHttpConnections), so they cannot take the descriptors the
// uppercase service shares with the page. The server runs with a small `ulimit -n`, as a
// crowded machine would have it.

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { WEB_DEFAULTS } from "../src/web/web-options.js";
import { startMayusWithDescriptorLimit, waitForOutput } from "./support/processes.js";

/** Descriptors the server process may open: far fewer than the held requests below. */
const DESCRIPTOR_LIMIT = 200;
const HELD_REQUESTS = 300;

test("held half-sent requests on the web port leave the uppercase service served", { timeout: 60_000 }, async () => {
  const server = startMayusWithDescriptorLimit(DESCRIPTOR_LIMIT, [
    "serve",
    "--tcp",
    "--port",
    "0",
    "--host",
    "127.0.0.1",
    "--web",
    "0",
  ]);
  const held: Socket[] = [];
  try {
    const tcpPort = Number((await waitForOutput(server, /tcp \S*:(\d+)/))[1]);
    const webPort = Number((await waitForOutput(server, /http:\/\/127\.0\.0\.1:(\d+)\//))[1]);
    let closedByServer = 0;
    for (let i = 0; i < HELD_REQUESTS; i++) {
      const socket = connect(webPort, "127.0.0.1");
      socket.on("error", () => {});
      socket.on("close", () => closedByServer++);
      await once(socket, "connect");
      // Headers begun, never finished: the request stays open on the server's side.
      socket.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      held.push(socket);
    }
    const client = connect(tcpPort, "127.0.0.1");
    client.end("hola\n");
    const answer = (await client.toArray()).join("");
    assert.equal(answer, "HOLA\n", "the uppercase service got no descriptor for its client");
    // Every request past the limit was closed by the server (those within it are still held).
    while (closedByServer < HELD_REQUESTS - WEB_DEFAULTS.maxHttpConnections) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.equal(closedByServer, HELD_REQUESTS - WEB_DEFAULTS.maxHttpConnections);
  } finally {
    for (const socket of held) socket.destroy();
    await server.stop();
  }
});
