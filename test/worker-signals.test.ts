// `mayus serve --workers 2` and the signals an operator sends: one sent to a worker alone is
// ignored and said, so that the group's stop later still drains that worker's clients.

import assert from "node:assert/strict";
import { connect } from "node:net";
import { test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { EXIT_CODES } from "../src/errors.js";
import { type MayusServer, startMayusServer } from "./support/processes.js";
import { tcpExchange } from "./support/sockets.js";
import { waitFor } from "./support/wait.js";

type LogEvent = Record<string, unknown> & { event?: string; msg: string };

function jsonLines(stderr: string): LogEvent[] {
  return stderr
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as LogEvent);
}

const isWorkerStart = (event: LogEvent) => event.event === "worker-started";

/** Workers' lines saying a signal sent to them alone was ignored. */
function ignoredSignals(stderr: string): number {
  return jsonLines(stderr).filter((event) => /sent to this worker alone is ignored/.test(event.msg)).length;
}

test("SIGTERM to each worker alone is ignored and said; the group's stop then drains them, nothing cut", {
  timeout: 60_000,
}, async () => {
  const server = await startMayusServer(["--tcp", "--workers", "2", "--log-format", "json"]);
  try {
    await strayThenGroupStop(server);
  } finally {
    await server.stop(); // nothing to do once the test's own stop ended it
  }
});

async function strayThenGroupStop(server: MayusServer): Promise<void> {
  await waitFor("both workers to start", () => jsonLines(server.stderr()).filter(isWorkerStart).length === 2);
  const workers = jsonLines(server.stderr())
    .filter(isWorkerStart)
    .map((event) => Number(event.worker));
  for (const worker of workers) process.kill(worker, "SIGTERM");
  await waitFor("each worker to say so", () => ignoredSignals(server.stderr()) === 2);
  assert.equal((await tcpExchange(server.tcpPort, [Buffer.from("still served")])).toString(), "STILL SERVED");

  // A client streaming 8 MB, 64 KiB every 5 ms (so for at least 0.6 s), and while it streams the
  // stop a supervisor sends to the whole group (one signal to each process): for each worker,
  // the second it got.
  const chunkBytes = 64 * 1024;
  const chunks = 128;
  const client = connect({ host: "127.0.0.1", port: server.tcpPort, allowHalfOpen: true });
  let answered = 0;
  let wrongBytes = 0;
  client.on("data", (chunk: Buffer) => {
    answered += chunk.length;
    for (const byte of chunk) if (byte !== 0x41) wrongBytes++;
  });
  const clientEnded = new Promise<string>((resolve) => {
    client.on("end", () => resolve("end"));
    client.on("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
  await new Promise((resolve) => client.once("connect", resolve));
  let sentChunks = 0;
  const sending = (async () => {
    for (; sentChunks < chunks && !client.destroyed; sentChunks++) {
      client.write(Buffer.alloc(chunkBytes, 0x61));
      await sleep(5);
    }
    client.end();
  })();
  await waitFor("the stream to be under way", () => answered > 0);
  // Workers first: they ignore it; the primary's then starts the drain (and tells them).
  for (const worker of workers) process.kill(worker, "SIGTERM");
  server.child.kill("SIGTERM");
  const signalledAtChunk = sentChunks;
  const finished = await server.exited;
  await sending;
  assert.ok(signalledAtChunk < chunks, "the stop came after the whole stream: nothing tested");
  assert.equal(await clientEnded, "end");
  assert.equal(answered, chunks * chunkBytes, finished.stderr);
  assert.equal(wrongBytes, 0);
  assert.equal(finished.code, EXIT_CODES.ok, finished.stderr);
  const exits = jsonLines(finished.stderr).filter((event) => event.event === "exit");
  assert.deepEqual(
    exits.map((event) => event.code),
    [0],
    finished.stderr,
  );
}
