/**
 * `serve --heartbeat`: per sender (address and port), the last heartbeat's sequence number and
 * when it came, in a table of bounded size. It reports gaps (heartbeats lost), the one-way delay,
 * a sender presumed down after a silence of `timeoutMs`, and its return. The clock is a
 * dependency, so a test can move time instead of waiting for it.
 */

import { formatAddress, unmapIPv4 } from "../address/address.js";
import { optionInRange } from "../errors.js";
import { parseHeartbeat } from "./heartbeat-format.js";

export interface HeartbeatOptions {
  /** Silence after which a sender is presumed down. */
  timeoutMs?: number;
  /** Senders remembered at once; a new one past it evicts the one heard from least recently. */
  maxSenders?: number;
  /**
   * Largest gap counted as heartbeats lost: a sequence number further than this from the last
   * (ahead or behind) is a `jump` (a restarted sender, or a spoofed datagram), counted apart,
   * and the sender's numbers go on from it. Without it, one `HEARTBEAT 9007199254740991 1`
   * would add nine quadrillion to the heartbeats lost.
   */
  maxGapCounted?: number;
}

/** Defaults of the named limits (the serve flags show the same values). */
export const HEARTBEAT_DEFAULTS = { timeoutMs: 5000, maxSenders: 1024, maxGapCounted: 1000 } as const;
/** The ranges of those limits (the serve flags take the same): out of range is a RangeError. */
export const HEARTBEAT_RANGES = {
  timeoutMs: { min: 1, max: 86_400_000 },
  maxSenders: { min: 1, max: 1_000_000 },
  maxGapCounted: { min: 1, max: 1_000_000 },
} as const;

/** What the table tells its operator; `peer` is `ADDRESS:PORT`. */
export type HeartbeatEvent =
  /** A sender's first heartbeat. `delayMs`: receive time minus the sender's timestamp. */
  | { kind: "first"; peer: string; sequence: number; delayMs: number }
  /** Every heartbeat (logged at debug level). */
  | { kind: "beat"; peer: string; sequence: number; delayMs: number }
  /** Sequence numbers `first`..`last` never came before a later one did. */
  | { kind: "lost"; peer: string; count: number; first: number; last: number }
  /** A sequence number at or below the last one: late (after a later one) or duplicated. */
  | { kind: "late"; peer: string; sequence: number }
  /** A sequence number more than `maxGapCounted` from the last: not counted as lost nor late. */
  | { kind: "jump"; peer: string; from: number; to: number; maxGapCounted: number }
  | { kind: "down"; peer: string; silentMs: number; sequence: number }
  | { kind: "up"; peer: string; silentMs: number; sequence: number }
  | { kind: "evicted"; peer: string; maxSenders: number };

export interface HeartbeatStatistics {
  received: number;
  /** Senders in the table now (down ones included, until evicted). */
  senders: number;
  lost: number;
  late: number;
  /** Sequence numbers too far from the last to count as a gap (see `maxGapCounted`). */
  jumps: number;
  downEvents: number;
  evicted: number;
}

interface Sender {
  lastSequence: number;
  lastHeardMs: number;
  down: boolean;
}

/**
 * @example
 * ```ts
 * import { HeartbeatTable } from "./heartbeat-table.js";
 * const table = new HeartbeatTable({ timeoutMs: 5000 }, (event) => console.log(event));
 * table.observe(Buffer.from("HEARTBEAT 1 1765000000000"), "127.0.0.1", 5000); // { kind: "first", ... }
 * table.start(); // checks for silent senders until close()
 * table.close();
 * ```
 */
export class HeartbeatTable {
  readonly timeoutMs: number;
  readonly maxSenders: number;
  readonly maxGapCounted: number;
  /** Senders up, oldest heard first: a heartbeat moves its sender to the end, so the sweep stops early. */
  readonly #senders = new Map<string, Sender>();
  /** Senders presumed down, in the order they went down: the sweep never walks them again. */
  readonly #down = new Map<string, Sender>();
  readonly #statistics = { received: 0, lost: 0, late: 0, jumps: 0, downEvents: 0, evicted: 0 };
  #timer: NodeJS.Timeout | undefined;

  constructor(
    options: HeartbeatOptions,
    readonly report: (event: HeartbeatEvent) => void,
    /** Wall-clock milliseconds since 1970: the senders' timestamps are on that scale. */
    readonly now: () => number = Date.now,
  ) {
    const { timeoutMs, maxSenders, maxGapCounted } = HEARTBEAT_RANGES;
    this.timeoutMs = optionInRange(
      "timeoutMs",
      options.timeoutMs ?? HEARTBEAT_DEFAULTS.timeoutMs,
      timeoutMs.min,
      timeoutMs.max,
    );
    this.maxSenders = optionInRange(
      "maxSenders",
      options.maxSenders ?? HEARTBEAT_DEFAULTS.maxSenders,
      maxSenders.min,
      maxSenders.max,
      true,
    );
    this.maxGapCounted = optionInRange(
      "maxGapCounted",
      options.maxGapCounted ?? HEARTBEAT_DEFAULTS.maxGapCounted,
      maxGapCounted.min,
      maxGapCounted.max,
      true,
    );
  }

  /**
   * Looks at a datagram the UDP server is about to answer: a heartbeat is recorded, anything
   * else is ignored. `address` as the socket gives it (an IPv4-mapped address is shown as IPv4).
   */
  observe(datagram: Uint8Array, address: string, port: number): void {
    const heartbeat = parseHeartbeat(datagram);
    if (heartbeat === undefined) return;
    this.#statistics.received++;
    const nowMs = this.now();
    const peer = formatAddress(unmapIPv4(address), port);
    const { sequence } = heartbeat;
    const delayMs = nowMs - heartbeat.sentAtMs;
    const sender = this.#senders.get(peer) ?? this.#down.get(peer);
    if (sender === undefined) {
      this.#add(peer, { lastSequence: sequence, lastHeardMs: nowMs, down: false });
      this.report({ kind: "first", peer, sequence, delayMs });
      return;
    }
    const silentMs = nowMs - sender.lastHeardMs;
    this.#senders.delete(peer);
    this.#senders.set(peer, sender);
    sender.lastHeardMs = nowMs;
    if (sender.down) {
      sender.down = false;
      this.#down.delete(peer);
      this.report({ kind: "up", peer, silentMs, sequence });
      if (sequence <= sender.lastSequence) {
        // Back from a silence with a number at or below its last: a sender started again (its
        // numbers start over), not one late heartbeat; count its gaps from here on.
        sender.lastSequence = sequence;
        this.report({ kind: "beat", peer, sequence, delayMs });
        return;
      }
    }
    if (Math.abs(sequence - sender.lastSequence) > this.maxGapCounted) {
      this.#statistics.jumps++;
      const from = sender.lastSequence;
      sender.lastSequence = sequence;
      this.report({ kind: "jump", peer, from, to: sequence, maxGapCounted: this.maxGapCounted });
      this.report({ kind: "beat", peer, sequence, delayMs });
      return;
    }
    if (sequence <= sender.lastSequence) {
      this.#statistics.late++;
      this.report({ kind: "late", peer, sequence });
      return;
    }
    if (sequence > sender.lastSequence + 1) {
      const count = sequence - sender.lastSequence - 1;
      this.#statistics.lost += count;
      this.report({ kind: "lost", peer, count, first: sender.lastSequence + 1, last: sequence - 1 });
    }
    sender.lastSequence = sequence;
    this.report({ kind: "beat", peer, sequence, delayMs });
  }

  /** Marks senders silent for `timeoutMs` or more as down (the timer calls it; so may a test). */
  sweep(): void {
    const nowMs = this.now();
    for (const [peer, sender] of this.#senders) {
      const silentMs = nowMs - sender.lastHeardMs;
      // Oldest heard first: once one is recent enough, the rest are too.
      if (silentMs < this.timeoutMs) break;
      sender.down = true;
      this.#senders.delete(peer);
      this.#down.set(peer, sender);
      this.#statistics.downEvents++;
      this.report({ kind: "down", peer, silentMs, sequence: sender.lastSequence });
    }
  }

  /** Sweeps several times per timeout, so a sender is presumed down soon after its timeout passes. */
  start(): void {
    if (this.#timer !== undefined) return;
    const periodMs = Math.min(1000, Math.max(10, this.timeoutMs / 10));
    this.#timer = setInterval(() => this.sweep(), periodMs);
    this.#timer.unref();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  statistics(): HeartbeatStatistics {
    return { ...this.#statistics, senders: this.#senders.size + this.#down.size };
  }

  /** A new sender; when the table is full, the one heard from least recently goes (a down one first). */
  #add(peer: string, sender: Sender): void {
    if (this.#senders.size + this.#down.size >= this.maxSenders) {
      const from = this.#down.size > 0 ? this.#down : this.#senders;
      const [oldest] = from.keys();
      from.delete(oldest);
      this.#statistics.evicted++;
      this.report({ kind: "evicted", peer: oldest, maxSenders: this.maxSenders });
    }
    this.#senders.set(peer, sender);
  }
}
