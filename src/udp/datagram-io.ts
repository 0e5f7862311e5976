/**
 * Where a bound UDP socket's datagrams come from and go to (the lesson's recvfrom and sendto).
 * `dgram` wraps each datagram in an event and each reply in a `lookup` of an address that is
 * already numeric, a request object and a callback on the next tick; here the socket's own
 * handle delivers each datagram to one function and takes each reply straight, which is most
 * of what a Node server spends per datagram after the kernel. Where this Node's handle is not
 * what that needs, datagrams go through `dgram`'s `message` event and `send()`, with the same
 * result.
 */

import type { Socket as DatagramSocket, RemoteInfo } from "node:dgram";
import { getSystemErrorName } from "node:util";

/** Called with each datagram; `message` is the receiver's to keep and overwrite. */
export type DatagramReceiver = (message: Buffer, remote: RemoteInfo) => void;

/** Called once per `send()`: at once when the kernel took the reply, later when it had to wait. */
export type SendOutcome<Context> = (reply: Buffer, remote: RemoteInfo, context: Context, error?: Error) => void;

/** What a UDP handle of Node 20 offers (`internalBinding('udp_wrap').UDP`), as far as used here. */
interface UdpHandle {
  onmessage: (bytesRead: number, handle: unknown, buffer: Buffer, remote: RemoteInfo) => void;
  /** sendto: the reply's length + 1 when sent at once, 0 when queued, a negative errno on failure. */
  send(
    request: SendRequest,
    buffers: Buffer[],
    count: number,
    port: number,
    address: string,
    hasCallback: boolean,
  ): number;
}

/** Node's `SendWrap`: the C++ request behind a send that has to wait for the socket. */
interface SendRequest {
  oncomplete?: (status: number, bytesSent: number) => void;
}

type SendRequestConstructor = new () => SendRequest;

const SendWrap = findSendWrap();

/** Whether bound sockets' datagrams can skip `dgram`'s events on this Node. */
export const directDatagramsSupported = SendWrap !== undefined;

function findSendWrap(): SendRequestConstructor | undefined {
  try {
    const binding = (process as unknown as { binding(name: string): { SendWrap?: unknown } }).binding("udp_wrap");
    return typeof binding.SendWrap === "function" ? (binding.SendWrap as SendRequestConstructor) : undefined;
  } catch {
    return undefined;
  }
}

/** The handle inside a bound `dgram` socket, if it is the kind this module can drive. */
function handleOf(socket: DatagramSocket): UdpHandle | undefined {
  const stateSymbol = Object.getOwnPropertySymbols(socket).find((symbol) => symbol.description === "state symbol");
  if (stateSymbol === undefined) return undefined;
  const state = (socket as unknown as Record<symbol, { handle?: Partial<UdpHandle> | null } | undefined>)[stateSymbol];
  const handle = state?.handle;
  // dgram's own receiver is what is replaced: anything else means this Node works otherwise.
  if (typeof handle?.send !== "function" || typeof handle.onmessage !== "function") return undefined;
  if (handle.onmessage.name !== "onMessage") return undefined;
  return handle as UdpHandle;
}

/** An error like the ones `dgram` gives, from a libuv error code. */
function systemError(code: number, syscall: string): NodeJS.ErrnoException {
  const name = getSystemErrorName(code);
  const error: NodeJS.ErrnoException = new Error(`${syscall} ${name}`);
  error.code = name;
  error.errno = code;
  error.syscall = syscall;
  return error;
}

/**
 * Receives a bound socket's datagrams and sends its replies. Errors while receiving still come
 * as the socket's `error` event; `socket.close()` still stops it.
 *
 * @example
 * const io = new DatagramIO(socket, (message, remote) => io.send(message, remote, undefined),
 *   (reply, remote, _context, error) => console.log(error ?? `sent ${reply.length} bytes`));
 */
export class DatagramIO<Context> {
  /** Whether datagrams go straight through the socket's handle (else through `dgram` events). */
  readonly direct: boolean;
  readonly #socket: DatagramSocket;
  readonly #handle: UdpHandle | undefined;
  readonly #outcome: SendOutcome<Context>;
  /** A request no send holds: sends the kernel takes at once never hand it to C++. */
  #spareRequest: SendRequest | undefined;
  readonly #buffers: Buffer[] = [];

  /**
   * `socket` must be bound; `receive` gets every datagram from now on. `direct: false` keeps
   * `dgram`'s events and `send()` (to compare the two).
   */
  constructor(
    socket: DatagramSocket,
    receive: DatagramReceiver,
    outcome: SendOutcome<Context>,
    options: { direct?: boolean } = {},
  ) {
    this.#socket = socket;
    this.#outcome = outcome;
    const handle = SendWrap === undefined || options.direct === false ? undefined : handleOf(socket);
    this.#handle = handle;
    this.direct = handle !== undefined;
    if (handle === undefined) {
      socket.on("message", receive);
      return;
    }
    handle.onmessage = (bytesRead, _handle, buffer, remote) => {
      if (bytesRead < 0) socket.emit("error", systemError(bytesRead, "recvmsg"));
      else receive(buffer, remote);
    };
  }

  /** sendto `remote`; `outcome` is called with `context` once the kernel took it or refused it. */
  send(reply: Buffer, remote: RemoteInfo, context: Context): void {
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
}

const EMPTY = Buffer.alloc(0);
