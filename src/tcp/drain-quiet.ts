/** While the server drains: a socket not served yet (PROXY header, TLS handshake) is closed once its client is quiet; DrainQuietChecks does it for a whole step. */

import type { Socket } from "node:net";

/**
 * Calls `close` once `socket`'s client has sent nothing for `quietMs` (`bytesRead()` has not
 * moved), unless the socket has left its step by then (`pending()` false) or closed.
 */
export function closeWhenQuiet(
  socket: Socket,
  quietMs: number,
  pending: () => boolean,
  close: () => void,
  bytesRead: () => number = () => socket.bytesRead,
): void {
  let readBefore = bytesRead();
  let timer: NodeJS.Timeout | undefined;
  /** False, and the next check armed, if bytes came since the last look. */
  const quiet = (): boolean => {
    const readNow = bytesRead();
    if (readNow === readBefore) return true;
    readBefore = readNow;
    timer = setTimeout(check, quietMs);
    return false;
  };
  const check = () => {
    // Timers run before the poll that reads what has arrived: after a stall as long as the
    // quiet time (a busy machine, a long garbage collection), a sending client's bytes may be
    // waiting unread. So look again once the poll has run (setImmediate runs after it).
    if (pending() && quiet()) setImmediate(confirm);
  };
  const confirm = () => {
    // Closed meanwhile, or the header or handshake is done: nothing to do (no timer to clear).
    if (pending() && !socket.destroyed && quiet()) close();
  };
  timer = setTimeout(check, quietMs);
  socket.once("close", () => {
    clearTimeout(timer);
  });
}

/**
 * A pre-serve step's drain: once `begin` is called, every socket still in the step, and each
 * one that enters it later (`watch`: a header done during the drain, a socket a worker adopts),
 * is closed by `close` once its client is quiet, unless it left the step (`pending` false).
 */
export class DrainQuietChecks {
  #quietMs: number | undefined;

  /** `bytesRead`: how many bytes of `socket` were read (its SocketReader's count, where it has one). */
  constructor(
    readonly pending: (socket: Socket) => boolean,
    readonly close: (socket: Socket) => void,
    readonly bytesRead: (socket: Socket) => number = (socket) => socket.bytesRead,
  ) {}

  begin(quietMs: number, sockets: Iterable<Socket>): void {
    this.#quietMs = quietMs;
    for (const socket of sockets) this.watch(socket);
  }

  /** A socket entered the step: checked too if the drain has begun. */
  watch(socket: Socket): void {
    if (this.#quietMs === undefined) return;
    closeWhenQuiet(
      socket,
      this.#quietMs,
      () => this.pending(socket),
      () => this.close(socket),
      () => this.bytesRead(socket),
    );
  }
}
