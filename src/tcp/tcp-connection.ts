/**
 * One accepted TCP connection, on its own socket as the lesson says: recv a chunk,
 * uppercase it, send it back at once, in order. Stops reading a client whose answers it is
 * not reading (backpressure), and answers to the end after the client half-closes.
 */

import type { Socket } from "node:net";
import { t } from "../i18n/index.js";
import type { Tracer } from "../observability/trace.js";
import type { Uppercaser } from "../transform/index.js";

export interface TcpConnectionEvents {
  /** The socket is gone; bytes counted both ways. */
  onClose(connection: TcpConnection): void;
  /** A socket error (reset, timeout...): the connection is closed, nothing else is affected. */
  onError(connection: TcpConnection, error: Error): void;
}

export type TcpConnectionState = "open" | "finishing" | "closed";

export class TcpConnection {
  state: TcpConnectionState = "open";
  bytesReceived = 0;
  bytesSent = 0;
  /** Whether reading is paused because the client is not reading its answers. */
  #pausedForBackpressure = false;

  constructor(
    readonly socket: Socket,
    readonly uppercaser: Uppercaser,
    readonly peer: string,
    events: TcpConnectionEvents,
    readonly trace?: Tracer,
  ) {
    socket.on("data", (chunk: Buffer) => this.#receive(chunk));
    socket.on("drain", () => {
      if (this.#pausedForBackpressure) {
        this.#pausedForBackpressure = false;
        if (this.state === "open") socket.resume();
      }
    });
    // With allowHalfOpen, the client's FIN only ends its direction: answer the rest, then close.
    socket.on("end", () => {
      trace?.({ step: "recv", protocol: "tcp", peer, bytes: 0, note: t("trace.clientFinished") });
      this.finish();
    });
    socket.on("timeout", () => socket.destroy(Object.assign(new Error("idle timeout"), { code: "ETIMEDOUT" })));
    socket.on("error", (error) => events.onError(this, error));
    socket.on("close", () => {
      this.state = "closed";
      trace?.({ step: "close", protocol: "tcp", peer });
      events.onClose(this);
    });
  }

  /** Bytes queued to send but not yet taken by the kernel. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  /** Sends what is still held (an unfinished character passes through as is), then FIN. */
  finish(): void {
    if (this.state !== "open") return;
    this.state = "finishing";
    const rest = this.uppercaser.end();
    this.bytesSent += rest.length;
    if (rest.length > 0)
      this.trace?.({ step: "send", protocol: "tcp", peer: this.peer, bytes: rest.length, payload: rest });
    this.trace?.({ step: "shutdown", protocol: "tcp", peer: this.peer });
    if (rest.length > 0) this.socket.end(rest);
    else this.socket.end();
  }

  #receive(chunk: Buffer): void {
    this.bytesReceived += chunk.length;
    this.trace?.({ step: "recv", protocol: "tcp", peer: this.peer, bytes: chunk.length, payload: chunk });
    // The chunk is a fresh buffer of our own: uppercasing in place saves a copy.
    const answer = this.uppercaser.push(chunk, true);
    if (answer.length === 0) return;
    this.bytesSent += answer.length;
    this.trace?.({ step: "send", protocol: "tcp", peer: this.peer, bytes: answer.length, payload: answer });
    if (!this.socket.write(answer) && !this.#pausedForBackpressure) {
      this.#pausedForBackpressure = true;
      this.socket.pause();
    }
  }
}
