/**
 * `mayus heartbeat`: sends `HEARTBEAT <seq> <unix-ms>` datagrams one interval apart on a
 * connected socket (so a closed port shows as "connection refused"), and counts the answers.
 * A heartbeat needs no answer (the server's table is the point); the count shows the server
 * got them.
 */

import type { Socket as DatagramSocket } from "node:dgram";
import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";
import { formatAddress } from "../address/address.js";
import { connectUdp } from "../client/connected-udp-socket.js";
import { connectError, type MayusError, optionInRange } from "../errors.js";
import { formatHeartbeat } from "./heartbeat-format.js";

export interface HeartbeatSenderOptions {
  host: string;
  port: number;
  /** Heartbeats in all (skipped ones included); undefined: until `stop()`. */
  count?: number;
  intervalMs?: number;
  /** Teaching: sequence numbers not sent, so the server sees a gap. */
  skip?: ReadonlySet<number>;
  /** The clock whose time each heartbeat carries (Unix milliseconds). */
  now?: () => number;
}

export const HEARTBEAT_SENDER_DEFAULTS = { intervalMs: 1000 } as const;
/** The options' ranges (`mayus heartbeat` takes the interval in seconds, from 0.001 to 3600). */
export const HEARTBEAT_SENDER_RANGES = {
  count: { min: 1, max: Number.MAX_SAFE_INTEGER },
  intervalMs: { min: 0, max: 3_600_000 },
} as const;
/** After the last heartbeat, how long its answer is waited for, at most. */
export const LAST_ANSWER_WAIT_MS = 1000;
/** Unanswered heartbeats remembered for matching answers (the oldest is forgotten first). */
const MAX_AWAITED_ANSWERS = 1024;

export interface HeartbeatSenderEvents {
  heartbeat: [{ sequence: number; skipped: boolean }];
}

export interface HeartbeatSummary {
  sent: number;
  skipped: number;
  /** Heartbeats whose answer (the server's echo of it, in any case) came back. */
  answered: number;
}

const ANSWER = /^heartbeat (\d+) (\d+)\r?\n?$/i;

/**
 * When the heartbeat after `sequence` goes: scheduled from the start (`startMs`, monotonic), so
 * the rhythm holds whatever the timers' drift. A sender more than an interval behind (stopped
 * with Ctrl-Z, a suspended laptop, a stalled machine) starts the rhythm again from now: sending
 * each missed heartbeat at once would be a burst that hides the silence the server should see.
 *
 * @example
 * ```ts
 * import { nextHeartbeat } from "./heartbeat-sender.js";
 * nextHeartbeat(0, 3, 1000, 2500); // { startMs: 0, delayMs: 500 }
 * nextHeartbeat(0, 3, 1000, 60_000); // { startMs: 58_000, delayMs: 1000 }: not 57 at once
 * ```
 */
export function nextHeartbeat(
  startMs: number,
  sequence: number,
  intervalMs: number,
  nowMs: number,
): { startMs: number; delayMs: number } {
  const dueMs = startMs + sequence * intervalMs;
  if (nowMs - dueMs <= intervalMs) return { startMs, delayMs: Math.max(0, dueMs - nowMs) };
  return { startMs: nowMs - (sequence - 1) * intervalMs, delayMs: intervalMs };
}

/**
 * @example
 * ```ts
 * import { HeartbeatSender } from "./heartbeat-sender.js";
 * const sender = new HeartbeatSender({ host: "127.0.0.1", port: 12000, count: 3, intervalMs: 200 });
 * sender.on("heartbeat", ({ sequence }) => console.log("sent", sequence));
 * await sender.run(); // { sent: 3, skipped: 0, answered: 3 }
 * ```
 */
export class HeartbeatSender extends EventEmitter<HeartbeatSenderEvents> {
  readonly #host: string;
  readonly #port: number;
  readonly #count: number;
  readonly #intervalMs: number;
  readonly #skip: ReadonlySet<number>;
  readonly #now: () => number;
  #address: string;
  #socket: DatagramSocket | undefined;
  /** Unanswered heartbeats' payload times by sequence (at most MAX_AWAITED_ANSWERS). */
  readonly #awaited = new Map<number, string>();
  #sentCount = 0;
  #sequence = 0;
  #skipped = 0;
  #answered = 0;
  #timer: NodeJS.Timeout | undefined;
  #finish: (() => void) | undefined;
  #fail: ((error: MayusError) => void) | undefined;
  #stopped = false;

  constructor(options: HeartbeatSenderOptions) {
    super();
    const { count, intervalMs } = HEARTBEAT_SENDER_RANGES;
    this.#host = options.host;
    this.#port = optionInRange("port", options.port, 1, 65_535, true);
    this.#count =
      options.count === undefined
        ? Number.POSITIVE_INFINITY
        : optionInRange("count", options.count, count.min, count.max, true);
    this.#intervalMs = optionInRange(
      "intervalMs",
      options.intervalMs ?? HEARTBEAT_SENDER_DEFAULTS.intervalMs,
      intervalMs.min,
      intervalMs.max,
    );
    this.#skip = options.skip ?? new Set();
    this.#now = options.now ?? Date.now;
    this.#address = formatAddress(options.host, options.port);
  }

  /** The server's address: as given until `open()`, then as resolved. */
  get address(): string {
    return this.#address;
  }

  async open(): Promise<void> {
    if (this.#socket !== undefined) return;
    const { socket, address } = await connectUdp(this.#host, this.#port, (error) => this.#fail?.(error));
    this.#address = address;
    socket.on("message", (answer) => this.#receive(answer));
    this.#socket = socket;
  }

  /** Sends until `count` or `stop()`; resolves with the summary. Rejects when nothing listens. */
  async run(): Promise<HeartbeatSummary> {
    try {
      await this.open();
      const socket = this.#socket as DatagramSocket;
      await new Promise<void>((resolve, reject) => {
        this.#finish = resolve;
        this.#fail = reject;
        if (this.#stopped) resolve();
        else this.#sendNext(socket, performance.now());
      });
      return { sent: this.#sentCount, skipped: this.#skipped, answered: this.#answered };
    } finally {
      clearTimeout(this.#timer);
      this.#socket?.close();
      this.#socket = undefined;
    }
  }

  /** Stops now (Ctrl-C): `run()` resolves with what was sent and answered so far. */
  stop(): void {
    this.#stopped = true;
    this.#finish?.();
  }

  #sendNext(socket: DatagramSocket, startMs: number): void {
    const sequence = ++this.#sequence;
    const skipped = this.#skip.has(sequence);
    if (skipped) this.#skipped++;
    else {
      const sentAtMs = this.#now();
      this.#sentCount++;
      this.#awaited.set(sequence, String(Math.round(sentAtMs)));
      if (this.#awaited.size > MAX_AWAITED_ANSWERS) this.#awaited.delete(this.#awaited.keys().next().value as number);
      socket.send(formatHeartbeat(sequence, sentAtMs), (error) => {
        if (error) this.#fail?.(connectError(error as NodeJS.ErrnoException, this.#host, this.#address));
      });
    }
    this.emit("heartbeat", { sequence, skipped });
    if (sequence >= this.#count) {
      // Answers still out get LAST_ANSWER_WAIT_MS; the run ends as soon as the last one is in.
      const waitMs = this.#answered === this.#sentCount ? 0 : LAST_ANSWER_WAIT_MS;
      this.#timer = setTimeout(() => this.#finish?.(), waitMs);
      return;
    }
    const next = nextHeartbeat(startMs, sequence, this.#intervalMs, performance.now());
    this.#timer = setTimeout(() => this.#sendNext(socket, next.startMs), next.delayMs);
  }

  #receive(answer: Buffer): void {
    const match = ANSWER.exec(answer.toString("latin1"));
    if (match === null || this.#awaited.get(Number(match[1])) !== match[2]) return;
    this.#awaited.delete(Number(match[1]));
    this.#answered++;
    if (this.#sequence >= this.#count && this.#answered === this.#sentCount) this.#finish?.();
  }
}
