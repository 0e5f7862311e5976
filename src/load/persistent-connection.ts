/**
 * A TCP connection of the load generator that stays open: ping-pong (one message in flight)
 * or streaming (a window of them), every answer checked as it arrives.
 */

import type { Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { SocketWriter } from "../tcp/socket-writer.js";
import { consumeAnswerBytes } from "./answer-check.js";
import { Pacer } from "./tally.js";
import type { TcpLoad } from "./tcp-load.js";

/** A connection that stays open: ping-pong (one message in flight) or streaming (a window of them). */
export class PersistentConnection {
  readonly socket: Socket;
  pacer: Pacer | undefined;
  answerOffset = 0;
  answerOk = true;
  /** Send times of the messages in flight, oldest at `#head`. */
  readonly #sentAtMs: Float64Array;
  #head = 0;
  #count = 0;
  #needsDrain = false;
  #closed = false;
  #failed = false;
  #timer: NodeJS.Timeout | undefined;
  /**
   * Once connected: messages go by one send() in C while Node's queue is empty, as the
   * server's answers do, without socket.write's request object and next-tick callback.
   */
  #writer: SocketWriter | undefined;
  /** Made once: sendTime hands the retry timer back through it (no closure per send). */
  readonly #keepTimer = (timer: NodeJS.Timeout): void => {
    this.#timer = timer;
  };

  constructor(readonly generator: TcpLoad) {
    this.#sentAtMs = new Float64Array(generator.window);
    this.socket = generator.connectSocket(generator.connectOptions((bytesRead) => this.#receive(bytesRead)));
    // The writer needs the connected socket's descriptor; nothing is sent before start().
    this.socket.once("connect", () => {
      this.#writer = new SocketWriter(this.socket);
    });
    this.socket.on("drain", () => {
      this.#needsDrain = false;
      this.next();
    });
    this.socket.on("error", () => {
      if (!this.generator.stopped && this.socket.readyState !== "opening") {
        this.#failed = true;
        this.generator.tally.connectionErrors++;
      }
    });
    this.socket.on("close", () => this.#onClose());
  }

  /** Sends what the window, the budget and (open loop) the schedule allow. */
  next = (): void => {
    this.#timer = undefined;
    const generator = this.generator;
    if (generator.stopped || this.#closed || this.#needsDrain) return;
    const window = generator.window;
    const now = performance.now();
    while (this.#count < window) {
      const sentAtMs = Pacer.sendTime(this.pacer, now, this.next, this.#keepTimer);
      if (sentAtMs === undefined) return;
      const granted = generator.takeBudget(Math.min(generator.blockMessages, window - this.#count));
      if (granted === 0) return;
      const bytes =
        granted === generator.blockMessages
          ? generator.block
          : generator.block.subarray(0, granted * generator.plan.sizeBytes);
      for (let index = 0; index < granted; index++) {
        this.#sentAtMs[(this.#head + this.#count) % window] = sentAtMs;
        this.#count++;
      }
      generator.inFlight += granted;
      generator.tally.bytesSent += bytes.length;
      // The payload buffers are never changed: what waits in Node's queue needs no copy.
      if (!(this.#writer?.write(bytes) ?? this.socket.write(bytes))) {
        this.#needsDrain = true;
        return;
      }
    }
  };

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.socket.destroy();
  }

  #receive(bytesRead: number): void {
    const generator = this.generator;
    if (generator.stopped) return;
    const answerBytes = generator.expected.length;
    const tally = generator.tally;
    let offset = 0;
    let now = 0;
    while (offset < bytesRead) {
      if (this.#count === 0) {
        tally.wrongAnswers++; // bytes nobody asked for
        break;
      }
      offset += consumeAnswerBytes(generator, this, offset, bytesRead);
      if (this.answerOffset === answerBytes) {
        if (now === 0) now = performance.now();
        tally.recordAnswer(this.#sentAtMs[this.#head], now, answerBytes);
        if (!this.answerOk) tally.wrongAnswers++;
        this.answerOffset = 0;
        this.answerOk = true;
        this.#head = (this.#head + 1) % generator.window;
        this.#count--;
        generator.inFlight--;
      }
    }
    this.next();
    generator.checkDone();
  }

  #onClose(): void {
    const generator = this.generator;
    const wasClosed = this.#closed;
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    if (generator.stopped || wasClosed) return;
    // The server closed (or reset) the connection during the run.
    if (!this.#failed) generator.tally.connectionErrors++;
    generator.inFlight -= this.#count;
    this.#count = 0;
    generator.connectionLost();
    generator.checkDone();
  }
}
