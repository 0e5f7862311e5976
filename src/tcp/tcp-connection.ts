/**
 * One accepted TCP connection, on its own socket as the lesson says: recv a chunk,
 * uppercase it, send it back at once, in order. Stops reading a client whose answers it is
 * not reading (backpressure, within a per-connection and a server-wide bound), closes one
 * that makes no progress for too long, and answers to the end after the client half-closes.
 */

import type { Buffer } from "node:buffer";
import type { Socket } from "node:net";
import { TLSSocket } from "node:tls";
import { formatAddress } from "../address/address.js";
import { t } from "../i18n/index.js";
import type { Tracer } from "../observability/trace.js";
import type { Uppercaser } from "../transform/index.js";
import type { BufferBudget } from "./buffer-budget.js";
import { registrySlot } from "./connection-registry.js";
import type { IdleConnection } from "./idle-sweeper.js";
import type { SocketReader } from "./socket-reader.js";
import { SocketWriter } from "./socket-writer.js";
import { resetSocket } from "./tls/tls-handshakes.js";

export interface TcpConnectionEvents {
  /** The socket is gone; bytes counted both ways. */
  onClose(connection: TcpConnection): void;
  /** A socket error (reset, idle, stalled...): the connection is closed, nothing else is affected. */
  onError(connection: TcpConnection, error: NodeJS.ErrnoException): void;
}

export interface TcpConnectionLimits {
  /** Answer bytes waiting to be sent past which the connection stops reading. */
  maxBufferedBytes: number;
  /** A connection paused that long without its answers draining is closed. 0: never. */
  stallTimeoutMs: number;
  /** The server-wide bound shared by every connection. */
  budget: BufferBudget;
  /** The idle clock: bytes moving note its tick (see IdleSweeper). */
  idleClock: { readonly tick: number };
}

/**
 * open: reading and answering. finishing: our FIN is queued (the client finished, or it went
 * quiet while the server drains). closed: the socket is gone.
 */
export type TcpConnectionState = "open" | "finishing" | "closed";

export class TcpConnection implements IdleConnection {
  state: TcpConnectionState = "open";
  lastActiveTick: number;
  bytesReceived = 0;
  bytesSent = 0;
  /**
   * Bytes read from the client and never answered: those read after our FIN to a client that
   * had gone quiet during a drain (the first of them resets the connection, so what the client
   * sends after that is refused by its kernel, not read, not counted), and those the transform
   * still held (part of a character, or `--locale`'s word) when a reset cut the connection.
   * Every other byte read is answered at once: a reset at the drain deadline cuts answers on
   * their way, which count in `connectionsReset`, not here.
   */
  bytesDiscarded = 0;
  /** How the connection ended while the server drained, if it did. */
  drainOutcome: "finished" | "reset" | undefined;
  /** When the connection was accepted (performance.now() milliseconds), for its duration. */
  readonly openedAtMs = performance.now();
  /** Its index among the server's open connections (ConnectionRegistry). */
  [registrySlot] = -1;
  /** Whether reading is paused because the client is not reading its answers. */
  #pausedForBackpressure = false;
  /** Buffered bytes last reported to the budget. */
  #reportedBytes = 0;
  #stallTimer: NodeJS.Timeout | undefined;
  #quietTimer: NodeJS.Timeout | undefined;
  /** The server is draining: the connection is served until its client finishes or goes quiet. */
  #draining = false;
  /** Whether the socket's "drain" is listened to: from the first answer that had to wait. */
  #listensForDrain = false;
  /** Closed at once after the client's FIN, with no shutdown(): the close sends our FIN. */
  #closeSendsFin = false;

  #peer: string | undefined;
  /** Answers go by send() in C while nothing waits in Node's queue (see SocketWriter). */
  readonly #writer: SocketWriter;
  /** Whether the socket is TCP itself (not TLS over it). */
  readonly #plainTcp: boolean;
  /** Where the bytes come from: reading stops and restarts there, not on the socket. */
  readonly #reader: SocketReader;

  /** The client's address (the one a PROXY header named, if any). */
  readonly remoteAddress: string;
  readonly remotePort: number;

  constructor(
    readonly socket: Socket,
    reader: SocketReader,
    readonly uppercaser: Uppercaser,
    client: { address: string; port: number },
    readonly limits: TcpConnectionLimits,
    events: TcpConnectionEvents,
    readonly trace?: Tracer,
  ) {
    this.remoteAddress = client.address;
    this.remotePort = client.port;
    this.lastActiveTick = limits.idleClock.tick;
    // Chunks read into the shared buffer are answered in place: what waits is copied.
    this.#writer = new SocketWriter(socket, { copyWhatWaits: reader.usesSharedBuffer });
    this.#plainTcp = !(socket instanceof TLSSocket);
    this.#reader = reader;
    const peer = trace === undefined ? "" : this.peer;
    reader.onChunk = (chunk) => this.#receive(chunk);
    // No "drain" listener yet: only a connection whose answers had to wait needs one (#receive).
    // With allowHalfOpen, the client's FIN only ends its direction: answer the rest, then close.
    socket.on("end", () => {
      trace?.({ step: "recv", protocol: "tcp", peer, bytes: 0, note: t("trace.clientFinished") });
      this.#finish(true);
    });
    socket.on("error", (error) => events.onError(this, error));
    socket.on("close", () => {
      if (this.#draining) this.drainOutcome ??= "finished";
      this.state = "closed";
      clearTimeout(this.#stallTimer);
      clearTimeout(this.#quietTimer);
      limits.budget.adjust(-this.#reportedBytes);
      this.#reportedBytes = 0;
      if (this.#closeSendsFin) {
        trace?.({ step: "close", protocol: "tcp", peer, note: t("trace.closeSendsFin"), sendsFin: true });
      } else trace?.({ step: "close", protocol: "tcp", peer });
      events.onClose(this);
    });
  }

  /** `address:port` of the client, formatted when first asked (logs and traces only). */
  get peer(): string {
    this.#peer ??= formatAddress(this.remoteAddress, this.remotePort);
    return this.#peer;
  }

  closeForIdleness(): void {
    this.socket.destroy(errorWithCode("no bytes either way for too long", "ETIMEDOUT"));
  }

  /** Bytes read before this connection took the socket over (after a PROXY header): answered first. */
  receiveInitial(bytes: Buffer): void {
    if (bytes.length > 0) this.#receive(bytes);
  }

  /** Bytes queued to send but not yet taken by the kernel. */
  get bufferedBytes(): number {
    return this.socket.writableLength;
  }

  get isPaused(): boolean {
    return this.#pausedForBackpressure;
  }

  /** Sends what is still held (an unfinished character passes through as is), then FIN. */
  finish(): void {
    this.#finish(false);
  }

  /** `finish()`; `clientFinished`: after the client's FIN, when nothing more can be read. */
  #finish(clientFinished: boolean): void {
    if (this.state !== "open") return;
    this.state = "finishing";
    const rest = this.uppercaser.end();
    this.bytesSent += rest.length;
    if (rest.length > 0) {
      this.trace?.({ step: "send", protocol: "tcp", peer: this.peer, bytes: rest.length, payload: rest });
    }
    if (rest.length === 0 && clientFinished && this.#plainTcp && this.socket.writableLength === 0) {
      // Both directions are done and every answer is in the kernel: closing sends the same FIN
      // after them (nothing is unread, so no reset), without shutdown()'s request, callback
      // and syscall, as the lesson's server ends with close() alone. TLS ends with its
      // close_notify alert, and what waits in Node's queue with its write: those still go by end().
      this.#closeSendsFin = true;
      this.socket.destroy();
      return;
    }
    this.trace?.({ step: "shutdown", protocol: "tcp", peer: this.peer });
    if (rest.length > 0) this.socket.end(rest);
    else this.socket.end();
  }

  /**
   * The server is stopping: keep reading and answering, as before, until the client ends its
   * stream (then the usual finish) or has been quiet for `quietMs` (nothing received, nothing
   * waiting to be sent): then our FIN, so a client idle at a prompt does not hold the drain.
   * A connection whose client already finished just completes.
   */
  drain(quietMs: number): void {
    if (this.#draining || this.state === "closed") return;
    this.#draining = true;
    let receivedBefore = this.bytesReceived;
    const quiet = () =>
      this.bytesReceived === receivedBefore && this.socket.writableLength === 0 && !this.#pausedForBackpressure;
    const notQuiet = () => {
      receivedBefore = this.bytesReceived;
      this.#quietTimer = setTimeout(check, quietMs);
    };
    const check = () => {
      if (this.state !== "open") return;
      if (!quiet()) notQuiet();
      // Timers run before the poll that reads what has arrived: after a stall as long as the
      // quiet time (a busy machine, a long garbage collection), a sending client's bytes may be
      // waiting unread. So look again once the poll has run (setImmediate runs after it).
      else setImmediate(confirm);
    };
    const confirm = () => {
      if (this.state !== "open" || this.socket.destroyed) return;
      if (!quiet()) {
        notQuiet();
        return;
      }
      this.finish();
      // Our FIN is out: a client that neither sends its own FIN nor anything else for another
      // quiet spell is closed (nothing of its is unread, so the kernel closes without a reset).
      this.socket.once("finish", () => {
        this.#quietTimer = setTimeout(() => {
          if (this.state !== "closed") this.socket.destroy();
        }, quietMs);
      });
    };
    this.#quietTimer = setTimeout(check, quietMs);
  }

  /**
   * Closes at once with a reset (RST, not FIN), so the client can tell its answer was cut:
   * what the drain deadline does to a connection still busy.
   */
  reset(): void {
    if (this.state === "closed") return;
    // Our FIN is queued but not sent: the kernel's send buffer is full (the client stopped
    // reading), and libuv refuses a reset while its shutdown waits (EINVAL, and the socket
    // would stay open for good). With nothing left in Node's queue, every answer is already
    // in the kernel, FIN after it: closing loses nothing, the client reads it all if it reads.
    if (this.state === "finishing" && !this.socket.writableFinished && this.socket.writableLength === 0) {
      this.socket.destroy();
      return;
    }
    if (this.#draining) this.drainOutcome = "reset";
    // Read, held for the rest of a character or word, and now never answered.
    if (this.state === "open") this.bytesDiscarded += this.uppercaser.heldBytes;
    resetSocket(this.socket);
  }

  #receive(chunk: Buffer): void {
    if (this.state !== "open") {
      // Only after our FIN to a quiet client can bytes still come (after its own FIN, none
      // can): they will never be answered, so say so with a reset rather than lose them quietly.
      this.bytesDiscarded += chunk.length;
      this.reset();
      return;
    }
    this.bytesReceived += chunk.length;
    this.lastActiveTick = this.limits.idleClock.tick;
    this.trace?.({ step: "recv", protocol: "tcp", peer: this.peer, bytes: chunk.length, payload: chunk });
    // The chunk is ours to overwrite during this call: uppercased in place, sent (or copied) now.
    const answer = this.uppercaser.push(chunk, true);
    if (answer.length === 0) return;
    this.bytesSent += answer.length;
    this.trace?.({ step: "send", protocol: "tcp", peer: this.peer, bytes: answer.length, payload: answer });
    const accepted = this.#writer.write(answer);
    if (accepted) return;
    // Before the "drain" that this false announces, which comes later, from the event loop.
    if (!this.#listensForDrain) {
      this.#listensForDrain = true;
      this.socket.on("drain", () => this.#drained());
    }
    // The kernel's buffer is full: account for what waits here, and stop reading past the bounds.
    const buffered = this.socket.writableLength;
    this.limits.budget.adjust(buffered - this.#reportedBytes);
    this.#reportedBytes = buffered;
    if (buffered >= this.limits.maxBufferedBytes || this.limits.budget.isExhausted) this.#pause();
  }

  #pause(): void {
    if (this.#pausedForBackpressure) return;
    this.#pausedForBackpressure = true;
    this.#reader.pause();
    if (this.limits.stallTimeoutMs > 0) {
      this.#stallTimer = setTimeout(() => {
        this.socket.destroy(errorWithCode("answers not read for too long", "ESTALLED"));
      }, this.limits.stallTimeoutMs);
      this.#stallTimer.unref();
    }
  }

  #drained(): void {
    this.lastActiveTick = this.limits.idleClock.tick;
    this.limits.budget.adjust(-this.#reportedBytes);
    this.#reportedBytes = 0;
    if (!this.#pausedForBackpressure) return;
    this.#pausedForBackpressure = false;
    clearTimeout(this.#stallTimer);
    // Reading resumes while answering, and also while draining (to count what is discarded).
    if (this.state !== "closed") this.#reader.resume();
  }
}

function errorWithCode(message: string, code: string): NodeJS.ErrnoException {
  return Object.assign(new Error(message), { code });
}
