// Hostile input: connection floods against the connection limits, in total and per client
// address. The surplus is closed at accept, counted and logged (rate-limited); those within the
// limits are served; a fresh client is served afterwards. Boundaries: exactly N pass, N+1 not.

import assert from "node:assert/strict";
import { connect, type Socket } from "node:net";
import { Writable } from "node:stream";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { TcpServer, type TcpServerOptions } from "../../src/index.js";
import { MAYUS, start, waitForOutput } from "../support/processes.js";
import { tcpExchange } from "../support/sockets.js";
import { waitFor } from "../support/wait.js";
import { assertNoLeaks, type ResourceBaseline, resourceBaseline } from "./leaks.js";

/** How a connection attempt ended: served (answered, still open) or refused (closed unanswered). */
type Outcome = { served: true; socket: Socket } | { served: false };

/**
 * Connects (from `localAddress` if given), sends a short message and waits: the right answer
 * means served (the socket is kept open, holding its place under the limits); a close or
 * reset without an answer means refused.
 */
function attempt(port: number, message: string, localAddress?: string, timeoutMs = 15_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port, localAddress });
    const expected = Buffer.from(message.toUpperCase());
    const parts: Buffer[] = [];
    let receivedBytes = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer and no close within ${timeoutMs} ms (${message})`));
    }, timeoutMs);
    const finish = (outcome: Outcome | Error) => {
      clearTimeout(timer);
      socket.removeAllListeners("data");
      if (outcome instanceof Error) {
        socket.destroy();
        reject(outcome);
      } else resolve(outcome);
    };
    socket.on("connect", () => socket.write(message));
    socket.on("data", (part: Buffer) => {
      parts.push(part);
      receivedBytes += part.length;
      if (receivedBytes < expected.length) return;
      const answer = Buffer.concat(parts);
      if (answer.equals(expected)) finish({ served: true, socket });
      else finish(new Error(`wrong answer ${JSON.stringify(answer.toString())} to ${JSON.stringify(message)}`));
    });
    socket.on("error", () => {}); // a refused connection may end in a reset: "close" follows
    socket.on("close", () => {
      if (receivedBytes > 0) finish(new Error(`closed after a partial answer to ${JSON.stringify(message)}`));
      else finish({ served: false });
    });
  });
}

/** Connects and waits for the server to close without a byte of answer; resolves whether it answered. */
function floodOne(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: "127.0.0.1", port });
    let answered = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error("a surplus connection was neither served nor closed within 20 s"));
    }, 20_000);
    socket.on("connect", () => socket.write("x"));
    socket.on("data", () => {
      answered = true;
    });
    socket.on("error", () => {});
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(answered);
    });
  });
}

/** Sequential attempts, so the order of accepts is the order of the array. */
async function attemptInOrder(port: number, from: readonly (string | undefined)[], tag: string): Promise<Outcome[]> {
  const outcomes: Outcome[] = [];
  for (const [index, localAddress] of from.entries()) {
    outcomes.push(await attempt(port, `${tag} ${index} ñ`, localAddress));
  }
  return outcomes;
}

function closeAll(outcomes: readonly Outcome[]): void {
  for (const outcome of outcomes) if (outcome.served) outcome.socket.destroy();
}

/** A server with a logger whose lines the test reads. */
async function startServer(options: TcpServerOptions): Promise<{ server: TcpServer; port: number; logs: object[] }> {
  const logs: object[] = [];
  const sink = new Writable({
    write(line, _encoding, callback) {
      logs.push(JSON.parse(line.toString()));
      callback();
    },
  });
  const server = new TcpServer({ host: "127.0.0.1", port: 0, logger: pino({ level: "warn" }, sink), ...options });
  const { port } = await server.listen();
  return { server, port, logs };
}

/** Every test stops by itself. */
const BOUNDED = { timeout: 60_000 };

describe("connection floods and the connection limits", () => {
  let baseline: ResourceBaseline;
  before(() => {
    baseline = resourceBaseline();
  });
  after(async () => {
    await assertNoLeaks(baseline);
  });

  test(
    "--max-connections 200 and a flood of 5,200: the first 200 served, 5,000 refused and counted, logged at a bounded rate",
    BOUNDED,
    async (t) => {
      const limit = 200;
      const surplus = 5000;
      const { server, port, logs } = await startServer({ maxConnections: limit });
      const firsts: Outcome[] = [];
      try {
        for (let batch = 0; batch < limit; batch += 50) {
          const size = Math.min(50, limit - batch);
          const tags = Array.from({ length: size }, (_, index) => `first ${batch + index}`);
          firsts.push(...(await Promise.all(tags.map((tag) => attempt(port, tag)))));
        }
        assert.ok(
          firsts.every((outcome) => outcome.served),
          "every connection within the limit is served",
        );
        assert.equal(server.statistics().connectionsActive, limit);

        const floodStarted = performance.now();
        let answered = 0;
        for (let sent = 0; sent < surplus; sent += 500) {
          const batch = await Promise.all(Array.from({ length: Math.min(500, surplus - sent) }, () => floodOne(port)));
          answered += batch.filter(Boolean).length;
        }
        const floodSeconds = (performance.now() - floodStarted) / 1000;
        t.diagnostic(`flood of ${surplus} refused in ${floodSeconds.toFixed(1)} s; ${logs.length} log lines`);
        assert.equal(answered, 0, "a connection past the limit got an answer");
        const statistics = server.statistics();
        assert.equal(statistics.refused["max-connections"], surplus);
        assert.equal(statistics.connectionsAccepted, limit);
        assert.equal(statistics.connectionsActive, limit);

        // Logged, never silent, and the log itself is rate-limited (about one line a second).
        const refusalLines = logs.filter((line) => (line as { reason?: string }).reason === "max-connections");
        assert.ok(refusalLines.length >= 1, "the refusals were not logged");
        assert.ok(
          refusalLines.length <= Math.ceil(floodSeconds) + 2,
          `${refusalLines.length} log lines for ${floodSeconds.toFixed(1)} s`,
        );

        // The first 200 are still served, each on its own connection.
        await Promise.all(
          firsts.map(async (outcome, index) => {
            assert.ok(outcome.served);
            const answer = new Promise<Buffer>((resolve) => outcome.socket.once("data", resolve));
            outcome.socket.write(`again ${index}`);
            assert.equal((await answer).toString(), `AGAIN ${index}`);
          }),
        );
        closeAll(firsts);
        await waitFor("the first connections to close", () => server.statistics().connectionsActive === 0, 5000);
        const fresh = await tcpExchange(port, [Buffer.from("un cliente nuevo después de la avalancha")]);
        assert.equal(fresh.toString(), "UN CLIENTE NUEVO DESPUÉS DE LA AVALANCHA");
      } finally {
        closeAll(firsts);
        await server.close(0);
      }
    },
  );

  test("--max-connections boundary: exactly N served, N+1 refused, a freed place is taken again", BOUNDED, async () => {
    const limit = 3;
    const { server, port } = await startServer({ maxConnections: limit });
    const held: Outcome[] = [];
    try {
      held.push(...(await attemptInOrder(port, [undefined, undefined, undefined, undefined], "limit")));
      assert.deepEqual(
        held.map((outcome) => outcome.served),
        [true, true, true, false],
      );
      assert.equal(server.statistics().refused["max-connections"], 1);
      assert.equal(server.statistics().connectionsActive, limit);
      const [first] = held;
      assert.ok(first.served);
      first.socket.destroy();
      await waitFor("a place to be freed", () => server.statistics().connectionsActive === limit - 1, 5000);
      held.push(...(await attemptInOrder(port, [undefined, undefined], "after")));
      assert.deepEqual(
        held.slice(4).map((outcome) => outcome.served),
        [true, false],
      );
      assert.equal(server.statistics().refused["max-connections"], 2);
    } finally {
      closeAll(held);
      await server.close(0);
    }
  });

  test(
    "--max-connections-per-address from several 127.x.y.z: N per address served, N+1 refused, another address still served",
    BOUNDED,
    async () => {
      const perAddress = 4;
      const { server, port, logs } = await startServer({ maxConnectionsPerAddress: perAddress });
      const held: Outcome[] = [];
      try {
        for (const address of ["127.0.0.2", "127.0.1.3", "127.9.8.7"]) {
          const outcomes = await attemptInOrder(port, Array(perAddress + 1).fill(address), address);
          held.push(...outcomes);
          assert.deepEqual(
            outcomes.map((outcome) => outcome.served),
            [...Array(perAddress).fill(true), false],
            `from ${address}`,
          );
        }
        assert.equal(server.statistics().refused["max-connections-per-address"], 3);
        // A fourth address is not affected by the other three being full.
        const other = await attemptInOrder(port, Array(perAddress).fill("127.0.0.5"), "other");
        held.push(...other);
        assert.ok(other.every((outcome) => outcome.served));
        // A freed place on a full address is taken again; the next is refused again.
        const fromFull = held.find((outcome) => outcome.served);
        assert.ok(fromFull?.served);
        fromFull.socket.destroy();
        await waitFor("a place to be freed", () => server.statistics().connectionsActive === 4 * perAddress - 1, 5000);
        const again = await attemptInOrder(port, ["127.0.0.2", "127.0.0.2"], "again");
        held.push(...again);
        assert.deepEqual(
          again.map((outcome) => outcome.served),
          [true, false],
        );
        assert.equal(server.statistics().refused["max-connections-per-address"], 4);
        assert.equal(server.statistics().refused["max-connections"], 0);
        const logged = logs.find((line) => (line as { reason?: string }).reason === "max-connections-per-address") as
          | { peer?: string }
          | undefined;
        assert.ok(logged, "the per-address refusal was not logged");
        assert.match(String(logged.peer), /^127\./);
      } finally {
        closeAll(held);
        await server.close(0);
      }
    },
  );

  test(
    "per-address boundary: exactly N served from one address and N+1 refused, within the total limit",
    BOUNDED,
    async () => {
      const { server, port } = await startServer({ maxConnectionsPerAddress: 2, maxConnections: 5 });
      const held: Outcome[] = [];
      try {
        // 2 from each of two addresses, then the total limit of 5 is reached from a third.
        const from = ["127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.3", "127.0.0.3", "127.0.0.4", "127.0.0.5"];
        held.push(...(await attemptInOrder(port, from, "mixed")));
        assert.deepEqual(
          held.map((outcome) => outcome.served),
          [true, true, false, true, true, true, false],
        );
        const { refused } = server.statistics();
        assert.equal(refused["max-connections"], 1);
        assert.equal(refused["max-connections-per-address"], 1);
      } finally {
        closeAll(held);
        await server.close(0);
      }
    },
  );

  test(
    "a server under a low descriptor limit (ulimit -n 256) caps its connections below it and keeps serving",
    BOUNDED,
    async (t) => {
      // --max-connections far above the descriptor limit: mayus lowers it to fit (256 - 64 reserved).
      const script = 'ulimit -n 256 && exec "$0" "$@"';
      const args = ["serve", "--tcp", "--port", "0", "--host", "127.0.0.1", "--log-format", "json"];
      const limits = ["--max-connections", "100000", "--max-connections-per-address", "100000"];
      const server = start("sh", ["-c", script, process.execPath, MAYUS, ...args, ...limits]);
      const held: Outcome[] = [];
      try {
        const port = Number((await waitForOutput(server, /tcp \S*:(\d+)/))[1]);
        for (let index = 0; index < 300; index += 50) {
          const tags = Array.from({ length: 50 }, (_, offset) => `fd ${index + offset}`);
          held.push(...(await Promise.all(tags.map((tag) => attempt(port, tag)))));
        }
        const served = held.filter((outcome) => outcome.served).length;
        t.diagnostic(`${served} of 300 served under ulimit -n 256`);
        assert.equal(served, 256 - 64);
        closeAll(held);
        await sleep(200);
        const fresh = await tcpExchange(port, [Buffer.from("still here")]);
        assert.equal(fresh.toString(), "STILL HERE");
        const finished = await server.stop();
        assert.equal(finished.code, 0, finished.stderr);
        const refusals = finished.stderr
          .split("\n")
          .filter((line) => line.startsWith("{"))
          .map((line) => JSON.parse(line) as { reason?: string; msg?: string })
          .filter((line) => line.reason === "max-connections");
        assert.ok(refusals.length >= 1, `no refusal logged: ${finished.stderr}`);
        assert.equal(refusals[0].msg, "connection refused");
      } finally {
        closeAll(held);
        await server.stop();
      }
    },
  );
});
