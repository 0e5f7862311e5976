/**
 * The probes of a TCP socket's private parts: where `net.Socket` keeps its `onread` buffer
 * (so an accepted socket can read into a buffer the whole server shares, which Node offers
 * only for sockets it connects) and its handle's descriptor (so an answer can go by one
 * native send). Each returns what it found or undefined/-1, and records its failure.
 */

import cluster from "node:cluster";
import { type Server, Socket, type SocketConstructorOpts } from "node:net";
import { probeFailed } from "./probes.js";

/** Called by Node with each read's length, when reads land in a user buffer. */
export type UserBufferCallback = (bytesRead: number, buffer: Buffer) => boolean | undefined;

interface TcpHandle {
  useUserBuffer?: (buffer: Uint8Array) => void;
  reading?: boolean;
  readStop?: () => number;
  fd?: number;
  setNoDelay?: (on: boolean) => number;
}

interface OnreadSymbols {
  buffer: symbol;
  callback: symbol;
  generator: symbol;
}

/**
 * The private symbols under which `net.Socket` keeps its `onread` buffer and callback, found on
 * a probe socket built with that option; undefined when this Node keeps them otherwise.
 */
const onreadSymbols = findOnreadSymbols();

function findOnreadSymbols(): OnreadSymbols | undefined {
  const buffer = Buffer.alloc(1);
  const callback = () => true;
  // The option works on a socket built this way, though Node documents it for connect() only.
  const probe = new Socket({ onread: { buffer, callback } } as SocketConstructorOpts);
  const byName = new Map(Object.getOwnPropertySymbols(probe).map((symbol) => [symbol.description, symbol]));
  const found = {
    buffer: byName.get("kBuffer"),
    callback: byName.get("kBufferCb"),
    generator: byName.get("kBufferGen"),
  };
  const fields = probe as unknown as Record<symbol, unknown>;
  const usable =
    found.buffer !== undefined &&
    found.callback !== undefined &&
    found.generator !== undefined &&
    fields[found.buffer] === buffer &&
    fields[found.callback] === callback &&
    fields[found.generator] === null;
  probe.destroy();
  if (!usable) probeFailed("onread-fields", "net.Socket keeps no kBuffer/kBufferCb/kBufferGen holding its onread");
  return usable ? (found as OnreadSymbols) : undefined;
}

/** Whether accepted sockets can read into a shared buffer on this Node (the onread probe held). */
export const sharedReadsSupported = onreadSymbols !== undefined;

function handleOf(socket: Socket | Server): TcpHandle | undefined {
  return (socket as unknown as { _handle?: TcpHandle | null })._handle ?? undefined;
}

/**
 * Makes `socket` (accepted, nothing read yet) read into `memory` and call `callback` with each
 * read's length, as `net.connect`'s `onread` does. False, and nothing changed, where this Node
 * or this socket's handle does not allow it.
 */
export function readIntoUserBuffer(socket: Socket, memory: Buffer, callback: UserBufferCallback): boolean {
  const handle = handleOf(socket);
  // No handle: the socket is already closed, which says nothing of this Node.
  if (onreadSymbols === undefined || handle === undefined) return false;
  if (typeof handle.useUserBuffer !== "function") {
    probeFailed("tcp-user-buffer", "the socket's _handle has no useUserBuffer()");
    return false;
  }
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[onreadSymbols.buffer] = memory;
  fields[onreadSymbols.callback] = callback;
  fields[onreadSymbols.generator] = null;
  handle.useUserBuffer(memory);
  return true;
}

/**
 * Makes sure Node does not read `socket` itself: a socket Node built around a descriptor sent
 * by another process (a cluster primary's handover) starts reading at once, unlike one
 * accepted with `pauseOnConnect`. False where Node reads it and this Node's handle cannot be
 * told to stop; true if it was not reading or now is not.
 */
export function stopNodeReading(socket: Socket): boolean {
  const handle = handleOf(socket);
  if (handle === undefined || handle.reading !== true) return true;
  if (typeof handle.readStop !== "function" || handle.readStop() !== 0) {
    probeFailed("tcp-read-stop", "the socket's _handle has no readStop() that succeeds");
    return false;
  }
  handle.reading = false;
  return true;
}

/** The descriptor of `socket`'s handle, or -1 where there is none to share (no handle, Windows). */
export function descriptorOf(socket: Socket): number {
  const handle = handleOf(socket);
  if (handle === undefined) return -1; // closed already: nothing to learn of this Node
  if (typeof handle.fd === "number" && handle.fd >= 0) return handle.fd;
  probeFailed("tcp-descriptor", `the socket's _handle.fd is ${String(handle.fd)}`);
  return -1;
}

/**
 * Sets TCP_NODELAY on a listening server's socket. On Linux, each connection the kernel
 * completes on it from then on is born with the option, so that Node need not set it on every
 * accepted socket (a call into C++ and a setsockopt() each). False, and nothing set, where that
 * is not known to hold (other systems) or the server has no socket of its own (a cluster
 * worker's stand-in handle): its sockets then need `setNoDelay` one by one.
 */
export function setNoDelayOnListener(server: Server): boolean {
  if (process.platform !== "linux") return false;
  const handle = handleOf(server);
  return typeof handle?.setNoDelay === "function" && handle.setNoDelay(true) === 0;
}

/**
 * The descriptor of a listening server's own socket, or -1 where it has none to share (not
 * listening, Windows) or shares it with other processes (a cluster worker's handle: the
 * socket is the whole service's, not this worker's to change).
 */
export function listenerDescriptorOf(server: Server): number {
  if (cluster.isWorker) return -1;
  const fd = handleOf(server)?.fd;
  return typeof fd === "number" && fd >= 0 ? fd : -1;
}

/**
 * Runs the per-socket probes once on a listening server's handle (the same kind of handle as
 * the sockets it accepts), so that a failure is known, and logged, when the server starts.
 */
export function probeListeningHandle(server: Server): void {
  const handle = handleOf(server);
  if (handle === undefined) return;
  if (typeof handle.useUserBuffer !== "function")
    probeFailed("tcp-user-buffer", "the TCP handle has no useUserBuffer()");
  if (typeof handle.fd !== "number" || handle.fd < 0)
    probeFailed("tcp-descriptor", `the TCP handle's fd is ${String(handle.fd)}`);
}
