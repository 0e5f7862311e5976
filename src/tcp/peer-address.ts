/**
 * The client's address and port at accept, as `socket.remoteAddress` and `remotePort` give
 * them, by one getpeername() in C (`stream-syscalls.c`) where the module is built. Node's own
 * getter builds an object and sets its three properties from C++ through V8's slow path: that
 * alone was about a fifteenth of the server's instructions per connection on W5
 * (`npm run bench:instructions -- --only W5`). Without the module, or where Node would format
 * the address otherwise, Node's getters answer.
 */

import type { Socket } from "node:net";
import { type StreamSyscalls, streamSyscalls } from "./stream-syscalls.js";

/** Where the native call writes the port: one per thread, read at once after each call. */
const portSlot = new Int32Array(1);

/** A client's address and port (undefined, as with Node's getters, where the socket has none). */
export interface PeerAddress {
  address: string | undefined;
  port: number | undefined;
}

/**
 * `socket`'s peer; `fd` is its descriptor (-1: none to ask, Node's getters answer).
 * `peerAddress` replaces the native call (tests).
 *
 * @example
 * ```ts
 * import { createServer } from "node:net";
 * import { descriptorOf } from "../node-internals/tcp-handle.js";
 * import { peerAddressOf } from "./peer-address.js";
 * const server = createServer((socket) => {
 *   const { address, port } = peerAddressOf(socket, descriptorOf(socket)); // "127.0.0.1", 54321
 *   socket.destroy();
 * });
 * server.listen(0, "127.0.0.1");
 * server.close();
 * ```
 */
export function peerAddressOf(
  socket: Socket,
  fd: number,
  peerAddress: StreamSyscalls["peerAddress"] | undefined = streamSyscalls?.peerAddress,
): PeerAddress {
  if (peerAddress !== undefined && fd >= 0) {
    const address = peerAddress(fd, portSlot);
    if (typeof address === "string") return { address, port: portSlot[0] };
  }
  return { address: socket.remoteAddress, port: socket.remotePort };
}
