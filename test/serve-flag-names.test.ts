// `mayus serve`'s limit flags carry the library's option names (--max-connections-per-address
// for maxConnectionsPerAddress...); each former name still works, hidden from help, and the
// current name wins where both are given. Seen through the limit itself: a second connection
// from 127.0.0.1 is answered or closed at accept.

import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, type Socket } from "node:net";
import { test } from "node:test";
import { runMayus, startMayusServer } from "./support/processes.js";

/** Whether a connection to `port` is served: it answers "x" with "X", or is closed first. */
async function served(port: number): Promise<{ socket: Socket; served: boolean }> {
  const socket = connect({ host: "127.0.0.1", port });
  await once(socket, "connect");
  socket.write("x");
  const outcome = await new Promise<boolean>((resolve) => {
    socket.once("data", (data) => resolve(String(data) === "X"));
    socket.once("close", () => resolve(false));
    socket.once("error", () => resolve(false));
  });
  return { socket, served: outcome };
}

/** Starts `mayus serve --tcp ARGS`; whether a first and a second connection from one address are served. */
async function twoConnections(args: string[], env: NodeJS.ProcessEnv = {}): Promise<[boolean, boolean]> {
  const server = await startMayusServer(["--tcp", ...args], env);
  try {
    const first = await served(server.tcpPort);
    const second = await served(server.tcpPort);
    first.socket.destroy();
    second.socket.destroy();
    return [first.served, second.served];
  } finally {
    await server.stop();
  }
}

test("--max-connections-per-address 1: the second connection from one address is closed at accept", async () => {
  assert.deepEqual(await twoConnections(["--max-connections-per-address", "1"]), [true, false]);
  assert.deepEqual(await twoConnections([], { MAYUS_MAX_CONNECTIONS_PER_ADDRESS: "1" }), [true, false]);
});

test("the former --max-connections-per-ip (and its variable) still sets it; the current name wins over it", async () => {
  assert.deepEqual(await twoConnections(["--max-connections-per-ip", "1"]), [true, false]);
  assert.deepEqual(await twoConnections([], { MAYUS_MAX_CONNECTIONS_PER_IP: "1" }), [true, false]);
  const both = ["--max-connections-per-ip", "1", "--max-connections-per-address", "2"];
  assert.deepEqual(await twoConnections(both), [true, true]);
});

test("a typed former flag beats the current name's variable, as any flag beats any variable", async () => {
  const env = { MAYUS_MAX_CONNECTIONS_PER_ADDRESS: "2" };
  assert.deepEqual(await twoConnections(["--max-connections-per-ip", "1"], env), [true, false]);
  // Given alike (both variables), the current name still wins.
  const both = { MAYUS_MAX_CONNECTIONS_PER_IP: "1", MAYUS_MAX_CONNECTIONS_PER_ADDRESS: "2" };
  assert.deepEqual(await twoConnections([], both), [true, true]);
});

test("help shows the current names only; a former name's bad value is still a usage error naming it", async () => {
  const help = await runMayus(["serve", "--help"], "", { env: { LANG: "C" } });
  const text = help.stdout.toString();
  for (const current of [
    "--max-connections-per-address",
    "--max-buffered-bytes-per-connection",
    "--max-buffered-bytes-total",
    "--max-awaiting-header-per-address",
  ])
    assert.ok(text.includes(current), `help lacks ${current}`);
  for (const former of ["--max-connections-per-ip", "--max-buffered-bytes ", "--max-total-buffered-bytes", "-per-ip"])
    assert.ok(!text.includes(former), `help shows ${former}`);
  const bad = await runMayus(["serve", "--max-total-buffered-bytes", "12"], "", { env: { LANG: "C" } });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--max-total-buffered-bytes must be a whole number from 1024 to/);
});
