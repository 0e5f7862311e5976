// `serve --mode echo` (RFC 862): bytes come back unchanged on TCP and UDP, and mayus's own
// client, pinger and load generator work against it.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type MayusServer, runMayus, startMayusServer } from "./support/processes.js";
import { tcpExchange, udpExchange } from "./support/sockets.js";

// "ß" would grow to "SS" in unicode mode; the stray bytes are not UTF-8.
const BYTES = Buffer.concat([Buffer.from("straße ñ hola\n"), Buffer.from([0, 0x80, 0xff, 0xc3])]);

describe("serve --mode echo", () => {
  let server: MayusServer;
  before(async () => {
    server = await startMayusServer(["--mode", "echo"]);
  });
  after(async () => {
    await server.stop();
  });

  test("TCP and UDP: every byte back as it was sent", async () => {
    assert.deepEqual(await tcpExchange(server.tcpPort, [BYTES.subarray(0, 7), BYTES.subarray(7)]), BYTES);
    assert.deepEqual(await udpExchange(server.udpPort, BYTES), BYTES);
  });

  test("mayus client, TCP and UDP, piped: the lines unchanged", async () => {
    const lines = "straße\nhola, mundo\n";
    for (const udp of [[], ["--udp"]]) {
      const port = udp.length > 0 ? server.udpPort : server.tcpPort;
      const finished = await runMayus(["client", ...udp, "127.0.0.1", String(port)], lines);
      assert.equal(finished.code, 0, finished.stderr);
      assert.equal(finished.stdout.toString(), lines);
    }
  });

  test("mayus ping: every ping answered", async () => {
    const finished = await runMayus(["ping", "127.0.0.1", String(server.udpPort), "-c", "3", "-i", "0.05"]);
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout.toString(), /3 packets transmitted, 3 received, 0% packet loss/);
  });

  test("mayus bench --mode echo checks the answers as echoes; --mode unicode finds them wrong", async () => {
    const run = (mode: string) =>
      runMayus(["bench", "127.0.0.1", String(server.tcpPort), "--mode", mode, "--total-bytes", "8192", "--json"]);
    const echo = await run("echo");
    assert.equal(echo.code, 0, echo.stderr);
    const result = JSON.parse(echo.stdout.toString());
    assert.equal(result.errors.total, 0);
    assert.equal(result.bytesReceived, 8192);
    const unicode = await run("unicode");
    assert.equal(unicode.code, 1);
    assert.ok(JSON.parse(unicode.stdout.toString()).errors.wrongAnswers > 0);
  });

  test("--locale with --mode echo is a usage error (exit 2)", async () => {
    const finished = await runMayus(["serve", "--port", "0", "--mode", "echo", "--locale", "tr"]);
    assert.equal(finished.code, 2);
    assert.match(finished.stderr, /--locale only applies to --mode unicode/);
  });
});
