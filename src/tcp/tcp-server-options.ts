/**
 * What a TcpServer is configured with (its limits, with their defaults) and what it reports:
 * its statistics and the reasons it refuses a connection.
 */

import type { Buffer } from "node:buffer";
import { DEFAULT_PORT } from "../address/address.js";
import type { AddressFilter } from "../address/address-filter.js";
import { optionInRange } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { Tracer } from "../observability/trace.js";
import { resolveTransformOptions, type TransformOptions } from "../transform/index.js";
import { connectionLimitWithinDescriptors } from "./descriptor-limit.js";
import type { HandshakeFailure } from "./tls/handshake-failure.js";

/** `--tls`: TCP connections speak TLS with this certificate (UDP stays plain). */
export interface TcpTlsOptions {
  /** The certificate chain, PEM (`--cert`, or a self-signed one: see `generateSelfSigned`). */
  cert: string | Buffer;
  /** Its private key, PEM (`--key`). */
  key: string | Buffer;
  /** Time a client has to finish its TLS handshake; past it the connection is closed. */
  handshakeTimeoutMs?: number;
}

export interface TcpServerOptions {
  /** Address to listen on; default all interfaces, IPv6 and IPv4 (`::` dual-stack). */
  host?: string;
  /** Default `DEFAULT_PORT`; 0 lets the kernel choose (see `address()` after `listen()`). */
  port?: number;
  transform?: TransformOptions;
  /** Most connections open at once (kept below the descriptor limit); the surplus is closed at accept. */
  maxConnections?: number;
  /** Most connections open at once from one client address. */
  maxConnectionsPerAddress?: number;
  /** A connection with no bytes either way for this long is closed. 0: never. */
  idleTimeoutMs?: number;
  /** A connection that stopped reading its answers for this long is closed. 0: never. */
  stallTimeoutMs?: number;
  /** Answer bytes waiting for one slow reader past which its connection stops reading. */
  maxBufferedBytesPerConnection?: number;
  /** Answer bytes waiting in all, past which every connection that adds more stops reading. */
  maxBufferedBytesTotal?: number;
  /**
   * Expect a PROXY protocol v1 or v2 header first on every connection (behind HAProxy), so
   * logs and limits see the real client; a connection without a valid header is closed.
   */
  proxyProtocol?: boolean;
  /** Time a connection has to send its whole PROXY header. */
  proxyHeaderTimeoutMs?: number;
  /**
   * With `proxyProtocol`: most connections from one peer address (the balancer's, as the
   * header has not named the client yet) still waiting for their header. Without it, one
   * address could hold every slot for the header timeout by never finishing a header.
   */
  maxAwaitingHeaderPerAddress?: number;
  /**
   * While draining (after `close()`), a connection whose client sent nothing and has nothing
   * waiting to be sent for this long gets our FIN: an idle client does not hold the drain.
   */
  drainQuietMs?: number;
  /**
   * Read every connection into one buffer the server shares (see `SocketReader`); false reads
   * through Node's `data` events, a fresh buffer per read (the same bytes, more work).
   */
  readIntoSharedBuffer?: boolean;
  /**
   * With `readIntoSharedBuffer`, where the native module is built (Linux): read every
   * connection of the thread with one call into JavaScript per turn of the event loop
   * (`BatchedReads`), not Node's one per read. Not with `tls`, where Node reads. False: Node
   * reads each socket into the shared buffer (the same bytes, more work).
   */
  readInBatches?: boolean;
  /**
   * `--allow`/`--deny`: client addresses served; any other connection is closed at accept,
   * counted as `address-filtered`. With `proxyProtocol`, the address the header names is checked.
   */
  addressFilter?: AddressFilter;
  /**
   * TLS on every connection: the handshake comes first (after the PROXY header, if any), then
   * the same byte stream, limits and drain as plain TCP. Undefined: plain TCP.
   */
  tls?: TcpTlsOptions;
  logger?: Logger;
  /** Called at each socket step (`--trace`). */
  trace?: Tracer;
}

/** The TcpServer's defaults, for the library and `mayus serve` alike. */
export const TCP_DEFAULTS = {
  port: DEFAULT_PORT,
  maxConnections: 10_000,
  maxConnectionsPerAddress: 256,
  idleTimeoutMs: 300_000,
  stallTimeoutMs: 60_000,
  maxBufferedBytesPerConnection: 256 * 1024,
  maxBufferedBytesTotal: 256 * 1024 * 1024,
  proxyProtocol: false,
  proxyHeaderTimeoutMs: 5_000,
  maxAwaitingHeaderPerAddress: 64,
  drainQuietMs: 1_000,
  /** `close()`'s default: time for connections to finish before the rest are reset. */
  drainTimeoutMs: 10_000,
  readIntoSharedBuffer: true,
  readInBatches: true,
  /** `--tls-handshake-timeout`: a client that connects and says nothing holds a slot this long at most. */
  tlsHandshakeTimeoutMs: 10_000,
} as const;

/**
 * Each numeric option's range, the same as its `mayus serve` flag's: out of it the constructor
 * throws a RangeError naming the option (never clamped, so a mistake does not run as another
 * limit). Counts, bytes and the port are whole numbers; durations in ms may have decimals.
 */
export const TCP_RANGES = {
  port: { min: 0, max: 65_535, whole: true },
  maxConnections: { min: 1, max: 1_000_000, whole: true },
  maxConnectionsPerAddress: { min: 1, max: 1_000_000, whole: true },
  idleTimeoutMs: { min: 0, max: 86_400_000, whole: false },
  stallTimeoutMs: { min: 0, max: 86_400_000, whole: false },
  maxBufferedBytesPerConnection: { min: 1024, max: 1024 ** 3, whole: true },
  maxBufferedBytesTotal: { min: 1024, max: 64 * 1024 ** 3, whole: true },
  proxyHeaderTimeoutMs: { min: 1, max: 600_000, whole: false },
  maxAwaitingHeaderPerAddress: { min: 1, max: 1_000_000, whole: true },
  drainQuietMs: { min: 1, max: 3_600_000, whole: false },
  tlsHandshakeTimeoutMs: { min: 1, max: 600_000, whole: false },
} as const;

/** A numeric option or its default, checked against `TCP_RANGES` (`label`: its name in the error). */
function inRange(name: keyof typeof TCP_RANGES, value: number | undefined, label: string = name): number {
  const { min, max, whole } = TCP_RANGES[name];
  return optionInRange(label, value ?? TCP_DEFAULTS[name], min, max, whole);
}

/** Every default filled in and every number checked: throws a RangeError for one out of range. */
export function resolveTcpServerOptions(options: TcpServerOptions): ResolvedTcpServerOptions {
  if (options.tls !== undefined) {
    inRange("tlsHandshakeTimeoutMs", options.tls.handshakeTimeoutMs, "tls.handshakeTimeoutMs");
  }
  return {
    host: options.host,
    port: inRange("port", options.port),
    transform: resolveTransformOptions(options.transform),
    maxConnections: connectionLimitWithinDescriptors(inRange("maxConnections", options.maxConnections)),
    maxConnectionsPerAddress: inRange("maxConnectionsPerAddress", options.maxConnectionsPerAddress),
    idleTimeoutMs: inRange("idleTimeoutMs", options.idleTimeoutMs),
    stallTimeoutMs: inRange("stallTimeoutMs", options.stallTimeoutMs),
    maxBufferedBytesPerConnection: inRange("maxBufferedBytesPerConnection", options.maxBufferedBytesPerConnection),
    maxBufferedBytesTotal: inRange("maxBufferedBytesTotal", options.maxBufferedBytesTotal),
    proxyProtocol: options.proxyProtocol ?? TCP_DEFAULTS.proxyProtocol,
    proxyHeaderTimeoutMs: inRange("proxyHeaderTimeoutMs", options.proxyHeaderTimeoutMs),
    maxAwaitingHeaderPerAddress: inRange("maxAwaitingHeaderPerAddress", options.maxAwaitingHeaderPerAddress),
    drainQuietMs: inRange("drainQuietMs", options.drainQuietMs),
    readIntoSharedBuffer: options.readIntoSharedBuffer ?? TCP_DEFAULTS.readIntoSharedBuffer,
    readInBatches: options.readInBatches ?? TCP_DEFAULTS.readInBatches,
  };
}

export type TcpRefusal =
  | "max-connections"
  | "max-connections-per-address"
  | "max-awaiting-header-per-address"
  | "draining"
  | "proxy-header"
  | "address-filtered";

export interface TcpServerStatistics {
  connectionsAccepted: number;
  connectionsActive: number;
  /** Connections closed at accept, by reason. */
  refused: Record<TcpRefusal, number>;
  /** Connections closed by a limit or an error, by kind (ECONNRESET, ETIMEDOUT, ESTALLED...). */
  errors: Record<string, number>;
  bytesReceived: number;
  bytesSent: number;
  /** Bytes read and never answered (after our FIN to a quiet client; held by a reset): see `TcpDrainReport`. */
  bytesDiscarded: number;
  /** Answer bytes waiting in send buffers now (an upper estimate). */
  bufferedBytes: number;
  /** PROXY LOCAL connections with no payload (load balancer health checks), closed quietly. */
  healthChecks: number;
  /** Connections accepted whose PROXY header has not arrived yet (not counted as active). */
  connectionsAwaitingHeader: number;
  /** With `tls`: handshakes done, failed (by reason) and under way (not counted as active). */
  tls?: {
    handshakesCompleted: number;
    handshakeFailures: Record<HandshakeFailure, number>;
    connectionsHandshaking: number;
  };
}

/** How a drain went: connections that finished (or went quiet) and those reset at the deadline. */
export interface TcpDrainReport {
  connectionsFinished: number;
  /** Closed with a reset: still busy at the drain timeout, or sending after our FIN. */
  connectionsReset: number;
  /**
   * Bytes read from clients and never answered: read after our FIN to a client that had gone
   * quiet (that connection is then reset), or held by the transform (part of a character, a
   * `--locale` word) when a reset cut the connection. Answers a reset cuts on their way are not
   * bytes read: those connections count in `connectionsReset` only.
   */
  bytesDiscarded: number;
}

/** The options a server runs with: every default filled in. */
export type ResolvedTcpServerOptions = Required<
  Omit<TcpServerOptions, "host" | "logger" | "trace" | "transform" | "addressFilter" | "tls">
> & {
  host: string | undefined;
  transform: TransformOptions;
};
