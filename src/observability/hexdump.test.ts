import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, test } from "node:test";
import { peerAvailable } from "../../test/support/processes.js";
import { HEXDUMP_DEFAULTS, hexdumpLines, withHexdump } from "./hexdump.js";

/** What `xxd -g1` prints for these bytes, line by line. */
function xxdLines(bytes: Uint8Array): string[] {
  const output = execFileSync("xxd", ["-g1"], { input: bytes }).toString();
  return output.split("\n").filter((line) => line !== "");
}

/** Bytes from a small fixed generator: every run dumps the same ones. */
function pseudoRandomBytes(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  let state = seed;
  for (let index = 0; index < length; index++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

describe("hexdumpLines", () => {
  test("the same lines as xxd -g1, for every length up to 3 lines and every byte value", {
    skip: !peerAvailable("xxd"),
  }, () => {
    for (let length = 1; length <= 48; length++) {
      const bytes = pseudoRandomBytes(length, length);
      assert.deepEqual(hexdumpLines(bytes, 1000), xxdLines(bytes), `length ${length}`);
    }
    const everyByte = Buffer.from(Array.from({ length: 256 }, (_, index) => index));
    assert.deepEqual(hexdumpLines(everyByte, 256), xxdLines(everyByte));
    const text = Buffer.from("hola, mundo: ñandú\r\n\tfin");
    assert.deepEqual(hexdumpLines(text), xxdLines(text));
  });

  test("at the bound: maxBytes dumped, then one line counting the rest", () => {
    const bytes = Buffer.from("abcdefghijklmnopq");
    assert.deepEqual(hexdumpLines(bytes, 17), [
      "00000000: 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70  abcdefghijklmnop",
      "00000010: 71                                               q",
    ]);
    assert.deepEqual(hexdumpLines(bytes, 16), [
      "00000000: 61 62 63 64 65 66 67 68 69 6a 6b 6c 6d 6e 6f 70  abcdefghijklmnop",
      "… 1 bytes not shown (--hexdump-bytes)",
    ]);
    const big = Buffer.alloc(100_000);
    const lines = hexdumpLines(big);
    assert.equal(lines.length, HEXDUMP_DEFAULTS.bytes / 16 + 1);
    assert.equal(lines.at(-1), `… ${100_000 - HEXDUMP_DEFAULTS.bytes} bytes not shown (--hexdump-bytes)`);
    assert.deepEqual(hexdumpLines(Buffer.alloc(0)), []);
  });
});

describe("withHexdump", () => {
  test("alone: a header line per payload, nothing for steps without one", () => {
    const lines: string[] = [];
    const trace = withHexdump((line) => lines.push(line), 256);
    trace({ step: "accept", protocol: "tcp", peer: "127.0.0.1:5000" });
    trace({ step: "recv", protocol: "tcp", peer: "127.0.0.1:5000", bytes: 3, payload: Buffer.from("abc") });
    assert.deepEqual(lines, ["tcp recv 127.0.0.1:5000 3 bytes", `00000000: 61 62 63${" ".repeat(41)}abc`]);
  });

  test("with --trace: the dump lines go under the trace line", () => {
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    const trace = withHexdump(write, 256, (event) => write(`TRACE ${event.step}`));
    trace({ step: "accept", protocol: "tcp" });
    trace({ step: "send", protocol: "tcp", bytes: 1, payload: Buffer.from("A") });
    assert.deepEqual(lines, ["TRACE accept", "TRACE send", `00000000: 41${" ".repeat(47)}A`]);
  });
});
