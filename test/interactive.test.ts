// mayus client on a terminal (a real pseudo-terminal): the lesson's prompt, a reply under each line, history, Ctrl-D.

import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { MAYUS, type MayusServer, PEERS, peerAvailable, run, startMayusServer } from "./support/processes.js";

const hasPython = peerAvailable("python3");

/**
 * Types the keys into `mayus client ARGS` on a pseudo-terminal; returns the screen text without
 * escapes. With `stdoutFile`, the client's stdout goes to that file (not a terminal, as a pipe).
 */
async function typeInto(args: string[], keys: string[], env: NodeJS.ProcessEnv = {}, stdoutFile?: string) {
  const redirect = stdoutFile === undefined ? [] : ["--stdout", stdoutFile];
  const result = await run(
    "python3",
    [`${PEERS}pty_drive.py`, JSON.stringify(keys), ...redirect, "--", process.execPath, MAYUS, ...args],
    "",
    {
      env,
    },
  );
  return { code: result.code, screen: render(JSON.parse(result.stdout.toString()) as string) };
}

/** What a terminal shows: "go to column 1" (readline redrawing its line) overwrites the line. */
function render(output: string): string {
  let screen = "";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: terminal escape sequences are what we read
  for (const piece of output.replace(/\r/g, "").split(/(\u001b\[[0-9;]*[A-Za-z])/)) {
    if (piece === "\u001b[1G") screen = screen.slice(0, screen.lastIndexOf("\n") + 1);
    else if (!piece.startsWith("\u001b[")) screen += piece;
  }
  return screen;
}

describe("interactive client", { skip: !hasPython }, () => {
  let server: MayusServer;
  before(async () => {
    server = await startMayusServer();
  });
  after(async () => {
    await server.stop();
  });

  for (const protocol of ["tcp", "udp"] as const) {
    test(`${protocol}: prompt, reply under each line, history with the up arrow, Ctrl-D quits with 0`, async () => {
      const args =
        protocol === "udp"
          ? ["client", "--udp", "127.0.0.1", String(server.udpPort)]
          : ["client", "127.0.0.1", String(server.tcpPort)];
      const { code, screen } = await typeInto(args, ["hola mundo\r", "señal\r", "\u001b[A\r", "\u0004"]);
      assert.equal(code, 0, screen);
      const expected = [
        "Input lowercase sentence: hola mundo",
        "HOLA MUNDO",
        "Input lowercase sentence: señal",
        "SEÑAL",
        "Input lowercase sentence: señal",
        "SEÑAL",
        "Input lowercase sentence: ",
      ].join("\n");
      assert.equal(screen.trimEnd(), expected.trimEnd());
    });
  }

  for (const protocol of ["tcp", "udp"] as const) {
    test(`${protocol}, stdout piped: prompt and typed lines on the terminal (stderr), the answers alone in the pipe`, async () => {
      const args =
        protocol === "udp"
          ? ["client", "--udp", "127.0.0.1", String(server.udpPort)]
          : ["client", "127.0.0.1", String(server.tcpPort)];
      const folder = mkdtempSync(join(tmpdir(), "mayus-interactive-"));
      try {
        const answers = join(folder, "answers.txt");
        const { code, screen } = await typeInto(args, ["hola mundo\r", "señal\r", "\u0004"], {}, answers);
        assert.equal(code, 0, screen);
        assert.equal(readFileSync(answers, "utf8"), "HOLA MUNDO\nSEÑAL\n");
        const prompts = ["Input lowercase sentence: hola mundo", "Input lowercase sentence: señal"];
        for (const line of prompts) assert.ok(screen.includes(line), screen);
        assert.doesNotMatch(screen, /HOLA MUNDO|SEÑAL/);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
    });
  }

  test("the prompt is in Spanish when LANG says so", async () => {
    const { screen } = await typeInto(["client", "127.0.0.1", String(server.tcpPort)], ["uno\r", "\u0004"], {
      LANG: "es_ES.UTF-8",
    });
    assert.match(screen, /^Entrada frase minúsculas: uno\nUNO\n/);
  });
});
