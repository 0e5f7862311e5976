// `mayus serve --web`'s WebSocket, without a browser: the frames a page gets, bad messages
// answered with an error frame (never a crash), the named limits at their boundary, and a
// bridge that reaches only this mayus server (not an open proxy).

import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { once } from "node:events";
import { request } from "node:http";
import { type AddressInfo, connect, createServer, type Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { WebSocket } from "ws";
import { WEB_DEFAULTS } from "../src/web/web-options.js";
import { runMayus } from "./support/processes.js";
import { waitFor } from "./support/wait.js";
import { type Frame, PageSocket, startWebServe, type WebServe } from "./support/web-page.js";

const isEvent = (step: string, protocol?: string) => (frame: Frame) =>
  frame.type === "event" && frame.event.step === step && (protocol === undefined || frame.event.protocol === protocol);

/** The status line of a WebSocket handshake the server refuses. */
function handshakeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.on("unexpected-response", (_request, response) => {
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on("open", () => {
      socket.close();
      reject(new Error("the handshake was accepted"));
    });
    socket.on("error", () => {});
  });
}

function httpStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const asked = request(url, { headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    asked.on("error", reject);
    asked.end();
  });
}

describe("the page's WebSocket", () => {
  let server: WebServe;
  before(async () => {
    server = await startWebServe();
  });
  after(async () => {
    const finished = await server.stop();
    assert.equal(finished.code, 0, finished.stderr);
  });

  test("hello: the history holds the listeners' socket, bind and listen; the limits and knobs", async () => {
    const page = await PageSocket.open(server.webUrl);
    const hello = await page.next((frame) => frame.type === "hello");
    const steps = hello.history.map((event: Frame) => `${event.protocol} ${event.step}`);
    assert.deepEqual(steps.slice(0, 5), ["tcp socket", "tcp bind", "tcp listen", "udp socket", "udp bind"]);
    assert.deepEqual(hello.protocols, ["tcp", "udp"]);
    assert.equal(hello.limits.maxEventsKept, WEB_DEFAULTS.maxEventsKept);
    assert.deepEqual(hello.simulator, { drop: 0, duplicate: 0, delayMs: 0, jitterMs: 0 });
    page.close();
  });

  test("bad JSON gets an error frame, and the page can go on: a TCP line is answered", async () => {
    const page = await PageSocket.open(server.webUrl, "events?lang=es");
    page.send("{not json");
    const error = await page.next((frame) => frame.type === "error");
    assert.equal(error.code, "web.error.badJson");
    assert.match(error.message, /no es JSON/);
    page.socket.send(Buffer.from([1, 2, 3]), { binary: true });
    assert.equal((await page.next((frame) => frame.code === "web.error.binary")).type, "error");
    page.send({ type: "send", id: 7, protocol: "tcp", line: "hola ñu" });
    const answer = await page.next((frame) => frame.type === "answer");
    assert.deepEqual(answer, { type: "answer", id: 7, protocol: "tcp", line: "hola ñu", answer: "HOLA ÑU" });
    const received = await page.next((frame) => isEvent("recv")(frame) && frame.event.bytes > 0);
    assert.equal(received.event.payload, "hola ñu\\n");
    page.close();
  });

  test("the bridge reaches only this server: a host or port in the message is refused", async () => {
    const decoy = createServer((socket) => socket.destroy());
    let decoyConnections = 0;
    decoy.on("connection", () => decoyConnections++);
    decoy.listen(0, "127.0.0.1");
    await once(decoy, "listening");
    const decoyPort = (decoy.address() as AddressInfo).port;
    const page = await PageSocket.open(server.webUrl);
    for (const field of [{ host: "127.0.0.1" }, { port: decoyPort }, { address: `127.0.0.1:${decoyPort}` }]) {
      const from = page.frames.length;
      page.send({ type: "send", id: 1, protocol: "tcp", line: "x", ...field });
      const error = await page.next((frame) => frame.type === "error", 15_000, from);
      assert.equal(error.code, "web.error.unknownField");
    }
    // A good line after them, answered: every message before it was handled.
    page.send({ type: "send", id: 2, protocol: "udp", line: "fin" });
    assert.equal((await page.next((frame) => frame.type === "answer")).answer, "FIN");
    assert.equal(decoyConnections, 0);
    page.close();
    decoy.close();
  });

  test(`a message of ${WEB_DEFAULTS.maxMessageBytes} bytes is read; one byte more closes the socket with 1009`, async () => {
    const page = await PageSocket.open(server.webUrl);
    const frameOf = (bytes: number) => {
      const empty = JSON.stringify({ type: "send", id: 3, protocol: "tcp", line: "" });
      return JSON.stringify({ type: "send", id: 3, protocol: "tcp", line: "a".repeat(bytes - empty.length) });
    };
    assert.equal(Buffer.byteLength(frameOf(WEB_DEFAULTS.maxMessageBytes)), WEB_DEFAULTS.maxMessageBytes);
    page.send(frameOf(WEB_DEFAULTS.maxMessageBytes));
    const answer = await page.next((frame) => frame.type === "answer");
    assert.match(answer.answer, /^A+$/);
    page.send(frameOf(WEB_DEFAULTS.maxMessageBytes + 1));
    assert.equal(await page.closed, 1009);
  });

  test("another site's page (Origin) or name (Host: DNS rebinding) is refused", async () => {
    const url = `${server.webUrl.replace(/^http/, "ws")}events`;
    const port = new URL(server.webUrl).port;
    assert.equal(await handshakeStatus(url, { origin: "http://evil.example" }), 403);
    assert.equal(await handshakeStatus(url, { host: `evil.example:${port}` }), 403);
    assert.equal(await httpStatus(server.webUrl, { host: `evil.example:${port}` }), 421);
    assert.equal(await httpStatus(server.webUrl, {}), 200);
  });

  test("the event stream is rate-limited per page: the rest is counted, never queued without end", async () => {
    const page = await PageSocket.open(server.webUrl);
    const hello = await page.next((frame) => frame.type === "hello");
    const firstSeq = (hello.history.at(-1)?.seq ?? 0) + 1;
    const blaster = createSocket("udp4");
    const datagrams = 1500;
    for (let sent = 0; sent < datagrams; sent++) {
      blaster.send(`d${sent}`, server.udpPort, "127.0.0.1");
      if (sent % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    }
    // The server is done when a new page's history stops growing.
    const lastSeq = async () => {
      const probe = await PageSocket.open(server.webUrl);
      const seq = (await probe.next((frame) => frame.type === "hello")).history.at(-1).seq as number;
      probe.close();
      return seq;
    };
    let previous = -1;
    let last = await lastSeq();
    while (last !== previous) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      previous = last;
      last = await lastSeq();
    }
    blaster.close();
    const emitted = last - firstSeq + 1;
    // The kernel may drop some of the burst (a full receive buffer); what is left is still far past a second's worth.
    assert.ok(
      emitted > 2 * WEB_DEFAULTS.eventsPerSecondPerBrowser,
      `only ${emitted} events for ${datagrams} datagrams`,
    );
    const counts = () => {
      const events = page.frames.filter((frame) => frame.type === "event" && frame.event.seq >= firstSeq).length;
      const skipped = page.frames
        .filter((frame) => frame.type === "skipped")
        .reduce((sum, frame) => sum + frame.count, 0);
      return { events, skipped };
    };
    await waitFor("every event sent or counted", () => counts().events + counts().skipped === emitted);
    const { events, skipped } = counts();
    assert.ok(skipped > 0 && events < emitted, `${events} events sent and ${skipped} skipped of ${emitted}`);
    // A page that opens now gets the last maxEventsKept of them, no more.
    const late = await PageSocket.open(server.webUrl);
    assert.equal((await late.next((frame) => frame.type === "hello")).history.length, WEB_DEFAULTS.maxEventsKept);
    late.close();
    page.close();
  });

  test("drop 100 %: the lost reply is an event, the UDP client sends again, and lines in flight are bounded", async () => {
    const page = await PageSocket.open(server.webUrl);
    page.send({ type: "simulator", drop: 1, duplicate: 0, delayMs: 0, jitterMs: 0 });
    const changed = await page.next((frame) => frame.type === "simulator");
    assert.deepEqual(changed.settings, { drop: 1, duplicate: 0, delayMs: 0, jitterMs: 0 });
    const maximum = WEB_DEFAULTS.maxPendingLinesPerBrowser;
    for (let id = 1; id <= maximum + 1; id++) page.send({ type: "send", id, protocol: "udp", line: `lost ${id}` });
    const busy = await page.next((frame) => frame.type === "error");
    assert.equal(busy.code, "web.error.busy");
    assert.equal(busy.id, maximum + 1);
    const lost = await page.next((frame) => isEvent("drop", "udp")(frame));
    assert.equal(lost.event.reason, "simulated-loss");
    const retry = await page.next((frame) => frame.type === "retry");
    assert.ok(retry.attempt >= 2);
    page.send({ type: "simulator", drop: 1.5 });
    assert.equal((await page.next((frame) => frame.code === "web.error.badNumber")).type, "error");
    page.send({ type: "simulator", drop: 0, duplicate: 0, delayMs: 0, jitterMs: 0 });
    await page.next((frame) => frame.type === "simulator" && frame.settings.drop === 0);
    page.close();
  });
});

describe("the page's limits on browsers and the server's refusals", () => {
  let server: WebServe;
  before(async () => {
    server = await startWebServe(["--max-connections-per-ip", "1"]);
  });
  after(async () => {
    const finished = await server.stop();
    assert.equal(finished.code, 0, finished.stderr);
  });

  test(`${WEB_DEFAULTS.maxBrowsers} pages at once; one more is refused with 503`, async () => {
    const pages = await Promise.all(
      Array.from({ length: WEB_DEFAULTS.maxBrowsers }, () => PageSocket.open(server.webUrl)),
    );
    const url = `${server.webUrl.replace(/^http/, "ws")}events`;
    assert.equal(await handshakeStatus(url, {}), 503);
    for (const page of pages) page.close();
  });

  test("a connection refused by a limit is drawn with its reason", async () => {
    await waitFor("the pages to leave", async () => {
      try {
        (await PageSocket.open(server.webUrl)).close();
        return true;
      } catch {
        return false;
      }
    });
    const page = await PageSocket.open(server.webUrl);
    const first: Socket = connect(server.tcpPort, "127.0.0.1");
    await page.next(isEvent("accept", "tcp"));
    const second: Socket = connect(server.tcpPort, "127.0.0.1");
    second.on("error", () => {});
    const refused = await page.next(isEvent("refuse", "tcp"));
    assert.equal(refused.event.reason, "max-connections-per-address");
    first.destroy();
    second.destroy();
    page.close();
  });
});

describe("starting with --web", () => {
  test("the web port taken: no server starts, one line, exit 8", async () => {
    const taken = createServer();
    taken.listen(0, "127.0.0.1");
    await once(taken, "listening");
    const port = (taken.address() as AddressInfo).port;
    try {
      const result = await runMayus(["serve", "--port", "0", "--host", "127.0.0.1", "--web", String(port)]);
      assert.equal(result.code, 8, result.stderr);
      assert.equal(result.stdout.toString(), "");
      assert.equal(
        result.stderr,
        `mayus: web port ${port} is already in use on 127.0.0.1 (EADDRINUSE): stop the other program or choose another --web port\n`,
      );
    } finally {
      taken.close();
    }
  });

  test("--tcp --lang es: the page speaks Spanish whatever the browser asks; no UDP to send to or knobs to turn", async () => {
    const server = await startWebServe(["--tcp", "--lang", "es"]);
    try {
      const messages = (await (await fetch(`${server.webUrl}messages.json?lang=en-US`)).json()) as Frame;
      assert.equal(messages.language, "es");
      assert.equal(messages.messages["web.page.send"], "Enviar");
      const page = await PageSocket.open(server.webUrl);
      const hello = await page.next((frame) => frame.type === "hello");
      assert.deepEqual(hello.protocols, ["tcp"]);
      assert.equal(hello.simulator, null);
      page.send({ type: "send", id: 1, protocol: "udp", line: "x" });
      const refused = await page.next((frame) => frame.type === "error");
      assert.equal(refused.message, "este servidor no sirve UDP: arráncalo sin --tcp ni --udp");
      page.send({ type: "simulator", drop: 1 });
      assert.equal(
        (await page.next((frame) => frame.type === "error", 15_000, page.frames.indexOf(refused) + 1)).code,
        "web.error.notServed",
      );
      page.close();
    } finally {
      const finished = await server.stop();
      assert.equal(finished.code, 0, finished.stderr);
    }
  });

  test("with --trace, the terminal and the page show the same steps, in the same order", async () => {
    const server = await startWebServe(["--trace"]);
    try {
      const client = await runMayus(["client", "127.0.0.1", String(server.tcpPort)], "uno\ndos\n");
      assert.equal(client.stdout.toString(), "UNO\nDOS\n");
      const udp = await runMayus(["client", "--udp", "127.0.0.1", String(server.udpPort)], "tres\n");
      assert.equal(udp.stdout.toString(), "TRES\n");
      const page = await PageSocket.open(server.webUrl);
      const history: Frame[] = (await page.next((frame) => frame.type === "hello")).history;
      page.close();
      const fromPage = history.map((event) =>
        [event.protocol, event.step, event.peer ?? "", event.payload === undefined ? "" : `"${event.payload}"`].join(
          " ",
        ),
      );
      const fromTerminal = server
        .stderr()
        .split("\n")
        .flatMap((line) => {
          const match = line.match(/^\+\d+\.\d{3}s (tcp|udp) (\S+) *(\S*:\d+)?.*?( ".*")?(?: \(.*\))?$/);
          return match ? [[match[1], match[2], match[3] ?? "", (match[4] ?? "").trim()].join(" ")] : [];
        });
      // 5 steps at start, the TCP client's 5 (accept, recv, send, recv 0, close) and the UDP client's 2.
      assert.ok(fromPage.length >= 12, fromPage.join("\n"));
      assert.deepEqual(fromPage, fromTerminal);
    } finally {
      const finished = await server.stop();
      assert.equal(finished.code, 0, finished.stderr);
    }
  });

  test("--web with --workers is a usage error (the page shows one process's sockets)", async () => {
    const result = await runMayus(["serve", "--port", "0", "--host", "127.0.0.1", "--web", "0", "--workers", "2"]);
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /--web shows one process's sockets: leave out --workers/);
  });
});

describe("the page's client under serve --tls", () => {
  test("its TCP line goes over TLS to this server and is answered; no failed handshake", async () => {
    const server = await startWebServe(["--tls"]);
    try {
      const page = await PageSocket.open(server.webUrl);
      await page.next((frame) => frame.type === "hello");
      page.send({ type: "send", protocol: "tcp", line: "hola" });
      const answer = await page.next((frame) => frame.type === "answer" && frame.protocol === "tcp");
      assert.equal(answer.answer, "HOLA", JSON.stringify(answer));
      page.socket.close();
      await page.closed;
    } finally {
      const finished = await server.stop();
      assert.equal(finished.code, 0, finished.stderr);
      assert.doesNotMatch(finished.stderr, /TLS handshake failed/);
    }
  });
});
