// Duration flags on the real command: unit suffixes (250ms, 2s, 1m, 1h) on every one, a bare
// number in the flag's documented unit, boundaries, and errors that name the flag and the forms.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { EXIT_CODES } from "../src/errors.js";
import { runMayus, startMayusServer } from "./support/processes.js";

/** Exit 2 with one line naming the flag and the accepted forms. */
async function assertRejected(args: string[], flag: string, env?: NodeJS.ProcessEnv): Promise<void> {
  const result = await runMayus(args, "", { env });
  assert.equal(result.code, EXIT_CODES.usage, `${args.join(" ")}: ${result.stderr}`);
  assert.match(result.stderr, new RegExp(`${flag} must be a duration from .* \\(250ms, 2s, 1m, 1h\\)`));
  assert.equal(result.stderr.trimEnd().split("\n").length, 1, result.stderr);
}

describe("duration flags", () => {
  test("the client: --deadline at its ceiling in hours, -w in ms, --timeout in s; one past is refused", async () => {
    const server = await startMayusServer(["--udp"]);
    try {
      const target = ["127.0.0.1", String(server.udpPort)];
      for (const flags of [
        ["-u", "--deadline", "24h", "--timeout", "1s", "--min-rto", "10ms", "--max-rto", "1m"],
        ["-u", "-w", "500ms", "--deadline", "86400000"],
      ]) {
        const answered = await runMayus(["client", ...flags, ...target], "hola\n");
        assert.equal(answered.code, 0, `${flags.join(" ")}: ${answered.stderr}`);
        assert.equal(answered.stdout.toString(), "HOLA\n");
      }
    } finally {
      await server.stop();
    }
    await assertRejected(["client", "--deadline", "24h1ms"], "--deadline");
    await assertRejected(["client", "--deadline", "86400001"], "--deadline");
    await assertRejected(["client", "--timeout", "1.5"], "--timeout");
    await assertRejected(["client", "-w", "0.5ms"], "--wait");
    await assertRejected(["client", "-w", "2h"], "--wait");
  });

  test("ping: -W and -i take a unit; a bare number stays seconds", async () => {
    const server = await startMayusServer(["--udp"]);
    try {
      const target = ["127.0.0.1", String(server.udpPort)];
      for (const flags of [
        ["-c", "2", "-i", "10ms", "-W", "2s"],
        ["-c", "2", "-i", "0.01", "-W", "2"],
      ]) {
        const pinged = await runMayus(["ping", ...flags, ...target]);
        assert.equal(pinged.code, 0, `${flags.join(" ")}: ${pinged.stderr}`);
        assert.match(pinged.stdout.toString(), /2 packets transmitted, 2 received/);
      }
    } finally {
      await server.stop();
    }
    await assertRejected(["ping", "-W", "1d"], "--timeout");
    await assertRejected(["ping", "-i", "0.0009"], "--interval");
  });

  test("serve: --drain-timeout 1m and MAYUS_DRAIN_QUIET=2s start; 1h1ms, 2S and -1 are refused", async () => {
    const server = await startMayusServer(["--tcp", "--drain-timeout", "1m", "--idle-timeout", "0s"], {
      MAYUS_DRAIN_QUIET: "2s",
    });
    assert.equal((await server.stop()).code, 0, server.stderr());
    await assertRejected(["serve", "--drain-timeout", "1h1ms"], "--drain-timeout");
    await assertRejected(["serve", "--idle-timeout", "2S"], "--idle-timeout");
    await assertRejected(["serve"], "--stall-timeout", { MAYUS_STALL_TIMEOUT: "-1" });
    await assertRejected(["serve", "--proxy-header-timeout", "10m1ms"], "--proxy-header-timeout");
    await assertRejected(["bench", "--duration", "0ms"], "--duration");
    const delay = await runMayus(["serve", "--delay", "1s±x"]);
    assert.equal(delay.code, EXIT_CODES.usage);
    assert.match(delay.stderr, /--delay must be MS or MS±JITTER, each in milliseconds or with a unit/);
  });

  test("heartbeat: -i takes a unit, a bare number stays seconds; serve --heartbeat-timeout takes one too", async () => {
    const server = await startMayusServer(["--udp", "--heartbeat-timeout", "2s"]);
    try {
      const target = ["127.0.0.1", String(server.udpPort)];
      for (const interval of ["10ms", "0.01"]) {
        const sent = await runMayus(["heartbeat", "-i", interval, "-c", "3", ...target]);
        assert.equal(sent.code, 0, `-i ${interval}: ${sent.stderr}`);
      }
    } finally {
      await server.stop();
    }
    await assertRejected(["heartbeat", "-i", "0.5ms"], "--interval");
    await assertRejected(["serve", "--heartbeat-timeout", "24h1ms"], "--heartbeat-timeout");
  });

  test("help says each duration flag's bare unit; the error in Spanish", async () => {
    const help = (await runMayus(["client", "--help"])).stdout.toString().replace(/\s+/g, " ");
    assert.match(help, /--timeout <ms>(?:(?!--).)*\(units: a bare number is milliseconds; or 250ms, 2s, 1m, 1h/);
    assert.match(help, /--wait <seconds>(?:(?!--).)*\(units: a bare number is seconds/);
    const ping = (await runMayus(["ping", "--help"])).stdout.toString().replace(/\s+/g, " ");
    assert.match(ping, /--timeout <seconds>(?:(?!--).)*\(units: a bare number is seconds/);
    const spanish = await runMayus(["serve", "--drain-quiet", "0", "--lang", "es"]);
    assert.equal(spanish.code, EXIT_CODES.usage);
    assert.match(spanish.stderr, /--drain-quiet debe ser una duración de 1ms a 1h: un número de milisegundos/);
  });
});
