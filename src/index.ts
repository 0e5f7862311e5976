/**
 * mayus as a library: the transform (function and stream), the servers and the clients.
 *
 * @example
 * import { TcpServer, uppercase } from "mayus";
 * uppercase("ñandú").toString(); // "ÑANDÚ"
 * const server = new TcpServer({ host: "127.0.0.1", port: 0 });
 * await server.listen();
 */

export { readLines } from "./client/lines.js";
export { TCP_CLIENT_DEFAULTS, TcpClient, type TcpClientOptions } from "./client/tcp-client.js";
export { maxDatagramBytes, UDP_CLIENT_DEFAULTS, UdpClient, type UdpClientOptions } from "./client/udp-client.js";
export { type ErrorKind, EXIT_CODES, MayusError } from "./errors.js";
export { DEFAULT_PORT, formatAddress } from "./net/address.js";
export type { TraceEvent, Tracer, TraceStep } from "./observability/trace.js";
export { PINGER_DEFAULTS, Pinger, type PingerOptions, type PingResult, type PingSummary } from "./ping/pinger.js";
export { type ProxyHeader, type ProxyParseResult, parseProxyHeader } from "./tcp/proxy-protocol.js";
export { TcpConnection } from "./tcp/tcp-connection.js";
export {
  type ServerState,
  TCP_DEFAULTS,
  TcpServer,
  type TcpServerOptions,
  type TcpServerStatistics,
} from "./tcp/tcp-server.js";
export * from "./transform/index.js";
export { NetworkSimulator, type NetworkSimulatorOptions } from "./udp/network-simulator.js";
export { ReflectionGuard } from "./udp/reflection-guard.js";
export { RATE_LIMIT_DEFAULTS, SourceRateLimiter, type SourceRateLimiterOptions } from "./udp/source-rate-limiter.js";
export {
  MAX_IPV4_DATAGRAM_BYTES,
  UdpServer,
  type UdpServerOptions,
  type UdpServerStatistics,
} from "./udp/udp-server.js";
