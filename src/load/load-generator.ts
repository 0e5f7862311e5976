/**
 * TCP load: ping-pong and streaming connections, or a new connection per message; every
 * answer is checked byte for byte against the transform of what was sent. Lean on purpose:
 * one shared read buffer (`onread`), the same payload buffer for every write, and send
 * times in a preallocated ring, so the client costs the same against every server.
 */

import { Buffer } from "node:buffer";
import { connect, type NetConnectOpts, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { type ConnectionOptions, connect as connectTls } from "node:tls";
import { formatAddress } from "../address/address.js";
import { tlsConnectOptions, tlsError } from "../client/tls-connect.js";
import { connectError } from "../errors.js";
import { ConnectLoop } from "./connect-loop.js";
import { type GeneratorPlan, LoadGenerator } from "./generator.js";
import { buildMessage, repeat } from "./payload.js";
import { PersistentConnection } from "./persistent-connection.js";
import { Pacer } from "./tally.js";
import type { TcpLoad } from "./tcp-load.js";

/** Every socket of a generator reads into this one buffer (reads are handled synchronously). */
const READ_BUFFER_BYTES = 64 * 1024;
/** A streaming connection writes up to this many bytes of messages in one `write()`. */
const STREAM_BLOCK_BYTES = 64 * 1024;
/** ... and has at most this many bytes sent but not yet answered. */
const STREAM_WINDOW_BYTES = 2 * 1024 * 1024;
/** Connections opened at once before the run (more would overflow the server's accept queue). */
const CONNECT_CONCURRENCY = 256;

/**
 * @example
 * ```ts
 * import { TcpLoadGenerator } from "./load-generator.js";
 * const generator = new TcpLoadGenerator({ protocol: "tcp", address: "127.0.0.1", host: "127.0.0.1", port: 12000,
 *   connections: 4, pattern: "pingpong", sizeBytes: 512, mode: "unicode", text: "ascii", udpTimeoutMs: 1000 });
 * await generator.open();
 * generator.start();
 * generator.beginMeasurement(100);
 * await generator.done;
 * generator.stop();
 * generator.tally.counters().messages; // 100 or a few more: those already under way count too
 * ```
 */
export class TcpLoadGenerator extends LoadGenerator implements TcpLoad {
  readonly payload: Buffer;
  readonly expected: Buffer;
  /** What one streaming write sends: `blockMessages` payloads end to end. */
  readonly block: Buffer;
  readonly blockMessages: number;
  /** Messages a connection may have in flight. */
  readonly window: number;
  readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  #connections: PersistentConnection[] = [];
  #loops: ConnectLoop[] = [];
  #open = 0;

  constructor(plan: GeneratorPlan) {
    super(plan);
    ({ payload: this.payload, expected: this.expected } = buildMessage(plan.sizeBytes, plan.text, plan));
    const streaming = plan.pattern === "stream";
    const paced = plan.ratePerSecond !== undefined;
    this.blockMessages = streaming && !paced ? Math.max(1, Math.floor(STREAM_BLOCK_BYTES / plan.sizeBytes)) : 1;
    this.block = this.blockMessages === 1 ? this.payload : repeat(this.payload, this.blockMessages);
    this.window = streaming ? Math.max(2 * this.blockMessages, Math.floor(STREAM_WINDOW_BYTES / plan.sizeBytes)) : 1;
  }

  /** Connection options for one socket reading through `callback`. */
  connectOptions(callback: (bytesRead: number) => void): NetConnectOpts {
    const onread = (bytesRead: number): boolean => {
      callback(bytesRead);
      return true; // keep reading
    };
    return {
      host: this.plan.address,
      port: this.plan.port,
      noDelay: true,
      onread: { buffer: this.readBuffer, callback: onread },
    };
  }

  /** A new connection to the server: plain TCP, or TLS with the plan's options (`--tls`). */
  connectSocket(options: NetConnectOpts): Socket {
    const tls = this.plan.tls;
    if (tls === undefined) return connect(options);
    return connectTls({
      ...options,
      ...tlsConnectOptions(this.plan.address, this.plan.port, tls),
    } as ConnectionOptions);
  }

  async open(): Promise<void> {
    if (this.plan.pattern === "connect") {
      // One connection first, so that a server that is not there fails the run at once.
      (await this.#connectOne(this.connectOptions(() => {}))).destroy();
      for (let index = 0; index < this.plan.connections; index++) this.#loops.push(new ConnectLoop(this));
      return;
    }
    const pending = Array.from({ length: this.plan.connections }, (_, index) => index);
    const openOne = async (): Promise<void> => {
      while (pending.pop() !== undefined) {
        const connection = new PersistentConnection(this);
        this.#connections.push(connection);
        await this.#connectOne(connection.socket);
        this.#open++;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, pending.length) }, openOne));
    } catch (error) {
      this.stop();
      throw error;
    }
  }

  start(): void {
    const { ratePerSecond, connections } = this.plan;
    const now = performance.now();
    const all: ReadonlyArray<{ pacer: Pacer | undefined; next(): void }> =
      this.plan.pattern === "connect" ? this.#loops : this.#connections;
    all.forEach((member, index) => {
      if (ratePerSecond !== undefined) {
        const intervalMs = (1000 * connections) / ratePerSecond;
        // Spread the first sends over one interval so the connections do not send in bursts.
        member.pacer = new Pacer(intervalMs, now + (intervalMs * index) / connections);
      }
      member.next();
    });
  }

  stop(): void {
    this.stopped = true;
    for (const connection of this.#connections) connection.close();
    for (const loop of this.#loops) loop.close();
  }

  /** A persistent connection was closed by the other side, or failed. */
  connectionLost(): void {
    if (--this.#open === 0 && !this.stopped) this.finishEarly();
  }

  /** Resolves with the socket once connected; rejects with the `MayusError` a failed connect becomes. */
  #connectOne(socketOrOptions: Socket | NetConnectOpts): Promise<Socket> {
    const socket = "write" in socketOrOptions ? socketOrOptions : this.connectSocket(socketOrOptions as NetConnectOpts);
    const tls = this.plan.tls !== undefined;
    // With TLS, an error after the TCP connect is the handshake's (or the certificate's).
    let tcpConnected = false;
    if (tls) socket.once("connect", () => (tcpConnected = true));
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        socket.destroy();
        const address = formatAddress(this.plan.address, this.plan.port);
        reject(tcpConnected ? tlsError(error, address) : connectError(error, this.plan.host, address));
      };
      socket.once("error", onError);
      socket.once(tls ? "secureConnect" : "connect", () => {
        socket.off("error", onError);
        resolve(socket);
      });
    });
  }
}
