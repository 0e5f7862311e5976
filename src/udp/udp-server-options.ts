/** The UDP server's options (with the defences' own), its drop reasons and its statistics. */

import { DEFAULT_PORT } from "../address/address.js";
import type { AddressFilter } from "../address/address-filter.js";
import { optionInRange } from "../errors.js";
import type { Logger } from "../observability/logger.js";
import type { Tracer } from "../observability/trace.js";
import type { TransformOptions } from "../transform/index.js";
import { LOOP_BREAKER_DEFAULTS, type LoopBreakerOptions } from "./loop-breaker.js";
import type { NetworkSimulatorOptions } from "./network-simulator.js";
import type { ReflectionRefusal } from "./reflection-guard.js";
import { RATE_LIMIT_DEFAULTS, type SourceRateLimiterOptions } from "./source-rate-limiter.js";

export interface UdpServerOptions {
  /** Address to bind; default all interfaces, IPv6 and IPv4 (`::` dual-stack, else `0.0.0.0`). */
  host?: string;
  /** Default `DEFAULT_PORT`; 0 lets the kernel choose. */
  port?: number;
  transform?: TransformOptions;
  /**
   * Reply bytes per request byte, at most (1 to 3; default 1, like an RFC 862 echo). Where
   * the full uppercase would go over, characters that grow stay as they are in that reply.
   * Out of range throws a RangeError.
   */
  maxGrowth?: number;
  rateLimit?: SourceRateLimiterOptions;
  /** Reflection loops with another echo-like server on any port: when a source is taken for one. */
  loopBreaker?: LoopBreakerOptions;
  /** Simulated loss, duplication and delay of replies (teaching). */
  network?: NetworkSimulatorOptions;
  /** Other ports mayus listens on (the TCP port, other instances'): never answered. */
  ownPorts?: number[];
  /**
   * `--heartbeat`: shown each datagram that passed the defences, before it is answered (a
   * heartbeat is answered like any line: it is upper case already).
   */
  heartbeat?: { observe(datagram: Uint8Array, address: string, port: number): void };
  /** `--allow`/`--deny`: source addresses answered; any other datagram is dropped as `address-filtered`. */
  addressFilter?: AddressFilter;
  logger?: Logger;
  trace?: Tracer;
}

/** The UdpServer's defaults, for the library and `mayus serve` alike. */
export const UDP_DEFAULTS = {
  port: DEFAULT_PORT,
  maxGrowth: 1,
  rateLimit: RATE_LIMIT_DEFAULTS,
  loopBreaker: LOOP_BREAKER_DEFAULTS,
} as const;

/** The port's range, as `mayus serve --port` takes it (0: the kernel chooses). */
export const UDP_PORT_RANGE = { min: 0, max: 65_535 } as const;

/**
 * The port to bind and the other ports never answered, checked: a RangeError names one out of
 * range (a port of 70000 would otherwise bind 4464, its value modulo 65536).
 */
export function resolveUdpPorts(options: Pick<UdpServerOptions, "port" | "ownPorts">): {
  port: number;
  ownPorts: number[];
} {
  const { min, max } = UDP_PORT_RANGE;
  return {
    port: optionInRange("port", options.port ?? UDP_DEFAULTS.port, min, max, true),
    ownPorts: (options.ownPorts ?? []).map((port) => optionInRange("ownPorts", port, min, max, true)),
  };
}

export type UdpDropReason =
  | "address-filtered"
  | ReflectionRefusal
  | "reflection-loop"
  | "rate-limited"
  | "simulated-loss"
  | "send-failed";

export interface UdpServerStatistics {
  datagramsReceived: number;
  datagramsSent: number;
  bytesReceived: number;
  bytesSent: number;
  /** Datagrams not answered, by reason. */
  dropped: Record<UdpDropReason, number>;
  /** Replies where characters that would grow were left as they were. */
  growthLimited: number;
  /** Extra copies sent by the simulated network. */
  duplicated: number;
  /** Sources in the rate limiter's table now. */
  rateLimitSources: number;
  /** Sources taken for a reflection loop and muted (their datagrams are `dropped["reflection-loop"]`). */
  loopsBroken: number;
}
