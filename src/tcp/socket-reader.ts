/**
 * Where an accepted socket's bytes come from (the lesson's recv). Each read lands in one
 * buffer the whole server shares and is handed on as a view of it, instead of Node's default
 * of a fresh 64 KiB allocation, a shrink and a stream `data` event per read: that is Node's
 * `onread` option, which Node 20 offers only for sockets it connects, switched on here for the
 * ones a server accepts. The server uppercases the view in place and sends it at once; only
 * what has to wait is copied (SocketWriter). Where this Node lacks what that needs, reads come
 * through `data` events as usual, with the same result (the probes: src/node-internals/).
 */

import type { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import type { SharedReadBuffer } from "../io/shared-read-buffer.js";
import { readIntoUserBuffer, sharedReadsSupported, type UserBufferCallback } from "../node-internals/tcp-handle.js";

/** The shared read buffer's size: as large as Node's own reads, so bulk reads stay as large. */
export const SHARED_READ_BUFFER_BYTES = 64 * 1024;

/** Whether accepted sockets can read into a shared buffer on this Node (src/node-internals). */
export { sharedReadsSupported };

/**
 * Delivers a socket's reads to `onChunk`, which may be replaced at any time (the PROXY header
 * reader takes the first bytes, then the connection). The receiver may overwrite a chunk, but
 * it is the receiver's only during the call: on the shared buffer, the next read of any socket
 * lands in the same memory (as with `net`'s `onread`), so bytes kept for later are copied.
 * End of stream and errors still come as the socket's `end` and `error` events, and
 * `pause()`/`resume()` still stop and restart reading.
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
 *   socket.resume();
 * });
 * server.listen(0, "127.0.0.1");
 * server.close();
 * ```
 */
export class SocketReader {
  onChunk: (chunk: Buffer) => void = ignoreChunk;
  /** Whether reads go through the shared buffer (else through `data` events). */
  readonly usesSharedBuffer: boolean;

  /**
   * `socket` must not have read anything yet (accepted with `pauseOnConnect`); `shared`
   * undefined means `data` events.
   */
  constructor(socket: Socket, shared: SharedReadBuffer | undefined) {
    this.usesSharedBuffer = shared !== undefined && attachSharedBuffer(socket, shared, this);
    if (!this.usesSharedBuffer) socket.on("data", (chunk: Buffer) => this.onChunk(chunk));
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
