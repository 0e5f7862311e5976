// mayus client --udp on a terminal (a real pseudo-terminal): a lost reply shows as a timeout and a new try, as in the lesson.

import assert from "node:assert/strict";
import { test } from "node:test";
import { MAYUS, PEERS, peerAvailable, run, startPythonServer } from "./support/processes.js";

const hasPython = peerAvailable("python3");

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

test("a lost reply on a terminal: the timeout and the new try are shown, then the answer", {
  skip: !hasPython,
}, async () => {
  // The lesson's server loses every 2nd datagram: "uno" is answered, the first "dos" lost.
  const server = await startPythonServer("udp_server.py", ["--drop-every", "2"]);
  try {
    const keys = ["uno\r", "dos\r", "\u0004"];
    const args = ["client", "--udp", "127.0.0.1", String(server.port)];
    const result = await run("python3", [
      `${PEERS}pty_drive.py`,
      JSON.stringify(keys),
      "--",
      process.execPath,
      MAYUS,
      ...args,
    ]);
    const screen = render(JSON.parse(result.stdout.toString()) as string);
    assert.equal(result.code, 0, screen);
    assert.match(
      screen,
      /^Input lowercase sentence: uno\nUNO\nInput lowercase sentence: dos\nno reply in \d+ ms: sending again \(try 2\)\nDOS\nInput lowercase sentence: \s*$/,
    );
  } finally {
    await server.stop();
  }
});
