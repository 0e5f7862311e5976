/**
 * Where an accepted socket's bytes come from (the lesson's recv), by the fastest of three ways
 * this process has. Batched: one call into JavaScript per turn of the event loop for the reads
 * of every socket (BatchedReads, a native module on Linux). Shared buffer: Node reads each
 * socket, into one buffer the whole server shares, handed on as a view of it, instead of
 * Node's default of a fresh 64 KiB allocation, a shrink and a stream `data` event per read
 * (Node's `onread` option, which Node 20 offers only for sockets it connects, switched on here
 * for the ones a server accepts: src/node-internals/). Otherwise `data` events, as usual. On
 * the first two, the server uppercases the view in place and sends it at once; only what has
 * to wait is copied (SocketWriter). The bytes, their order, the end and the errors are the
 * same on all three. On the batched path Node does not see the reads: the socket's `bytesRead`
 * stays 0 (the reader's own `bytesRead` counts them on every path) and `setTimeout` is not
 * refreshed by them (the server sweeps idle connections itself).
 */

import type { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import type { SharedReadBuffer } from "../io/shared-read-buffer.js";
import { systemError } from "../io/system-error.js";
import {
  descriptorOf,
  readIntoUserBuffer,
  sharedReadsSupported,
  stopNodeReading,
  type UserBufferCallback,
} from "../node-internals/tcp-handle.js";
import { type BatchedReader, BatchedReads } from "./batched-reads.js";

/** The shared read buffer's size: as large as Node's own reads, so bulk reads stay as large. */
export const SHARED_READ_BUFFER_BYTES = 64 * 1024;

/** Whether accepted sockets can read into a shared buffer on this Node (src/node-internals). */
export { sharedReadsSupported };

/** How a reader gets its socket's bytes: see the module's opening comment. */
export type ReadPath = "batched" | "shared buffer" | "data events";

/**
 * Delivers a socket's reads to `onChunk`, which may be replaced at any time (the PROXY header
 * reader takes the first bytes, then the connection). The receiver may overwrite a chunk, but
 * it is the receiver's only during the call: on the shared buffer and the batched path, the
 * next read of any socket lands in the same memory (as with `net`'s `onread`), so bytes kept
 * for later are copied. End of stream and errors come as the socket's `end` and `error`
 * events on every path. Reading starts with `resume()` and stops with `pause()`: never the
 * socket's own, which would make Node read a socket read in batches.
 *
 * @example
 * ```ts
 * import { createServer } from "node:net";
 * import { SHARED_READ_BUFFER_BYTES, SocketReader } from "./socket-reader.js";
 * import { SharedReadBuffer } from "../io/shared-read-buffer.js";
 * const sharedReadBuffer = new SharedReadBuffer(Buffer.allocUnsafe(SHARED_READ_BUFFER_BYTES));
 * const server = createServer({ pauseOnConnect: true }, (socket) => {
 *   const reader = new SocketReader(socket, sharedReadBuffer);
 *   reader.onChunk = (chunk) => socket.write(Buffer.from(chunk)); // write() keeps what it queues
 *   reader.resume();
 * });
 * server.listen(0, "127.0.0.1");
 * server.close();
 * ```
 */
export class SocketReader implements BatchedReader {
  onChunk: (chunk: Buffer) => void = ignoreChunk;
  readonly path: ReadPath;
  readonly #socket: Socket;
  /** The batched path: its reads, and the socket's descriptor there. */
  readonly #batched: BatchedReads | undefined;
  readonly #fd: number;
  #watched = false;
  /** The batched path read the end of the stream or an error: nothing more to read. */
  #done = false;
  /** Bytes the batched path read (Node counts the other paths' in `socket.bytesRead`). */
  #bytesRead = 0;

  /**
   * `socket` must not have read anything yet (accepted with `pauseOnConnect`). `source`: the
   * batched reads of this thread, a shared buffer, or undefined for `data` events. A socket
   * the batched path cannot take (it has no descriptor, the kernel refuses it) reads by `data`
   * events.
   */
  constructor(socket: Socket, source: BatchedReads | SharedReadBuffer | undefined) {
    this.#socket = socket;
    // Node must not read it too (a socket handed over by a cluster primary reads from the start).
    const fd = source instanceof BatchedReads && stopNodeReading(socket) ? descriptorOf(socket) : -1;
    this.#fd = fd;
    this.#batched = fd >= 0 ? (source as BatchedReads) : undefined;
    if (this.#batched !== undefined) {
      this.path = "batched";
      socket.once("close", () => this.pause());
      return;
    }
    const shared = source instanceof BatchedReads ? undefined : source;
    this.path = shared !== undefined && attachSharedBuffer(socket, shared, this) ? "shared buffer" : "data events";
    if (this.path === "data events") socket.on("data", (chunk: Buffer) => this.onChunk(chunk));
  }

  /** Bytes read from the socket so far, on whichever path. */
  get bytesRead(): number {
    return this.#batched === undefined ? this.#socket.bytesRead : this.#bytesRead;
  }

  /** Whether chunks are views of memory that later reads reuse (receivers copy what they keep). */
  get usesSharedBuffer(): boolean {
    return this.path !== "data events";
  }

  /** Reads from now on (again, after `pause()`); nothing once the stream ended or the socket closed. */
  resume(): void {
    const batched = this.#batched;
    if (batched === undefined) {
      this.#socket.resume();
      return;
    }
    if (this.#watched || this.#done || this.#socket.destroyed) return;
    const refused = batched.watch(this.#fd, this);
    this.#watched = refused === 0;
    // The kernel refused to watch it (out of memory): as a read that failed.
    if (refused !== 0) this.#socket.destroy(systemError(refused, "epoll_ctl"));
  }

  /** Reads no more until `resume()`. */
  pause(): void {
    const batched = this.#batched;
    if (batched === undefined) {
      this.#socket.pause();
      return;
    }
    if (!this.#watched) return;
    this.#watched = false;
    batched.unwatch(this.#fd, this);
  }

  // Called by BatchedReads (the batched path only): methods, not closures made for each socket.

  /** A read of the batched path. */
  onRead(chunk: Buffer): void {
    // Closed by a read before it in the same turn: its bytes go nowhere, as after Node's close.
    if (this.#socket.destroyed) return;
    this.#bytesRead += chunk.length;
    this.onChunk(chunk);
  }

  /** The batched path read the client's FIN. */
  onEnd(): void {
    this.#watched = false;
    this.#done = true;
    // The stream's end as Node's own read of it gives it: `end` (on the next tick), and the
    // socket closes once its side is finished too. Node reads nothing of an ended stream.
    this.#socket.push(null);
    this.#socket.read(0);
  }

  /** A read of the batched path failed. */
  onError(errno: number): void {
    this.#watched = false;
    this.#done = true;
    this.#socket.destroy(systemError(errno, "read"));
  }
}

function attachSharedBuffer(socket: Socket, shared: SharedReadBuffer, reader: SocketReader): boolean {
  const callback: UserBufferCallback = (bytesRead) => {
    reader.onChunk(shared.viewOf(bytesRead));
    return undefined;
  };
  return readIntoUserBuffer(socket, shared.memory, callback);
}

/** A reader's `onChunk` while nobody should get bytes (a refused PROXY header). */
export function ignoreChunk(): void {}
