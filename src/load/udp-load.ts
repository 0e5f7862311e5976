/**
 * UDP load: each socket sends a datagram, waits for its answer (or a timeout), sends the
 * next. A sequence number in the first bytes (digits, which no transform changes) tells a
 * late reply from the answer to the current request.
 */

import { Buffer } from "node:buffer";
import { createSocket, type Socket as DatagramSocket, type RemoteInfo } from "node:dgram";
import { isIPv6 } from "node:net";
import { performance } from "node:perf_hooks";
import { formatAddress } from "../address/address.js";
import { connectError, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { connectDatagramSocket } from "../io/datagram-connect.js";
import { DatagramIO } from "../udp/datagram-io.js";
import { type GeneratorPlan, LoadGenerator } from "./generator.js";
import { buildMessage } from "./payload.js";
import { Pacer } from "./tally.js";

/** Decimal digits of the sequence number at the start of each datagram (when it is that long). */
const SEQUENCE_DIGITS = 10;
const SEQUENCE_MODULUS = 10 ** SEQUENCE_DIGITS;

/**
 * @example
 * ```ts
 * import { UdpLoadGenerator } from "./udp-load.js";
 * const generator = new UdpLoadGenerator({ protocol: "udp", address: "127.0.0.1", host: "127.0.0.1", port: 12000,
 *   connections: 1, pattern: "pingpong", sizeBytes: 64, mode: "unicode", text: "ascii", udpTimeoutMs: 1000 });
 * await generator.open(); // throws if no reply comes
 * generator.start();
 * generator.beginMeasurement(10);
 * await generator.done;
 * generator.stop();
 * ```
 */
export class UdpLoadGenerator extends LoadGenerator {
  readonly expected: Buffer;
  readonly template: Buffer;
  /** Bytes of sequence number at the start of each datagram (0 for tiny datagrams). */
  readonly sequenceBytes: number;
  #sockets: UdpLoadSocket[] = [];
  #sweeper: NodeJS.Timeout | undefined;

  constructor(plan: GeneratorPlan) {
    super(plan);
    this.sequenceBytes = plan.sizeBytes >= SEQUENCE_DIGITS ? SEQUENCE_DIGITS : 0;
    ({ payload: this.template, expected: this.expected } = buildMessage(plan.sizeBytes, plan.text, plan, {
      prefixBytes: this.sequenceBytes,
      datagram: true,
    }));
  }

  async open(): Promise<void> {
    try {
      for (let index = 0; index < this.plan.connections; index++) {
        const socket = new UdpLoadSocket(this);
        this.#sockets.push(socket);
        await socket.connect();
      }
      await this.#sockets[0].probe();
    } catch (error) {
      this.stop();
      throw error;
    }
  }

  start(): void {
    const { ratePerSecond, connections, udpTimeoutMs } = this.plan;
    const now = performance.now();
    this.#sockets.forEach((socket, index) => {
      if (ratePerSecond !== undefined) {
        const intervalMs = (1000 * connections) / ratePerSecond;
        socket.pacer = new Pacer(intervalMs, now + (intervalMs * index) / connections);
      }
      socket.takeOverReading();
      socket.next();
    });
    // One timer for every socket's timeouts, instead of one timer per datagram.
    this.#sweeper = setInterval(
      () => {
        const sweepNow = performance.now();
        for (const socket of this.#sockets) socket.expire(sweepNow, udpTimeoutMs);
      },
      Math.max(5, Math.min(50, udpTimeoutMs / 4)),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.#sweeper !== undefined) clearInterval(this.#sweeper);
    for (const socket of this.#sockets) socket.close();
  }
}

function writeSequence(bytes: Buffer, sequence: number, digits: number): void {
  let rest = sequence;
  for (let index = digits - 1; index >= 0; index--) {
    bytes[index] = 0x30 + (rest % 10);
    rest = Math.floor(rest / 10);
  }
}

/** The sequence number at the start of a reply, or -1 if those bytes are not digits. */
function readSequence(bytes: Buffer, digits: number): number {
  if (bytes.length < digits) return -1;
  let sequence = 0;
  for (let index = 0; index < digits; index++) {
    const digit = bytes[index] - 0x30;
    if (digit < 0 || digit > 9) return -1;
    sequence = sequence * 10 + digit;
  }
  return sequence;
}

/** One socket, connected to the server, with at most one request in flight. */
class UdpLoadSocket {
  readonly socket: DatagramSocket;
  pacer: Pacer | undefined;
  /** This socket's own copy of the message: only its sequence digits change. */
  readonly #payload: Buffer;
  #sequence = 0;
  #waiting = false;
  /** When the request was due (latency) and when it actually left (timeout). */
  #dueAtMs = 0;
  #sentAtMs = 0;
  #timer: NodeJS.Timeout | undefined;
  /** The server's answers from `start()` on, past `dgram`'s message events (see takeOverReading). */
  #io: DatagramIO<undefined> | undefined;
  /** The source of the answer being handled, while it is: the next request goes back to it by the native sendto. */
  #answeredBy: RemoteInfo | undefined;
  /** Made once: sendTime hands the retry timer back through it (no closure per send). */
  readonly #keepTimer = (timer: NodeJS.Timeout): void => {
    this.#timer = timer;
  };

  constructor(readonly generator: UdpLoadGenerator) {
    this.#payload = Buffer.from(generator.template);
    this.socket = createSocket(isIPv6(generator.plan.address) ? "udp6" : "udp4");
  }

  async connect(): Promise<void> {
    const { plan } = this.generator;
    try {
      await connectDatagramSocket(this.socket, plan.port, plan.address);
    } catch (error) {
      throw connectError(error as NodeJS.ErrnoException, plan.host, formatAddress(plan.address, plan.port));
    }
    this.socket.on("error", () => {
      // ECONNREFUSED (nothing listens) and the like; the request in flight will time out.
      if (!this.generator.stopped) this.generator.tally.connectionErrors++;
    });
    this.socket.on("message", this.#receive);
  }

  /** One request before the run, so that a server that does not answer fails it at once. */
  probe(): Promise<void> {
    const { plan } = this.generator;
    const address = formatAddress(plan.address, plan.port);
    return new Promise<void>((resolve, reject) => {
      const fail = (error?: NodeJS.ErrnoException) => {
        cleanUp();
        reject(
          error === undefined
            ? new MayusError("timeout", t("bench.error.noUdpReply", { address, timeoutMs: plan.udpTimeoutMs }))
            : connectError(error, plan.host, address),
        );
      };
      const timer = setTimeout(() => fail(), plan.udpTimeoutMs);
      const onMessage = () => {
        cleanUp();
        resolve();
      };
      const cleanUp = () => {
        clearTimeout(timer);
        this.socket.off("message", onMessage);
        this.socket.off("error", fail);
      };
      this.socket.once("message", onMessage);
      this.socket.once("error", fail);
      this.#sequence = SEQUENCE_MODULUS - 1; // the probe's reply is then late for request 0, not mistaken for it
      writeSequence(this.#payload, this.#sequence, this.generator.sequenceBytes);
      this.socket.send(this.#payload);
    }).then(() => {
      this.#sequence = 0;
    });
  }

  /**
   * From now on answers come through DatagramIO: on its "syscalls" path, recvfrom into one
   * buffer and the next request sent by sendto from within the answer's call, without `dgram`'s
   * event, its Buffer per datagram, its send request and its callback. After the probe, which
   * still listens for `message`.
   */
  takeOverReading(): void {
    this.socket.removeListener("message", this.#receive);
    this.#io = new DatagramIO(this.socket, this.#receive, this.#sendFailed);
  }

  next = (): void => {
    this.#timer = undefined;
    const generator = this.generator;
    if (generator.stopped || this.#waiting) return;
    const now = performance.now();
    const dueAtMs = Pacer.sendTime(this.pacer, now, this.next, this.#keepTimer);
    if (dueAtMs === undefined) return;
    if (generator.takeBudget(1) === 0) return;
    this.#waiting = true;
    this.#dueAtMs = dueAtMs;
    this.#sentAtMs = now;
    generator.inFlight++;
    writeSequence(this.#payload, this.#sequence, generator.sequenceBytes);
    generator.tally.bytesSent += this.#payload.length;
    const answeredBy = this.#answeredBy;
    // Only the native sendto may name the address: a connected socket's handle refuses one (EISCONN).
    if (answeredBy !== undefined && this.#io?.path === "syscalls") this.#io.send(this.#payload, answeredBy, undefined);
    else this.socket.send(this.#payload);
  };

  /** The native sendto refused (a full socket buffer, say): the request goes through `dgram`, which queues it. */
  #sendFailed = (_reply: Buffer, _remote: RemoteInfo, _context: undefined, error?: Error): void => {
    if (error !== undefined && !this.generator.stopped) this.socket.send(this.#payload);
  };

  /** Gives up on a request older than `timeoutMs`: a timeout, and on to the next one. */
  expire(nowMs: number, timeoutMs: number): void {
    if (!this.#waiting || nowMs - this.#sentAtMs < timeoutMs || this.generator.stopped) return;
    this.generator.tally.timeouts++;
    this.#settle();
  }

  close(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    try {
      this.socket.close();
    } catch {
      // Already closed.
    }
  }

  #settle(): void {
    this.#waiting = false;
    this.#sequence = (this.#sequence + 1) % SEQUENCE_MODULUS;
    this.generator.inFlight--;
    this.next();
    this.generator.checkDone();
  }

  #receive = (reply: Buffer, remote: RemoteInfo): void => {
    this.#answeredBy = remote;
    try {
      this.#answer(reply);
    } finally {
      this.#answeredBy = undefined;
    }
  };

  /** `reply` may be a view of memory the next datagram reuses: read here, never kept. */
  #answer(reply: Buffer): void {
    const generator = this.generator;
    if (generator.stopped) return;
    const digits = generator.sequenceBytes;
    const sequence = digits > 0 ? readSequence(reply, digits) : this.#sequence;
    if (!this.#waiting || (sequence !== this.#sequence && sequence !== -1)) {
      generator.tally.lateReplies++; // the answer to a request that already timed out
      return;
    }
    const { expected } = generator;
    const correct =
      sequence !== -1 &&
      reply.length === expected.length &&
      reply.compare(expected, digits, expected.length, digits, reply.length) === 0;
    generator.tally.recordAnswer(this.#dueAtMs, performance.now(), reply.length);
    if (!correct) generator.tally.wrongAnswers++;
    this.#settle();
  }
}
