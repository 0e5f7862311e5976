// `serve --mode lower` and `--mode lower-ascii`: a real Python peer compares the answers with
// str.lower() over TCP and UDP; mayus's own client, pinger and load generator match them.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type MayusServer, PEERS, peerAvailable, run, runMayus, startMayusServer } from "./support/processes.js";
import { tcpExchange, udpExchange } from "./support/sockets.js";

describe("serve --mode lower", () => {
  let server: MayusServer;
  before(async () => {
    // 1.5: lower mode's own bound, so İ (2 bytes) may become i̇ (3) in a datagram, as over TCP.
    server = await startMayusServer(["--mode", "lower", "--udp-max-growth", "1.5"]);
  });
  after(async () => {
    await server.stop();
  });

  test("python3 peer: TCP (a character split between sends) and UDP agree with str.lower()", {
    skip: !peerAvailable("python3"),
  }, async () => {
    const finished = await run("python3", [
      `${PEERS}lower_check.py`,
      "127.0.0.1",
      String(server.tcpPort),
      String(server.udpPort),
    ]);
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout.toString(), /ok tcp\nok udp 9\n/);
  });

  test("stray bytes pass through; capital sigma is σ, even at the end of a word", async () => {
    const bytes = Buffer.concat([Buffer.from("ΟΔΟΣ Ñ"), Buffer.from([0xff, 0xc3])]);
    const expected = Buffer.concat([Buffer.from("οδοσ ñ"), Buffer.from([0xff, 0xc3])]);
    assert.deepEqual(await tcpExchange(server.tcpPort, [bytes.subarray(0, 3), bytes.subarray(3)]), expected);
    assert.deepEqual(await udpExchange(server.udpPort, bytes), expected);
  });

  test("mayus client, TCP and UDP: the lines lowercased, the Kelvin sign's answer matched too", async () => {
    // "\u212a" (Kelvin sign) lowercases to "k", whose uppercase is "K": matching by uppercase alone
    // would never take that reply, and the line would fail at its deadline.
    const lines = "HOLA, ÑANDÚ\n5 \u212a\n";
    for (const udp of [[], ["--udp", "--deadline", "2000"]]) {
      const port = udp.length > 0 ? server.udpPort : server.tcpPort;
      const finished = await runMayus(["client", ...udp, "127.0.0.1", String(port)], lines);
      assert.equal(finished.code, 0, finished.stderr);
      assert.equal(finished.stdout.toString(), "hola, ñandú\n5 k\n");
    }
  });

  test("mayus ping: every ping answered", async () => {
    const finished = await runMayus(["ping", "127.0.0.1", String(server.udpPort), "-c", "3", "-i", "0.05"]);
    assert.equal(finished.code, 0, finished.stderr);
    assert.match(finished.stdout.toString(), /3 packets transmitted, 3 received, 0% packet loss/);
  });

  test("mayus bench --mode lower checks the answers; --mode unicode finds them wrong", async () => {
    const bench = (mode: string, udp: string[] = []) =>
      runMayus([
        "bench",
        ...udp,
        "127.0.0.1",
        String(udp.length > 0 ? server.udpPort : server.tcpPort),
        "--mode",
        mode,
        "--text",
        "spanish",
        ...(udp.length > 0 ? ["--duration", "0.3"] : ["--total-bytes", "8192"]),
        "--json",
      ]);
    for (const udp of [[], ["--udp"]]) {
      const lower = await bench("lower", udp);
      assert.equal(lower.code, 0, lower.stderr);
      assert.equal(JSON.parse(lower.stdout.toString()).errors.total, 0);
    }
    const unicode = await bench("unicode");
    assert.equal(unicode.code, 1);
    assert.ok(JSON.parse(unicode.stdout.toString()).errors.wrongAnswers > 0);
  });
});

describe("serve --mode lower --locale tr, and --mode lower-ascii", () => {
  test("Turkish: I → ı and İ → i over TCP; the client matches with --locale tr over UDP", async () => {
    const server = await startMayusServer(["--mode", "lower", "--locale", "tr", "--udp-max-growth", "2"]);
    try {
      assert.equal((await tcpExchange(server.tcpPort, [Buffer.from("ISPARTA İZMİR")])).toString(), "ısparta izmir");
      const finished = await runMayus(
        ["client", "--udp", "--locale", "tr", "127.0.0.1", String(server.udpPort)],
        "DİYARBAKIR\n",
      );
      assert.equal(finished.code, 0, finished.stderr);
      assert.equal(finished.stdout.toString(), "diyarbakır\n");
    } finally {
      await server.stop();
    }
  });

  test("lower-ascii: only A-Z change, every other byte as it was", async () => {
    const server = await startMayusServer(["--mode", "lower-ascii"]);
    try {
      const bytes = Buffer.concat([Buffer.from("ÑANDÚ ABC"), Buffer.from([0xff])]);
      const expected = Buffer.concat([Buffer.from("ÑandÚ abc"), Buffer.from([0xff])]);
      assert.deepEqual(await tcpExchange(server.tcpPort, [bytes]), expected);
      assert.deepEqual(await udpExchange(server.udpPort, bytes), expected);
    } finally {
      await server.stop();
    }
  });

  test("--locale with --mode lower-ascii is a usage error (exit 2)", async () => {
    const finished = await runMayus(["serve", "--port", "0", "--mode", "lower-ascii", "--locale", "tr"]);
    assert.equal(finished.code, 2);
    assert.match(finished.stderr, /--locale only applies to --mode unicode or lower/);
  });
});
