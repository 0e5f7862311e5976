/**
 * The reads of every accepted plain-TCP socket of a thread, one call into JavaScript per turn
 * of the event loop (stream-reads.c) instead of Node's one per read per socket: on a ping-pong
 * over many connections, Node's per-read callback is most of what the server itself spends
 * (`npm run bench` shows the "mayus, no native" row and the CPU per message). Reads land in
 * the uppercase kernel's memory, as the shared read buffer's do. Built into
 * `build/stream-reads.node` on Linux; where it is not there, sockets are read through Node.
 */

import type { Buffer } from "node:buffer";
import { loadNativeModule } from "../io/native-module.js";
import { SharedReadBuffer } from "../io/shared-read-buffer.js";
import { kernelReadWindow } from "../transform/latin-kernel.js";

/** What the native module gives (its opening comment says what each function does). */
export interface StreamReads {
  openReadLoop(memory: Buffer, deliveries: Int32Array, onReads: (count: number) => void): ReadLoop;
  watch(loop: ReadLoop, fd: number): number;
  unwatch(loop: ReadLoop, fd: number): number;
  keepAlive(loop: ReadLoop, on: boolean): void;
  onlyWatched(loop: ReadLoop, fd: number): void;
}

/** The native loop: an opaque handle. */
export type ReadLoop = { readonly nativeReadLoop: unique symbol };

/** Room for this many reads' triples; the native loop reads fewer when the memory is shared out (stream-reads.c). */
const MAX_READS_PER_TURN = 256;

const loaded =
  process.platform === "linux"
    ? loadNativeModule<StreamReads>("stream-reads", ["openReadLoop", "watch", "unwatch", "keepAlive", "onlyWatched"])
    : { module: undefined, unavailable: "reads by epoll are built on Linux only" };

/** Why sockets are read through Node here, when they are. */
export const streamReadsUnavailable: string | undefined = loaded.unavailable;

/** Where a watched socket's reads go. */
export interface BatchedReader {
  /** `chunk` is a view of memory the next turn's reads reuse: the receiver's only during the call. */
  onRead(chunk: Buffer): void;
  /** The client's FIN: the socket is no longer watched. */
  onEnd(): void;
  /** A read failed (`errno` negative, as Node's): the socket is no longer watched. */
  onError(errno: number): void;
}

/**
 * @example
 * ```ts
 * import { createServer } from "node:net";
 * import { batchedReads } from "./batched-reads.js";
 * const reads = batchedReads(); // undefined off Linux, or without the native module
 * const server = createServer({ pauseOnConnect: true }, (socket) => {
 *   const fd = (socket as unknown as { _handle: { fd: number } })._handle.fd;
 *   reads?.watch(fd, {
 *     onRead: (chunk) => socket.write(Buffer.from(chunk)), // the chunk's memory is reused: copied
 *     onEnd: () => socket.end(),
 *     onError: () => socket.destroy(),
 *   });
 * });
 * server.listen(0, "127.0.0.1");
 * server.close();
 * ```
 */
export class BatchedReads {
  readonly #native: StreamReads;
  readonly #loop: ReadLoop;
  readonly #memory: Buffer;
  /** Views of the memory's start: a turn's first read. */
  readonly #start: SharedReadBuffer;
  /** [fd, offset in memory, result] per read, written by the native loop before each call. */
  readonly #deliveries = new Int32Array(3 * MAX_READS_PER_TURN);
  /** By descriptor: who reads it now. */
  readonly #readers: (BatchedReader | undefined)[] = [];
  /**
   * The readers watched now, and their descriptors: while there are any, the loop keeps the
   * process alive (as Node's reads do); while there is one, the native loop reads it first.
   */
  readonly #watching = new Map<BatchedReader, number>();

  constructor(native: StreamReads, memory: Buffer) {
    this.#native = native;
    this.#memory = memory;
    this.#start = new SharedReadBuffer(memory);
    this.#loop = native.openReadLoop(memory, this.#deliveries, (count) => this.#deliver(count));
  }

  /** Reads of `fd` go to `reader` from now on: 0, or the kernel's refusal (a negative errno), nothing changed. */
  watch(fd: number, reader: BatchedReader): number {
    const refused = this.#native.watch(this.#loop, fd);
    if (refused !== 0) return refused;
    this.#readers[fd] = reader;
    this.#watching.set(reader, fd);
    this.#watchingChanged();
    return 0;
  }

  /**
   * `reader`, watched on `fd`, reads no more (a pause, or its socket closed). Its descriptor is
   * let go only if no other reader took it: a socket closed by Node frees its number at once, and
   * the next socket accepted may be watched under it before this one's close is reported.
   */
  unwatch(fd: number, reader: BatchedReader): void {
    if (this.#readers[fd] === reader) {
      this.#readers[fd] = undefined;
      this.#native.unwatch(this.#loop, fd);
    }
    this.#stopped(reader);
  }

  #stopped(reader: BatchedReader): void {
    this.#watching.delete(reader);
    this.#watchingChanged();
  }

  #watchingChanged(): void {
    const count = this.#watching.size;
    if (count <= 2) {
      // From none to one, one to none or two: the process's life and the native loop's shortcut.
      if (count <= 1) this.#native.keepAlive(this.#loop, count === 1);
      const [only] = this.#watching.values();
      this.#native.onlyWatched(this.#loop, count === 1 ? only : -1);
    }
  }

  #deliver(count: number): void {
    const deliveries = this.#deliveries;
    const memory = this.#memory;
    let thrown: { error: unknown } | undefined;
    for (let index = 0; index < 3 * count; index += 3) {
      const fd = deliveries[index];
      const reader = this.#readers[fd];
      // Unwatched after the read (paused or closed by a read before it in this turn): its bytes
      // go nowhere, as those of a socket Node has closed.
      if (reader === undefined) continue;
      const result = deliveries[index + 2];
      try {
        if (result > 0) {
          const offset = deliveries[index + 1];
          // A turn's first read (the only one, on one connection) is the same view while its length is.
          reader.onRead(offset === 0 ? this.#start.viewOf(result) : memory.subarray(offset, offset + result));
          continue;
        }
        // The native loop no longer watches it.
        this.#readers[fd] = undefined;
        this.#stopped(reader);
        if (result === 0) reader.onEnd();
        else reader.onError(result);
      } catch (error) {
        // The other sockets' reads are theirs all the same (their bytes are out of the kernel
        // already): the first error goes on, as a data listener's would, once all are delivered.
        thrown ??= { error };
      }
    }
    if (thrown !== undefined) throw thrown.error;
  }
}

let perThread: BatchedReads | undefined;

/** This thread's batched reads (opened on first use), or undefined where the module is not there. */
export function batchedReads(): BatchedReads | undefined {
  if (perThread === undefined && loaded.module !== undefined)
    perThread = new BatchedReads(loaded.module, kernelReadWindow());
  return perThread;
}
