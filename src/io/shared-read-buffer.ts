/**
 * Memory that reads land in (a TCP server's accepted sockets, a UDP socket's datagrams), handed
 * on as views of it: the receiver works in place and copies only what it keeps past the call.
 */

import type { Buffer } from "node:buffer";

/**
 * The memory and the view of its first bytes handed out last: while reads keep their length
 * (a ping-pong), no Buffer is made per read.
 *
 * @example
 * ```ts
 * import { SharedReadBuffer } from "./shared-read-buffer.js";
 * const shared = new SharedReadBuffer(Buffer.allocUnsafe(65_536));
 * const chunk = shared.viewOf(512); // shared.memory[0..512)
 * shared.viewOf(512) === chunk; // true
 * ```
 */
export class SharedReadBuffer {
  #view: Buffer;

  constructor(readonly memory: Buffer) {
    this.#view = memory.subarray(0, 0);
  }

  /** `memory[0..length)`, the same Buffer as last time when the length is the same. */
  viewOf(length: number): Buffer {
    if (this.#view.length !== length) this.#view = this.memory.subarray(0, length);
    return this.#view;
  }
}
