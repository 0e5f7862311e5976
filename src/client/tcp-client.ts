/**
 * The TCP client: connect, send bytes as they come, receive the uppercase as it comes.
 *
 * It also works against the lesson's TCP server, which answers one recv and closes: sent
 * bytes are kept until the newline that ends their line comes back (the transform never
 * makes or removes a newline, so answered lines can be counted), and when the server closes
 * before everything is answered, the client connects again and sends the unanswered lines,
 * skipping the part of a reply it has already printed.
 */

import { isAscii } from "node:buffer";
import { EventEmitter } from "node:events";
import { connect, type Socket } from "node:net";
import { type ConnectionOptions, connect as connectTls } from "node:tls";
import { formatAddress } from "../address/address.js";
import { connectError, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import type { Tracer } from "../observability/trace.js";
import { LineAnswers, type LineRequest } from "./line-answers.js";
import { SentLines } from "./sent-lines.js";
import { type ClientTlsOptions, tlsConnectOptions, tlsError } from "./tls-connect.js";

export interface TcpClientOptions {
  host: string;
  port: number;
  /**
   * Most unanswered bytes kept for sending again. A stream that goes further than this
   * without an answered newline is not line-oriented: the client stops keeping it, and a
   * server that closes early is then an error.
   */
  replayLimitBytes?: number;
  /** Connections in a row closed by the server without a byte of answer before giving up. */
  maxFruitlessConnections?: number;
  /** Called at each socket step (`--trace`). */
  trace?: Tracer;
  /** Connect with TLS (`--tls`): `true` verifies against the usual CAs; see ClientTlsOptions. */
  tls?: boolean | ClientTlsOptions;
}

export const TCP_CLIENT_DEFAULTS = {
  replayLimitBytes: 4 * 1024 * 1024,
  maxFruitlessConnections: 3,
} as const;

const NEWLINE = 0x0a;

/** The events a `TcpClient` emits, with their arguments: `client.on("reply", (bytes) => …)`. */
export interface TcpClientEvents {
  /** Reply bytes as they come, in order, never a byte twice (also after reconnecting). */
  reply: [bytes: Buffer];
}

/**
 * Connects on first use (`request` or `write`), as `UdpClient` does; `open()` connects
 * earlier, to learn at once that the server is not there.
 *
 * @example
 * ```ts
 * import { TcpClient } from "./tcp-client.js";
 * const client = new TcpClient({ host: "127.0.0.1", port: 12000 });
 * (await client.request("hello")).toString(); // "HELLO"
 * await client.end(); // half-close, then wait for the rest of the answer
 * ```
 *
 * @example
 * ```ts
 * import { TcpClient } from "./tcp-client.js";
 * const client = new TcpClient({ host: "127.0.0.1", port: 12000 });
 * // As a stream: bytes in with write(), the answer as it comes in "reply" events.
 * client.on("reply", (bytes) => process.stdout.write(bytes));
 * await client.write(Buffer.from("hello\n"));
 * await client.end(); // "HELLO\n" has been printed once this resolves
 * ```
 */
export class TcpClient extends EventEmitter<TcpClientEvents> {
  readonly address: string;
  readonly #options: Required<Omit<TcpClientOptions, "trace" | "tls">> & Pick<TcpClientOptions, "tls">;
  readonly #trace: Tracer | undefined;
  #socket: Socket | undefined;
  #connecting: Promise<Socket> | undefined;
  readonly #sentLines: SentLines;
  #answeredNewlines = 0;
  /** Reply bytes since the last newline answered (a line answered in part). */
  #partialReplyBytes = 0;
  /** The characters among them (bytes that do not continue a UTF-8 character). */
  #partialReplyCharacters = 0;
  /** Reply bytes to suppress after sending again: they were printed already. */
  #skipReplyBytes = 0;
  #inputEnded = false;
  #paused = false;
  #fruitlessConnections = 0;
  /** Reply bytes shown so far (a repeat after reconnecting is not counted twice). */
  #repliedBytes = 0;
  /** Whether a connection was ever established: after that, a refused connect means the server went away. */
  #everConnected = false;
  /** How the last connection ended on the server's side, if it did: a reset (with its error) or a FIN. */
  #lastServerEnd: { reset: NodeJS.ErrnoException | undefined } | undefined;
  #failure: MayusError | undefined;
  readonly #lineAnswers = new LineAnswers();
  #waiters: Array<{ check: () => boolean; resolve: () => void; reject: (error: Error) => void }> = [];

  constructor(options: TcpClientOptions) {
    super();
    this.#options = { ...TCP_CLIENT_DEFAULTS, ...options };
    this.#sentLines = new SentLines(this.#options.replayLimitBytes);
    this.#trace = options.trace;
    this.address = formatAddress(options.host, options.port);
  }

  /**
   * Connects now, rather than on the first `request` or `write`; rejects with a `MayusError`
   * (kind `connection-refused`, `host-not-found`...) when the server cannot be reached.
   */
  async open(): Promise<void> {
    await this.#ensureSocket();
  }

  /**
   * Sends one line and resolves with its answer, as `UdpClient.request` does with a datagram.
   * A newline is added when `line` does not end with one, and taken off the answer again, so
   * `request("hello")` resolves with `HELLO`; `request("hello\n")` with `HELLO\n`. Text with
   * newlines inside is several lines: the promise resolves with the answer to all of them.
   * Requests may overlap (each resolves with its own answer, in order); bytes sent with
   * `write()` should end in a newline before a request, or their unfinished line joins it.
   */
  async request(line: Buffer | string): Promise<Buffer> {
    const bytes = typeof line === "string" ? Buffer.from(line) : line;
    const addNewline = bytes.length === 0 || bytes[bytes.length - 1] !== NEWLINE;
    const sent = addNewline ? Buffer.concat([bytes, Buffer.from([NEWLINE])]) : bytes;
    let request: LineRequest | undefined;
    try {
      // Registered as the bytes are kept, before any reply to them can come in.
      await this.#write(sent, (newlinesBefore, newlinesAfter) => {
        request = this.#lineAnswers.add(newlinesBefore, newlinesAfter);
      });
      const lastNewline = request?.lastNewline ?? this.#sentLines.newlines;
      await this.#until(() => this.#answeredNewlines >= lastNewline);
    } finally {
      if (request !== undefined) this.#lineAnswers.remove(request);
    }
    const answer = Buffer.concat(request?.chunks ?? []);
    return addNewline ? answer.subarray(0, answer.length - 1) : answer;
  }

  /** Sends bytes; resolves once the socket has room for more (backpressure). */
  async write(bytes: Buffer): Promise<void> {
    await this.#write(bytes);
  }

  /** `onKept` learns the count of newlines sent before these bytes and with them. */
  async #write(bytes: Buffer, onKept?: (newlinesBefore: number, newlinesAfter: number) => void): Promise<void> {
    if (bytes.length === 0) return;
    this.#throwIfFailed();
    const socket = await this.#ensureSocket();
    this.#throwIfFailed();
    // Counted when the bytes are kept, in send order: writes that waited for the connection keep theirs in turn.
    const newlinesBefore = this.#sentLines.newlines;
    this.#sentLines.keep(bytes);
    onKept?.(newlinesBefore, this.#sentLines.newlines);
    this.#trace?.({ step: "send", protocol: "tcp", peer: this.address, bytes: bytes.length, payload: bytes });
    if (!socket.write(bytes)) await this.#until(() => !socket.writableNeedDrain || socket.destroyed, socket, "drain");
  }

  /** Resolves when every line sent so far is answered (its newline came back). */
  answered(): Promise<void> {
    return this.#until(() => this.#answeredNewlines >= this.#sentLines.newlines);
  }

  /**
   * Half-closes (no more input) and resolves when the server has answered everything and
   * closed; resolves with nothing (the answer came in `request` results or `reply` events).
   */
  async end(): Promise<void> {
    this.#inputEnded = true;
    this.#throwIfFailed();
    const socket = this.#socket;
    if (socket !== undefined && !socket.destroyed) {
      this.#trace?.({ step: "shutdown", protocol: "tcp", peer: this.address });
      socket.end();
    } else if (this.#sentLines.unansweredBytes(this.#answeredNewlines) > 0) await this.#reconnectForRest();
    // Done when the connection is closed and every byte sent is answered; a server that closes
    // early is connected to again, and one that keeps doing so fails this with the reason.
    await this.#until(() => (this.#socket === undefined || this.#socket.destroyed) && this.#isComplete());
  }

  /** Whether every byte sent is answered (the last line's answer may end without a newline). */
  #isComplete(): boolean {
    const allLinesAnswered = this.#answeredNewlines >= this.#sentLines.newlines;
    if (!this.#sentLines.keepingForReplay) return allLinesAnswered;
    const unanswered = this.#sentLines.unansweredBytes(this.#answeredNewlines);
    // A last line without a newline (yet) is answered once its bytes came back: nothing to send
    // again now; if more of it is written, the next connection sends it whole again.
    if (unanswered === 0) return true;
    if (!allLinesAnswered) return false;
    // The answer of a line can be shorter in bytes (ı is 2, I is 1) but, in every mode, has no
    // fewer characters than the line (ß gives SS, never less). (A --locale that drops a
    // combining dot is the exception: such a line is sent again, as before.)
    return (
      this.#partialReplyBytes >= unanswered ||
      this.#partialReplyCharacters >= countCharacters(this.#sentLines.unanswered(this.#answeredNewlines))
    );
  }

  /** Stops reading replies (the consumer is behind); `resume()` goes on. */
  pause(): void {
    this.#paused = true;
    this.#socket?.pause();
  }

  resume(): void {
    this.#paused = false;
    this.#socket?.resume();
  }

  /** Closes at once, answered or not; a `request` still waiting rejects, and so does any later use. */
  destroy(): void {
    this.#fail(new MayusError("connection-failed", t("error.clientClosed", { address: this.address })));
  }

  #ensureSocket(): Promise<Socket> {
    const socket = this.#socket;
    if (socket !== undefined && !socket.destroyed && !socket.readableEnded) return Promise.resolve(socket);
    this.#connecting ??= this.#open();
    return this.#connecting;
  }

  #open(): Promise<Socket> {
    const { host, port } = this.#options;
    return new Promise((resolve, reject) => {
      this.#trace?.({ step: "socket", protocol: "tcp" });
      const tls = this.#options.tls === true ? {} : this.#options.tls || undefined;
      const socket =
        tls === undefined
          ? connect({ host, port, allowHalfOpen: true, noDelay: true })
          : // allowHalfOpen: the server's answers still come after our close_notify (Node's types omit it).
            connectTls({
              ...tlsConnectOptions(host, port, tls),
              allowHalfOpen: true,
              noDelay: true,
            } as ConnectionOptions);
      // With TLS, an error after the TCP connect is the handshake's (or the certificate's).
      let tcpConnected = false;
      if (tls !== undefined) socket.once("connect", () => (tcpConnected = true));
      const onError = (error: NodeJS.ErrnoException) => {
        this.#connecting = undefined;
        const failure = tcpConnected ? tlsError(error, this.address) : connectError(error, host, this.address);
        // Refused (or any failure) after a connection was established: the server went away,
        // which the user must learn as such (a cut answer, or a server gone after its answer),
        // not as "is the server running?" before anything was sent.
        reject(this.#everConnected ? this.#cutError(failure) : failure);
      };
      socket.once("error", onError);
      socket.once(tls === undefined ? "connect" : "secureConnect", () => {
        // Cleared at once, not a tick later: this connection can die before then (a reset as the
        // unanswered lines go out again), and the next one must be a new connection, not this one.
        this.#connecting = undefined;
        this.#everConnected = true;
        this.#lastServerEnd = undefined;
        socket.off("error", onError);
        this.#trace?.({ step: "connect", protocol: "tcp", peer: this.address });
        this.#attach(socket);
        this.#resendUnanswered(socket);
        resolve(socket);
      });
    });
  }

  #attach(socket: Socket): void {
    this.#socket = socket;
    if (this.#paused) socket.pause();
    let replied = false;
    socket.on("data", (chunk: Buffer) => {
      this.#trace?.({ step: "recv", protocol: "tcp", peer: this.address, bytes: chunk.length, payload: chunk });
      // Progress is a byte not seen before: a server that answers the same first bytes of a
      // line and closes each time (a line longer than its one recv) is fruitless, not busy.
      if (this.#receive(chunk)) replied = true;
    });
    // The server closed its side (FIN), or reset: either way it will answer nothing more here.
    const onServerDone = (error?: NodeJS.ErrnoException) => {
      if (socket.destroyed && this.#socket !== socket) return;
      this.#lastServerEnd = { reset: error };
      this.#fruitlessConnections = replied ? 0 : this.#fruitlessConnections + 1;
      socket.destroy();
      this.#afterServerClosed();
    };
    socket.on("end", onServerDone);
    socket.on("error", onServerDone);
    socket.on("close", () => {
      this.#trace?.({ step: "close", protocol: "tcp", peer: this.address });
      this.#wake();
    });
  }

  /** Takes reply bytes in; says whether any were new (not the repeat of what was printed). */
  #receive(chunk: Buffer): boolean {
    let reply = chunk;
    if (this.#skipReplyBytes > 0) {
      const skipped = Math.min(this.#skipReplyBytes, reply.length);
      this.#skipReplyBytes -= skipped;
      reply = reply.subarray(skipped);
      if (reply.length === 0) return false;
    }
    const answeredBefore = this.#answeredNewlines;
    let lastNewline = -1;
    for (let at = reply.indexOf(NEWLINE); at !== -1; at = reply.indexOf(NEWLINE, at + 1)) {
      this.#answeredNewlines++;
      lastNewline = at;
    }
    const partial = lastNewline === -1 ? reply : reply.subarray(lastNewline + 1);
    this.#partialReplyBytes = (lastNewline === -1 ? this.#partialReplyBytes : 0) + partial.length;
    this.#partialReplyCharacters = (lastNewline === -1 ? this.#partialReplyCharacters : 0) + countCharacters([partial]);
    this.#repliedBytes += reply.length;
    this.#lineAnswers.collect(reply, answeredBefore);
    if (lastNewline !== -1) this.#sentLines.dropAnswered(this.#answeredNewlines);
    this.emit("reply", reply);
    this.#wake();
    return true;
  }

  #afterServerClosed(): void {
    if (!this.#sentLines.keepingForReplay) {
      // Nothing kept to send again: closing is fine only once every line is answered.
      const allAnswered = this.#inputEnded && this.#answeredNewlines >= this.#sentLines.newlines;
      if (!allAnswered) this.#fail(this.#cutError());
      this.#wake();
      return;
    }
    if (this.#isComplete()) {
      this.#wake(); // if more input comes, the next write connects again
      return;
    }
    this.#reconnectForRest().catch((error: MayusError) => this.#fail(error));
  }

  async #reconnectForRest(): Promise<void> {
    if (this.#fruitlessConnections >= this.#options.maxFruitlessConnections) throw this.#cutError();
    const socket = await this.#ensureSocket();
    if (this.#inputEnded) socket.end();
  }

  /** Sends the unanswered lines again on a new connection, hiding what was printed already. */
  #resendUnanswered(socket: Socket): void {
    const unanswered = this.#sentLines.unanswered(this.#answeredNewlines);
    if (unanswered.length === 0) return;
    this.#skipReplyBytes = this.#partialReplyBytes;
    // One write, so one segment where it fits: a server that answers one recv and closes
    // (the lesson's) then gets every line at once, instead of resetting with the rest unread.
    socket.write(unanswered.length === 1 ? unanswered[0] : Buffer.concat(unanswered));
  }

  /**
   * The error for a server that ended the connection: a reset (RST, as a server draining at its
   * --drain-timeout sends) says so with the bytes answered; a FIN before the whole answer says it
   * closed early; a connect refused after a whole answer and a FIN, that the server is gone.
   * `cause` is the failed connect that came after, or the reset.
   */
  #cutError(cause?: MayusError): MayusError {
    const reset = this.#lastServerEnd?.reset;
    const bytes = this.#repliedBytes;
    const wholeAnswer = this.#sentLines.unansweredBytes(this.#answeredNewlines) === 0;
    const message =
      reset !== undefined
        ? t("error.cut", { address: this.address, bytes, reason: reset.code ?? reset.message })
        : cause !== undefined && wholeAnswer
          ? t("error.goneAfterClose", { address: this.address, bytes, reason: systemCode(cause) })
          : t("error.closedEarly", { address: this.address });
    return new MayusError("connection-failed", message, { cause: cause ?? reset });
  }

  #fail(error: MayusError): void {
    this.#failure ??= error;
    this.#socket?.destroy();
    this.#wake();
  }

  #throwIfFailed(): void {
    if (this.#failure !== undefined) throw this.#failure;
  }

  #until(check: () => boolean, emitter?: Socket, event?: string): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (check()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      this.#waiters.push({ check, resolve, reject });
      if (emitter !== undefined && event !== undefined) emitter.once(event, () => this.#wake());
    });
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) {
      if (this.#failure !== undefined) waiter.reject(this.#failure);
      else if (waiter.check()) waiter.resolve();
      else this.#waiters.push(waiter);
    }
  }
}

/** UTF-8 characters in `chunks`: every byte but those that continue a character (0x80-0xbf). */
function countCharacters(chunks: readonly Uint8Array[]): number {
  let characters = 0;
  for (const chunk of chunks) {
    // Called on every reply chunk: ASCII (simdutf) needs no byte loop in JavaScript.
    if (isAscii(chunk)) characters += chunk.length;
    else for (const byte of chunk) if ((byte & 0xc0) !== 0x80) characters++;
  }
  return characters;
}

/** The system code under a connect error (ECONNREFUSED...), or its message. */
function systemCode(error: MayusError): string {
  return (error.cause as NodeJS.ErrnoException | undefined)?.code ?? error.message;
}
