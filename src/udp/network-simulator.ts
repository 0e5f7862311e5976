/**
 * An unreliable network, simulated inside the UDP server for teaching (`--drop`,
 * `--duplicate`, `--delay MS±JITTER`, `--seed`): the lesson says datagrams can be lost,
 * duplicated or reordered, and this makes it happen on loopback, repeatably.
 */

import { optionInRange } from "../errors.js";

export interface NetworkSimulatorOptions {
  /** Chance (0 to 1) that a reply is lost. Exact: 0.3 drops 30 in 100 on average. */
  dropProbability?: number;
  /** Chance (0 to 1) that a reply is sent twice. */
  duplicateProbability?: number;
  /** Every reply waits this long before it is sent... */
  delayMs?: number;
  /** ...plus or minus up to this much, uniformly, so replies can overtake each other. */
  jitterMs?: number;
  /** The same seed gives the same decisions for the same sequence of datagrams. */
  seed?: number;
}

/** The knobs that can change while the server runs: every option but the seed. */
export type NetworkSettings = Required<Omit<NetworkSimulatorOptions, "seed">>;

/** The options' ranges: probabilities 0 to 1, delays up to an hour, a 32-bit seed. */
export const NETWORK_SIMULATOR_RANGES = {
  dropProbability: { min: 0, max: 1 },
  duplicateProbability: { min: 0, max: 1 },
  delayMs: { min: 0, max: 3_600_000 },
  jitterMs: { min: 0, max: 3_600_000 },
  seed: { min: 0, max: 2 ** 32 - 1 },
} as const;

/** What happens to one reply. */
export interface NetworkFate {
  dropped: boolean;
  /** One delay per copy sent (two when duplicated); empty when dropped. */
  delaysMs: number[];
}

/**
 * @example
 * ```ts
 * import { NetworkSimulator } from "./network-simulator.js";
 * const network = new NetworkSimulator({ dropProbability: 0.3, delayMs: 20, jitterMs: 10, seed: 7 });
 * const fate = network.decide(); // { dropped: false, delaysMs: [23.4] } or { dropped: true, delaysMs: [] }
 * ```
 */
/** `value` if it is in `name`'s range; else a RangeError naming the option and its range. */
function inRange(name: keyof typeof NETWORK_SIMULATOR_RANGES, value: number, whole = false): number {
  const { min, max } = NETWORK_SIMULATOR_RANGES[name];
  return optionInRange(`network.${name}`, value, min, max, whole);
}

export class NetworkSimulator {
  readonly #options: Required<NetworkSimulatorOptions>;
  readonly #random: () => number;

  constructor(options: NetworkSimulatorOptions = {}) {
    this.#options = {
      dropProbability: inRange("dropProbability", options.dropProbability ?? 0),
      duplicateProbability: inRange("duplicateProbability", options.duplicateProbability ?? 0),
      delayMs: inRange("delayMs", options.delayMs ?? 0),
      jitterMs: inRange("jitterMs", options.jitterMs ?? 0),
      seed: inRange("seed", options.seed ?? randomSeed(), true),
    };
    this.#random = mulberry32(this.#options.seed);
  }

  get seed(): number {
    return this.#options.seed;
  }

  get settings(): NetworkSettings {
    const { dropProbability, duplicateProbability, delayMs, jitterMs } = this.#options;
    return { dropProbability, duplicateProbability, delayMs, jitterMs };
  }

  /**
   * Changes the knobs given; the generator goes on from where it is (a run stays repeatable).
   * @throws RangeError for a value out of its range (as the constructor), and changes nothing then.
   */
  configure(settings: Partial<NetworkSettings>): void {
    const checked = { ...this.settings };
    for (const key of ["dropProbability", "duplicateProbability", "delayMs", "jitterMs"] as const) {
      const value = settings[key];
      if (value !== undefined) checked[key] = inRange(key, value);
    }
    Object.assign(this.#options, checked);
  }

  /** Whether it changes anything at all (when not, the server skips it). */
  get isActive(): boolean {
    const { dropProbability, duplicateProbability, delayMs, jitterMs } = this.#options;
    return dropProbability > 0 || duplicateProbability > 0 || delayMs > 0 || jitterMs > 0;
  }

  decide(): NetworkFate {
    const { dropProbability, duplicateProbability } = this.#options;
    // Draw every number every time, so one decision does not shift the ones after it.
    const dropDraw = this.#random();
    const duplicateDraw = this.#random();
    const firstDelay = this.#delay();
    const secondDelay = this.#delay();
    if (dropDraw < dropProbability) return { dropped: true, delaysMs: [] };
    return {
      dropped: false,
      delaysMs: duplicateDraw < duplicateProbability ? [firstDelay, secondDelay] : [firstDelay],
    };
  }

  #delay(): number {
    const { delayMs, jitterMs } = this.#options;
    const draw = this.#random();
    return Math.max(0, delayMs + (draw * 2 - 1) * jitterMs);
  }
}

/** A seed for a run that was not given one (printed, so that the run can be repeated). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 2 ** 32);
}

/** A small, well-known seeded generator (mulberry32): 32 bits of state, uniform in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let mixed = Math.imul(state ^ (state >>> 15), 1 | state);
    mixed = (mixed + Math.imul(mixed ^ (mixed >>> 7), 61 | mixed)) ^ mixed;
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * Reads `--delay`: `20`, `20±10` or `20+-10` (milliseconds, jitter after the sign).
 *
 * @example
 * ```ts
 * import { parseDelay } from "./network-simulator.js";
 * parseDelay("5±5"); // { delayMs: 5, jitterMs: 5 }
 * ```
 */
export function parseDelay(text: string): { delayMs: number; jitterMs: number } | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(?:(?:±|\+-|\+\/-)\s*(\d+(?:\.\d+)?))?\s*$/.exec(text);
  if (match === null) return undefined;
  return { delayMs: Number(match[1]), jitterMs: match[2] === undefined ? 0 : Number(match[2]) };
}
