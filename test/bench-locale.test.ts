// `mayus bench --locale` as a user runs it against `mayus serve --locale tr`: both engines, TCP and
// UDP, and its usage errors.

import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import type { BenchResult } from "../src/load/options.js";
import { type MayusServer, runMayus, startMayusServer } from "./support/processes.js";

/** Runs `mayus bench ... --json` and returns its exit code and parsed result. */
async function bench(
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; result: BenchResult }> {
  const finished = await runMayus(["bench", ...args, "--json"], "", { timeoutMs: 15_000, env });
  assert.equal(finished.signal, null, `killed: ${finished.stderr}`);
  return { code: finished.code, result: JSON.parse(finished.stdout.toString()) as BenchResult };
}

describe("mayus bench --locale against serve --locale tr", () => {
  let server: MayusServer;
  before(async () => {
    server = await startMayusServer(["--locale", "tr", "--udp-rate", "0", "--udp-byte-rate", "0"]);
  });
  after(async () => {
    await server.stop();
  });

  for (const [engine, env] of [
    ["native", {}],
    ["node", { MAYUS_NATIVE: "0" }],
  ] as const) {
    test(`TCP ping-pong (${engine} engine): answers checked with the Turkish İ; without --locale they are wrong`, async () => {
      const args = ["127.0.0.1", String(server.tcpPort), "--connections", "2", "--duration", "0.5"];
      const turkish = await bench([...args, "--locale", "tr"], env);
      assert.equal(turkish.code, EXIT_CODES.ok, JSON.stringify(turkish.result.errors));
      assert.equal(turkish.result.engine, engine);
      assert.equal(turkish.result.locale, "tr");
      assert.ok(turkish.result.messages > 0, `messages: ${turkish.result.messages}`);
      assert.equal(turkish.result.errors.total, 0);
      // Every i of the text is İ, two bytes: the answer is longer than the message.
      assert.ok(turkish.result.answerBytes > turkish.result.sizeBytes, `answer ${turkish.result.answerBytes} bytes`);
      const plain = await bench(args, env);
      assert.equal(plain.code, EXIT_CODES.failure);
      assert.equal(plain.result.locale, null);
      assert.ok(plain.result.errors.wrongAnswers > 0, JSON.stringify(plain.result.errors));
    });
  }

  test("UDP: the reply keeps i where İ would grow it past --udp-max-growth 1, and is checked so", async () => {
    const turkish = await bench(["-u", "127.0.0.1", String(server.udpPort), "--duration", "0.5", "--locale", "tr"]);
    assert.equal(turkish.code, EXIT_CODES.ok, JSON.stringify(turkish.result.errors));
    assert.ok(turkish.result.messages > 0, `messages: ${turkish.result.messages}`);
    assert.equal(turkish.result.answerBytes, turkish.result.sizeBytes);
  });

  test("the report names the locale with the mode", async () => {
    const finished = await runMayus(
      ["bench", "127.0.0.1", String(server.tcpPort), "--duration", "0.2", "--locale", "tr"],
      "",
      { timeoutMs: 15_000 },
    );
    assert.equal(finished.code, EXIT_CODES.ok, finished.stderr);
    assert.match(finished.stdout.toString(), /server mode unicode \(tr\), ascii text/);
  });

  for (const [args, message] of [
    [["--mode", "ascii", "--locale", "tr"], /--locale only applies to --mode unicode or lower/],
    [["--locale", "not a tag"], /--locale not a tag is not a valid language tag/],
  ] as const) {
    test(`${args.join(" ")}: one line, exit 2`, async () => {
      const finished = await runMayus(["bench", "127.0.0.1", String(server.tcpPort), "--duration", "0.2", ...args]);
      assert.equal(finished.code, EXIT_CODES.usage);
      assert.match(finished.stderr, message);
      assert.equal(finished.stderr.trim().split("\n").length, 1, finished.stderr);
      assert.equal(finished.stdout.toString(), "");
    });
  }
});
