/**
 * The UDP client: one datagram per request on a connected socket, so a closed port shows at
 * once as "connection refused". Datagrams get lost, so each request has a timeout and a few
 * retries with backoff.
 *
 * Matching rule: the lesson's server sends back the bare uppercased payload, with no id, so a
 * reply answers a request when the two have the same uppercase. A late or duplicated reply
 * can then only ever be taken for a request with the very same text, whose answer it is.
 */

import type { Socket as DatagramSocket } from "node:dgram";
import { connectError, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { formatAddress } from "../net/address.js";
import { connectUdp } from "../net/connected-udp-socket.js";
import type { Tracer } from "../observability/trace.js";
import { createUppercaser, type TransformOptions, type Uppercaser } from "../transform/index.js";

export interface UdpClientOptions {
  host: string;
  port: number;
  /** Wait for a reply to the first try; each retry waits twice as long as the one before. */
  timeoutMs?: number;
  /** Tries after the first, before the request fails. */
  retries?: number;
  /** The transform used to match replies to requests: give the server's `locale` if it has one. */
  transform?: TransformOptions;
  /** Called at each socket step (`--trace`). */
  trace?: Tracer;
}

export const UDP_CLIENT_DEFAULTS = { timeoutMs: 1000, retries: 3, window: 8 } as const;

/** Largest payload of one datagram: 65,507 bytes over IPv4, 65,527 over IPv6. */
export function maxDatagramBytes(family: 4 | 6): number {
  return family === 6 ? 65_527 : 65_507;
}

interface PendingRequest {
  key: string;
  resolve: (reply: Buffer) => void;
}

/**
 * @example
 * const client = new UdpClient({ host: "localhost", port: 12000 });
 * await client.open();
 * (await client.request(Buffer.from("hello"))).toString(); // "HELLO"
 * client.close();
 */
export class UdpClient {
  readonly #options: Required<Omit<UdpClientOptions, "transform" | "trace">>;
  readonly #trace: Tracer | undefined;
  readonly #matcher: Uppercaser;
  #socket: DatagramSocket | undefined;
  #family: 4 | 6 = 4;
  #address: string;
  #pending: PendingRequest[] = [];
  #failure: MayusError | undefined;
  #onFailure: Array<(error: MayusError) => void> = [];

  constructor(options: UdpClientOptions) {
    this.#options = {
      host: options.host,
      port: options.port,
      timeoutMs: options.timeoutMs ?? UDP_CLIENT_DEFAULTS.timeoutMs,
      retries: options.retries ?? UDP_CLIENT_DEFAULTS.retries,
    };
    this.#trace = options.trace;
    this.#matcher = createUppercaser({ mode: "unicode", locale: options.transform?.locale });
    this.#address = formatAddress(options.host, options.port);
  }

  get address(): string {
    return this.#address;
  }

  get maxPayloadBytes(): number {
    return maxDatagramBytes(this.#family);
  }

  /** Looks the host up and connects the socket (no packet is sent: UDP has no handshake). */
  async open(): Promise<void> {
    const { host, port } = this.#options;
    // On a connected socket, an ICMP "port unreachable" comes back as ECONNREFUSED.
    const { socket, address, family } = await connectUdp(host, port, (error) => this.#fail(error));
    this.#family = family;
    this.#address = address;
    this.#trace?.({ step: "socket", protocol: "udp", note: family === 6 ? "udp6" : "udp4" });
    this.#trace?.({ step: "connect", protocol: "udp", peer: address });
    socket.on("message", (reply) => this.#receive(reply));
    this.#socket = socket;
  }

  /**
   * Sends the payload and resolves with its reply; tries again after each timeout, and
   * rejects with a `MayusError` of kind `timeout` after the last. `line` names the request
   * in error messages.
   */
  async request(payload: Buffer, line = 1): Promise<Buffer> {
    const socket = this.#socket;
    if (socket === undefined) throw new Error("UdpClient.request() before open()");
    if (this.#failure !== undefined) throw this.#failure;
    const limit = this.maxPayloadBytes;
    if (payload.length > limit) {
      throw new MayusError("datagram-too-long", t("error.datagramTooLong", { line, bytes: payload.length, limit }));
    }
    const key = this.#keyOf(payload);
    let waitMs = this.#options.timeoutMs;
    const tries = this.#options.retries + 1;
    for (let attempt = 0; attempt < tries; attempt++) {
      if (this.#failure !== undefined) throw this.#failure;
      const reply = await this.#sendAndWait(socket, payload, key, waitMs);
      if (reply !== undefined) return reply;
      waitMs *= 2;
    }
    throw new MayusError("timeout", t("error.timeout", { address: this.#address, tries, line }));
  }

  /** Closes the socket; requests still waiting fail at once (no timer is left behind). */
  close(): void {
    this.#fail(new MayusError("connection-failed", t("error.clientClosed", { address: this.#address })));
    if (this.#socket !== undefined) this.#trace?.({ step: "close", protocol: "udp", peer: this.#address });
    this.#socket?.close();
    this.#socket = undefined;
  }

  #sendAndWait(socket: DatagramSocket, payload: Buffer, key: string, waitMs: number): Promise<Buffer | undefined> {
    return new Promise((resolve, reject) => {
      const pending: PendingRequest = {
        key,
        resolve: (reply) => {
          finish();
          resolve(reply);
        },
      };
      const onFailure = (error: MayusError) => {
        finish();
        reject(error);
      };
      const timer = setTimeout(() => {
        finish();
        resolve(undefined);
      }, waitMs);
      const finish = () => {
        clearTimeout(timer);
        this.#pending = this.#pending.filter((candidate) => candidate !== pending);
        this.#onFailure = this.#onFailure.filter((candidate) => candidate !== onFailure);
      };
      this.#pending.push(pending);
      this.#onFailure.push(onFailure);
      this.#trace?.({ step: "send", protocol: "udp", peer: this.#address, bytes: payload.length, payload });
      socket.send(payload, (error) => {
        if (error) onFailure(connectError(error as NodeJS.ErrnoException, this.#options.host, this.#address));
      });
    });
  }

  #receive(reply: Buffer): void {
    this.#trace?.({ step: "recv", protocol: "udp", peer: this.#address, bytes: reply.length, payload: reply });
    const key = this.#keyOf(reply);
    // The oldest request with the same uppercase takes the reply; anything else is stale.
    this.#pending.find((pending) => pending.key === key)?.resolve(reply);
  }

  #keyOf(payload: Buffer): string {
    return this.#matcher.transformOwned(Buffer.from(payload)).toString("latin1");
  }

  #fail(error: MayusError): void {
    this.#failure ??= error;
    for (const onFailure of [...this.#onFailure]) onFailure(error);
  }
}
