/**
 * Where a bound UDP socket's datagrams come from and go to (the lesson's recvfrom and sendto).
 * `dgram` wraps each datagram in an event and each reply in a `lookup` of an address that is
 * already numeric, a request object and a callback on the next tick; below that, Node's handle
 * allocates 64 KiB per datagram and builds a Buffer and an address object for it. Three paths,
 * the fastest this Node and build offer:
 * - "syscalls": recvfrom into one shared buffer and sendto, in `datagram-syscalls.c`;
 * - "handle": the socket's own handle delivers each datagram to one function and takes each reply straight;
 * - "events": `dgram`'s `message` event and `send()`.
 * All three give the same datagrams and the same outcomes; on "syscalls" each datagram is a view
 * of one shared buffer, valid during its receiver's call only (the others give fresh Buffers).
 */

import { Buffer } from "node:buffer";
import type { Socket as DatagramSocket, RemoteInfo } from "node:dgram";
import { constants } from "node:os";
import { SharedReadBuffer } from "../io/shared-read-buffer.js";
import { systemError } from "../io/system-error.js";
import { type SendRequest, SendWrap, type UdpHandle, udpHandleOf } from "../node-internals/udp-handle.js";
import {
  DATAGRAM_FAMILY,
  DATAGRAM_LENGTH,
  DATAGRAM_PORT,
  type DatagramSyscalls,
  datagramSyscalls,
  type NativeReceiver,
} from "./datagram-syscalls.js";

/** How datagrams reach the receiver (see the opening comment), fastest first. */
export type DatagramPath = "syscalls" | "handle" | "events";

/**
 * Called with each datagram. The receiver may overwrite `message` (and reply with it), but it
 * is the receiver's only for the call: the next datagram may be read into the same memory (as
 * with `net`'s `onread`). A receiver that keeps the bytes (a reply sent later) copies them.
 * `remote` is its own to keep.
 */
export type DatagramReceiver = (message: Buffer, remote: RemoteInfo) => void;

/**
 * Called once per `send()`: at once when the kernel took the reply, later when it had to wait.
 * `reply` is what was sent: on the "syscalls" path, a copy when the reply had to wait, and
 * otherwise the receiver's view of its datagram, valid only during the call.
 */
export type SendOutcome<Context> = (reply: Buffer, remote: RemoteInfo, context: Context, error?: Error) => void;

/** The fastest path this Node and build offer a bound socket. */
export const fastestDatagramPath: DatagramPath =
  SendWrap === undefined ? "events" : datagramSyscalls === undefined ? "handle" : "syscalls";

const EAGAIN = constants.errno.EAGAIN;

/**
 * Receives a bound socket's datagrams and sends its replies. Errors while receiving still come
 * as the socket's `error` event; `socket.close()` (or `close()`) stops it.
 *
 * @example
 * ```ts
 * import { createSocket } from "node:dgram";
 * import { once } from "node:events";
 * import { DatagramIO } from "./datagram-io.js";
 * const socket = createSocket("udp4").bind(0, "127.0.0.1");
 * await once(socket, "listening");
 * const io = new DatagramIO(socket, (message, remote) => io.send(message, remote, undefined),
 *   (reply, remote, _context, error) => console.log(error ?? `sent ${reply.length} bytes`));
 * socket.close();
 * ```
 */
export class DatagramIO<Context> {
  /** The path datagrams take: the one asked for, or the next this Node and build offer. */
  readonly path: DatagramPath;
  readonly #socket: DatagramSocket;
  readonly #handle: UdpHandle | undefined;
  readonly #outcome: SendOutcome<Context>;
  /** A request no send holds: sends the kernel takes at once never hand it to C++. */
  #spareRequest: SendRequest | undefined;
  readonly #buffers: Buffer[] = [];
  /** The "syscalls" path's receiver; undefined on the other paths and once closed. */
  #native: NativeReceiver | undefined;
  /** The datagram being handled on the "syscalls" path: a reply to it goes by the native sendto. */
  #current: RemoteInfo | undefined;
  /** The "syscalls" path's views of the native input (the same Buffer while datagrams keep their length). */
  #inputViews: SharedReadBuffer | undefined;
  /** The datagram being handled on the "syscalls" path, a view of the native input: a reply that is it goes from there. */
  #message: Buffer | undefined;
  /** The previous datagram's source address on the "syscalls" path (sent again only when it changes). */
  #lastAddress = "";

  /**
   * `socket` must be bound; `receive` gets every datagram from now on. `path` asks for a slower
   * path than the fastest (to compare them).
   */
  constructor(
    socket: DatagramSocket,
    receive: DatagramReceiver,
    outcome: SendOutcome<Context>,
    options: { path?: DatagramPath } = {},
  ) {
    this.#socket = socket;
    this.#outcome = outcome;
    const wanted = options.path ?? fastestDatagramPath;
    const handle = SendWrap === undefined || wanted === "events" ? undefined : udpHandleOf(socket);
    this.#handle = handle;
    if (handle === undefined) {
      this.path = "events";
      socket.on("message", receive);
      return;
    }
    if (wanted === "syscalls" && datagramSyscalls !== undefined && handle.fd >= 0) {
      this.path = "syscalls";
      this.#native = this.#openNative(datagramSyscalls.open, handle, receive);
      socket.once("close", () => this.close());
      return;
    }
    this.path = "handle";
    handle.onmessage = (bytesRead, _handle, buffer, remote) => {
      if (bytesRead < 0) socket.emit("error", systemError(bytesRead, "recvmsg"));
      else receive(buffer, remote);
    };
  }

  #openNative(open: DatagramSyscalls["open"], handle: UdpHandle, receive: DatagramReceiver): NativeReceiver {
    // The socket stays dgram's (bind, close, sends that must wait); only its reading moves.
    handle.recvStop();
    const native = open(handle.fd, (address) => {
      const numbers = native.datagram;
      const length = numbers[DATAGRAM_LENGTH] as number;
      if (length < 0) {
        this.#socket.emit("error", systemError(length, "recvmsg"));
        return;
      }
      const message = views.viewOf(length);
      this.#message = message;
      if (address !== undefined) this.#lastAddress = address;
      const remote: RemoteInfo = {
        address: this.#lastAddress,
        family: numbers[DATAGRAM_FAMILY] === 4 ? "IPv4" : "IPv6",
        port: numbers[DATAGRAM_PORT] as number,
        size: length,
      };
      this.#current = remote;
      try {
        receive(message, remote);
      } finally {
        this.#current = undefined;
      }
    });
    const views = new SharedReadBuffer(native.input);
    this.#inputViews = views;
    return native;
  }

  /** sendto `remote`; `outcome` is called with `context` once the kernel took it or refused it. */
  send(reply: Buffer, remote: RemoteInfo, context: Context): void {
    if (remote === this.#current && this.#native !== undefined && datagramSyscalls !== undefined) {
      const receiver = this.#native.receiver;
      const result =
        reply === this.#message
          ? datagramSyscalls.replyFromInput(receiver, reply.length)
          : datagramSyscalls.reply(receiver, reply, reply.length);
      if (result !== -EAGAIN) {
        this.#outcome(reply, remote, context, result < 0 ? systemError(result, "send") : undefined);
        return;
      }
      // The socket's buffer is full: the handle queues the reply until the kernel takes it.
    }
    // A reply the handle may keep must not point into the native input, which the next datagram overwrites.
    if (this.#inputViews !== undefined && reply.buffer === this.#inputViews.memory.buffer) reply = Buffer.from(reply);
    const handle = this.#handle;
    if (handle === undefined || SendWrap === undefined) {
      this.#socket.send(reply, remote.port, remote.address, (error) =>
        this.#outcome(reply, remote, context, error ?? undefined),
      );
      return;
    }
    const request = this.#spareRequest ?? new SendWrap();
    this.#buffers[0] = reply;
    const result = handle.send(request, this.#buffers, 1, remote.port, remote.address, true);
    this.#buffers[0] = EMPTY;
    if (result > 0) {
      this.#spareRequest = request;
      this.#outcome(reply, remote, context);
    } else if (result < 0) {
      // Not reused: C++ may have wrapped it before the failure.
      this.#spareRequest = undefined;
      this.#outcome(reply, remote, context, systemError(result, "send"));
    } else {
      // The kernel's buffer was full: C++ now holds `request` (and must keep `reply` alive) until sent.
      this.#spareRequest = undefined;
      const pending = request as SendRequest & { reply?: Buffer };
      pending.reply = reply;
      pending.oncomplete = (status) =>
        this.#outcome(reply, remote, context, status < 0 ? systemError(status, "send") : undefined);
    }
  }

  /**
   * Stops the native receiver of the "syscalls" path now (closing the socket does it too, on its
   * `close` event; the other paths stop with the socket). Replies still go, through the handle.
   * Safe to call twice. On that path the receiver, not the socket, keeps the event loop alive
   * until then: `socket.unref()` does not let the process exit.
   */
  close(): void {
    if (this.#native !== undefined) datagramSyscalls?.close(this.#native.receiver);
    this.#native = undefined;
  }
}

const EMPTY = Buffer.alloc(0);
