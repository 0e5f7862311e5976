/** The UDP client's retransmission timeout: TCP's estimator (RFC 6298) over reply round trips. */

export interface RetransmissionTimeoutOptions {
  /** The RTO until the first round trip is measured (RFC 6298 §2.1; the lesson's 1 s). */
  initialRtoMs: number;
  /** The floor: an RTO computed below it is raised to it (§2.4). */
  minRtoMs: number;
  /** The ceiling: neither a computed nor a backed-off RTO goes above it (§2.5). */
  maxRtoMs: number;
}

/** RFC 6298 §2's gains (α = 1/8, β = 1/4) and K = 4. */
const ALPHA = 1 / 8;
const BETA = 1 / 4;
const K = 4;
/** G, the clock granularity: Node's timers count whole milliseconds. */
const CLOCK_GRANULARITY_MS = 1;

/**
 * SRTT and RTTVAR from each fresh sample, the RTO from them, clamped to the floor and ceiling,
 * doubled per timeout. One estimator serves every request in flight: they share one path.
 *
 * Back-off counts rounds, not timeouts: a timeout doubles the RTO only if its request was
 * waiting on the RTO as it is now, so eight requests lost in the same round double it once,
 * not eight times (TCP, with one timer per connection, doubles once per round too). A fresh
 * sample ends the back-off: the RTO is computed again from SRTT and RTTVAR (§5.7).
 *
 * @example
 * ```ts
 * import { RetransmissionTimeout } from "./retransmission-timeout.js";
 * const rto = new RetransmissionTimeout({ initialRtoMs: 1000, minRtoMs: 10, maxRtoMs: 60_000 });
 * rto.replied(0.4, 1); // a first try answered in 0.4 ms: SRTT 0.4, RTTVAR 0.2
 * rto.rtoMs; // 10: 0.4 + max(1, 4 × 0.2) = 1.4 ms, raised to the floor
 * ```
 */
export class RetransmissionTimeout {
  readonly #options: RetransmissionTimeoutOptions;
  #smoothedRttMs: number | undefined;
  #rttVariationMs = 0;
  #backoffs = 0;

  constructor(options: RetransmissionTimeoutOptions) {
    if (!(options.minRtoMs > 0 && options.minRtoMs <= options.maxRtoMs)) {
      throw new RangeError(`minRtoMs (${options.minRtoMs}) must be above 0 and at most maxRtoMs (${options.maxRtoMs})`);
    }
    this.#options = { ...options };
  }

  /** SRTT, or `undefined` before the first sample. */
  get smoothedRttMs(): number | undefined {
    return this.#smoothedRttMs;
  }

  get rttVariationMs(): number {
    return this.#rttVariationMs;
  }

  /** How many times the RTO is doubled now (0 after a fresh sample). */
  get backoffs(): number {
    return this.#backoffs;
  }

  /** How long to wait for a reply to a request sent now. */
  get rtoMs(): number {
    return Math.min(this.#baseRtoMs() * 2 ** this.#backoffs, this.#options.maxRtoMs);
  }

  /**
   * A reply came `rttMs` after the last send of a request that was sent `tries` times. Karn's
   * rule: the reply to a request sent more than once may answer any of its sends, so it gives
   * no sample. Returns whether it was taken as a sample.
   */
  replied(rttMs: number, tries: number): boolean {
    if (tries !== 1) return false;
    const sample = Math.max(0, rttMs);
    if (this.#smoothedRttMs === undefined) {
      this.#smoothedRttMs = sample;
      this.#rttVariationMs = sample / 2;
    } else {
      this.#rttVariationMs = (1 - BETA) * this.#rttVariationMs + BETA * Math.abs(this.#smoothedRttMs - sample);
      this.#smoothedRttMs = (1 - ALPHA) * this.#smoothedRttMs + ALPHA * sample;
    }
    this.#backoffs = 0;
    return true;
  }

  /**
   * A request got no reply in time; `backoffsWhenArmed` is `backoffs` as it was when its wait
   * began. The RTO doubles (§5.5) unless a timeout of the same round already doubled it.
   */
  timedOut(backoffsWhenArmed: number): void {
    if (backoffsWhenArmed < this.#backoffs) return;
    if (this.#baseRtoMs() * 2 ** this.#backoffs >= this.#options.maxRtoMs) return;
    this.#backoffs++;
  }

  #baseRtoMs(): number {
    const { initialRtoMs, minRtoMs, maxRtoMs } = this.#options;
    const srtt = this.#smoothedRttMs;
    const computed =
      srtt === undefined ? initialRtoMs : srtt + Math.max(CLOCK_GRANULARITY_MS, K * this.#rttVariationMs);
    return Math.min(Math.max(computed, minRtoMs), maxRtoMs);
  }
}
