/**
 * The UDP side of mayus: socket, bind, then for each datagram recvfrom, uppercase, sendto
 * the sender's address and port. No connections: every datagram stands alone, and one that
 * is lost is lost (the lesson's point about UDP).
 */

import { createSocket, type Socket as DatagramSocket, type RemoteInfo } from "node:dgram";
import { lookup } from "node:dns/promises";
import { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";
import { isIP } from "node:net";
import { listenError } from "../errors.js";
import { formatAddress, unmapIPv4 } from "../net/address.js";
import { type Logger, silentLogger } from "../observability/logger.js";
import type { ServerState } from "../tcp/tcp-server.js";
import {
  createUppercaser,
  resolveTransformOptions,
  type TransformOptions,
  type Uppercaser,
} from "../transform/index.js";

export interface UdpServerOptions {
  /** Address to bind; default all interfaces, IPv6 and IPv4 (`::` dual-stack, else `0.0.0.0`). */
  host?: string;
  /** Default 12000; 0 lets the kernel choose. */
  port?: number;
  transform?: TransformOptions;
  logger?: Logger;
}

export interface UdpServerStatistics {
  datagramsReceived: number;
  datagramsSent: number;
  bytesReceived: number;
  bytesSent: number;
  sendErrors: number;
}

/** Largest UDP payload over IPv4 (65,535 - 20 IP - 8 UDP); IPv6 allows 65,527. */
export const MAX_IPV4_DATAGRAM_BYTES = 65_507;

/**
 * @example
 * const server = new UdpServer({ host: "127.0.0.1", port: 0 });
 * const { port } = await server.listen();
 * await server.close();
 */
export class UdpServer extends EventEmitter {
  state: ServerState = "idle";
  readonly #host: string | undefined;
  readonly #port: number;
  readonly #uppercaser: Uppercaser;
  readonly #logger: Logger;
  #socket: DatagramSocket | undefined;
  readonly #statistics: UdpServerStatistics = {
    datagramsReceived: 0,
    datagramsSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    sendErrors: 0,
  };
  #closing: Promise<void> | undefined;

  constructor(options: UdpServerOptions = {}) {
    super();
    this.#host = options.host;
    this.#port = options.port ?? 12000;
    // Each datagram is uppercased whole, so one uppercaser serves them all.
    this.#uppercaser = createUppercaser(resolveTransformOptions(options.transform));
    this.#logger = options.logger ?? silentLogger();
  }

  async listen(): Promise<AddressInfo> {
    if (this.#host === undefined) {
      try {
        this.#socket = await this.#bind("udp6", "::");
      } catch {
        // No IPv6 on this machine: IPv4 alone.
        this.#socket = await this.#bind("udp4", "0.0.0.0");
      }
    } else {
      const address = isIP(this.#host) !== 0 ? this.#host : await this.#resolve(this.#host);
      this.#socket = await this.#bind(isIP(address) === 6 ? "udp6" : "udp4", address);
    }
    this.#socket.on("message", (message, remote) => this.#receive(message, remote));
    this.#socket.on("error", (error) => this.#logger.error({ err: error }, "udp socket error"));
    this.state = "listening";
    return this.address();
  }

  address(): AddressInfo {
    if (this.#socket === undefined) throw new Error("UdpServer.address() before listen()");
    return this.#socket.address();
  }

  statistics(): UdpServerStatistics {
    return { ...this.#statistics };
  }

  /** Stops receiving; replies already handed to the kernel still go out. Safe to call twice. */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      this.#closing = new Promise((resolve) => {
        const socket = this.#socket;
        this.state = "closed";
        if (socket === undefined) resolve();
        else socket.close(() => resolve());
      });
    }
    return this.#closing;
  }

  async #resolve(host: string): Promise<string> {
    try {
      return (await lookup(host)).address;
    } catch (error) {
      throw listenError(error as NodeJS.ErrnoException, "udp", host, this.#port);
    }
  }

  #bind(type: "udp4" | "udp6", address: string): Promise<DatagramSocket> {
    const socket = createSocket({ type, ipv6Only: false });
    return new Promise((resolve, reject) => {
      socket.once("error", (error: NodeJS.ErrnoException) => {
        socket.close();
        reject(listenError(error, "udp", address, this.#port));
      });
      socket.bind({ address, port: this.#port, exclusive: true }, () => {
        socket.removeAllListeners("error");
        resolve(socket);
      });
    });
  }

  #receive(message: Buffer, remote: RemoteInfo): void {
    const socket = this.#socket;
    if (socket === undefined || this.state !== "listening") return;
    this.#statistics.datagramsReceived++;
    this.#statistics.bytesReceived += message.length;
    // The datagram's buffer is ours alone: uppercase it in place, send it back to the sender.
    const reply = this.#uppercaser.transformOwned(message);
    socket.send(reply, remote.port, remote.address, (error) => {
      if (error) {
        this.#statistics.sendErrors++;
        this.#logger.debug(
          { peer: formatAddress(unmapIPv4(remote.address), remote.port), err: error },
          "sendto failed",
        );
        return;
      }
      this.#statistics.datagramsSent++;
      this.#statistics.bytesSent += reply.length;
    });
  }
}
