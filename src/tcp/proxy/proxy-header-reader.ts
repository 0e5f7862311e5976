/**
 * Reads the PROXY protocol header at the start of a connection, before the connection is
 * served: the client it names is the one logs and limits see. A LOCAL header (HAProxy's
 * health check) keeps the proxy's own address. No header in time, or a bad one: refused.
 */

import { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import { ignoreChunk, type SocketReader } from "../socket-reader.js";
import { parseProxyHeader } from "./proxy-protocol.js";

export interface ProxyHeaderHandlers {
  /**
   * The header is complete: the client's address and port (the proxy's own for a LOCAL
   * header), whether it was LOCAL, and the bytes that followed it.
   */
  onHeader(address: string | undefined, port: number | undefined, rest: Buffer, isLocal: boolean): void;
  /** Why the connection is refused: a decoder reason, `header-timeout` or `closed-before-header`. */
  onRefused(detail: string): void;
}

/**
 * @example
 * ```ts
 * import { createServer } from "node:net";
 * import { readProxyHeader } from "./proxy-header-reader.js";
 * import { SocketReader } from "../socket-reader.js";
 * const server = createServer({ pauseOnConnect: true }, (socket) => {
 *   readProxyHeader(socket, new SocketReader(socket, undefined), 5000, {
 *     onHeader: (address, port, rest) => socket.end(`hello ${address}:${port}, you sent ${rest.length} bytes more`),
 *     onRefused: () => socket.destroy(),
 *   });
 * });
 * server.listen(0, "127.0.0.1"); // behind HAProxy's send-proxy-v2
 * server.close();
 * ```
 */
export function readProxyHeader(
  socket: Socket,
  reader: SocketReader,
  timeoutMs: number,
  handlers: ProxyHeaderHandlers,
): void {
  // Read now: once the peer resets (HAProxy's checks do at once), Node no longer knows them.
  const { remoteAddress, remotePort } = socket;
  let received: Buffer = Buffer.alloc(0);
  const refuse = (detail: string) => {
    cleanUp();
    handlers.onRefused(detail);
  };
  const onData = (chunk: Buffer) => {
    const bytes = received.length === 0 ? chunk : Buffer.concat([received, chunk]);
    const result = parseProxyHeader(bytes);
    if (result.status === "incomplete") {
      // Kept for the next read: a copy (the chunk's memory is the reader's once this returns).
      received = bytes === chunk ? Buffer.from(chunk) : bytes;
      return;
    }
    if (result.status === "invalid") {
      refuse(result.reason);
      return;
    }
    cleanUp();
    reader.pause(); // the connection resumes reading once it is set up
    const isLocal = result.header.command === "local";
    const source = isLocal ? undefined : result.header.source;
    const rest = bytes.subarray(result.headerBytes);
    handlers.onHeader(source?.address ?? remoteAddress, source?.port ?? remotePort, rest, isLocal);
  };
  const onEnd = () => refuse("closed-before-header");
  const onError = () => {
    cleanUp();
    socket.destroy();
  };
  const timer = setTimeout(() => refuse("header-timeout"), timeoutMs);
  const cleanUp = () => {
    clearTimeout(timer);
    reader.onChunk = ignoreChunk;
    socket.off("end", onEnd);
    socket.off("error", onError);
    socket.off("close", cleanUp);
  };
  reader.onChunk = onData;
  socket.on("end", onEnd);
  socket.on("error", onError);
  // Destroyed before its header (the server is stopping): nothing more to wait for.
  socket.once("close", cleanUp);
  reader.resume(); // accepted paused
}
