// The suite's C load client (bench/c/load-client.c): it builds, drives the C server, the C
// echo server and mayus through every pattern with every answer right, and a server that
// gets one byte wrong makes it fail, naming where.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server as NetServer } from "node:net";
import { tmpdir } from "node:os";
import { after, before, test } from "node:test";
import { stopAllChildren } from "../bench/processes.js";
import { compileC, compileLoadClient, type Server, startServer } from "../bench/servers.js";
import type { BenchResult } from "../src/load/options.js";
import { peerAvailable, run, startMayusServer } from "./support/processes.js";

const skip = !peerAvailable("cc") && "no C compiler (cc)";
let directory = "";
let client = "";
let cServer: Server | undefined;
let echoServer: Server | undefined;

before(async () => {
  if (skip) return;
  directory = mkdtempSync(`${tmpdir()}/mayus-load-client-`);
  client = compileLoadClient(directory);
  const cBinary = compileC(directory);
  cServer = await startServer("c", "ascii", { cBinary });
  echoServer = await startServer("echo", "ascii", { cBinary });
});

after(async () => {
  await stopAllChildren();
  if (directory !== "") rmSync(directory, { recursive: true, force: true });
});

async function runClient(args: readonly string[]) {
  const finished = await run(client, args, "", { timeoutMs: 60_000 });
  const stdout = finished.stdout.toString();
  return { ...finished, result: stdout === "" ? undefined : (JSON.parse(stdout) as BenchResult) };
}

const quick = ["--duration", "0.3", "--warmup", "0.1"];
const MiB = 1024 * 1024;

test("every pattern against the C server: answers all right, counted, exit 0", { skip }, async () => {
  const port = String(cServer?.port);
  const patterns = [
    ["--pattern", "stream", "--size", "65536", "--total-bytes", String(8 * MiB), "--duration", "20"],
    ["--pattern", "stream", "--size", "65536", "--total-bytes", String(8 * MiB), "--window", String(MiB)],
    ["--pattern", "pingpong", "--connections", "3", "--size", "512", ...quick],
    ["--pattern", "udp", "--size", "64", ...quick],
    ["--pattern", "connect", "--connections", "2", "--size", "64", ...quick],
  ];
  for (const pattern of patterns) {
    const { code, result, stderr } = await runClient(["--port", port, "--answer", "ascii", ...pattern]);
    assert.equal(code, 0, `${pattern.join(" ")}: ${stderr}`);
    assert.ok(result, pattern.join(" "));
    assert.equal(result.errors.total, 0, pattern.join(" "));
    assert.ok(result.messages > 0 && result.bytesReceived > 0, pattern.join(" "));
    if (pattern[1] === "stream" && !pattern.includes("--warmup")) assert.equal(result.bytesReceived, 8 * MiB);
  }
});

test("the echo server is right for --answer echo and wrong for --answer ascii", { skip }, async () => {
  const port = String(echoServer?.port);
  const stream = ["--port", port, "--pattern", "stream", "--size", "65536", "--total-bytes", String(4 * MiB)];
  const echo = await runClient([...stream, "--answer", "echo"]);
  assert.equal(echo.code, 0, echo.stderr);
  assert.equal(echo.result?.bytesReceived, 4 * MiB);
  const upper = await runClient([...stream, "--answer", "ascii"]);
  assert.equal(upper.code, 1);
  assert.equal(upper.result?.errors.wrongAnswers, 1);
  assert.match(upper.stderr, /^load-client: wrong answer \(stream, byte 0\)$/m);
});

test("Spanish text through mayus in unicode mode: accented letters expected in uppercase, all right", {
  skip,
}, async () => {
  const mayus = await startMayusServer(["--tcp"]);
  try {
    for (const pattern of [
      ["--pattern", "stream", "--size", "65536", "--total-bytes", String(4 * MiB)],
      ["--pattern", "pingpong", "--size", "333", ...quick],
    ]) {
      const args = ["--port", String(mayus.tcpPort), "--text", "spanish", "--answer", "unicode", ...pattern];
      const { code, result, stderr } = await runClient(args);
      assert.equal(code, 0, stderr);
      assert.equal(result?.errors.total, 0);
      // Against the C server's ascii answer the accented letters stay lowercase: a wrong answer.
      const ascii = await runClient([...args.slice(0, 4), "--answer", "ascii", ...pattern]);
      assert.equal(ascii.code, 1, pattern.join(" "));
    }
  } finally {
    await mayus.stop();
  }
});

/** A TCP server that uppercases a-z and changes the byte at `wrongOffset` of each connection's stream. */
async function corruptingServer(wrongOffset: number): Promise<NetServer> {
  const server = createServer((socket) => {
    let offset = 0;
    socket.on("data", (chunk: Buffer) => {
      const answer = Buffer.from(chunk);
      for (let index = 0; index < answer.length; index++) {
        const byte = answer[index] as number;
        if (byte >= 0x61 && byte <= 0x7a) answer[index] = byte - 32;
        if (offset + index === wrongOffset) answer[index] = 0x3f; // "?"
      }
      offset += chunk.length;
      socket.write(answer);
    });
    socket.on("error", () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

test("one wrong byte deep in a stream, or in a ping-pong answer: exit 1, counted, its place named", {
  skip,
}, async () => {
  for (const [pattern, wrongOffset, where] of [
    [["--pattern", "stream", "--size", "65536", "--total-bytes", String(8 * MiB)], 3_000_001, "stream, byte 3000001"],
    [["--pattern", "pingpong", "--size", "512", "--duration", "5"], 5 * 512 + 7, "pingpong, byte 7"],
    [["--pattern", "connect", "--size", "64", "--duration", "5"], 9, "connect, byte 9"],
  ] as const) {
    const server = await corruptingServer(wrongOffset);
    try {
      const port = (server.address() as { port: number }).port;
      const { code, result, stderr } = await runClient(["--port", String(port), "--answer", "ascii", ...pattern]);
      assert.equal(code, 1, `${pattern.join(" ")}: ${stderr}`);
      assert.equal(result?.errors.wrongAnswers, 1);
      assert.match(stderr, new RegExp(`^load-client: wrong answer \\(${where}\\)$`, "m"));
    } finally {
      server.close();
    }
  }
});

test("a UDP answer with one wrong byte: exit 1, counted", { skip }, async () => {
  const server = createSocket("udp4");
  let answered = 0;
  server.on("message", (message, peer) => {
    const answer = Buffer.from(message.toString("latin1").toUpperCase(), "latin1");
    if (++answered === 4) answer[20] = 0x3f;
    server.send(answer, peer.port, peer.address);
  });
  await new Promise<void>((resolve) => server.bind(0, "127.0.0.1", resolve));
  try {
    const port = String(server.address().port);
    const { code, result, stderr } = await runClient(["--port", port, "--pattern", "udp", "--size", "64"]);
    assert.equal(code, 1, stderr);
    assert.equal(result?.errors.wrongAnswers, 1);
    assert.equal(result?.messages, 3); // the three right answers before it
  } finally {
    server.close();
  }
});

test("bad usage: one line saying what is wrong, exit 2", { skip }, async () => {
  const { code, stderr } = await runClient(["--port", "0"]);
  assert.equal(code, 2);
  assert.match(stderr, /^load-client: --port takes a port from 1 to 65535\n/);
});
