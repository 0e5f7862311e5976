// The lesson's four example programs (examples/*.ts), each started with the command at its top,
// exchanging a line with the real `mayus serve` and `mayus client`, and with each other.

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { after, before, describe, test } from "node:test";
import {
  type Finished,
  type MayusServer,
  PROJECT_ROOT,
  run,
  runMayus,
  type Started,
  start,
  startMayusServer,
  waitForOutput,
} from "./support/processes.js";
import { tcpConnect } from "./support/sockets.js";

const PROMPT = "Input lowercase sentence: ";
const SPANISH = "ñandú y pingüino: árbol, éxito, último";
const CLIENTS = ["udp-client", "tcp-client"] as const;
const SERVERS = ["udp-server", "tcp-server"] as const;
type Example = (typeof CLIENTS)[number] | (typeof SERVERS)[number];

function source(name: Example): string {
  return readFileSync(`${PROJECT_ROOT}examples/${name}.ts`, "utf8");
}

/** The command an example's header comment gives, e.g. `npx tsx examples/tcp-server.ts 12000`, as words. */
function headerCommand(name: Example): string[] {
  const match = source(name).match(/^\/\/\s+(npx tsx examples\/\S+\.ts.*)$/m);
  assert.ok(match, `examples/${name}.ts opens with no \`npx tsx examples/...\` command`);
  return match[1].trim().split(/\s+/);
}

/**
 * The header's command with other arguments. `npx tsx FILE` runs FILE through tsx's loader, which is
 * what `node --import tsx FILE` does without npx's start-up time; `viaNpx` runs the words as written.
 */
function exampleCommand(name: Example, args: readonly string[], viaNpx = false): [string, string[]] {
  const [npx, tsx, file] = headerCommand(name);
  return viaNpx ? [npx, [tsx, file, ...args]] : [process.execPath, ["--import", "tsx", file, ...args]];
}

async function startExampleServer(name: (typeof SERVERS)[number]): Promise<Started & { port: number }> {
  const started = start(...exampleCommand(name, ["0"]));
  const match = await waitForOutput(started, /^The server is ready to receive on port (\d+)$/m);
  return { ...started, port: Number(match[1]) };
}

function runExampleClient(
  name: (typeof CLIENTS)[number],
  port: number,
  input: string,
  options: { viaNpx?: boolean } = {},
): Promise<Finished> {
  const [command, args] = exampleCommand(name, ["127.0.0.1", String(port)], options.viaNpx);
  return run(command, args, input, { timeoutMs: 15_000 });
}

/** Says how a process ended, to make failures readable. */
function describeEnd(end: Finished): string {
  return `code ${end.code} signal ${end.signal} stdout ${JSON.stringify(end.stdout.toString())} stderr ${end.stderr}`;
}

function assertAnswered(end: Finished, expected: string): void {
  assert.equal(end.code, 0, describeEnd(end));
  assert.equal(end.stdout.toString(), expected, describeEnd(end));
  assert.equal(end.stderr, "");
}

describe("the example programs read in a minute", () => {
  for (const name of [...CLIENTS, ...SERVERS]) {
    test(`examples/${name}.ts: one command at its top, only node: modules, at most 40 lines`, () => {
      const defaults = name.endsWith("client") ? ["localhost", "12000"] : ["12000"];
      assert.deepEqual(headerCommand(name), ["npx", "tsx", `examples/${name}.ts`, ...defaults]);
      const imports = [...source(name).matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]);
      assert.ok(imports.length > 0);
      for (const module of imports) assert.match(module, /^node:/, `examples/${name}.ts imports ${module}`);
      assert.ok(source(name).trimEnd().split("\n").length <= 40, `examples/${name}.ts is longer than 40 lines`);
    });
  }
});

describe("the example clients against `mayus serve`", () => {
  let server: MayusServer;

  before(async () => {
    server = await startMayusServer();
  });
  after(async () => {
    await server.stop();
  });

  test("tcp-client, run with its header's npx command, gets 'HOLA MUNDO'", async () => {
    const end = await runExampleClient("tcp-client", server.tcpPort, "hola mundo\n", { viaNpx: true });
    assertAnswered(end, `${PROMPT}HOLA MUNDO\n`);
  });

  test("udp-client, run with its header's npx command, gets 'HOLA MUNDO'", async () => {
    const end = await runExampleClient("udp-client", server.udpPort, "hola mundo\n", { viaNpx: true });
    assertAnswered(end, `${PROMPT}HOLA MUNDO\n`);
  });

  test("both clients get a Spanish line uppercased, also without a final newline", async () => {
    const expected = `${PROMPT}${SPANISH.toUpperCase()}\n`;
    assertAnswered(await runExampleClient("tcp-client", server.tcpPort, `${SPANISH}\n`), expected);
    assertAnswered(await runExampleClient("udp-client", server.udpPort, SPANISH), expected);
  });
});

describe("the example servers", () => {
  let tcpServer: Started & { port: number };
  let udpServer: Started & { port: number };

  before(async () => {
    [tcpServer, udpServer] = await Promise.all([startExampleServer("tcp-server"), startExampleServer("udp-server")]);
  });
  after(async () => {
    await Promise.all([tcpServer.stop(), udpServer.stop()]);
  });

  test("`mayus client` gets 'HOLA MUNDO' from tcp-server", async () => {
    const end = await runMayus(["client", "127.0.0.1", String(tcpServer.port)], "hola mundo\n", { timeoutMs: 10_000 });
    assertAnswered(end, "HOLA MUNDO\n");
  });

  test("`mayus client --udp` gets every line uppercased from udp-server", async () => {
    const args = ["client", "--udp", "127.0.0.1", String(udpServer.port)];
    const end = await runMayus(args, `hola mundo\n${SPANISH}\n`, { timeoutMs: 10_000 });
    assertAnswered(end, `HOLA MUNDO\n${SPANISH.toUpperCase()}\n`);
  });

  test("the example clients get 'HOLA MUNDO' from the example servers", async () => {
    const [tcp, udp] = await Promise.all([
      runExampleClient("tcp-client", tcpServer.port, "hola mundo\n"),
      runExampleClient("udp-client", udpServer.port, "hola mundo\n"),
    ]);
    assertAnswered(tcp, `${PROMPT}HOLA MUNDO\n`);
    assertAnswered(udp, `${PROMPT}HOLA MUNDO\n`);
  });

  test("tcp-server serves many clients at once, each on its own socket, and closes each after one reply", async () => {
    const waiting = await tcpConnect(tcpServer.port); // accepted, but says nothing yet
    const received: Buffer[] = [];
    waiting.on("data", (chunk: Buffer) => received.push(chunk));
    const args = ["client", "127.0.0.1", String(tcpServer.port)];
    const lines = ["uno", "dos", "tres", "cuatro"];
    const ends = await Promise.all(lines.map((line) => runMayus(args, `${line}\n`, { timeoutMs: 10_000 })));
    for (const [i, end] of ends.entries()) assertAnswered(end, `${lines[i].toUpperCase()}\n`);
    const closedByServer = once(waiting, "end");
    waiting.write("el primero, al final");
    await closedByServer;
    waiting.destroy();
    assert.equal(Buffer.concat(received).toString(), "EL PRIMERO, AL FINAL");
  });
});

describe("the example clients when no server answers", () => {
  test("udp-client gives up after 1 s with one line and status 1", async () => {
    const silent = createSocket("udp4"); // receives datagrams, never answers
    silent.bind(0, "127.0.0.1");
    await once(silent, "listening");
    try {
      const began = Date.now();
      const end = await runExampleClient("udp-client", silent.address().port, "hola\n");
      assert.equal(end.code, 1, describeEnd(end));
      assert.equal(end.stdout.toString(), PROMPT);
      assert.match(end.stderr, /^No reply from 127\.0\.0\.1 port \d+ within 1 s[^\n]*\n$/);
      assert.ok(Date.now() - began < 8000);
    } finally {
      silent.close();
    }
  });

  test("tcp-client says the connection was refused, in one line, with status 1", async () => {
    const probe = createServer().listen(0, "127.0.0.1"); // a port that was free a moment ago
    await once(probe, "listening");
    const { port } = probe.address() as AddressInfo;
    await new Promise((resolve) => probe.close(resolve));
    const end = await runExampleClient("tcp-client", port, "hola\n");
    assert.equal(end.code, 1, describeEnd(end));
    assert.equal(end.stdout.toString(), PROMPT);
    assert.match(end.stderr, /^connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/);
  });
});
