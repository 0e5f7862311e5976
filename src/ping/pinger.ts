/**
 * The lesson's UDP pinger: sends `Ping <sequence> <time>` datagrams one interval apart on a
 * connected socket, times each echo, and reports one result per ping, in order, then the summary.
 *
 * Matching rule: a reply is the echo of a ping when, read case-insensitively, it is `PING`,
 * the ping's sequence number and the ping's send time (the uppercase server answers
 * `PING 3 1718000000000` to `Ping 3 1718000000000`). A second reply for the same ping is a
 * duplicate, a reply after the ping's timeout is late, anything else is stray: none of them
 * counts as a reply, as a late or duplicated datagram must never pass for another ping's echo.
 */

import type { Socket as DatagramSocket } from "node:dgram";
import { EventEmitter } from "node:events";
import { performance } from "node:perf_hooks";
import { formatAddress } from "../address/address.js";
import { connectUdp } from "../client/connected-udp-socket.js";
import { connectError, type MayusError } from "../errors.js";
import { type PingStatistics, pingStatistics } from "./ping-statistics.js";

export interface PingerOptions {
  host: string;
  port: number;
  /** Pings to send. */
  count?: number;
  /** From one ping's sending to the next one's. */
  intervalMs?: number;
  /** How long each ping waits for its echo before it counts as lost. */
  timeoutMs?: number;
}

export const PINGER_DEFAULTS = { count: 10, intervalMs: 1000, timeoutMs: 1000 } as const;

/** What became of one ping. `rttMs` is measured on a monotonic clock, not from the payload. */
export type PingResult =
  | { sequence: number; status: "reply"; rttMs: number; from: string }
  | { sequence: number; status: "timeout" };

export interface PingSummary extends PingStatistics {
  /** Every ping that was reported, in sequence order. */
  results: PingResult[];
  /** Second and later echoes of a ping that was already answered. */
  duplicates: number;
  /** Echoes that came after their ping had timed out. */
  late: number;
  /** Datagrams that were no echo of any ping sent. */
  stray: number;
  /** Whether `stop()` ended the run before every ping was sent and answered or timed out. */
  stopped: boolean;
}

export interface PingerEvents {
  /** One per ping, in sequence order (a reply waits for the timeouts of the pings before it). */
  result: [PingResult];
}

interface Ping {
  sequence: number;
  payloadTime: string;
  sentAtMs: number;
  outcome: PingResult | undefined;
  timer: NodeJS.Timeout | undefined;
}

const ECHO = /^ping (\d+) (\d+)$/i;

/**
 * @example
 * ```ts
 * import { Pinger } from "./pinger.js";
 * const pinger = new Pinger({ host: "localhost", port: 12000, count: 3, intervalMs: 200 });
 * pinger.on("result", (result) => console.log(result.sequence, result.status));
 * const summary = await pinger.run(); // { transmitted: 3, received: 3, lossPercent: 0, rtt: {...}, ... }
 * ```
 */
export class Pinger extends EventEmitter<PingerEvents> {
  readonly #options: Required<PingerOptions>;
  #address: string;
  #socket: DatagramSocket | undefined;
  #pings: Ping[] = [];
  #nextToReport = 0;
  #duplicates = 0;
  #late = 0;
  #stray = 0;
  #running = false;
  #stopped = false;
  #sendTimer: NodeJS.Timeout | undefined;
  #settle: (() => void) | undefined;
  #fail: ((error: MayusError) => void) | undefined;

  constructor(options: PingerOptions) {
    super();
    this.#options = {
      host: options.host,
      port: options.port,
      count: options.count ?? PINGER_DEFAULTS.count,
      intervalMs: options.intervalMs ?? PINGER_DEFAULTS.intervalMs,
      timeoutMs: options.timeoutMs ?? PINGER_DEFAULTS.timeoutMs,
    };
    const { count, intervalMs, timeoutMs, port } = this.#options;
    if (!Number.isSafeInteger(count) || count < 1) throw new RangeError(`count must be a whole number >= 1: ${count}`);
    if (!(intervalMs >= 0)) throw new RangeError(`intervalMs must be >= 0: ${intervalMs}`);
    if (!(timeoutMs > 0)) throw new RangeError(`timeoutMs must be > 0: ${timeoutMs}`);
    if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port out of range: ${port}`);
    this.#address = formatAddress(options.host, options.port);
  }

  /** The server's address: as given until `open()`, then as resolved (`127.0.0.1:12000`). */
  get address(): string {
    return this.#address;
  }

  /** Looks the host up and connects the socket (no packet is sent: UDP has no handshake). */
  async open(): Promise<void> {
    if (this.#socket !== undefined) return;
    const { host, port } = this.#options;
    // On a connected socket, an ICMP "port unreachable" comes back as ECONNREFUSED.
    const { socket, address } = await connectUdp(host, port, (error) => this.#fail?.(error));
    this.#address = address;
    socket.on("message", (reply, from) => this.#receive(reply, formatAddress(from.address, from.port)));
    this.#socket = socket;
  }

  /**
   * Sends the pings (opening first if need be), emits `result` for each in order, and
   * resolves with the summary once the last has its echo or has timed out. Rejects with a
   * `MayusError` if the network says no (connection refused: nothing listens on the port).
   * The socket is closed at the end either way.
   */
  async run(): Promise<PingSummary> {
    if (this.#running || this.#pings.length > 0) throw new Error("Pinger.run() can run once");
    this.#running = true;
    try {
      await this.open();
      const socket = this.#socket as DatagramSocket;
      await new Promise<void>((resolve, reject) => {
        this.#settle = resolve;
        this.#fail = reject;
        if (this.#stopped) resolve();
        else this.#sendNext(socket, performance.now());
      });
      return this.#summary();
    } finally {
      this.#cleanUp();
    }
  }

  /**
   * Ends the run now, as Ctrl-C ends `ping`: no more pings are sent, and `run()` resolves
   * with the summary. Pings still waiting count as transmitted and not received, with no
   * result of their own (as in `ping`).
   */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    // What came back already is reported, even past a ping still waiting (that one gets no result).
    for (const ping of this.#pings.slice(this.#nextToReport)) {
      if (ping.outcome !== undefined) this.emit("result", ping.outcome);
    }
    this.#settle?.();
  }

  close(): void {
    this.#cleanUp();
  }

  #sendNext(socket: DatagramSocket, startMs: number): void {
    const { count, intervalMs, timeoutMs, host } = this.#options;
    const sequence = this.#pings.length + 1;
    const payloadTime = String(Date.now());
    const ping: Ping = { sequence, payloadTime, sentAtMs: performance.now(), outcome: undefined, timer: undefined };
    this.#pings.push(ping);
    ping.timer = setTimeout(() => this.#resolve(ping, { sequence, status: "timeout" }), timeoutMs);
    socket.send(`Ping ${sequence} ${payloadTime}`, (error) => {
      if (error) this.#fail?.(connectError(error as NodeJS.ErrnoException, host, this.#address));
    });
    if (sequence < count) {
      // Scheduled from the start, so the pings keep their rhythm whatever the timers' drift.
      const dueMs = startMs + sequence * intervalMs;
      this.#sendTimer = setTimeout(() => this.#sendNext(socket, startMs), Math.max(0, dueMs - performance.now()));
    }
  }

  #receive(reply: Buffer, from: string): void {
    const receivedAtMs = performance.now();
    const match = ECHO.exec(reply.toString("latin1"));
    const ping = match === null ? undefined : this.#pings[Number(match[1]) - 1];
    if (match === null || ping === undefined || ping.payloadTime !== match[2]) {
      this.#stray++;
      return;
    }
    if (ping.outcome === undefined) {
      this.#resolve(ping, { sequence: ping.sequence, status: "reply", rttMs: receivedAtMs - ping.sentAtMs, from });
    } else if (ping.outcome.status === "reply") {
      this.#duplicates++;
    } else {
      this.#late++;
    }
  }

  #resolve(ping: Ping, outcome: PingResult): void {
    if (ping.outcome !== undefined || this.#stopped) return;
    clearTimeout(ping.timer);
    ping.outcome = outcome;
    // Results go out in sequence order: each settled ping waits for the ones before it.
    let next = this.#pings[this.#nextToReport];
    while (next?.outcome !== undefined) {
      this.#nextToReport++;
      this.emit("result", next.outcome);
      next = this.#pings[this.#nextToReport];
    }
    if (this.#nextToReport === this.#options.count) this.#settle?.();
  }

  #summary(): PingSummary {
    const results = this.#pings.flatMap((ping) => (ping.outcome === undefined ? [] : [ping.outcome]));
    const rttsMs = results.flatMap((result) => (result.status === "reply" ? [result.rttMs] : []));
    return {
      ...pingStatistics(this.#pings.length, rttsMs),
      results,
      duplicates: this.#duplicates,
      late: this.#late,
      stray: this.#stray,
      stopped: this.#stopped,
    };
  }

  #cleanUp(): void {
    clearTimeout(this.#sendTimer);
    for (const ping of this.#pings) clearTimeout(ping.timer);
    this.#settle = undefined;
    this.#fail = undefined;
    this.#socket?.close();
    this.#socket = undefined;
  }
}
