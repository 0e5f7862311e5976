/**
 * The UDP client: one datagram per request on a connected socket, so a closed port shows at
 * once as "connection refused". Datagrams get lost, so each request is sent again whenever the
 * retransmission timeout (RTO) passes without its reply, until its deadline.
 *
 * The RTO follows the measured round trip as TCP's does (RFC 6298, in RetransmissionTimeout),
 * one estimator for every request in flight. It starts at the lesson's 1 s, and when a fresh
 * sample lowers it, requests already waiting are re-armed on it: the first lines lost do not
 * wait out the initial second while the round trip is known to be far shorter.
 *
 * Matching rule: the lesson's server sends back the bare uppercased payload, with no id, so a
 * reply answers a request when the two have the same uppercase. A late or duplicated reply
 * can then only ever be taken for a request with the very same text, whose answer it is.
 * Against a lowercasing server (`--mode lower`) the uppercase alone is not enough (the Kelvin
 * sign `K` lowercases to `k`, whose uppercase is `K`): a reply also answers a request when the
 * uppercases of their lowercases agree, which holds for every mode, so no flag says which.
 */

import type { Socket as DatagramSocket } from "node:dgram";
import { performance } from "node:perf_hooks";
import { formatAddress } from "../address/address.js";
import { connectError, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import type { Tracer } from "../observability/trace.js";
import { createUppercaser, type TransformOptions, type Uppercaser } from "../transform/index.js";
import { connectUdp } from "./connected-udp-socket.js";
import { RetransmissionTimeout } from "./retransmission-timeout.js";

export interface UdpClientOptions {
  host: string;
  port: number;
  /** The RTO until the first reply is measured. */
  timeoutMs?: number;
  /** The floor of the RTO. */
  minRtoMs?: number;
  /** The ceiling of the RTO, backed off or not. */
  maxRtoMs?: number;
  /** How long one request may take, from its first send, before it fails. */
  deadlineMs?: number;
  /** At most this many tries after the first, if given; the deadline holds as well. */
  retries?: number;
  /** The transform used to match replies to requests: give the server's `locale` if it has one. */
  transform?: TransformOptions;
  /** Called at each socket step (`--trace`). */
  trace?: Tracer;
  /** Called each time a request is sent again (the interactive client shows it). */
  onRetry?: (retry: UdpRetry) => void;
  /** The clock, in milliseconds (`performance.now` unless a test gives another). */
  now?: () => number;
}

export interface UdpRetry {
  line: number;
  /** The try about to be sent: 2 for the first retry. */
  attempt: number;
  /** How long the previous try waited for its reply. */
  waitedMs: number;
}

/** Defaults of the client's named limits (the CLI's flags show the same values). */
export const UDP_CLIENT_DEFAULTS = {
  timeoutMs: 1000,
  minRtoMs: 10,
  maxRtoMs: 60_000,
  deadlineMs: 10_000,
  window: 8,
  holdBytes: 4 * 1024 * 1024,
} as const;

/** Largest payload of one datagram: 65,507 bytes over IPv4, 65,527 over IPv6. */
export function maxDatagramBytes(family: 4 | 6): number {
  return family === 6 ? 65_527 : 65_507;
}

interface PendingRequest {
  key: string;
  /** The uppercase of its lowercase: what a lowercased reply is matched by. */
  foldedKey: string;
  payload: Buffer;
  line: number;
  tries: number;
  firstSentAtMs: number;
  lastSentAtMs: number;
  deadlineAtMs: number;
  /** When the timer fires: the RTO after the last send, or the deadline. */
  dueAtMs: number;
  /** The estimator's back-off count when the timer was armed. */
  backoffsWhenArmed: number;
  timer: NodeJS.Timeout | undefined;
  resolve: (reply: Buffer) => void;
  reject: (error: MayusError) => void;
}

/**
 * Connects its socket on first use (`request`), as `TcpClient` does; `open()` does it
 * earlier, to learn at once that the host cannot be found.
 *
 * @example
 * ```ts
 * import { UdpClient } from "./udp-client.js";
 * const client = new UdpClient({ host: "127.0.0.1", port: 12000 });
 * (await client.request("hello")).toString(); // "HELLO"
 * client.close();
 * ```
 */
export class UdpClient {
  readonly #host: string;
  readonly #port: number;
  readonly #deadlineMs: number;
  readonly #maxTries: number;
  readonly #trace: Tracer | undefined;
  readonly #onRetry: ((retry: UdpRetry) => void) | undefined;
  readonly #now: () => number;
  readonly #rto: RetransmissionTimeout;
  readonly #matcher: Uppercaser;
  readonly #lowercaser: Uppercaser;
  #socket: DatagramSocket | undefined;
  #opening: Promise<void> | undefined;
  #family: 4 | 6 = 4;
  #address: string;
  /** Requests waiting for their reply, oldest first. */
  #pending: PendingRequest[] = [];
  #failure: MayusError | undefined;

  constructor(options: UdpClientOptions) {
    this.#host = options.host;
    this.#port = options.port;
    this.#deadlineMs = options.deadlineMs ?? UDP_CLIENT_DEFAULTS.deadlineMs;
    this.#maxTries = options.retries === undefined ? Number.POSITIVE_INFINITY : options.retries + 1;
    this.#trace = options.trace;
    this.#onRetry = options.onRetry;
    this.#now = options.now ?? (() => performance.now());
    this.#rto = new RetransmissionTimeout({
      initialRtoMs: options.timeoutMs ?? UDP_CLIENT_DEFAULTS.timeoutMs,
      minRtoMs: options.minRtoMs ?? UDP_CLIENT_DEFAULTS.minRtoMs,
      maxRtoMs: options.maxRtoMs ?? UDP_CLIENT_DEFAULTS.maxRtoMs,
    });
    this.#matcher = createUppercaser({ mode: "unicode", locale: options.transform?.locale });
    this.#lowercaser = createUppercaser({ mode: "lower", locale: options.transform?.locale });
    this.#address = formatAddress(options.host, options.port);
  }

  get address(): string {
    return this.#address;
  }

  get maxPayloadBytes(): number {
    return maxDatagramBytes(this.#family);
  }

  /** The RTO a request sent now would wait (it follows the measured round trip). */
  get rtoMs(): number {
    return this.#rto.rtoMs;
  }

  /**
   * Looks the host up and connects the socket now, rather than on the first `request` (no
   * packet is sent: UDP has no handshake); rejects with a `MayusError` (kind `host-not-found`...).
   */
  open(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<void> {
    // On a connected socket, an ICMP "port unreachable" comes back as ECONNREFUSED.
    const { socket, address, family } = await connectUdp(this.#host, this.#port, (error) => this.#fail(error));
    this.#family = family;
    this.#address = address;
    this.#trace?.({ step: "socket", protocol: "udp", note: family === 6 ? "udp6" : "udp4" });
    this.#trace?.({ step: "connect", protocol: "udp", peer: address });
    socket.on("message", (reply) => this.#receive(reply));
    if (this.#failure !== undefined) {
      socket.close(); // close() came while the host was looked up
      throw this.#failure;
    }
    this.#socket = socket;
  }

  /**
   * Sends the payload and resolves with its reply; sends it again each time the RTO passes,
   * and rejects with a `MayusError` of kind `timeout` at the deadline (or after the last of
   * `retries`). A string is sent as its UTF-8. `line` names the request in error messages.
   * Connects first if `open()` was not called.
   */
  async request(payload: Buffer | string, line = 1): Promise<Buffer> {
    if (this.#socket === undefined) await this.open();
    return this.#request(typeof payload === "string" ? Buffer.from(payload) : payload, line);
  }

  #request(payload: Buffer, line: number): Promise<Buffer> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const limit = this.maxPayloadBytes;
    if (payload.length > limit) {
      const message = t("error.datagramTooLong", { line, bytes: payload.length, limit });
      return Promise.reject(new MayusError("datagram-too-long", message));
    }
    return new Promise((resolve, reject) => {
      const now = this.#now();
      const request: PendingRequest = {
        key: this.#keyOf(payload),
        foldedKey: this.#foldedKeyOf(payload),
        payload,
        line,
        tries: 0,
        firstSentAtMs: now,
        lastSentAtMs: now,
        deadlineAtMs: now + this.#deadlineMs,
        dueAtMs: now,
        backoffsWhenArmed: 0,
        timer: undefined,
        resolve,
        reject,
      };
      this.#pending.push(request);
      this.#send(request);
    });
  }

  /**
   * Closes the socket at once and returns nothing (there is nothing to wait for: UDP has no
   * goodbye). Requests still waiting fail at once, no timer is left behind, and any later
   * `request` or `open` rejects.
   */
  close(): void {
    this.#fail(new MayusError("connection-failed", t("error.clientClosed", { address: this.#address })));
    if (this.#socket !== undefined) this.#trace?.({ step: "close", protocol: "udp", peer: this.#address });
    this.#socket?.close();
    this.#socket = undefined;
  }

  #send(request: PendingRequest): void {
    const socket = this.#socket;
    if (socket === undefined) return;
    request.tries++;
    request.lastSentAtMs = this.#now();
    this.#trace?.({
      step: "send",
      protocol: "udp",
      peer: this.#address,
      bytes: request.payload.length,
      payload: request.payload,
    });
    socket.send(request.payload, (error) => {
      if (error) this.#settle(request, connectError(error as NodeJS.ErrnoException, this.#host, this.#address));
    });
    this.#arm(request);
  }

  /** Sets the request's timer to the RTO after its last send, or its deadline if sooner. */
  #arm(request: PendingRequest): void {
    clearTimeout(request.timer);
    request.dueAtMs = Math.min(request.lastSentAtMs + this.#rto.rtoMs, request.deadlineAtMs);
    request.backoffsWhenArmed = this.#rto.backoffs;
    // Whole milliseconds, rounded up: a timer never fires before its request is due.
    const delayMs = Math.max(0, Math.ceil(request.dueAtMs - this.#now()));
    request.timer = setTimeout(() => this.#expire(request), delayMs);
  }

  #expire(request: PendingRequest): void {
    const now = this.#now();
    // libuv's timers count whole milliseconds of a cached loop clock, so one may fire up to a
    // millisecond before it is due: wait the rest, so a line never fails before its deadline.
    if (now < request.dueAtMs) {
      request.timer = setTimeout(() => this.#expire(request), Math.ceil(request.dueAtMs - now));
      return;
    }
    request.timer = undefined;
    // A timer that fires late (a busy machine) sends nothing after the deadline either.
    const deadlinePassed = request.dueAtMs >= request.deadlineAtMs || now >= request.deadlineAtMs;
    if (deadlinePassed || request.tries >= this.#maxTries) {
      const waitedMs = Math.round(now - request.firstSentAtMs);
      const parameters = { address: this.#address, tries: request.tries, line: request.line, waitedMs };
      const message = t(deadlinePassed ? "error.timeout" : "error.timeoutRetries", parameters);
      this.#settle(request, new MayusError("timeout", message));
      return;
    }
    this.#rto.timedOut(request.backoffsWhenArmed);
    this.#onRetry?.({
      line: request.line,
      attempt: request.tries + 1,
      waitedMs: Math.round(now - request.lastSentAtMs),
    });
    this.#send(request);
  }

  #receive(reply: Buffer): void {
    this.#trace?.({ step: "recv", protocol: "udp", peer: this.#address, bytes: reply.length, payload: reply });
    const key = this.#keyOf(reply);
    const foldedKey = this.#foldedKeyOf(reply);
    // The oldest request with the same uppercase (or lowercase's uppercase) takes the reply; the rest is stale.
    const request = this.#pending.find((pending) => pending.key === key || pending.foldedKey === foldedKey);
    if (request === undefined) return;
    const fresh = this.#rto.replied(this.#now() - request.lastSentAtMs, request.tries);
    this.#settle(request, reply);
    if (fresh) this.#rearmSooner();
  }

  /** After a fresh sample: a request waiting longer than the RTO now says is due sooner. */
  #rearmSooner(): void {
    const rtoMs = this.#rto.rtoMs;
    for (const request of this.#pending) {
      if (Math.min(request.lastSentAtMs + rtoMs, request.deadlineAtMs) < request.dueAtMs) this.#arm(request);
    }
  }

  #settle(request: PendingRequest, outcome: Buffer | MayusError): void {
    const index = this.#pending.indexOf(request);
    if (index === -1) return;
    this.#pending.splice(index, 1);
    clearTimeout(request.timer);
    if (Buffer.isBuffer(outcome)) request.resolve(outcome);
    else request.reject(outcome);
  }

  #keyOf(payload: Buffer): string {
    return this.#matcher.transformOwned(Buffer.from(payload)).toString("latin1");
  }

  #foldedKeyOf(payload: Buffer): string {
    return this.#matcher.transformOwned(this.#lowercaser.transformOwned(Buffer.from(payload))).toString("latin1");
  }

  #fail(error: MayusError): void {
    this.#failure ??= error;
    for (const request of [...this.#pending]) this.#settle(request, error);
  }
}
