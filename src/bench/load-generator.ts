/**
 * TCP load: ping-pong and streaming connections, or a new connection per message; every
 * answer is checked byte for byte against the transform of what was sent. Lean on purpose:
 * one shared read buffer (`onread`), the same payload buffer for every write, and send
 * times in a preallocated ring, so the client costs the same against every server.
 */

import { connect, type NetConnectOpts, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { connectError } from "../errors.js";
import { formatAddress } from "../net/address.js";
import { SocketWriter } from "../tcp/socket-writer.js";
import { consumeAnswerBytes } from "./answer-check.js";
import { ConnectLoop } from "./connect-loop.js";
import { type GeneratorPlan, LoadGenerator } from "./generator.js";
import { buildMessage, repeat } from "./payload.js";
import { Pacer } from "./tally.js";

/** Every socket of a generator reads into this one buffer (reads are handled synchronously). */
const READ_BUFFER_BYTES = 64 * 1024;
/** A streaming connection writes up to this many bytes of messages in one `write()`. */
const STREAM_BLOCK_BYTES = 64 * 1024;
/** ... and has at most this many bytes sent but not yet answered. */
const STREAM_WINDOW_BYTES = 2 * 1024 * 1024;
/** Connections opened at once before the run (more would overflow the server's accept queue). */
const CONNECT_CONCURRENCY = 256;

/**
 * @example
 * const generator = new TcpLoadGenerator({ protocol: "tcp", address: "127.0.0.1", host: "localhost", port: 12000,
 *   connections: 4, pattern: "pingpong", sizeBytes: 512, mode: "unicode", text: "ascii", udpTimeoutMs: 1000 });
 * await generator.open();
 * generator.start();
 */
export class TcpLoadGenerator extends LoadGenerator {
  readonly payload: Buffer;
  readonly expected: Buffer;
  /** What one streaming write sends: `blockMessages` payloads end to end. */
  readonly block: Buffer;
  readonly blockMessages: number;
  /** Messages a connection may have in flight. */
  readonly window: number;
  readonly readBuffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  #connections: PersistentConnection[] = [];
  #loops: ConnectLoop[] = [];
  #open = 0;

  constructor(plan: GeneratorPlan) {
    super(plan);
    ({ payload: this.payload, expected: this.expected } = buildMessage(plan.sizeBytes, plan.text, plan.mode));
    const streaming = plan.pattern === "stream";
    const paced = plan.ratePerSecond !== undefined;
    this.blockMessages = streaming && !paced ? Math.max(1, Math.floor(STREAM_BLOCK_BYTES / plan.sizeBytes)) : 1;
    this.block = this.blockMessages === 1 ? this.payload : repeat(this.payload, this.blockMessages);
    this.window = streaming ? Math.max(2 * this.blockMessages, Math.floor(STREAM_WINDOW_BYTES / plan.sizeBytes)) : 1;
  }

  /** Connection options for one socket reading through `callback`. */
  connectOptions(callback: (bytesRead: number) => void): NetConnectOpts {
    const onread = (bytesRead: number): boolean => {
      callback(bytesRead);
      return true; // keep reading
    };
    return {
      host: this.plan.address,
      port: this.plan.port,
      noDelay: true,
      onread: { buffer: this.readBuffer, callback: onread },
    };
  }

  async open(): Promise<void> {
    if (this.plan.pattern === "connect") {
      // One connection first, so that a server that is not there fails the run at once.
      (await this.#connectOne(this.connectOptions(() => {}))).destroy();
      for (let index = 0; index < this.plan.connections; index++) this.#loops.push(new ConnectLoop(this));
      return;
    }
    const pending = Array.from({ length: this.plan.connections }, (_, index) => index);
    const openOne = async (): Promise<void> => {
      while (pending.pop() !== undefined) {
        const connection = new PersistentConnection(this);
        this.#connections.push(connection);
        await this.#connectOne(connection.socket);
        this.#open++;
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, pending.length) }, openOne));
    } catch (error) {
      this.stop();
      throw error;
    }
  }

  start(): void {
    const { ratePerSecond, connections } = this.plan;
    const now = performance.now();
    const all: ReadonlyArray<{ pacer: Pacer | undefined; next(): void }> =
      this.plan.pattern === "connect" ? this.#loops : this.#connections;
    all.forEach((member, index) => {
      if (ratePerSecond !== undefined) {
        const intervalMs = (1000 * connections) / ratePerSecond;
        // Spread the first sends over one interval so the connections do not send in bursts.
        member.pacer = new Pacer(intervalMs, now + (intervalMs * index) / connections);
      }
      member.next();
    });
  }

  stop(): void {
    this.stopped = true;
    for (const connection of this.#connections) connection.close();
    for (const loop of this.#loops) loop.close();
  }

  /** A persistent connection was closed by the other side, or failed. */
  connectionLost(): void {
    if (--this.#open === 0 && !this.stopped) this.finishEarly();
  }

  /** Resolves with the socket once connected; rejects with the `MayusError` a failed connect becomes. */
  #connectOne(socketOrOptions: Socket | NetConnectOpts): Promise<Socket> {
    const socket = "write" in socketOrOptions ? socketOrOptions : connect(socketOrOptions as NetConnectOpts);
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        socket.destroy();
        reject(connectError(error, this.plan.host, formatAddress(this.plan.address, this.plan.port)));
      };
      socket.once("error", onError);
      socket.once("connect", () => {
        socket.off("error", onError);
        resolve(socket);
      });
    });
  }
}

/** A connection that stays open: ping-pong (one message in flight) or streaming (a window of them). */
class PersistentConnection {
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

  constructor(readonly generator: TcpLoadGenerator) {
    this.#sentAtMs = new Float64Array(generator.window);
    this.socket = connect(generator.connectOptions((bytesRead) => this.#receive(bytesRead)));
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
