/**
 * A UDP socket's connect as a promise. Node hands a connect that fails (EINVAL for a
 * link-local address without its interface, EACCES for a broadcast one) to the callback as its
 * argument, not as an "error" event, so both are listened for, and each caller gets one error
 * path.
 */

import type { Socket } from "node:dgram";

/**
 * Resolves once `socket` is connected to `address`:`port`; rejects with the system error
 * (`code` EINVAL, EACCES...) either way Node reports it.
 *
 * @example
 * ```ts
 * import { createSocket } from "node:dgram";
 * import { connectDatagramSocket } from "./datagram-connect.js";
 * const socket = createSocket("udp4");
 * await connectDatagramSocket(socket, 12000, "127.0.0.1");
 * socket.close();
 * ```
 */
export function connectDatagramSocket(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once("error", reject);
    const connected = (error?: NodeJS.ErrnoException) => {
      socket.off("error", reject);
      if (error) reject(error);
      else resolve();
    };
    socket.connect(port, address, connected as () => void);
  });
}
