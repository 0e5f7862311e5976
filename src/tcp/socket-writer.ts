/**
 * Where an accepted socket's answers go (the lesson's send). While Node has nothing queued for
 * the socket, an answer goes to the kernel by one send() in C (`stream-syscalls.c`), without
 * `socket.write`'s request object, stream bookkeeping and next-tick callback, a large share of
 * the server's instructions in a ping-pong (`npm run bench:instructions -- --only W3` counts
 * them; the "mayus, no native" row is the server without it). Whatever the kernel does not take goes to
 * `socket.write`, which queues it and sends it when the socket can take more, so the bytes keep
 * their order and backpressure works as before. Without the module, every answer goes through
 * `socket.write`.
 */

import { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import { constants } from "node:os";
import { TLSSocket } from "node:tls";
import { systemError } from "../io/system-error.js";
import { descriptorOf } from "../node-internals/tcp-handle.js";
import { type StreamSyscalls, streamSyscalls } from "./stream-syscalls.js";

const WOULD_BLOCK = -constants.errno.EAGAIN;

/**
 * @example
 * ```ts
 * import { createServer } from "node:net";
 * import { SocketWriter } from "./socket-writer.js";
 * const server = createServer((socket) => {
 *   const writer = new SocketWriter(socket);
 *   socket.on("data", (answer) => {
 *     if (!writer.write(answer)) socket.pause(); // an echo: until the client reads, read no more
 *   });
 *   socket.on("drain", () => socket.resume());
 * });
 * server.listen(0, "127.0.0.1");
 * server.close();
 * ```
 */
export class SocketWriter {
  /** Whether answers may go by the native send (the module is built and the socket has a descriptor). */
  readonly sendsDirectly: boolean;
  /** Bytes the native send gave the kernel (Node's `socket.bytesWritten` counts only the rest). */
  directBytes = 0;
  readonly #socket: Socket;
  readonly #fd: number;
  readonly #send: StreamSyscalls["send"] | undefined;
  readonly #copyWhatWaits: boolean;

  /**
   * `socket` must be connected (accepted). `direct: false` sends everything through
   * `socket.write`; `send` replaces the native send (tests use it to make the kernel refuse).
   * `copyWhatWaits`: answers are views of memory reused once `write()` returns (the shared
   * read buffer), so what has to wait in Node's queue goes there as a copy.
   */
  constructor(
    socket: Socket,
    options: { direct?: boolean; send?: StreamSyscalls["send"]; copyWhatWaits?: boolean } = {},
  ) {
    this.#socket = socket;
    this.#copyWhatWaits = options.copyWhatWaits ?? false;
    this.#fd = descriptorOf(socket);
    const send = options.send ?? streamSyscalls?.send;
    // A TLS socket's descriptor carries ciphertext: its answers go through the TLS socket.
    const direct = (options.direct ?? true) && !(socket instanceof TLSSocket);
    this.#send = direct && this.#fd >= 0 ? send : undefined;
    this.sendsDirectly = this.#send !== undefined;
  }

  /**
   * Sends `answer`, and returns what `socket.write(answer)` would: false when some of it waits
   * in Node's queue (the socket's `drain` says when it is gone) or the socket is gone. A failed
   * send destroys the socket with the error, as a failed `socket.write` does.
   */
  write(answer: Buffer): boolean {
    const socket = this.#socket;
    const send = this.#send;
    // Node's queue must be empty, or this answer would overtake what waits there; and the
    // socket writable (not ending, errored or destroyed): `destroyed` is set before Node closes
    // the descriptor, so while the socket is writable the descriptor is still this socket's.
    if (send === undefined || socket.writableLength > 0 || !socket.writable) return this.#queue(answer);
    const sent = send(this.#fd, answer, answer.length);
    if (sent >= 0) {
      this.directBytes += sent;
      return sent === answer.length || this.#queue(answer.subarray(sent));
    }
    if (sent === WOULD_BLOCK) return this.#queue(answer);
    socket.destroy(systemError(sent, "write"));
    return false;
  }

  /** `socket.write`, which keeps the bytes until the kernel takes them. */
  #queue(bytes: Buffer): boolean {
    return this.#socket.write(this.#copyWhatWaits ? Buffer.from(bytes) : bytes);
  }
}
