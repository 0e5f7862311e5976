/**
 * The native half of SocketWriter, `stream-syscalls.c`: send() on a connected TCP socket
 * without Node's write request, stream bookkeeping and next-tick callback. Built into
 * `build/stream-syscalls.node` by `npm install` and `npm run build` when a C compiler is there;
 * `streamSyscalls` is undefined where it was not built (or does not load), and SocketWriter
 * then writes through `socket.write` alone.
 */

import type { Buffer } from "node:buffer";
import { loadNativeModule } from "../io/native-module.js";

/** The functions of stream-syscalls.c (its opening comment says what each does). */
export interface StreamSyscalls {
  /** send() without waiting: bytes the kernel took (maybe fewer than `length`), or a negative errno. */
  send(fd: number, buffer: Buffer, length: number): number;
  /**
   * getpeername(): the address as `socket.remoteAddress` gives it, and its port in `port[0]`;
   * null where Node would format it otherwise (an IPv6 zone), a negative errno on failure.
   */
  peerAddress(fd: number, port: Int32Array): string | number | null;
  /**
   * A listening socket stops beginning handshakes (it drops SYNs); those under way complete,
   * and every connection queued stays there for accept(). 0, or a negative errno (-ENOSYS
   * where the system has no such filter).
   */
  refuseHandshakes(fd: number): number;
}

const loaded = loadNativeModule<StreamSyscalls>("stream-syscalls", ["send", "peerAddress", "refuseHandshakes"]);

/** The native functions, or undefined where the module was not built or does not load. */
export const streamSyscalls: StreamSyscalls | undefined = loaded.module;

/** Why `streamSyscalls` is undefined, when it is. */
export const streamSyscallsUnavailable: string | undefined = loaded.unavailable;
