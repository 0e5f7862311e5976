// Hostile input: random bytes, for a bounded time. Over TCP, arbitrary bytes cut into arbitrary
// chunks: every answer equals the one-shot transform of what was sent (unicode, ascii, lower, and
// with a locale). Over UDP, arbitrary datagrams of 0 to 2,000 bytes: the server never crashes and each
// reply equals the one-shot transform that keeps growing characters as they are.
// A failure prints fast-check's seed and path; MAYUS_FUZZ_SEED=N repeats a run.

import assert from "node:assert/strict";
import { createSocket, type Socket as DatagramSocket } from "node:dgram";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import fc from "fast-check";
import { TcpServer, UdpServer } from "../../src/index.js";
import { createUppercaser, type TransformOptions, uppercase } from "../../src/transform/index.js";
import { MAX_HELD_WORD_BYTES } from "../../src/transform/locale-uppercaser.js";
import { tcpConnect } from "../support/sockets.js";
import { assertNoLeaks, type ResourceBaseline, resourceBaseline } from "./leaks.js";

const SEED = process.env.MAYUS_FUZZ_SEED === undefined ? Date.now() % 2 ** 31 : Number(process.env.MAYUS_FUZZ_SEED);
/** Upper bound on runs per property; the time limits below usually stop them first. */
const MAX_RUNS = 5000;
/** Longest a single exchange may take before the run counts as a failure (a lost answer). */
const EXCHANGE_TIMEOUT_MS = 5000;

/** Pieces that exercise the transform's hard cases: growth, context, locales, broken UTF-8. */
const PIECES: readonly Buffer[] = [
  ..."a z A ß ẞ ŉ ΐ ΰ ﬁ ﬀ ﬃ ǅ ǰ ᾳ ῳ ς Σ i ı İ I ñ Ñ á é ü ç ɐ ꞵ ǉ µ ÿ \u0345 \u0307 i\u0307 \u{1F600} \u{10FFFF}"
    .split(" ")
    .map((text) => Buffer.from(text)),
  Buffer.from(" \n\r\n\t\0"),
  Buffer.from([0xff]),
  Buffer.from([0x80]), // a lone continuation byte
  Buffer.from([0xc0, 0x80]), // overlong NUL
  Buffer.from([0xed, 0xa0, 0x80]), // an encoded surrogate
  Buffer.from([0xf4, 0x90, 0x80, 0x80]), // past U+10FFFF
  Buffer.from([0xc3]), // a lead byte whose character never comes
  Buffer.from([0xf0, 0x9f]),
];

/** Arbitrary bytes, weighted towards text and the hard cases rather than pure noise. */
const bytesArbitrary = fc.oneof(
  fc.uint8Array({ maxLength: 3000 }),
  fc.string({ unit: "binary", maxLength: 400 }).map((text) => new Uint8Array(Buffer.from(text))),
  fc
    .array(
      fc.oneof(
        fc.constantFrom(...PIECES),
        fc.string({ unit: "grapheme", maxLength: 8 }).map((text) => Buffer.from(text)),
        fc.uint8Array({ maxLength: 6 }).map((bytes) => Buffer.from(bytes)),
      ),
      { maxLength: 300 },
    )
    .map((pieces) => new Uint8Array(Buffer.concat(pieces))),
);

/** Where to cut the bytes into chunks, and whether to pause between writes (so chunks arrive apart). */
const chunkingArbitrary = fc.record({
  cuts: fc.array(fc.nat({ max: 20_000 }), { maxLength: 16 }),
  pauseMs: fc.constantFrom(0, 0, 1, 2),
});

function cut(bytes: Uint8Array, cuts: readonly number[]): Buffer[] {
  const points = [...new Set(cuts.map((point) => point % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) chunks.push(Buffer.from(bytes.subarray(from, point)));
    from = point;
  }
  return chunks;
}

/** Sends the chunks on a new connection, half-closes, and returns everything answered. */
async function exchange(port: number, chunks: readonly Buffer[], pauseMs: number): Promise<Buffer> {
  const socket = await tcpConnect(port);
  socket.setNoDelay(true);
  const parts: Buffer[] = [];
  socket.on("data", (part: Buffer) => parts.push(part));
  let timer: NodeJS.Timeout | undefined;
  try {
    const ended = new Promise<void>((resolve, reject) => {
      socket.on("close", () => resolve());
      socket.on("error", reject);
      timer = setTimeout(
        () => reject(new Error(`no end of answer within ${EXCHANGE_TIMEOUT_MS} ms`)),
        EXCHANGE_TIMEOUT_MS,
      );
    });
    for (const chunk of chunks) {
      socket.write(chunk);
      if (pauseMs > 0) await sleep(pauseMs);
    }
    socket.end();
    await ended;
    return Buffer.concat(parts);
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

/**
 * Longest run of letters and marks in UTF-8 bytes. With a locale, the server holds back the
 * word a chunk ends in, up to MAX_HELD_WORD_BYTES (documented in the README): a longer word
 * cut by a chunk boundary may miss a context rule at the cut, the one difference allowed.
 */
function longestWordBytes(bytes: Uint8Array): number {
  let longest = 0;
  for (const [word] of Buffer.from(bytes)
    .toString()
    .matchAll(/[\p{L}\p{M}\p{CI}]+/gu)) {
    longest = Math.max(longest, Buffer.byteLength(word));
  }
  return longest;
}

/** Runs an async property for at most `timeLimitMs`, then waits for a run still in flight. */
async function forAWhile<T>(
  arbitrary: fc.Arbitrary<T>,
  predicate: (value: T) => Promise<void>,
  timeLimitMs: number,
): Promise<void> {
  let inFlight: Promise<unknown> = Promise.resolve();
  await fc.assert(
    fc.asyncProperty(arbitrary, (value) => {
      const run = predicate(value);
      inFlight = run.catch(() => {});
      return run;
    }),
    { seed: SEED, numRuns: MAX_RUNS, plugins: [fc.interruptAfterTimeLimit(timeLimitMs)] },
  );
  await inFlight;
}

describe(`random input for a bounded time (seed ${SEED})`, () => {
  let baseline: ResourceBaseline;
  before(() => {
    baseline = resourceBaseline();
  });
  after(async () => {
    await assertNoLeaks(baseline);
  });

  // name, transform, time limit; `lt` has a context rule (dot above removed after i) across chunks.
  const tcpConfigurations: [string, TransformOptions, number][] = [
    ["unicode", {}, 6000],
    ["--mode ascii", { mode: "ascii" }, 3000],
    ["--locale tr", { locale: "tr" }, 4000],
    ["--locale lt", { locale: "lt" }, 2000],
    ["--mode lower", { mode: "lower" }, 3000],
    ["--mode lower --locale el", { mode: "lower", locale: "el" }, 2000],
  ];
  for (const [name, transform, timeLimitMs] of tcpConfigurations) {
    test(`TCP, ${name}: arbitrary bytes in arbitrary chunks are answered with uppercase() of the whole`, {
      timeout: 60_000,
    }, async (t) => {
      const server = new TcpServer({ host: "127.0.0.1", port: 0, transform });
      const { port } = await server.listen();
      try {
        let runs = 0;
        await forAWhile(
          fc.tuple(bytesArbitrary, chunkingArbitrary),
          async ([bytes, { cuts, pauseMs }]) => {
            runs++;
            const answer = await exchange(port, cut(bytes, cuts), pauseMs);
            const expected = uppercase(bytes, transform);
            if (!answer.equals(expected)) {
              // The documented exception, and only it: a locale rule missed at a cut in a very long word.
              const documented = transform.locale !== undefined && longestWordBytes(bytes) > MAX_HELD_WORD_BYTES;
              if (documented) fc.pre(false);
              assert.fail(`answer ${answer.toString("hex")} is not uppercase() ${expected.toString("hex")}`);
            }
          },
          timeLimitMs,
        );
        t.diagnostic(`${runs} runs, seed ${SEED}`);
        assert.ok(runs >= 20, `only ${runs} runs in ${timeLimitMs} ms`);
        assert.equal(server.state, "listening");
        assert.equal(server.statistics().connectionsAccepted, runs);
      } finally {
        await server.close(1000);
      }
    });
  }

  const udpConfigurations: [string, TransformOptions, number][] = [
    ["unicode", {}, 4000],
    ["--mode ascii", { mode: "ascii" }, 2000],
    ["--mode lower", { mode: "lower" }, 2000],
  ];
  for (const [name, transform, timeLimitMs] of udpConfigurations) {
    test(`UDP, ${name}: arbitrary datagrams of 0 to 2,000 bytes each get one reply, the transform kept within the size`, {
      timeout: 60_000,
    }, async (t) => {
      // No rate limit: this test is about content, and the loop is faster than the default limit allows.
      const server = new UdpServer({
        host: "127.0.0.1",
        port: 0,
        transform,
        rateLimit: { datagramsPerSecond: 0, bytesPerSecond: 0 },
      });
      const { port } = await server.listen();
      const client: DatagramSocket = createSocket("udp4");
      await new Promise<void>((resolve) => client.bind(0, "127.0.0.1", resolve));
      try {
        const datagramArbitrary = fc.oneof(
          fc.uint8Array({ maxLength: 2000 }),
          bytesArbitrary.map((bytes) => bytes.subarray(0, 2000)),
        );
        let runs = 0;
        await forAWhile(
          datagramArbitrary,
          async (bytes) => {
            runs++;
            const reply = await new Promise<Buffer>((resolve, reject) => {
              const timer = setTimeout(() => {
                client.off("message", onMessage);
                reject(new Error(`no reply within ${EXCHANGE_TIMEOUT_MS} ms`));
              }, EXCHANGE_TIMEOUT_MS);
              const onMessage = (message: Buffer) => {
                clearTimeout(timer);
                resolve(message);
              };
              client.once("message", onMessage);
              client.send(bytes, port, "127.0.0.1");
            });
            // The full mapping when it is no larger than the datagram (--udp-max-growth 1), else
            // the mapping with the growing characters kept as they are.
            const full = createUppercaser(transform).transformOwned(Buffer.from(bytes));
            const expected =
              full.length <= bytes.length
                ? full
                : createUppercaser(transform).transformOwned(Buffer.from(bytes), { keepGrowingCharacters: true });
            if (!reply.equals(expected)) {
              assert.fail(`reply ${reply.toString("hex")} is not ${expected.toString("hex")}`);
            }
            assert.ok(reply.length <= bytes.length, "a reply larger than its request");
          },
          timeLimitMs,
        );
        t.diagnostic(`${runs} datagrams, seed ${SEED}`);
        assert.ok(runs >= 20, `only ${runs} runs in ${timeLimitMs} ms`);
        const statistics = server.statistics();
        assert.equal(server.state, "listening");
        assert.equal(statistics.datagramsReceived, runs);
        assert.equal(statistics.datagramsSent, runs);
        assert.equal(
          Object.values(statistics.dropped).reduce((sum, count) => sum + count, 0),
          0,
        );
      } finally {
        client.close();
        await server.close();
      }
    });
  }
});
