/**
 * Breaks UDP reflection loops between mayus and another echo-like server on any port (another
 * mayus, the lesson's Python server, an RFC 862 echo): one datagram spoofed from the other's
 * address makes each answer the other forever, since uppercase of uppercase is the same text.
 * A source that sends back exactly what we just sent it, several times in a row, each soon
 * after the one before, is such a loop: it gets no reply for a cooldown, which ends the loop.
 */

import { optionInRange } from "../errors.js";

export interface LoopBreakerOptions {
  /** Echoes in a row that mark a loop (at most 255); 0 turns the loop breaker off. */
  echoes?: number;
  /** Echoes add up only while each comes within this many milliseconds of the one before. */
  echoWindowMs?: number;
  /** How long a looping source gets no reply. */
  cooldownMs?: number;
  /** Source address and port pairs remembered at once (1 to 2^20, rounded up to a power of two, at least 2). */
  tableSize?: number;
  /** Milliseconds now; a test may pass its own clock. */
  now?: () => number;
}

export const LOOP_BREAKER_DEFAULTS = {
  echoes: 8,
  echoWindowMs: 1000,
  cooldownMs: 500,
  tableSize: 4096,
} as const;

/**
 * Our last replies to a source that an echo is compared with: a loop may carry several
 * datagrams at once (one spoofed each way), each coming back after the others' replies.
 */
export const RECENT_REPLIES = 8; // a power of two: the ring wraps with a mask

/** #isRecentReply compares 8 written out: a type error here when RECENT_REPLIES changes. */
const UNROLLED_REPLIES: typeof RECENT_REPLIES = 8;

/** The most `echoes` that can be asked for (counted per slot in a byte). */
export const MAX_ECHOES = 255;

/** Calls of the new-source path before the first datagram (see `#prime`). */
const PRIMING_CALLS = 64;
const EMPTY = new Uint8Array(0);

/** The table's largest size, 2^20 slots (some 64 MiB): far above any use. */
const MAX_TABLE_BITS = 20;
export const MAX_LOOP_TABLE_SIZE = 2 ** MAX_TABLE_BITS;

/** What `check` says of a datagram. */
export type LoopVerdict = "answer" | "muted" | "loop-detected";

/**
 * A fixed-size table indexed by a hash of address and port: a colliding source takes the slot
 * over (the table only forgets, it never grows). Each slot holds the fingerprints of our last
 * replies to its source, the echoes in a row and when the last came, and the end of a mute.
 * The clock is read only for an echo or a muted source: an ordinary datagram costs two
 * fingerprints and a few array reads.
 *
 * @example
 * ```ts
 * import { LoopBreaker } from "./loop-breaker.js";
 * import { uppercase } from "../transform/index.js";
 * const loops = new LoopBreaker();
 * const message = Buffer.from("hola");
 * if (loops.check(message, "127.0.0.1", 40000) === "answer") {
 *   const reply = uppercase(message);
 *   loops.replied(reply); // the source of the last check
 * }
 * ```
 */
export class LoopBreaker {
  readonly #echoes: number;
  readonly #echoWindowMs: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  /** The hash's top bits index the table: 32 minus their count. */
  readonly #shift: number;
  /** "" for a free slot: only strings, so that compiled code need not expect anything else. */
  readonly #addresses: string[];
  readonly #ports: Int32Array;
  readonly #lastEchoMs: Float64Array;
  readonly #mutedUntilMs: Float64Array;
  readonly #echoesInARow: Uint8Array;
  /** RECENT_REPLIES fingerprints per slot, a ring (0: none, no fingerprint is 0); `#nextReply` is where the next one goes. */
  readonly #replies: Int32Array;
  readonly #nextReply: Uint8Array;
  /** The slot of the last `check`, for `replied`. */
  #slot = -1;
  /** The last source address hashed and its hash: a client's datagrams all come from one. */
  #lastAddress = "";
  #lastAddressHash = 0;

  /** @throws RangeError when `echoes` is not a whole number from 0 to 255, or `tableSize` from 1 to 2^20. */
  constructor(options: LoopBreakerOptions = {}) {
    this.#echoes = optionInRange("echoes", options.echoes ?? LOOP_BREAKER_DEFAULTS.echoes, 0, MAX_ECHOES, true);
    this.#echoWindowMs = options.echoWindowMs ?? LOOP_BREAKER_DEFAULTS.echoWindowMs;
    this.#cooldownMs = options.cooldownMs ?? LOOP_BREAKER_DEFAULTS.cooldownMs;
    this.#now = options.now ?? (() => performance.now());
    const requested = optionInRange(
      "tableSize",
      options.tableSize ?? LOOP_BREAKER_DEFAULTS.tableSize,
      1,
      MAX_LOOP_TABLE_SIZE,
      true,
    );
    const bits = Math.ceil(Math.log2(Math.max(2, requested)));
    const size = 2 ** bits;
    this.#shift = 32 - bits;
    this.#addresses = new Array<string>(size).fill("");
    this.#ports = new Int32Array(size);
    this.#lastEchoMs = new Float64Array(size);
    this.#mutedUntilMs = new Float64Array(size);
    this.#echoesInARow = new Uint8Array(size);
    this.#replies = new Int32Array(size * RECENT_REPLIES);
    this.#nextReply = new Uint8Array(size);
    this.#prime();
  }

  /**
   * Runs a new source's path a few times before any datagram: V8 gives a function its type
   * feedback only after some calls, so the path that the first datagram of the first client
   * takes had none, and the next new client made the compiled server code start over.
   */
  #prime(): void {
    for (let port = 1; port <= PRIMING_CALLS; port++) this.check(EMPTY, "", port);
    this.#addresses.fill("");
    this.#ports.fill(0);
    this.#slot = -1;
  }

  get isActive(): boolean {
    return this.#echoes > 0;
  }

  get cooldownMs(): number {
    return this.#cooldownMs;
  }

  /**
   * Whether a datagram from this source gets a reply. "loop-detected": this echo completed a
   * loop, and the source is muted from now on for the cooldown; "muted": it still is.
   */
  check(message: Uint8Array, address: string, port: number): LoopVerdict {
    const slot = this.#slotOf(address, port);
    this.#slot = slot;
    if (this.#addresses[slot] !== address || this.#ports[slot] !== port) {
      // A new source, or one that takes the slot over: it starts with nothing against it.
      this.#addresses[slot] = address;
      this.#ports[slot] = port;
      this.#mutedUntilMs[slot] = 0;
      this.#forget(slot);
      return "answer";
    }
    const mutedUntilMs = this.#mutedUntilMs[slot] as number;
    if (mutedUntilMs !== 0) {
      if (this.#now() < mutedUntilMs) return "muted";
      this.#mutedUntilMs[slot] = 0;
    }
    if (!this.#isRecentReply(slot, fingerprintOf(message))) {
      this.#echoesInARow[slot] = 0;
      return "answer";
    }
    const nowMs = this.#now();
    const inARow = this.#echoesInARow[slot] as number;
    const echoes = inARow > 0 && nowMs - (this.#lastEchoMs[slot] as number) <= this.#echoWindowMs ? inARow + 1 : 1;
    this.#lastEchoMs[slot] = nowMs;
    if (echoes < this.#echoes) {
      this.#echoesInARow[slot] = echoes;
      return "answer";
    }
    // A loop: what is still in flight comes back while muted and dies here.
    this.#forget(slot);
    this.#mutedUntilMs[slot] = nowMs + this.#cooldownMs;
    return "loop-detected";
  }

  /** Records the reply to the source of the last `check` (call it before the next `check`). */
  replied(reply: Uint8Array): void {
    const slot = this.#slot;
    if (slot < 0) return;
    const next = this.#nextReply[slot] as number;
    this.#replies[slot * RECENT_REPLIES + next] = fingerprintOf(reply);
    this.#nextReply[slot] = (next + 1) & (RECENT_REPLIES - 1);
  }

  /** Our replies to the slot's source and its echoes so far, forgotten. */
  #forget(slot: number): void {
    this.#echoesInARow[slot] = 0;
    this.#nextReply[slot] = 0;
    this.#replies.fill(0, slot * RECENT_REPLIES, (slot + 1) * RECENT_REPLIES);
  }

  /** Written out for RECENT_REPLIES = 8 (see UNROLLED_REPLIES): cheaper per datagram than a loop. */
  #isRecentReply(slot: number, fingerprint: number): boolean {
    const replies = this.#replies;
    const first = slot * UNROLLED_REPLIES;
    return (
      replies[first] === fingerprint ||
      replies[first + 1] === fingerprint ||
      replies[first + 2] === fingerprint ||
      replies[first + 3] === fingerprint ||
      replies[first + 4] === fingerprint ||
      replies[first + 5] === fingerprint ||
      replies[first + 6] === fingerprint ||
      replies[first + 7] === fingerprint
    );
  }

  #slotOf(address: string, port: number): number {
    if (address !== this.#lastAddress) {
      this.#lastAddress = address;
      let hash = 0x811c9dc5;
      for (let index = 0; index < address.length; index++)
        hash = Math.imul(hash ^ address.charCodeAt(index), 0x01000193);
      this.#lastAddressHash = hash;
    }
    return Math.imul(this.#lastAddressHash ^ port, 0x9e3779b1) >>> this.#shift;
  }
}

/** Bytes of a datagram a fingerprint looks at, spread evenly over it, and the last one. */
const FINGERPRINT_SAMPLES = 8;
/**
 * Datagrams up to this long are fingerprinted whole. Short numbered messages that are upper
 * case already (`HEARTBEAT <seq> <unix-ms>`, answered with themselves) differ in a few digits
 * that spread samples skip: sampled, a steady sender matched our recent replies 8 times in a
 * row often enough to be muted as a loop.
 */
const WHOLE_FINGERPRINT_BYTES = 64;

/**
 * A cheap fingerprint of a datagram: its length and, for a short one, every byte; for a
 * longer one, 8 bytes spread over it and its last byte, so the cost does not grow with the
 * datagram. Two long datagrams that differ only between the samples look alike: it takes
 * that, from the same source, several times in a row, each soon after the one before, to be
 * taken for a loop.
 */
export function fingerprintOf(bytes: Uint8Array): number {
  const length = bytes.length;
  let hash = Math.imul(length ^ 0x9e3779b9, 0x85ebca6b);
  if (length === 0) return smallFingerprint(hash);
  if (length <= WHOLE_FINGERPRINT_BYTES) {
    // Four bytes per multiply: each multiply waits for the one before, so fewer is faster.
    let index = 0;
    for (; index + 4 <= length; index += 4) {
      const word =
        (bytes[index] as number) |
        ((bytes[index + 1] as number) << 8) |
        ((bytes[index + 2] as number) << 16) |
        ((bytes[index + 3] as number) << 24);
      hash = Math.imul(hash ^ word, 0x01000193);
    }
    for (; index < length; index++) hash = Math.imul(hash ^ (bytes[index] as number), 0x01000193);
  } else {
    const stride = ((length - 1) / (FINGERPRINT_SAMPLES - 1)) | 0;
    for (let sample = 0, index = 0; sample < FINGERPRINT_SAMPLES; sample++, index += stride) {
      hash = Math.imul(hash ^ (bytes[index] as number), 0x01000193);
    }
  }
  return smallFingerprint(Math.imul(hash ^ (bytes[length - 1] as number), 0x01000193));
}

/**
 * 30 bits, never 0 (the ring's "no reply"): a small integer for V8 (a Smi), so that returning
 * one allocates nothing, where a full 32-bit value would be a heap number per datagram.
 */
function smallFingerprint(hash: number): number {
  return (hash >>> 2) | 1;
}
