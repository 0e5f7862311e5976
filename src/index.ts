/**
 * mayus as a library: the transform (function and stream), the servers and the clients, with
 * the options, defaults, statistics and events they take and give. Building blocks the servers
 * are made of (budgets, guards, parsers, byte kernels) are in `mayus/internals`.
 *
 * @example
 * ```ts
 * import { TcpServer, uppercase } from "mayus";
 * uppercase("ñandú"); // "ÑANDÚ"
 * const server = new TcpServer({ host: "127.0.0.1", port: 0 });
 * await server.listen();
 * await server.close();
 * ```
 *
 * @module mayus
 */

export { DEFAULT_PORT } from "./address/address.js";
export { AddressFilter, type AddressFilterRules } from "./address/address-filter.js";
export { readLines } from "./client/lines.js";
export { TCP_CLIENT_DEFAULTS, TcpClient, type TcpClientEvents, type TcpClientOptions } from "./client/tcp-client.js";
export type { ClientTlsOptions } from "./client/tls-connect.js";
export {
  maxDatagramBytes,
  UDP_CLIENT_DEFAULTS,
  UdpClient,
  type UdpClientOptions,
  type UdpRetry,
} from "./client/udp-client.js";
export { type ErrorKind, EXIT_CODES, MayusError } from "./errors.js";
export type { ServerState } from "./lifecycle/server-state.js";
export type { TraceEvent, Tracer, TraceStep } from "./observability/trace.js";
export type { RttStatistics } from "./ping/ping-statistics.js";
export {
  PINGER_DEFAULTS,
  Pinger,
  type PingerEvents,
  type PingerOptions,
  type PingResult,
  type PingSummary,
} from "./ping/pinger.js";
export type { ReadPath } from "./tcp/socket-reader.js";
export { TcpConnection, type TcpConnectionState } from "./tcp/tcp-connection.js";
export { TcpServer, type TcpServerEvents } from "./tcp/tcp-server.js";
export {
  type ResolvedTcpServerOptions,
  TCP_DEFAULTS,
  type TcpDrainReport,
  type TcpRefusal,
  type TcpServerOptions,
  type TcpServerStatistics,
  type TcpTlsOptions,
} from "./tcp/tcp-server-options.js";
export type { HandshakeFailure } from "./tcp/tls/handshake-failure.js";
export { generateSelfSigned, selfSignedNames, type TlsIdentity } from "./tcp/tls/self-signed.js";
export {
  ASCII_GROWTH,
  createUppercaser,
  MAX_LOCALE_LOWERCASE_GROWTH,
  MAX_LOWERCASE_GROWTH,
  MAX_UNICODE_GROWTH,
  type OneShotOptions,
  TRANSFORM_MODES,
  type TransformMode,
  type TransformOptions,
  TransformOptionsError,
  type Uppercaser,
  UppercaseStream,
  uppercase,
} from "./transform/index.js";
export { LOOP_BREAKER_DEFAULTS, type LoopBreakerOptions } from "./udp/loop-breaker.js";
export type { NetworkSettings, NetworkSimulatorOptions } from "./udp/network-simulator.js";
export type { ReflectionRefusal } from "./udp/reflection-guard.js";
export { MAX_IPV4_DATAGRAM_BYTES } from "./udp/reply-uppercaser.js";
export { RATE_LIMIT_DEFAULTS, type SourceRateLimiterOptions } from "./udp/source-rate-limiter.js";
export {
  type UdpDropReason,
  UdpServer,
  type UdpServerEvents,
  type UdpServerOptions,
  type UdpServerStatistics,
} from "./udp/udp-server.js";
export { UDP_DEFAULTS } from "./udp/udp-server-options.js";
