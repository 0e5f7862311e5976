// `--hexdump` on the real server and client: every payload as the lines `xxd -g1` prints for
// it, bounded by `--hexdump-bytes`, under the trace line with `--trace`, a field in json logs.

import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { peerAvailable, runMayus, startMayusServer, waitForStderr } from "./support/processes.js";
import { tcpExchange, udpExchange } from "./support/sockets.js";

const hasXxd = peerAvailable("xxd");

/** What `xxd -g1` prints for these bytes. */
function xxd(bytes: Uint8Array): string {
  return execFileSync("xxd", ["-g1"], { input: bytes }).toString();
}

/** A regex source matching this text exactly. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

// Printable and not: the text column shows "." for bytes outside 0x20-0x7e.
const REQUEST = Buffer.concat([
  Buffer.from("hola, mundo: ñandú\t"),
  Buffer.from([0, 1, 0x7f, 0xff]),
  Buffer.from("fin\n"),
]);
const REPLY = Buffer.concat([
  Buffer.from("HOLA, MUNDO: ÑANDÚ\t"),
  Buffer.from([0, 1, 0x7f, 0xff]),
  Buffer.from("FIN\n"),
]);

describe("--hexdump", { skip: !hasXxd }, () => {
  test("serve: a header line, then xxd -g1's lines for each datagram and each TCP read and send", async () => {
    const server = await startMayusServer(["--hexdump"]);
    try {
      assert.deepEqual(await udpExchange(server.udpPort, REQUEST), REPLY);
      const peer = String.raw`127\.0\.0\.1:\d+`;
      await waitForStderr(server, new RegExp(`udp recvfrom ${peer} ${REQUEST.length} bytes\n${literal(xxd(REQUEST))}`));
      await waitForStderr(server, new RegExp(`udp sendto ${peer} ${REPLY.length} bytes\n${literal(xxd(REPLY))}`));
      assert.deepEqual(await tcpExchange(server.tcpPort, [REQUEST]), REPLY);
      await waitForStderr(server, new RegExp(`tcp recv ${peer} ${REQUEST.length} bytes\n${literal(xxd(REQUEST))}`));
      await waitForStderr(server, new RegExp(`tcp send ${peer} ${REPLY.length} bytes\n${literal(xxd(REPLY))}`));
      // Steps without a payload print nothing without --trace.
      assert.doesNotMatch(server.stderr(), /accept|listen|close/);
    } finally {
      await server.stop();
    }
  });

  test("serve --hexdump-bytes 16 at its bound: one line, then the rest counted", async () => {
    const server = await startMayusServer(["--udp", "--hexdump", "--hexdump-bytes", "16", "--lang", "es"]);
    try {
      await udpExchange(server.udpPort, REQUEST);
      const firstLine = xxd(REQUEST).split("\n")[0];
      const rest = REQUEST.length - 16;
      await waitForStderr(server, new RegExp(`recvfrom .*\n${literal(firstLine)}\n… ${rest} bytes sin mostrar`));
    } finally {
      await server.stop();
    }
  });

  test("serve --trace --hexdump: the dump lines right under their trace line", async () => {
    const server = await startMayusServer(["--udp", "--trace", "--hexdump"]);
    try {
      await udpExchange(server.udpPort, Buffer.from("abc"));
      const dump = literal(xxd(Buffer.from("abc")));
      await waitForStderr(server, new RegExp(`\\+\\d+\\.\\d+s udp recvfrom .* 3 bytes "abc"\n${dump}`));
      await waitForStderr(
        server,
        new RegExp(`\\+\\d+\\.\\d+s udp sendto .* 3 bytes "ABC"\n${literal(xxd(Buffer.from("ABC")))}`),
      );
    } finally {
      await server.stop();
    }
  });

  test("serve --log-format json: the lines are a hexdump field; every stderr line stays JSON", async () => {
    const server = await startMayusServer(["--udp", "--hexdump", "--log-format", "json"]);
    try {
      await udpExchange(server.udpPort, REQUEST);
      await waitForStderr(server, /"step":"sendto"/);
    } finally {
      await server.stop();
    }
    const events = server
      .stderr()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    const received = events.find((event) => event.event === "trace" && event.step === "recvfrom");
    assert.deepEqual(received.hexdump, xxd(REQUEST).trimEnd().split("\n"));
    assert.equal(received.bytes, REQUEST.length);
  });

  test("client --hexdump, TCP and UDP: what it sends and what it receives", async () => {
    const server = await startMayusServer();
    try {
      const line = Buffer.from("hola, mundo\n");
      const reply = Buffer.from("HOLA, MUNDO\n");
      const tcp = await runMayus(["client", "127.0.0.1", String(server.tcpPort), "--hexdump"], line);
      assert.equal(tcp.code, 0);
      assert.deepEqual(tcp.stdout, reply);
      assert.match(tcp.stderr, new RegExp(`tcp send 127\\.0\\.0\\.1:\\d+ 12 bytes\n${literal(xxd(line))}`));
      assert.match(tcp.stderr, new RegExp(`tcp recv 127\\.0\\.0\\.1:\\d+ 12 bytes\n${literal(xxd(reply))}`));
      // One datagram per line, without its newline.
      const udp = await runMayus(["client", "--udp", "127.0.0.1", String(server.udpPort), "--hexdump"], line);
      assert.equal(udp.code, 0);
      assert.match(udp.stderr, new RegExp(`udp send .* 11 bytes\n${literal(xxd(line.subarray(0, 11)))}`));
      assert.match(udp.stderr, new RegExp(`udp recv .* 11 bytes\n${literal(xxd(reply.subarray(0, 11)))}`));
    } finally {
      await server.stop();
    }
  });

  test("--hexdump-bytes outside 1 to 65536 is a usage error (exit 2)", async () => {
    for (const [command, value] of [
      ["serve", "0"],
      ["client", "65537"],
    ]) {
      const finished = await runMayus([command, "--hexdump-bytes", value]);
      assert.equal(finished.code, 2, command);
      assert.match(finished.stderr, /--hexdump-bytes must be a whole number from 1 to 65536/);
    }
  });
});
