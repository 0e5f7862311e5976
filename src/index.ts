/**
 * mayus as a library: the transform (function and stream), the servers and the clients.
 *
 * @example
 * import { TcpServer, uppercase } from "mayus";
 * uppercase("ñandú"); // "ÑANDÚ"
 * const server = new TcpServer({ host: "127.0.0.1", port: 0 });
 * await server.listen();
 */

export { readLines } from "./client/lines.js";
export { TCP_CLIENT_DEFAULTS, TcpClient, type TcpClientEvents, type TcpClientOptions } from "./client/tcp-client.js";
export {
  maxDatagramBytes,
  UDP_CLIENT_DEFAULTS,
  UdpClient,
  type UdpClientOptions,
  type UdpRetry,
} from "./client/udp-client.js";
export { type ErrorKind, EXIT_CODES, MayusError } from "./errors.js";
export { DEFAULT_PORT, formatAddress } from "./net/address.js";
export type { ServerState } from "./net/server-state.js";
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
export { BufferBudget } from "./tcp/buffer-budget.js";
export type { IdleConnection } from "./tcp/idle-sweeper.js";
export {
  MAX_PROXY_V2_HEADER_BYTES,
  type ProxyEndpoint,
  type ProxyHeader,
  type ProxyInvalidReason,
  type ProxyParseOptions,
  type ProxyParseResult,
  type ProxyTlv,
  parseProxyHeader,
} from "./tcp/proxy-protocol.js";
export {
  TcpConnection,
  type TcpConnectionEvents,
  type TcpConnectionLimits,
  type TcpConnectionState,
} from "./tcp/tcp-connection.js";
export { TcpServer, type TcpServerEvents } from "./tcp/tcp-server.js";
export {
  type ResolvedTcpServerOptions,
  TCP_DEFAULTS,
  type TcpDrainReport,
  type TcpRefusal,
  type TcpServerOptions,
  type TcpServerStatistics,
} from "./tcp/tcp-server-options.js";
export * from "./transform/index.js";
export { type NetworkFate, NetworkSimulator, type NetworkSimulatorOptions } from "./udp/network-simulator.js";
export { ReflectionGuard, type ReflectionRefusal } from "./udp/reflection-guard.js";
export { MAX_IPV4_DATAGRAM_BYTES, ReplyUppercaser } from "./udp/reply-uppercaser.js";
export { RATE_LIMIT_DEFAULTS, SourceRateLimiter, type SourceRateLimiterOptions } from "./udp/source-rate-limiter.js";
export {
  type UdpDropReason,
  UdpServer,
  type UdpServerEvents,
  type UdpServerOptions,
  type UdpServerStatistics,
} from "./udp/udp-server.js";
