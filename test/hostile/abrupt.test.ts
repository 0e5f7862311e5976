// Hostile input: half-open and abrupt endings, silent and very slow clients, clients that stop
// reading. In-process TcpServer, so its statistics can be read directly.

import assert from "node:assert/strict";
import type { Socket } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import { TcpServer, type TcpServerOptions } from "../../src/index.js";
import { uppercase } from "../../src/transform/index.js";
import { tcpConnect, tcpExchange } from "../support/sockets.js";
import { waitFor } from "../support/wait.js";
import { assertNoLeaks, type ResourceBaseline, resourceBaseline } from "./leaks.js";

/** Resolves with the bytes that arrive within `windowMs` (after the first, if any, waits `settleMs` more). */
function bytesWithin(socket: Socket, windowMs: number, settleMs = 50): Promise<Buffer> {
  return new Promise((resolve) => {
    const parts: Buffer[] = [];
    let settle: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(window);
      clearTimeout(settle);
      socket.off("data", onData);
      resolve(Buffer.concat(parts));
    };
    const onData = (part: Buffer) => {
      parts.push(part);
      clearTimeout(settle);
      settle = setTimeout(finish, settleMs);
    };
    const window = setTimeout(finish, windowMs);
    socket.on("data", onData);
  });
}

/** Milliseconds until the server closes the connection: its FIN (we are half-open) or a reset. */
function closedWithin(socket: Socket): Promise<number> {
  const started = performance.now();
  return new Promise((resolve) => {
    const onClosed = () => {
      socket.off("end", onClosed);
      socket.off("close", onClosed);
      socket.destroy();
      resolve(performance.now() - started);
    };
    socket.once("end", onClosed);
    socket.once("close", onClosed);
  });
}

/** Every test stops by itself. */
const BOUNDED = { timeout: 30_000 };

describe("abrupt and half-open endings, silent and slow clients", () => {
  let baseline: ResourceBaseline;
  const servers: TcpServer[] = [];

  before(() => {
    baseline = resourceBaseline();
  });
  after(async () => {
    await Promise.all(servers.map((server) => server.close(0)));
    await assertNoLeaks(baseline);
  });

  async function serve(options: TcpServerOptions = {}): Promise<{ server: TcpServer; port: number }> {
    const server = new TcpServer({ host: "127.0.0.1", port: 0, ...options });
    servers.push(server);
    const { port } = await server.listen();
    return { server, port };
  }

  test(
    "clients that reset mid-stream: each is counted as an error, the server and the others are unaffected",
    BOUNDED,
    async () => {
      const { server, port } = await serve();
      const resets = 20;
      const polite = Array.from({ length: 10 }, (_, index) =>
        tcpExchange(port, [Buffer.from(`educado ${index} `), Buffer.from("ñandú")], { gapMs: 20 }),
      );
      for (let index = 0; index < resets; index++) {
        const rude = await tcpConnect(port);
        rude.on("error", () => {});
        rude.write(Buffer.alloc(100_000 + index * 1000, 0x61)); // some of it answered, some not yet
        if (index % 2 === 0) await sleep(2);
        rude.resetAndDestroy();
      }
      const answers = await Promise.all(polite);
      for (const [index, answer] of answers.entries()) assert.equal(answer.toString(), `EDUCADO ${index} ÑANDÚ`);
      await waitFor("every connection to close", () => server.statistics().connectionsActive === 0, 5000);
      const { errors } = server.statistics();
      const counted = Object.values(errors).reduce((sum, count) => sum + count, 0);
      assert.ok((errors.ECONNRESET ?? 0) >= 1, `no ECONNRESET counted: ${JSON.stringify(errors)}`);
      assert.equal(counted, resets, `errors counted: ${JSON.stringify(errors)}`);
      assert.equal(server.state, "listening");
      assert.equal((await tcpExchange(port, [Buffer.from("después")])).toString(), "DESPUÉS");
    },
  );

  test("FIN in the middle of a character: the unfinished bytes come back unchanged, exactly", BOUNDED, async () => {
    const { port } = await serve();
    const cases: [number[][], number[]][] = [
      [[[0x61, 0xc3]], [0x41, 0xc3]], // "a" + the first byte of "ñ"
      [
        [[0x61], [0xc3]],
        [0x41, 0xc3],
      ], // the same, in two writes
      [[[0xe2, 0x82]], [0xe2, 0x82]], // two of the three bytes of "€"
      [[[0xc3, 0xb1, 0xf0, 0x9f, 0x98]], [0xc3, 0x91, 0xf0, 0x9f, 0x98]], // "ñ" then three of four bytes of an emoji
      [
        [[0xc3, 0x9f], [0xc3]],
        [0x53, 0x53, 0xc3],
      ], // "ß" (grows to "SS") then a lone lead byte
    ];
    for (const [chunks, expected] of cases) {
      const answer = await tcpExchange(
        port,
        chunks.map((chunk) => Buffer.from(chunk)),
        { gapMs: 20 },
      );
      assert.deepEqual(answer, Buffer.from(expected), `for ${JSON.stringify(chunks)}`);
    }
  });

  test(
    "FIN in the middle of a word or a character with --locale tr: the rest is answered at the end",
    BOUNDED,
    async () => {
      const { port } = await serve({ transform: { locale: "tr" } });
      assert.equal((await tcpExchange(port, [Buffer.from("istanbul")])).toString(), "İSTANBUL");
      const answer = await tcpExchange(port, [Buffer.from("iyi"), Buffer.from([0xc4])], { gapMs: 20 });
      assert.deepEqual(answer, Buffer.concat([Buffer.from("İYİ"), Buffer.from([0xc4])]));
    },
  );

  test("connect and say nothing: idleTimeoutMs 300 closes it, counted as ETIMEDOUT", BOUNDED, async () => {
    const { server, port } = await serve({ idleTimeoutMs: 300 });
    const silent = await tcpConnect(port);
    silent.on("error", () => {});
    const closedAfterMs = await closedWithin(silent);
    assert.ok(closedAfterMs >= 250 && closedAfterMs < 2000, `closed after ${closedAfterMs.toFixed(0)} ms`);
    await waitFor("the server to forget it", () => server.statistics().connectionsActive === 0, 5000);
    assert.equal(server.statistics().errors.ETIMEDOUT, 1);
  });

  test(
    "idleTimeoutMs 300 counts silence, not age: a client talking every 100 ms stays, then its silence closes it",
    BOUNDED,
    async () => {
      const { server, port } = await serve({ idleTimeoutMs: 300 });
      const talker = await tcpConnect(port);
      talker.on("error", () => {});
      let closedEarly = false;
      const onEarlyClose = () => {
        closedEarly = true;
      };
      talker.once("end", onEarlyClose);
      talker.once("close", onEarlyClose);
      const parts: Buffer[] = [];
      talker.on("data", (part: Buffer) => parts.push(part));
      for (let index = 0; index < 10; index++) {
        talker.write("x");
        await sleep(100);
      }
      assert.equal(closedEarly, false, "closed while the client was talking");
      assert.equal(Buffer.concat(parts).toString(), "X".repeat(10));
      talker.off("end", onEarlyClose);
      talker.off("close", onEarlyClose);
      const closedAfterMs = await closedWithin(talker);
      assert.ok(closedAfterMs < 2000, `closed ${closedAfterMs.toFixed(0)} ms into its silence`);
      await waitFor("the server to forget it", () => server.statistics().connectionsActive === 0, 5000);
      assert.equal(server.statistics().errors.ETIMEDOUT, 1);
    },
  );

  test(
    "one byte per second for 3 s: each byte is answered on its own, a split character when it completes",
    BOUNDED,
    async () => {
      const { port } = await serve();
      const slow = await tcpConnect(port);
      try {
        // "a", "b", then "ñ" one byte a second: its first byte alone has no answer yet.
        const steps: [number, number[]][] = [
          [0x61, [0x41]],
          [0x62, [0x42]],
          [0xc3, []],
          [0xb1, [0xc3, 0x91]],
        ];
        for (const [index, [byte, expected]] of steps.entries()) {
          const sentAt = performance.now();
          const answer = bytesWithin(slow, expected.length === 0 ? 900 : 1000);
          slow.write(Buffer.from([byte]));
          assert.deepEqual(await answer, Buffer.from(expected), `byte ${index}`);
          if (expected.length > 0) assert.ok(performance.now() - sentAt < 900, `byte ${index} answered late`);
          const rest = 1000 - (performance.now() - sentAt);
          if (rest > 0 && index < steps.length - 1) await sleep(rest);
        }
      } finally {
        slow.destroy();
      }
    },
  );

  test(
    "a client that never reads and keeps writing: paused, then stallTimeoutMs closes it, counted as ESTALLED",
    BOUNDED,
    async () => {
      const { server, port } = await serve({ stallTimeoutMs: 300, maxBufferedBytesPerConnection: 64 * 1024 });
      const greedy = await tcpConnect(port);
      greedy.pause();
      greedy.on("error", () => {});
      const gone = closedWithin(greedy);
      let closed = false;
      void gone.then(() => {
        closed = true;
      });
      const chunk = Buffer.alloc(256 * 1024, 0x62);
      let written = 0;
      const deadline = Date.now() + 10_000;
      while (!closed && Date.now() < deadline) {
        written += chunk.length;
        if (!greedy.write(chunk)) await Promise.race([new Promise((resolve) => greedy.once("drain", resolve)), gone]);
      }
      assert.ok(closed, "the stalled connection was not closed within 10 s");
      assert.ok(written < 512 * 1024 * 1024, `${written} bytes went in before it was closed`);
      await waitFor("the server to forget it", () => server.statistics().connectionsActive === 0, 5000);
      const statistics = server.statistics();
      assert.equal(statistics.errors.ESTALLED, 1, JSON.stringify(statistics.errors));
      assert.equal(statistics.bufferedBytes, 0, "the closed connection's buffered bytes are still counted");
      assert.equal((await tcpExchange(port, [Buffer.from("sigo aquí")])).toString(), "SIGO AQUÍ");
    },
  );

  test(
    "several never-readers against a small server-wide bound: buffered bytes stay bounded, others are served",
    BOUNDED,
    async () => {
      const total = 1024 * 1024;
      const { server, port } = await serve({
        maxBufferedBytesTotal: total,
        maxBufferedBytesPerConnection: 64 * 1024 * 1024, // the server-wide bound is the one that bites
        stallTimeoutMs: 0,
      });
      const greedy: Socket[] = [];
      let largest = 0;
      const sampler = setInterval(() => {
        largest = Math.max(largest, server.statistics().bufferedBytes);
      }, 5);
      try {
        await Promise.all(
          Array.from({ length: 6 }, async () => {
            const socket = await tcpConnect(port);
            greedy.push(socket);
            socket.pause();
            socket.on("error", () => {});
            const chunk = Buffer.alloc(256 * 1024, 0x63);
            for (;;) {
              if (socket.write(chunk)) continue;
              const drained = await Promise.race([
                new Promise<boolean>((resolve) => socket.once("drain", () => resolve(true))),
                sleep(500, false),
              ]);
              if (!drained) return;
            }
          }),
        );
        await waitFor(
          "all six to be paused",
          () => [...server.connections()].filter((connection) => connection.isPaused).length === 6,
          5000,
        );
        const payload = Buffer.from("mientras tanto ñ ".repeat(10_000));
        assert.deepEqual(await tcpExchange(port, [payload]), uppercase(payload));
        largest = Math.max(largest, server.statistics().bufferedBytes);
        // Each connection may overshoot by one read (64 KiB) before it stops.
        assert.ok(largest <= total + 6 * 128 * 1024, `up to ${largest} bytes buffered`);
      } finally {
        clearInterval(sampler);
        for (const socket of greedy) socket.destroy();
      }
      await waitFor("every connection to close", () => server.statistics().connectionsActive === 0, 5000);
      assert.equal(server.statistics().bufferedBytes, 0);
    },
  );
});
