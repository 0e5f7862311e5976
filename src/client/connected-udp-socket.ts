/**
 * A connected UDP socket to a server (clients and the pinger): the host is looked up once,
 * and the kernel then reports "port unreachable" as ECONNREFUSED instead of staying silent.
 */

import { createSocket, type Socket as DatagramSocket } from "node:dgram";
import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { formatAddress } from "../address/address.js";
import { connectError, type MayusError } from "../errors.js";
import { connectDatagramSocket } from "../io/datagram-connect.js";

export interface ConnectedUdpSocket {
  socket: DatagramSocket;
  /** The resolved server address, `127.0.0.1:12000`. */
  address: string;
  family: 4 | 6;
}

/**
 * Looks the host up and connects a UDP socket (no packet is sent: UDP has no handshake).
 * Errors after that (ECONNREFUSED) go to `onError` as `MayusError`s.
 *
 * @example
 * ```ts
 * import { connectUdp } from "./connected-udp-socket.js";
 * const { socket, address } = await connectUdp("127.0.0.1", 12000, (error) => console.error(error.message));
 * console.log(address); // "127.0.0.1:12000"
 * socket.close();
 * ```
 */
export async function connectUdp(
  host: string,
  port: number,
  onError: (error: MayusError) => void,
): Promise<ConnectedUdpSocket> {
  let resolved = host;
  if (isIP(host) === 0) {
    try {
      resolved = (await lookup(host)).address;
    } catch (error) {
      throw connectError(error as NodeJS.ErrnoException, host, formatAddress(host, port));
    }
  }
  const family = isIP(resolved) === 6 ? 6 : 4;
  const address = formatAddress(resolved, port);
  const socket = createSocket(family === 6 ? "udp6" : "udp4");
  await connectDatagramSocket(socket, port, resolved).catch((error: NodeJS.ErrnoException) => {
    socket.close();
    throw connectError(error, host, address);
  });
  socket.on("error", (error: NodeJS.ErrnoException) => onError(connectError(error, host, address)));
  return { socket, address, family };
}
