/**
 * The page's client: a real TCP connection or UDP socket from this process to this mayus
 * server, so the diagram shows a real client's exchange (the UDP client's retries
 * included). It knows only the server's own addresses: a page cannot point it elsewhere.
 */

import type { AddressInfo } from "node:net";
import { TcpClient } from "../client/tcp-client.js";
import type { ClientTlsOptions } from "../client/tls-connect.js";
import { UdpClient, type UdpRetry } from "../client/udp-client.js";
import type { TransformOptions } from "../transform/index.js";

/** Where the bridge connects: the listeners of this process, nothing else. */
export interface BridgeTargets {
  /** `tls`: the TCP listener speaks TLS (`serve --tls`), so the page's client does too. */
  tcp?: { host: string; port: number; tls?: ClientTlsOptions };
  udp?: { host: string; port: number };
}

/** A listener's address as a client reaches it: a wildcard (`::`, `0.0.0.0`) through loopback. */
export function targetOf(address: AddressInfo | undefined): { host: string; port: number } | undefined {
  if (address === undefined) return undefined;
  const wildcard = address.address === "::" || address.address === "0.0.0.0";
  return { host: wildcard ? "127.0.0.1" : address.address, port: address.port };
}

/**
 * One per page. TCP: one connection per line, as the lesson's client does (connect, send,
 * receive, close), so each line shows accept, recv, send, FIN and close. UDP: one socket for
 * the page's life, as the lesson's UDP client keeps one.
 *
 * @example
 * ```ts
 * import { LessonBridge } from "./lesson-bridge.js";
 * const server = { host: "127.0.0.1", port: 12000 }; // a mayus server, TCP and UDP
 * const bridge = new LessonBridge({ tcp: server, udp: server }, {}, (retry) => console.log("retry", retry.attempt));
 * await bridge.send("tcp", "hola"); // "HOLA": one connection for the line, closed after its answer
 * await bridge.send("udp", "adiós"); // "ADIÓS": one datagram each way
 * bridge.close(); // closes the UDP socket it kept for the page
 * ```
 */
export class LessonBridge {
  readonly #tcpClients = new Set<TcpClient>();
  #udpClient: UdpClient | undefined;
  #closed = false;

  constructor(
    readonly targets: BridgeTargets,
    readonly transform: TransformOptions,
    readonly onRetry: (retry: UdpRetry) => void,
  ) {}

  /** Resolves with the answer (without the newline the TCP line was sent with); rejects with a MayusError. */
  async send(protocol: "tcp" | "udp", line: string): Promise<string> {
    if (this.#closed) throw new Error("LessonBridge.send() after close()");
    return protocol === "tcp" ? this.#sendTcp(line) : this.#sendUdp(line);
  }

  async #sendTcp(line: string): Promise<string> {
    const target = this.targets.tcp;
    if (target === undefined) throw new Error("no TCP server to send to");
    const client = new TcpClient({ host: target.host, port: target.port, tls: target.tls });
    this.#tcpClients.add(client);
    try {
      const answer = await client.request(line);
      await client.end();
      return answer.toString();
    } finally {
      this.#tcpClients.delete(client);
      client.destroy();
    }
  }

  async #sendUdp(line: string): Promise<string> {
    const target = this.targets.udp;
    if (target === undefined) throw new Error("no UDP server to send to");
    this.#udpClient ??= new UdpClient({ ...target, transform: this.transform, onRetry: this.onRetry });
    return (await this.#udpClient.request(line)).toString();
  }

  /** Closes every socket the page opened; lines still waiting fail. */
  close(): void {
    this.#closed = true;
    for (const client of this.#tcpClients) client.destroy();
    this.#tcpClients.clear();
    this.#udpClient?.close();
  }
}
