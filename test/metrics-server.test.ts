// The metrics endpoint's own bounds: a flood of idle connections to it cannot take the descriptors the TCP service
// needs, and a client pipelining requests without reading the answers cannot make it keep them without end.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { get } from "node:http";
import { connect, createServer, type Socket } from "node:net";
import { describe, test } from "node:test";
import { pino } from "pino";
import { MayusError } from "../src/errors.js";
import { setLanguage } from "../src/i18n/index.js";
import { METRICS_SERVER_DEFAULTS, startMetricsServer } from "../src/observability/metrics-server.js";
import { startMayusWithDescriptorLimit, waitForOutput } from "./support/processes.js";
import { tcpExchange } from "./support/sockets.js";

const DESCRIPTOR_LIMIT = 1024;
const IDLE_CONNECTIONS = 1100;
/** Connections opened at once: well under the listen backlog, so none waits on a SYN retry. */
const BATCH = 100;

async function until(check: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Connections waiting in the accept queue of the IPv4 listener on `port` (/proc/net/tcp's rx_queue of a LISTEN socket). */
function acceptQueueLength(port: number): number {
  const local = `0100007F:${port.toString(16).toUpperCase().padStart(4, "0")}`;
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields[1] === local && fields[3] === "0A") return Number.parseInt(fields[4].split(":")[1], 16);
  }
  throw new Error(`no listener on 127.0.0.1:${port}`);
}

/** Sends `count` GET /healthz at once on one connection and reads every answer: their statuses. */
function pipelinedStatuses(port: number, count: number): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let received = "";
    socket.setEncoding("latin1");
    socket.on("data", (chunk: string) => {
      received += chunk;
      const statuses = [...received.matchAll(/^HTTP\/1\.1 (\d{3})/gm)].map((match) => Number(match[1]));
      // Each answer is chunked: complete at its last chunk, "0" and an empty line.
      const complete = received.split("\r\n0\r\n\r\n").length - 1;
      if (statuses.length === count && complete === count) {
        socket.destroy();
        resolve(statuses);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error(`closed after: ${received}`)));
    socket.write("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(count));
  });
}

function httpStatus(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    get({ host: "127.0.0.1", port, path, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    }).on("error", reject);
  });
}

describe("metrics endpoint bounds", () => {
  test(`under ulimit -n ${DESCRIPTOR_LIMIT}, ${IDLE_CONNECTIONS} idle metrics connections leave TCP clients answered`, async () => {
    const server = startMayusWithDescriptorLimit(DESCRIPTOR_LIMIT, [
      "serve",
      "--tcp",
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--metrics-port",
      "0",
      "--metrics-host",
      "127.0.0.1",
    ]);
    const idle: Socket[] = [];
    try {
      const tcpPort = Number((await waitForOutput(server, /tcp \S*:(\d+)/))[1]);
      const metricsPort = Number((await waitForOutput(server, /metrics on http port (\d+)/))[1]);
      let open = 0;
      for (let batch = 0; batch < IDLE_CONNECTIONS / BATCH; batch++) {
        const settled = Array.from({ length: BATCH }, () => {
          const socket = connect({ host: "127.0.0.1", port: metricsPort });
          idle.push(socket);
          socket.resume(); // read what the server sends (its 408), so its close is seen
          return new Promise<void>((resolve) => {
            socket.once("connect", () => {
              open++;
              socket.once("close", () => open--);
              resolve();
            });
            socket.once("error", () => resolve());
          });
        });
        await Promise.all(settled);
        // Every connection of the batch is through the handshake: once the queue is empty, the server took each one.
        await until(() => acceptQueueLength(metricsPort) === 0);
      }
      const answer = await tcpExchange(tcpPort, [Buffer.from("still served\n")]);
      assert.equal(answer.toString(), "STILL SERVED\n");
      // The server closes what is over its cap: the rest stays open, idle, holding a descriptor each.
      await until(() => open <= METRICS_SERVER_DEFAULTS.maxConnections);
      assert.ok(open > 0, "the metrics server kept no connection at all");
      // The idle ones are closed at the headers timeout; then the endpoint answers again.
      await until(() => open === 0);
      assert.equal(await httpStatus(metricsPort, "/healthz"), 200);
    } finally {
      for (const socket of idle) socket.destroy();
      await server.stop();
    }
  });

  /** `count` raw connections to `port`, each through its handshake, each noting when it closes. */
  async function connectAll(port: number, count: number) {
    const sockets: Socket[] = [];
    const closed: boolean[] = [];
    for (let index = 0; index < count; index++) {
      const socket = connect({ host: "127.0.0.1", port });
      sockets.push(socket);
      socket.resume();
      closed.push(false);
      socket.on("close", () => (closed[index] = true));
      socket.on("error", () => {});
      await new Promise((resolve) => socket.once("connect", resolve));
    }
    return { sockets, closed };
  }

  test("16 slow clients (half a request head each), then a real scrape: answered, the oldest slow one closed", async () => {
    const { maxConnections } = METRICS_SERVER_DEFAULTS;
    const server = await startMetricsServer({
      host: "127.0.0.1",
      port: 0,
      metrics: async () => ({ text: "up 1\n", contentType: "text/plain" }),
      isReady: () => true,
    });
    const { sockets, closed } = await connectAll(server.port, maxConnections);
    try {
      for (const socket of sockets) socket.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n");
      // Without eviction this connection is closed at accept (a reset: the GET fails).
      assert.equal(await httpStatus(server.port, "/metrics"), 200);
      await until(() => closed[0]);
      assert.deepEqual(closed.slice(1), Array(maxConnections - 1).fill(false));
      assert.deepEqual([server.evictedConnections, server.refusedConnections], [1, 0]);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  test("the cap's boundary: one past maxConnections closes the oldest idle one, counted and logged", async () => {
    const maxConnections = 3;
    const warnings: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => warnings.push(line) });
    const server = await startMetricsServer({
      host: "127.0.0.1",
      port: 0,
      metrics: async () => ({ text: "", contentType: "text/plain" }),
      isReady: () => true,
      limits: { maxConnections },
      logger,
    });
    const { sockets, closed } = await connectAll(server.port, maxConnections);
    try {
      const next = await connectAll(server.port, 1);
      sockets.push(...next.sockets);
      await until(() => server.evictedConnections === 1);
      await until(() => closed[0]);
      assert.deepEqual([...closed.slice(1), ...next.closed], Array(maxConnections).fill(false));
      assert.equal(server.refusedConnections, 0);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /metrics connection closed to make room/);
    } finally {
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  test("every connection at the cap being answered: the next one is closed at accept, counted and logged", async () => {
    const maxConnections = 3;
    const warnings: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => warnings.push(line) });
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let scrapes = 0;
    const server = await startMetricsServer({
      host: "127.0.0.1",
      port: 0,
      metrics: async () => {
        scrapes++;
        await held; // each scrape is being answered until the test lets it go
        return { text: "up 1\n", contentType: "text/plain" };
      },
      isReady: () => true,
      limits: { maxConnections },
      logger,
    });
    const { sockets, closed } = await connectAll(server.port, maxConnections);
    try {
      for (const socket of sockets) socket.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
      await until(() => scrapes === maxConnections);
      const next = await connectAll(server.port, 1);
      sockets.push(...next.sockets);
      await until(() => server.refusedConnections === 1);
      await until(() => next.closed[0]);
      assert.deepEqual(closed, Array(maxConnections).fill(false));
      assert.equal(server.evictedConnections, 0);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /the endpoint has its most connections open/);
    } finally {
      release();
      for (const socket of sockets) socket.destroy();
      server.close();
    }
  });

  test("a client that pipelines requests without reading the answers: closed past maxPendingResponses, counted, logged", async () => {
    const warnings: string[] = [];
    const logger = pino({ level: "warn" }, { write: (line: string) => warnings.push(line) });
    let scrapes = 0;
    // A large answer, so unread ones fill the kernel's buffers soon (Node's are unbounded).
    const text = `# ${"x".repeat(64 * 1024)}\nup 1\n`;
    const server = await startMetricsServer({
      host: "127.0.0.1",
      port: 0,
      metrics: async () => {
        scrapes++;
        return { text, contentType: "text/plain" };
      },
      isReady: () => true,
      logger,
    });
    const requests = 2000;
    const attacker = connect({ host: "127.0.0.1", port: server.port });
    let attackerClosed = false;
    attacker.on("error", () => {}); // reset once closed with our requests unread: expected
    attacker.on("close", () => (attackerClosed = true));
    attacker.pause(); // never reads an answer
    try {
      await new Promise((resolve) => attacker.once("connect", resolve));
      attacker.write("GET /metrics HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".repeat(requests));
      await until(() => server.pipelineClosedConnections === 1);
      attacker.resume(); // the answers the kernel took, then the end: closed for good
      await until(() => attackerClosed);
      // Answers made stop at the bound, plus those the kernel took before it (64 KiB each, a
      // few dozen at most in its buffers): not 2,000.
      assert.ok(scrapes < 100, `scrapes: ${scrapes}`);
      assert.equal(warnings.length, 1);
      assert.match(warnings[0], /sends requests without reading the answers/);
      assert.equal(await httpStatus(server.port, "/metrics"), 200);
      // A client that reads its answers may pipeline up to the bound.
      const pipelined = await pipelinedStatuses(server.port, METRICS_SERVER_DEFAULTS.maxPendingResponses);
      assert.deepEqual(pipelined, Array(METRICS_SERVER_DEFAULTS.maxPendingResponses).fill(200));
      assert.equal(server.pipelineClosedConnections, 1);
    } finally {
      attacker.destroy();
      server.close();
    }
  });

  test("a port already in use: listen-failed (exit 8), one line naming the port and --metrics-port", async () => {
    setLanguage("en");
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen({ host: "127.0.0.1", port: 0 }, resolve));
    const { port } = holder.address() as { port: number };
    try {
      const failure = await startMetricsServer({
        host: "127.0.0.1",
        port,
        metrics: async () => ({ text: "", contentType: "text/plain" }),
        isReady: () => true,
      }).then(
        (server) => {
          server.close();
          return undefined;
        },
        (error: unknown) => error,
      );
      assert.ok(failure instanceof MayusError, `not a MayusError: ${failure}`);
      assert.equal(failure.kind, "listen-failed");
      assert.equal(failure.exitCode, 8);
      assert.equal((failure.cause as NodeJS.ErrnoException).code, "EADDRINUSE");
      assert.match(
        failure.message,
        new RegExp(`^metrics port ${port} is already in use on 127\\.0\\.0\\.1 \\(EADDRINUSE\\): .*--metrics-port$`),
      );
      assert.doesNotMatch(failure.message, /\n/);
    } finally {
      holder.close();
    }
  });
});
