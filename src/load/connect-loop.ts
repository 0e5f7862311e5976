/**
 * The connect pattern of `mayus bench` (W5): connect, send one message, read its answer,
 * close; again, as fast as the server allows. Every answer is checked.
 */

import type { NetConnectOpts, Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { consumeAnswerBytes } from "./answer-check.js";
import { Pacer } from "./tally.js";
import type { TcpLoad } from "./tcp-load.js";

/** Pause after a failed connection before the connect pattern tries again. */
const RECONNECT_DELAY_MS = 10;

/** The connect pattern: connect, send one message, read its answer, close; again. */
export class ConnectLoop {
  pacer: Pacer | undefined;
  answerOffset = 0;
  answerOk = true;
  readonly #options: NetConnectOpts;
  #socket: Socket | undefined;
  #sentAtMs = 0;
  #answered = false;
  #failed = false;
  #timer: NodeJS.Timeout | undefined;
  /** Made once: sendTime hands the retry timer back through it (no closure per send). */
  readonly #keepTimer = (timer: NodeJS.Timeout): void => {
    this.#timer = timer;
  };

  constructor(readonly generator: TcpLoad) {
    this.#options = generator.connectOptions((bytesRead) => this.#receive(bytesRead));
  }

  next = (): void => {
    this.#timer = undefined;
    const generator = this.generator;
    if (generator.stopped) return;
    const now = performance.now();
    const sentAtMs = Pacer.sendTime(this.pacer, now, this.next, this.#keepTimer);
    if (sentAtMs === undefined) return;
    if (generator.takeBudget(1) === 0) return;
    generator.inFlight++;
    this.#sentAtMs = sentAtMs;
    this.answerOffset = 0;
    this.answerOk = true;
    this.#answered = false;
    this.#failed = false;
    const socket = this.generator.connectSocket(this.#options);
    socket.on("error", this.#onError);
    socket.on("close", this.#onClose);
    socket.write(generator.payload); // queued until connected
    generator.tally.bytesSent += generator.payload.length;
    this.#socket = socket;
  };

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#socket?.destroy();
  }

  #receive(bytesRead: number): void {
    const generator = this.generator;
    if (generator.stopped) return;
    if (this.#answered) {
      generator.tally.wrongAnswers++;
      return;
    }
    const consumed = consumeAnswerBytes(generator, this, 0, bytesRead);
    if (this.answerOffset < generator.expected.length) return;
    if (consumed < bytesRead) this.answerOk = false; // more than the answer
    this.#answered = true;
    generator.tally.recordAnswer(this.#sentAtMs, performance.now(), generator.expected.length);
    if (!this.answerOk) generator.tally.wrongAnswers++;
    generator.inFlight--;
    this.#socket?.destroy();
  }

  #onError = (): void => {
    this.#failed = true;
    if (!this.generator.stopped) this.generator.tally.connectionErrors++;
  };

  #onClose = (): void => {
    const generator = this.generator;
    this.#socket = undefined;
    if (generator.stopped) return;
    if (!this.#answered) {
      generator.inFlight--;
      if (!this.#failed) generator.tally.connectionErrors++; // closed before answering
    }
    generator.checkDone();
    if (this.#failed) this.#timer = setTimeout(this.next, RECONNECT_DELAY_MS);
    else this.next();
  };
}
