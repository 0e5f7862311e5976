/**
 * What a TCP connection of the load generator uses of its generator (TcpLoadGenerator), and
 * no more: the messages and their expected answers, the one read buffer, the budget, the tally.
 * Connections (PersistentConnection, ConnectLoop) and the answer check depend on this, not on
 * the generator's class.
 */

import type { Buffer } from "node:buffer";
import type { NetConnectOpts, Socket } from "node:net";
import type { GeneratorPlan } from "./generator.js";
import type { Tally } from "./tally.js";

/** Where a read is checked: the expected answer, and the buffer every socket reads into. */
export interface AnswerSource {
  /** The transform of one message: what the server must answer. */
  readonly expected: Buffer;
  /** Every socket of a generator reads into this one buffer (reads are handled synchronously). */
  readonly readBuffer: Buffer;
}

export interface TcpLoad extends AnswerSource {
  readonly plan: GeneratorPlan;
  /** One message. */
  readonly payload: Buffer;
  /** What one streaming write sends: `blockMessages` payloads end to end. */
  readonly block: Buffer;
  readonly blockMessages: number;
  /** Messages a connection may have in flight. */
  readonly window: number;
  readonly tally: Tally;
  /** Once true, nothing more is sent and nothing more is counted. */
  readonly stopped: boolean;
  /** Messages sent and not yet answered, over all connections. */
  inFlight: number;
  /** How many of `wanted` messages may be sent now (taken from the budget). */
  takeBudget(wanted: number): number;
  /** Tells the generator a message was answered or lost: it may be done. */
  checkDone(): void;
  /** A persistent connection was closed by the other side, or failed. */
  connectionLost(): void;
  /** Connection options for one socket reading into `readBuffer` through `callback`. */
  connectOptions(callback: (bytesRead: number) => void): NetConnectOpts;
  /** A new connection to the server: plain TCP, or TLS with the plan's options (`--tls`). */
  connectSocket(options: NetConnectOpts): Socket;
}
