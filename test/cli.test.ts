// The `mayus` command as a user runs it: serve and client as real processes, exit codes and one-line errors.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import { uppercase } from "../src/transform/index.js";
import { type MayusServer, runMayus, startMayusServer } from "./support/processes.js";
import { udpExchange } from "./support/sockets.js";

/** One line on stderr, starting with "mayus: ", and no stack trace. */
function assertOneLineError(stderr: string, pattern: RegExp): void {
  const lines = stderr.trimEnd().split("\n");
  assert.equal(lines.length, 1, `expected one line, got: ${stderr}`);
  assert.match(lines[0], /^mayus: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(stderr, /\n\s+at /);
}

function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** A port nothing listens on: bind one, note it, close it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

describe("mayus client against mayus serve", () => {
  let server: MayusServer;
  before(async () => {
    server = await startMayusServer();
  });
  after(async () => {
    const finished = await server.stop();
    assert.equal(finished.code, 0, finished.stderr);
  });

  test("printf 'abc' | mayus client prints ABC (half-close)", async () => {
    const result = await runMayus(["client", "127.0.0.1", String(server.tcpPort)], "abc");
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.toString(), "ABC");
  });

  test("a Spanish text comes back as toUpperCase gives it, over TCP and over UDP", async () => {
    const text = "ñandú, pingüino y cigüeña: árbol éxito índice ópera último straße\nsegunda línea\n";
    const tcp = await runMayus(["client", "localhost", String(server.tcpPort)], text);
    assert.equal(tcp.code, 0, tcp.stderr);
    assert.equal(tcp.stdout.toString(), text.toUpperCase());
    const udp = await runMayus(["client", "--udp", "127.0.0.1", String(server.udpPort)], text);
    assert.equal(udp.code, 0, udp.stderr);
    assert.equal(udp.stdout.toString(), text.toUpperCase());
  });

  test("20 MB of random bytes (ill-formed UTF-8 included) come back as the one-shot transform", async () => {
    const input = randomBytes(20 * 1024 * 1024);
    const result = await runMayus(["client", "127.0.0.1", String(server.tcpPort)], input, { timeoutMs: 120_000 });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.length, uppercase(input).length);
    assert.equal(sha256(result.stdout), sha256(uppercase(input)));
  });

  test("a line too long for one datagram is refused before sending, with exit code 6", async () => {
    const result = await runMayus(["client", "--udp", "127.0.0.1", String(server.udpPort)], "a".repeat(70_000));
    assert.equal(result.code, EXIT_CODES["datagram-too-long"]);
    assertOneLineError(result.stderr, /line 1 is 70000 bytes, more than the 65507/);
    assert.equal(result.stdout.length, 0);
  });
});

describe("mayus serve --mode ascii", () => {
  test("100 MB of random bytes come back byte-exact (only a-z changed)", async () => {
    const server = await startMayusServer(["--tcp", "--mode", "ascii"]);
    try {
      const input = randomBytes(100 * 1024 * 1024);
      const result = await runMayus(["client", "127.0.0.1", String(server.tcpPort)], input, { timeoutMs: 240_000 });
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout.length, input.length);
      const expected = uppercase(input, { mode: "ascii" });
      assert.equal(sha256(result.stdout), sha256(expected));
    } finally {
      await server.stop();
    }
  });
});

describe("errors: one line, a distinct exit code, no stack trace", () => {
  test("connection refused: exit 3 and 'is the server running?'", async () => {
    const port = await closedPort();
    const result = await runMayus(["client", "127.0.0.1", String(port)], "hello\n");
    assert.equal(result.code, EXIT_CODES["connection-refused"]);
    assertOneLineError(result.stderr, /connection refused by 127\.0\.0\.1:\d+: is the server running\?/);
  });

  test("connection refused over UDP (connected socket gets the ICMP): exit 3", async () => {
    const port = await closedPort();
    const result = await runMayus(["client", "--udp", "127.0.0.1", String(port)], "hello\n");
    assert.equal(result.code, EXIT_CODES["connection-refused"]);
    assertOneLineError(result.stderr, /connection refused/);
  });

  test("unknown host: exit 4", async () => {
    const result = await runMayus(["client", "no-such-host.invalid", "12000"], "hello\n");
    assert.equal(result.code, EXIT_CODES["host-not-found"]);
    assertOneLineError(result.stderr, /host not found: no-such-host\.invalid/);
  });

  test("bad flag values are usage errors: exit 2", async () => {
    for (const args of [
      ["serve", "--port", "99999"],
      ["serve", "--mode", "shout"],
      ["serve", "--locale", "not a tag!"],
      ["serve", "--mode", "ascii", "--locale", "tr"],
      ["client", "localhost", "port"],
      ["client", "--bogus"],
    ]) {
      const result = await runMayus(args);
      assert.equal(result.code, EXIT_CODES.usage, `${args.join(" ")}: ${result.stderr}`);
      assertOneLineError(result.stderr, /./);
    }
  });

  test("a port in use: exit 8 with what to do", async () => {
    const server = await startMayusServer(["--tcp"]);
    try {
      const result = await runMayus(["serve", "--tcp", "--host", "127.0.0.1", "--port", String(server.tcpPort)]);
      assert.equal(result.code, EXIT_CODES["listen-failed"]);
      assertOneLineError(result.stderr, /TCP port \d+ is already in use on 127\.0\.0\.1: .*--port/);
    } finally {
      await server.stop();
    }
  });
});

describe("serve's UDP limits reach the server from the command line", () => {
  test("--udp-rate 5: a source sending 50 datagrams at once gets about 5 replies", async () => {
    const server = await startMayusServer(["--udp", "--udp-rate", "5"]);
    const socket = createSocket("udp4");
    try {
      let replies = 0;
      socket.on("message", () => replies++);
      await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
      for (let index = 0; index < 50; index++) socket.send("flood", server.udpPort, "127.0.0.1");
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.ok(replies >= 5 && replies <= 8, `${replies} replies`);
    } finally {
      socket.close();
      await server.stop();
    }
  });

  test("--udp-max-growth 3 lets a reply grow; the default does not", async () => {
    const generous = await startMayusServer(["--udp", "--udp-max-growth", "3"]);
    const strict = await startMayusServer(["--udp"]);
    try {
      const request = Buffer.from("ΐ abc");
      assert.deepEqual(await udpExchange(generous.udpPort, request), uppercase(request));
      assert.equal((await udpExchange(strict.udpPort, request))?.toString(), "ΐ ABC");
    } finally {
      await Promise.all([generous.stop(), strict.stop()]);
    }
  });
});

describe("serve --workers", () => {
  test("on a port in use: exit 8 with the reason, and no worker left behind", async () => {
    const server = await startMayusServer(["--tcp"]);
    try {
      const args = ["serve", "--tcp", "--host", "127.0.0.1", "--port", String(server.tcpPort), "--workers", "2"];
      const result = await runMayus(args, "", { timeoutMs: 20_000 });
      assert.equal(result.code, EXIT_CODES["listen-failed"], result.stderr);
      assert.match(result.stderr, /^mayus: TCP port \d+ is already in use on 127\.0\.0\.1/);
      assert.doesNotMatch(result.stderr, /\n\s+at /);
    } finally {
      await server.stop();
    }
  });
});

describe("configuration from the environment", () => {
  test("MAYUS_MODE sets the mode, and a flag wins over the environment", async () => {
    const fromEnvironment = await startMayusServer(["--tcp"], { MAYUS_MODE: "ascii" });
    const flagWins = await startMayusServer(["--tcp", "--mode", "unicode"], { MAYUS_MODE: "ascii" });
    try {
      const ascii = await runMayus(["client", "127.0.0.1", String(fromEnvironment.tcpPort)], "ñu");
      assert.equal(ascii.stdout.toString(), "ñU");
      const unicode = await runMayus(["client", "127.0.0.1", String(flagWins.tcpPort)], "ñu");
      assert.equal(unicode.stdout.toString(), "ÑU");
    } finally {
      await Promise.all([fromEnvironment.stop(), flagWins.stop()]);
    }
  });

  test("--help shows each flag's environment variable", async () => {
    const result = await runMayus(["serve", "--help"]);
    assert.equal(result.code, 0);
    for (const variable of ["MAYUS_PORT", "MAYUS_HOST", "MAYUS_MODE", "MAYUS_LOCALE", "MAYUS_MAX_CONNECTIONS"]) {
      assert.match(result.stdout.toString(), new RegExp(variable));
    }
  });
});
