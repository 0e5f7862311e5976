// The loop breaker on its own, with a clock of the test's: what counts as an echo, the mute and its end.

import assert from "node:assert/strict";
import { test } from "node:test";
import { formatHeartbeat } from "../heartbeat/heartbeat-format.js";
import { uppercase } from "../transform/index.js";
import { fingerprintOf, LOOP_BREAKER_DEFAULTS, LoopBreaker, RECENT_REPLIES } from "./loop-breaker.js";

function clock(): { now: () => number; advance(ms: number): void } {
  let nowMs = 1000;
  return { now: () => nowMs, advance: (ms) => (nowMs += ms) };
}

/** One datagram through the breaker as the server handles it: checked, then answered with its uppercase. */
function serve(loops: LoopBreaker, payload: Buffer, port = 40000, address = "127.0.0.1"): string {
  const verdict = loops.check(payload, address, port);
  if (verdict === "answer") loops.replied(uppercase(payload));
  return verdict;
}

test("a peer that sends our reply straight back is muted at the Nth echo, for the cooldown", () => {
  const time = clock();
  const loops = new LoopBreaker({ now: time.now });
  const { echoes, cooldownMs } = LOOP_BREAKER_DEFAULTS;
  assert.equal(serve(loops, Buffer.from("spoofed once")), "answer");
  // From now on the peer answers with what we sent it (uppercase of uppercase is the same).
  for (let echo = 1; echo < echoes; echo++) {
    time.advance(1);
    assert.equal(serve(loops, Buffer.from("SPOOFED ONCE")), "answer", `echo ${echo}`);
  }
  time.advance(1);
  assert.equal(serve(loops, Buffer.from("SPOOFED ONCE")), "loop-detected");
  time.advance(cooldownMs - 2);
  assert.equal(serve(loops, Buffer.from("a real request now")), "muted");
  time.advance(2);
  assert.equal(serve(loops, Buffer.from("a real request now")), "answer");
});

test("two datagrams circulating at once (one spoofed each way) are still one loop", () => {
  const time = clock();
  const loops = new LoopBreaker({ now: time.now });
  serve(loops, Buffer.from("first"));
  serve(loops, Buffer.from("second"));
  const verdicts: string[] = [];
  for (let round = 0; round < LOOP_BREAKER_DEFAULTS.echoes; round++) {
    time.advance(1);
    verdicts.push(serve(loops, Buffer.from(round % 2 === 0 ? "FIRST" : "SECOND")));
  }
  assert.deepEqual(verdicts.slice(0, -1), Array(LOOP_BREAKER_DEFAULTS.echoes - 1).fill("answer"));
  assert.equal(verdicts.at(-1), "loop-detected");
});

test("a client repeating its lowercase line, or sending uppercase lines that change, is never muted", () => {
  const time = clock();
  const loops = new LoopBreaker({ now: time.now });
  for (let index = 0; index < 1000; index++) {
    time.advance(1);
    assert.equal(serve(loops, Buffer.from("the same line, retried"), 40001), "answer");
    assert.equal(serve(loops, Buffer.from(`LINE ${index}`), 40002), "answer");
    // mayus ping's payload: "Ping <seq> <time>".
    assert.equal(serve(loops, Buffer.from(`Ping ${index} ${time.now()}`), 40003), "answer");
  }
});

test("echoes further apart than the window never add up (a client's retries after its timeout)", () => {
  const time = clock();
  const loops = new LoopBreaker({ now: time.now, echoes: 2 });
  serve(loops, Buffer.from("OK"));
  for (let retry = 0; retry < 10; retry++) {
    time.advance(LOOP_BREAKER_DEFAULTS.echoWindowMs + 1);
    assert.equal(serve(loops, Buffer.from("OK")), "answer");
  }
  // Exactly the window apart still adds up.
  time.advance(LOOP_BREAKER_DEFAULTS.echoWindowMs);
  assert.equal(serve(loops, Buffer.from("OK")), "loop-detected");
});

test("any datagram that is not an echo starts the count again", () => {
  const time = clock();
  const loops = new LoopBreaker({ now: time.now, echoes: 3 });
  serve(loops, Buffer.from("X"));
  for (let round = 0; round < 100; round++) {
    time.advance(1);
    assert.equal(serve(loops, Buffer.from("X")), "answer"); // echo 1
    assert.equal(serve(loops, Buffer.from("X")), "answer"); // echo 2
    assert.equal(serve(loops, Buffer.from(`y${round}`)), "answer"); // not an echo
    assert.equal(serve(loops, Buffer.from("X")), "answer"); // echo 1 again: X is among the last replies
    assert.equal(serve(loops, Buffer.from(`z${round}`)), "answer");
  }
});

test("sources are told apart by address and port; a muted one does not mute its neighbours", () => {
  const time = clock();
  const loops = new LoopBreaker({ now: time.now, echoes: 2 });
  serve(loops, Buffer.from("LOOP"), 50000);
  serve(loops, Buffer.from("LOOP"), 50000);
  assert.equal(serve(loops, Buffer.from("LOOP"), 50000), "loop-detected");
  assert.equal(serve(loops, Buffer.from("LOOP"), 50001), "answer");
  assert.equal(serve(loops, Buffer.from("LOOP"), 50000, "127.0.0.2"), "answer");
  assert.equal(serve(loops, Buffer.from("LOOP"), 50000), "muted");
});

test(`more than ${RECENT_REPLIES} different datagrams circulating at once are not recognised (the rate limit ends those)`, () => {
  const time = clock();
  const loops = new LoopBreaker({ now: time.now });
  const payloads = Array.from({ length: RECENT_REPLIES + 1 }, (_, index) => Buffer.from(`P${index}`));
  for (const payload of payloads) serve(loops, payload);
  for (let round = 0; round < 10; round++) {
    for (const payload of payloads) {
      time.advance(1);
      assert.equal(serve(loops, payload), "answer");
    }
  }
});

test("the table is bounded: a flood of sources only evicts; echoes 0 turns the breaker off", () => {
  const loops = new LoopBreaker({ tableSize: 16, echoes: 2 });
  for (let port = 1024; port < 60000; port++) serve(loops, Buffer.from("X"), port);
  assert.equal(new LoopBreaker({ echoes: 0 }).isActive, false);
});

test("fingerprints: equal bytes alike; length, first, last and spread bytes tell datagrams apart", () => {
  assert.equal(fingerprintOf(Buffer.from("HELLO")), fingerprintOf(Buffer.from("HELLO")));
  assert.notEqual(fingerprintOf(Buffer.from("")), fingerprintOf(Buffer.from("A")));
  assert.notEqual(fingerprintOf(Buffer.from("HELLO 1")), fingerprintOf(Buffer.from("HELLO 2")));
  const big = Buffer.alloc(65_507, "A");
  for (const index of [0, 65_506, 9358]) {
    const changed = Buffer.from(big);
    changed[index] = 0x42;
    assert.notEqual(fingerprintOf(changed), fingerprintOf(big), `byte ${index}`);
  }
  assert.notEqual(fingerprintOf(big), fingerprintOf(big.subarray(1)));
});

test("fingerprints of datagrams fingerprinted whole: any one byte changed, anywhere, tells them apart", () => {
  for (const length of [1, 3, 4, 61, 64]) {
    const datagram = Buffer.from("HEARTBEAT 12345 1796534946000 ".repeat(3).slice(0, length));
    const original = fingerprintOf(datagram);
    for (let index = 0; index < length; index++) {
      for (let value = 0; value < 256; value++) {
        if (value === datagram[index]) continue;
        const changed = Buffer.from(datagram);
        changed[index] = value;
        assert.notEqual(fingerprintOf(changed), original, `length ${length}, byte ${index} = ${value}`);
      }
    }
  }
});

test("a steady heartbeat sender (upper case already, answered with itself) is never taken for a loop", () => {
  const time = clock();
  const loops = new LoopBreaker({ now: time.now });
  const startMs = 1_796_534_946_000;
  // Ten a second for 100 s: each heartbeat differs from the last replies only in a few digits.
  for (let sequence = 1; sequence <= 1000; sequence++) {
    time.advance(100);
    const heartbeat = Buffer.from(formatHeartbeat(sequence, startMs + sequence * 100 + (sequence % 7)));
    assert.equal(serve(loops, heartbeat), "answer", `heartbeat ${sequence}`);
  }
});

test("echoes and tableSize out of range throw, naming the option and its range; 255 echoes (a byte per slot) work", () => {
  assert.throws(() => new LoopBreaker({ echoes: 256 }), {
    name: "RangeError",
    message: "echoes must be a whole number from 0 to 255, not 256",
  });
  assert.throws(() => new LoopBreaker({ echoes: -1 }), /echoes must be a whole number from 0 to 255, not -1/);
  assert.throws(() => new LoopBreaker({ echoes: 2.5 }), /echoes must be a whole number/);
  assert.throws(() => new LoopBreaker({ tableSize: 0 }), /tableSize must be a whole number from 1 to 1048576, not 0/);
  assert.throws(
    () => new LoopBreaker({ tableSize: 2 ** 20 + 1 }),
    /tableSize must be a whole number from 1 to 1048576/,
  );
  assert.ok(new LoopBreaker({ tableSize: 1 }).isActive);
  assert.ok(new LoopBreaker({ tableSize: 2 ** 20 }).isActive);
  const time = clock();
  const loops = new LoopBreaker({ now: time.now, echoes: 255 });
  serve(loops, Buffer.from("X"));
  for (let echo = 1; echo < 255; echo++) assert.equal(serve(loops, Buffer.from("X")), "answer", `echo ${echo}`);
  assert.equal(serve(loops, Buffer.from("X")), "loop-detected");
});
