/** Who the TCP server serves: --allow/--deny, connections per client address; each refusal counted and logged. */

import type { Socket } from "node:net";
import { formatAddress, unmapIPv4 } from "../address/address.js";
import type { AddressFilter } from "../address/address-filter.js";
import { t } from "../i18n/index.js";
import type { Logger } from "../observability/logger.js";
import { RateLimitedLog } from "../observability/rate-limited-log.js";
import type { Tracer } from "../observability/trace.js";
import type { TcpRefusal } from "./tcp-server-options.js";

/**
 * The server owns one: it asks `admit()` for each client it is about to serve, calls
 * `release()` when that client's connection is over, and `refuse()` for every other socket
 * it closes at accept (past the total, while draining, a bad PROXY header).
 */
export class TcpAdmission {
  readonly #maxConnectionsPerAddress: number;
  /** `--allow`/`--deny`; undefined when no rule is set (nothing to check per accept). */
  readonly #addressFilter: AddressFilter | undefined;
  readonly #connectionsPerAddress = new Map<string, number>();
  readonly #refusalLog: RateLimitedLog;
  readonly #trace: Tracer | undefined;
  readonly #refused: Record<TcpRefusal, number> = {
    "max-connections": 0,
    "max-connections-per-address": 0,
    "max-awaiting-header-per-address": 0,
    draining: 0,
    "proxy-header": 0,
    "address-filtered": 0,
  };

  constructor(
    maxConnectionsPerAddress: number,
    addressFilter: AddressFilter | undefined,
    logger: Logger,
    trace: Tracer | undefined,
  ) {
    this.#maxConnectionsPerAddress = maxConnectionsPerAddress;
    this.#addressFilter = addressFilter?.isActive ? addressFilter : undefined;
    this.#refusalLog = new RateLimitedLog(logger);
    this.#trace = trace;
  }

  /** Refusals so far, by reason (a copy). */
  refused(): Record<TcpRefusal, number> {
    return { ...this.#refused };
  }

  /**
   * Whether the client at `address` (unmapped: under --proxy-protocol, the one its header
   * names, and `port` the header's too) may be served: allowed by the filter and within its
   * per-address count, which it then holds until `release(address)`. If not, `socket` is
   * refused and closed.
   */
  admit(address: string, socket: Socket, port?: number): boolean {
    if (this.#addressFilter !== undefined && !this.#addressFilter.allows(address)) {
      this.refuse("address-filtered", address, socket, undefined, port);
      return false;
    }
    const fromAddress = (this.#connectionsPerAddress.get(address) ?? 0) + 1;
    if (fromAddress > this.#maxConnectionsPerAddress) {
      this.refuse("max-connections-per-address", address, socket, undefined, port);
      return false;
    }
    this.#connectionsPerAddress.set(address, fromAddress);
    return true;
  }

  /** A connection admitted from `address` is over (closed, or its TLS handshake failed). */
  release(address: string): void {
    const remaining = (this.#connectionsPerAddress.get(address) ?? 1) - 1;
    if (remaining > 0) this.#connectionsPerAddress.set(address, remaining);
    else this.#connectionsPerAddress.delete(address);
  }

  /**
   * Counts, traces and logs (at most once a second per reason) a refusal; closes `socket` if
   * given. `remotePort` goes with `remoteAddress` when that is not the socket's own peer (a
   * PROXY header's client); otherwise the trace asks the socket.
   */
  refuse(
    reason: TcpRefusal,
    remoteAddress: string | undefined,
    socket?: Socket,
    detail?: string,
    remotePort?: number,
  ): void {
    this.#refused[reason]++;
    // The port before the socket closes: a socket's address is asked of it, not kept (peer-address.ts).
    const port = this.#trace === undefined ? undefined : (remotePort ?? socket?.remotePort);
    socket?.destroy();
    if (this.#trace !== undefined) {
      const peer = formatAddress(unmapIPv4(remoteAddress ?? "?"), port ?? 0);
      this.#trace({ step: "refuse", protocol: "tcp", peer, note: t(`trace.refusal.${reason}`), reason });
    }
    // Fields built only for a line that is written: a flood of refusals stays cheap.
    const fields = () => ({ peer: remoteAddress && unmapIPv4(remoteAddress), ...(detail ? { detail } : {}) });
    this.#refusalLog.warn(reason, fields, "connection refused");
  }
}
