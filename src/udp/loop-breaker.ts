/**
 * Breaks UDP reflection loops between mayus and another echo-like server on any port (another
 * mayus, the lesson's Python server, an RFC 862 echo): one datagram spoofed from the other's
 * address makes each answer the other forever, since uppercase of uppercase is the same text.
 * A source that sends back exactly what we just sent it, within a round trip, several times
 * in a row, is such a loop: it gets no reply for a cooldown, which ends the loop.
 */

export interface LoopBreakerOptions {
  /** Echoes in a row that mark a loop; 0 turns the loop breaker off. */
  echoes?: number;
  /** A datagram is an echo only within this many milliseconds of our last reply to its source. */
  echoWindowMs?: number;
  /** How long a looping source gets no reply. */
  cooldownMs?: number;
  /** Source address and port pairs remembered at once (rounded up to a power of two). */
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
export const RECENT_REPLIES = 8;

/** The table's largest size, 2^20 slots (some 64 MiB): far above any use. */
const MAX_TABLE_BITS = 20;

/** What `check` says of a datagram. */
export type LoopVerdict = "answer" | "muted" | "loop-detected";

/**
 * A fixed-size table indexed by a hash of address and port: a colliding source takes the slot
 * over (the table only forgets, it never grows). Each slot holds the fingerprints of our last
 * replies to its source, when the last one was sent, the echoes in a row and the end of a mute.
 *
 * @example
 * const loops = new LoopBreaker();
 * if (loops.check(message, "127.0.0.1", 40000) === "answer") {
 *   const reply = uppercase(message);
 *   loops.replied(reply); // the source of the last check
 * }
 */
export class LoopBreaker {
  readonly #echoes: number;
  readonly #echoWindowMs: number;
  readonly #cooldownMs: number;
  readonly #now: () => number;
  /** The hash's top bits index the table: 32 minus their count. */
  readonly #shift: number;
  readonly #addresses: (string | undefined)[];
  readonly #ports: Int32Array;
  readonly #lastReplyMs: Float64Array;
  readonly #mutedUntilMs: Float64Array;
  readonly #echoesInARow: Uint8Array;
  /** RECENT_REPLIES fingerprints per slot, a ring; `#nextReply` is where the next one goes. */
  readonly #replies: Int32Array;
  readonly #repliesKept: Uint8Array;
  readonly #nextReply: Uint8Array;
  /** The slot of the last `check`, for `replied`. */
  #slot = -1;
  #nowMs = 0;
  /** The last source address hashed and its hash: a client's datagrams all come from one. */
  #lastAddress = "";
  #lastAddressHash = 0;

  constructor(options: LoopBreakerOptions = {}) {
    this.#echoes = options.echoes ?? LOOP_BREAKER_DEFAULTS.echoes;
    this.#echoWindowMs = options.echoWindowMs ?? LOOP_BREAKER_DEFAULTS.echoWindowMs;
    this.#cooldownMs = options.cooldownMs ?? LOOP_BREAKER_DEFAULTS.cooldownMs;
    this.#now = options.now ?? (() => performance.now());
    const requested = options.tableSize ?? LOOP_BREAKER_DEFAULTS.tableSize;
    const bits = Math.min(MAX_TABLE_BITS, Math.max(1, Math.ceil(Math.log2(Math.max(2, requested)))));
    const size = 2 ** bits;
    this.#shift = 32 - bits;
    this.#addresses = new Array<string | undefined>(size).fill(undefined);
    this.#ports = new Int32Array(size);
    this.#lastReplyMs = new Float64Array(size);
    this.#mutedUntilMs = new Float64Array(size);
    this.#echoesInARow = new Uint8Array(size);
    this.#replies = new Int32Array(size * RECENT_REPLIES);
    this.#repliesKept = new Uint8Array(size);
    this.#nextReply = new Uint8Array(size);
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
    const nowMs = this.#now();
    this.#nowMs = nowMs;
    const slot = this.#slotOf(address, port);
    this.#slot = slot;
    if (this.#addresses[slot] !== address || this.#ports[slot] !== port) {
      // A new source, or one that takes the slot over: it starts with nothing against it.
      this.#addresses[slot] = address;
      this.#ports[slot] = port;
      this.#mutedUntilMs[slot] = 0;
      this.#echoesInARow[slot] = 0;
      this.#repliesKept[slot] = 0;
      this.#nextReply[slot] = 0;
      return "answer";
    }
    if (nowMs < this.#mutedUntilMs[slot]) return "muted";
    if (nowMs - this.#lastReplyMs[slot] > this.#echoWindowMs || !this.#isRecentReply(slot, fingerprintOf(message))) {
      this.#echoesInARow[slot] = 0;
      return "answer";
    }
    const echoes = this.#echoesInARow[slot] + 1;
    if (echoes < this.#echoes) {
      this.#echoesInARow[slot] = echoes;
      return "answer";
    }
    // A loop: what is still in flight comes back while muted and dies here.
    this.#echoesInARow[slot] = 0;
    this.#repliesKept[slot] = 0;
    this.#mutedUntilMs[slot] = nowMs + this.#cooldownMs;
    return "loop-detected";
  }

  /** Records the reply to the source of the last `check` (call it before the next `check`). */
  replied(reply: Uint8Array): void {
    const slot = this.#slot;
    if (slot < 0) return;
    const next = this.#nextReply[slot];
    this.#replies[slot * RECENT_REPLIES + next] = fingerprintOf(reply);
    this.#nextReply[slot] = (next + 1) % RECENT_REPLIES;
    if (this.#repliesKept[slot] < RECENT_REPLIES) this.#repliesKept[slot]++;
    this.#lastReplyMs[slot] = this.#nowMs;
  }

  #isRecentReply(slot: number, fingerprint: number): boolean {
    const first = slot * RECENT_REPLIES;
    const kept = this.#repliesKept[slot];
    for (let index = 0; index < kept; index++) if (this.#replies[first + index] === fingerprint) return true;
    return false;
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

/** Bytes of a datagram a fingerprint looks at, spread evenly from the first to the last. */
const FINGERPRINT_SAMPLES = 16;

/**
 * A cheap fingerprint of a datagram: its length and 16 bytes spread over it, so the cost does
 * not grow with the datagram. Two datagrams that differ only between the samples look alike:
 * it takes that, from the same source, several times in a row, within a round trip, to be
 * taken for a loop.
 */
export function fingerprintOf(bytes: Uint8Array): number {
  const length = bytes.length;
  let hash = Math.imul(length ^ 0x9e3779b9, 0x85ebca6b);
  if (length <= FINGERPRINT_SAMPLES) {
    for (let index = 0; index < length; index++) hash = Math.imul(hash ^ (bytes[index] as number), 0x01000193);
    return hash;
  }
  const step = (length - 1) / (FINGERPRINT_SAMPLES - 1);
  for (let sample = 0; sample < FINGERPRINT_SAMPLES; sample++) {
    hash = Math.imul(hash ^ (bytes[(sample * step) | 0] as number), 0x01000193);
  }
  return hash;
}
