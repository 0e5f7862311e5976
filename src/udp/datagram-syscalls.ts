/**
 * The native half of DatagramIO, `datagram-syscalls.c`: recvfrom and sendto on a bound UDP
 * socket without Node's per-datagram allocations. Built into `build/datagram-syscalls.node`
 * by `npm install` and `npm run build` when a C compiler is there; `datagramSyscalls` is
 * undefined where it was not built (or does not load), and DatagramIO then uses Node's handle.
 */

import type { Buffer } from "node:buffer";
import { loadNativeModule } from "../io/native-module.js";

/**
 * Called for each datagram: its bytes are in `input[0..length)`, its numbers in `datagram`
 * (`DATAGRAM_LENGTH` negative: the errno of a failed recvfrom). `address` is undefined when
 * it is the previous datagram's.
 */
export type NativeDatagramReceiver = (address: string | undefined) => void;

/** What `open` returns: where each datagram and its numbers are read into, and the receiver to name in calls. */
export interface NativeReceiver {
  readonly input: Buffer;
  /** The datagram being handled: [length or -errno, source port, source family (4 or 6)]. */
  readonly datagram: Int32Array;
  readonly receiver: unknown;
}

/** The slots of `NativeReceiver.datagram`. */
export const DATAGRAM_LENGTH = 0;
export const DATAGRAM_PORT = 1;
export const DATAGRAM_FAMILY = 2;

/** The functions of datagram-syscalls.c (its opening comment says what each does). */
export interface DatagramSyscalls {
  /** Watches a duplicate of `fd` on Node's event loop; `onDatagram` gets every datagram from now on. */
  open(fd: number, onDatagram: NativeDatagramReceiver): NativeReceiver;
  /** sendto the source of the datagram being handled: bytes sent or a negative errno. */
  reply(receiver: unknown, buffer: Buffer, length: number): number;
  /** The same for a reply in `input[0..length)` (uppercased in place): no buffer to look into. */
  replyFromInput(receiver: unknown, length: number): number;
  /** Stops watching and closes the duplicate descriptor; safe to call twice. */
  close(receiver: unknown): void;
}

const loaded = loadNativeModule<DatagramSyscalls>("datagram-syscalls", ["open", "reply", "replyFromInput", "close"]);

/**
 * The native functions, or undefined where the module was not built or does not load. A plain
 * object holding them (the module's own properties are read-only): a test's child process
 * replaces `reply` to make the kernel refuse, as SocketWriter's tests pass their own `send`.
 */
export const datagramSyscalls: DatagramSyscalls | undefined = loaded.module && {
  open: loaded.module.open,
  reply: loaded.module.reply,
  replyFromInput: loaded.module.replyFromInput,
  close: loaded.module.close,
};

/** Why `datagramSyscalls` is undefined, when it is. */
export const datagramSyscallsUnavailable: string | undefined = loaded.unavailable;
