/**
 * Per-source token buckets for the UDP server (datagrams per second and bytes per second),
 * in a table of bounded size: a flood of spoofed sources evicts the oldest entries instead
 * of growing memory. An evicted source starts again with a full bucket, so the bound never
 * refuses an honest client, it only forgets.
 */

import { optionInRange } from "../errors.js";

export interface SourceRateLimiterOptions {
  /** Datagrams per second per source address; 0 turns the datagram limit off. */
  datagramsPerSecond?: number;
  /** Bytes per second per source address; 0 turns the byte limit off. */
  bytesPerSecond?: number;
  /** Bucket size, in seconds of rate: how long a burst may run at any speed. */
  burstSeconds?: number;
  /** Most source addresses remembered at once. */
  maxSources?: number;
  /** Milliseconds now; a test may pass its own clock. */
  now?: () => number;
}

export const RATE_LIMIT_DEFAULTS = {
  datagramsPerSecond: 2000,
  bytesPerSecond: 8 * 1024 * 1024,
  burstSeconds: 1,
  maxSources: 10_000,
} as const;
/** The options' ranges (`--udp-rate`, `--udp-byte-rate`, `--udp-rate-sources` take the same). */
export const RATE_LIMIT_RANGES = {
  datagramsPerSecond: { min: 0, max: 10_000_000 },
  bytesPerSecond: { min: 0, max: 10_000_000_000 },
  burstSeconds: { min: 0.001, max: 3600 },
  maxSources: { min: 1, max: 10_000_000 },
} as const;

interface Bucket {
  datagrams: number;
  bytes: number;
  updatedMs: number;
}

/**
 * @example
 * ```ts
 * import { SourceRateLimiter } from "./source-rate-limiter.js";
 * const limiter = new SourceRateLimiter({ datagramsPerSecond: 10 });
 * limiter.allow("192.0.2.1", 64); // true until the source has sent 10 in a second
 * ```
 */
export class SourceRateLimiter {
  readonly #datagramsPerSecond: number;
  readonly #bytesPerSecond: number;
  readonly #burstSeconds: number;
  readonly #maxSources: number;
  readonly #now: () => number;
  /** Map keeps insertion order: the first key is the source touched longest ago. */
  readonly #buckets = new Map<string, Bucket>();

  constructor(options: SourceRateLimiterOptions = {}) {
    // Out of range is an error, not a server that refuses every datagram (-1, NaN) or none.
    const inRange = (name: keyof typeof RATE_LIMIT_RANGES, whole: boolean) =>
      optionInRange(
        `rateLimit.${name}`,
        options[name] ?? RATE_LIMIT_DEFAULTS[name],
        RATE_LIMIT_RANGES[name].min,
        RATE_LIMIT_RANGES[name].max,
        whole,
      );
    this.#datagramsPerSecond = inRange("datagramsPerSecond", true);
    this.#bytesPerSecond = inRange("bytesPerSecond", true);
    this.#burstSeconds = inRange("burstSeconds", false);
    this.#maxSources = inRange("maxSources", true);
    this.#now = options.now ?? (() => performance.now());
  }

  get isActive(): boolean {
    return this.#datagramsPerSecond > 0 || this.#bytesPerSecond > 0;
  }

  /** Sources remembered now (never more than `maxSources`). */
  get size(): number {
    return this.#buckets.size;
  }

  /** Takes one datagram of `bytes` from the source's bucket; false when it is empty. */
  allow(source: string, bytes: number): boolean {
    const nowMs = this.#now();
    let bucket = this.#buckets.get(source);
    if (bucket === undefined) {
      if (this.#buckets.size >= this.#maxSources) {
        const oldest = this.#buckets.keys().next().value as string;
        this.#buckets.delete(oldest);
      }
      bucket = {
        datagrams: this.#datagramsPerSecond * this.#burstSeconds,
        bytes: this.#bytesPerSecond * this.#burstSeconds,
        updatedMs: nowMs,
      };
    } else {
      this.#buckets.delete(source); // re-inserted below, as the newest
      const elapsedSeconds = (nowMs - bucket.updatedMs) / 1000;
      bucket.datagrams = Math.min(
        this.#datagramsPerSecond * this.#burstSeconds,
        bucket.datagrams + elapsedSeconds * this.#datagramsPerSecond,
      );
      bucket.bytes = Math.min(
        this.#bytesPerSecond * this.#burstSeconds,
        bucket.bytes + elapsedSeconds * this.#bytesPerSecond,
      );
      bucket.updatedMs = nowMs;
    }
    this.#buckets.set(source, bucket);
    const datagramsOk = this.#datagramsPerSecond === 0 || bucket.datagrams >= 1;
    const bytesOk = this.#bytesPerSecond === 0 || bucket.bytes >= bytes;
    if (!datagramsOk || !bytesOk) return false;
    bucket.datagrams -= 1;
    bucket.bytes -= bytes;
    return true;
  }
}
