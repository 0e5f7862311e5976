/**
 * What a bench run is asked to do (`BenchOptions`, with defaults and limits) and what it
 * reports (`BenchResult`, the shape `--json` prints).
 */

import type { ClientTlsOptions } from "../client/tls-connect.js";
import type { TransformMode } from "../transform/index.js";

/** pingpong: send, wait for the answer, send again. stream: keep sending. connect: one connection per message. */
export const BENCH_PATTERNS = ["pingpong", "stream", "connect"] as const;
export type BenchPattern = (typeof BENCH_PATTERNS)[number];

/** The text messages are made of: English letters, or Spanish with accents and ñ (2-byte UTF-8). */
export const BENCH_TEXTS = ["ascii", "spanish"] as const;
export type BenchText = (typeof BENCH_TEXTS)[number];

export interface BenchOptions {
  host: string;
  port: number;
  udp: boolean;
  /** TCP connections, or UDP sockets, at once. */
  connections: number;
  sizeBytes: number;
  /** How long to measure; the run stops by itself after it. */
  durationMs: number;
  /** Load before measuring, not counted (lets a JIT-compiled server warm up). */
  warmupMs: number;
  pattern: BenchPattern;
  /** Open loop: messages per second over all connections; latency from each scheduled send time. */
  ratePerSecond?: number;
  /** What the server does, so that every answer can be checked. */
  mode: TransformMode;
  /** The server's language rules (`serve --locale tr`), with mode unicode or lower; none by default. */
  locale?: string;
  text: BenchText;
  /** Stop once this many bytes were sent and answered (or at the end of the duration). */
  totalBytes?: number;
  /** Worker threads generating the load (connections are split among them). */
  workers: number;
  /** UDP: how long to wait for a reply before counting a timeout and sending the next datagram. */
  udpTimeoutMs: number;
  /** TCP over TLS (`--tls`, `--ca`, `--insecure`); UDP has none. */
  tls?: ClientTlsOptions;
}

export const BENCH_DEFAULTS = {
  connections: 1,
  sizeBytes: 512,
  durationMs: 10_000,
  warmupMs: 0,
  pattern: "pingpong",
  mode: "unicode",
  text: "ascii",
  workers: 1,
  udpTimeoutMs: 1000,
} as const satisfies Partial<BenchOptions>;

/** Latency percentiles in microseconds; the histogram records nanoseconds. */
export interface LatencySummary {
  recordedIn: "nanoseconds";
  unit: "microseconds";
  samples: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  p999: number;
  max: number;
}

export interface BenchErrors {
  total: number;
  /** Answers that differ from the transform of what was sent (or bytes nobody asked for). */
  wrongAnswers: number;
  /** Connections refused, reset or closed by the server during the run. */
  connection: number;
  /** UDP requests with no reply within the timeout. */
  timeouts: number;
}

/** What `mayus bench --json` prints. */
export interface BenchResult {
  protocol: "tcp" | "udp";
  /** Whether TCP ran over TLS (`--tls`); absent in reports made before TLS was an option. */
  tls?: boolean;
  host: string;
  address: string;
  port: number;
  pattern: BenchPattern;
  mode: TransformMode;
  /** The language rules answers were checked against (`--locale`), or null (the C load client leaves it out). */
  locale?: string | null;
  text: BenchText;
  connections: number;
  sizeBytes: number;
  /** Bytes of the answer to one message (the transform may change the length). */
  answerBytes: number;
  ratePerSecond: number | null;
  workers: number;
  /** What drove the sockets: the native load loop (C, one epoll) or Node's sockets (`MAYUS_NATIVE=0`, or not built). */
  engine?: "native" | "node";
  durationSeconds: number;
  warmupSeconds: number;
  /** The measured time (shorter than the duration when `totalBytes` was reached first). */
  elapsedSeconds: number;
  messages: number;
  bytesSent: number;
  bytesReceived: number;
  messagesPerSecond: number;
  /** Answer bytes received per second / 10^6. */
  megabytesPerSecond: number;
  latency: LatencySummary;
  errors: BenchErrors;
  /** Messages sent but not answered when the run stopped (not errors: the clock ran out). */
  unanswered: number;
  /** UDP replies that came after their request had timed out. */
  lateReplies: number;
}
