/**
 * `mayus/internals`: the building blocks the servers and clients are made of, for those who
 * build their own (a byte kernel, budgets, guards, the PROXY protocol parser, the heartbeat
 * table and sender). Not needed to serve or to ask: `mayus` has that. These may change in any
 * release.
 *
 * @module mayus/internals
 */

export { formatAddress } from "./address/address.js";
export { formatHeartbeat, type Heartbeat, parseHeartbeat } from "./heartbeat/heartbeat-format.js";
export {
  HEARTBEAT_SENDER_DEFAULTS,
  HeartbeatSender,
  type HeartbeatSenderEvents,
  type HeartbeatSenderOptions,
  type HeartbeatSummary,
} from "./heartbeat/heartbeat-sender.js";
export {
  HEARTBEAT_DEFAULTS,
  type HeartbeatEvent,
  type HeartbeatOptions,
  type HeartbeatStatistics,
  HeartbeatTable,
} from "./heartbeat/heartbeat-table.js";
export { SharedReadBuffer } from "./io/shared-read-buffer.js";
export {
  type BatchedReader,
  BatchedReads,
  batchedReads,
  type ReadLoop,
  type StreamReads,
} from "./tcp/batched-reads.js";
export { BufferBudget } from "./tcp/buffer-budget.js";
export type { IdleConnection } from "./tcp/idle-sweeper.js";
export { PROXY_V2_MAX_POSSIBLE_HEADER_BYTES } from "./tcp/proxy/proxy-header.js";
export {
  MAX_PROXY_V2_HEADER_BYTES,
  type ProxyEndpoint,
  type ProxyHeader,
  type ProxyInvalidReason,
  type ProxyParseOptions,
  type ProxyParseResult,
  type ProxyTlv,
  parseProxyHeader,
} from "./tcp/proxy/proxy-protocol.js";
export { SocketReader } from "./tcp/socket-reader.js";
export type { TcpConnectionEvents, TcpConnectionLimits } from "./tcp/tcp-connection.js";
export { uppercaseAsciiInPlace } from "./transform/ascii.js";
export { lowercaseAsciiInPlace } from "./transform/ascii-lower.js";
export { AsciiLowercaser, UnicodeLowercaser } from "./transform/lowercaser.js";
export { resolveTransformOptions } from "./transform/options.js";
export { AsciiUppercaser, uppercaserFactory } from "./transform/uppercaser.js";
export { LoopBreaker, type LoopVerdict } from "./udp/loop-breaker.js";
export { type NetworkFate, NetworkSimulator } from "./udp/network-simulator.js";
export { ReflectionGuard } from "./udp/reflection-guard.js";
export { ReplyUppercaser } from "./udp/reply-uppercaser.js";
export { SourceRateLimiter } from "./udp/source-rate-limiter.js";
