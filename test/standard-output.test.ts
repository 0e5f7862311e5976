// When mayus's standard output cannot be written: its reader gone (`| head -1`, EPIPE) or the
// output full (/dev/full, ENOSPC). A pipe the user closed is no bug: no stack trace, and a
// server keeps serving.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { closeSync, openSync } from "node:fs";
import { after, before, describe, test } from "node:test";
import { freePorts } from "./support/free-port.js";
import { MAYUS, type MayusServer, startMayusServer } from "./support/processes.js";
import { tcpExchange } from "./support/sockets.js";
import { waitFor } from "./support/wait.js";

/** Runs mayus with its stdout's reader closed at once, or with stdout on `file`; its exit and stderr. */
async function runWithStdout(
  args: readonly string[],
  stdout: "closed" | string,
  input = "",
): Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }> {
  const fd = stdout === "closed" ? undefined : openSync(stdout, "w");
  const child = spawn(process.execPath, [MAYUS, ...args], { stdio: ["pipe", fd ?? "pipe", "pipe"] });
  if (fd !== undefined) closeSync(fd);
  child.stdout?.destroy(); // the reader is gone before the first byte: `| head -0`
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  child.stdin?.on("error", () => {}); // it may stop reading its input, as it should
  child.stdin?.end(input);
  const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
  const [code, signal] = (await once(child, "exit")) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal, stderr };
}

describe("standard output that cannot be written", () => {
  let server: MayusServer;
  before(async () => {
    server = await startMayusServer(["--tcp", "--udp"]);
  });
  after(async () => {
    await server.stop();
  });

  const lines = `${Array.from({ length: 20_000 }, (_, index) => `line ${index}`).join("\n")}\n`;
  for (const [name, args] of [
    ["client (TCP)", ["client", "127.0.0.1"]],
    ["client -u", ["client", "-u", "127.0.0.1"]],
    ["ping", ["ping", "-c", "3", "-i", "0.05", "127.0.0.1"]],
  ] as const) {
    test(`${name}, its reader gone (EPIPE): stops quietly with 141, as a Unix tool ended by SIGPIPE`, async () => {
      const port = name === "client (TCP)" ? server.tcpPort : server.udpPort;
      const result = await runWithStdout([...args, String(port)], "closed", lines);
      assert.equal(result.code, 141, result.stderr);
      assert.equal(result.stderr, "");
    });
  }

  test("client, stdout on a full device (ENOSPC): one line that says the output is lost, exit 1", async () => {
    const result = await runWithStdout(["client", "127.0.0.1", String(server.tcpPort)], "/dev/full", "hola\n");
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr,
      "mayus: cannot write to standard output (ENOSPC): what was to be printed is lost; is the disk full?\n",
    );
  });

  test("--help on a full device: not exit 0 with nothing printed", async () => {
    const result = await runWithStdout(["--help"], "/dev/full");
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^mayus: cannot write to standard output \(ENOSPC\)/);
  });

  test("serve, its reader gone before the ready lines (`mayus serve | head -1`): it goes on serving", async () => {
    const port = await freePorts({ udp: true });
    const child = spawn(process.execPath, [MAYUS, "serve", "--host", "127.0.0.1", "--port", String(port)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    try {
      let answer: Buffer | undefined;
      await waitFor("the server to answer", async () => {
        answer = await tcpExchange(port, [Buffer.from("sigo aquí\n")]).catch(() => undefined);
        return answer !== undefined;
      });
      assert.equal(answer?.toString(), "SIGO AQUÍ\n");
      assert.equal(child.exitCode, null, `it exited: ${stderr}`);
      child.kill("SIGTERM");
      const [code] = (await once(child, "exit")) as [number | null];
      assert.equal(code, 0, stderr);
      assert.doesNotMatch(stderr, /Error|^\s+at /m, "a stack trace");
    } finally {
      child.kill("SIGKILL");
    }
  });
});
