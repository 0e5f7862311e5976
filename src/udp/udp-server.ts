/**
 * The UDP side of mayus: socket, bind, then for each datagram recvfrom, uppercase, sendto
 * the sender's address and port. No connections: every datagram stands alone, and one that
 * is lost is lost (the lesson's point about UDP). Before answering it refuses reflection
 * sources, sources caught in a loop with another echo-like server and sources over their
 * rate, and it never answers with more bytes than it got.
 */

import { Buffer } from "node:buffer";
import { createSocket, type Socket as DatagramSocket, type RemoteInfo } from "node:dgram";
import { lookup } from "node:dns/promises";
import { EventEmitter } from "node:events";
import { type AddressInfo, isIP } from "node:net";
import { formatAddress, unmapIPv4 } from "../address/address.js";
import type { AddressFilter } from "../address/address-filter.js";
import { listenError } from "../errors.js";
import { t } from "../i18n/index.js";
import { PendingListen } from "../lifecycle/pending-listen.js";
import type { ServerState } from "../lifecycle/server-state.js";
import { logFailedProbes } from "../node-internals/probes.js";
import { type Logger, silentLogger } from "../observability/logger.js";
import { RateLimitedLog } from "../observability/rate-limited-log.js";
import type { Tracer } from "../observability/trace.js";
import { DatagramIO } from "./datagram-io.js";
import { LoopBreaker } from "./loop-breaker.js";
import { type NetworkSettings, NetworkSimulator } from "./network-simulator.js";
import { ReflectionGuard } from "./reflection-guard.js";
import { ReplyUppercaser } from "./reply-uppercaser.js";
import { SourceRateLimiter } from "./source-rate-limiter.js";
import {
  resolveUdpPorts,
  UDP_DEFAULTS,
  type UdpDropReason,
  type UdpServerOptions,
  type UdpServerStatistics,
} from "./udp-server-options.js";

export type { UdpDropReason, UdpServerOptions, UdpServerStatistics } from "./udp-server-options.js";

/**
 * The events a `UdpServer` emits: none (every datagram is counted in `statistics()` and each
 * drop logged), so `server.on(…)` with any name does not compile.
 */
export type UdpServerEvents = Record<never, never>;

/**
 * @example
 * ```ts
 * import { UdpServer } from "./udp-server.js";
 * const server = new UdpServer({ host: "127.0.0.1", port: 0 });
 * const { port } = await server.listen();
 * await server.close(); // resolves with nothing once the socket is closed
 * ```
 */
export class UdpServer extends EventEmitter<UdpServerEvents> {
  state: ServerState = "idle";
  readonly #host: string | undefined;
  readonly #port: number;
  /** Each datagram's reply, within the growth limit. */
  readonly #replies: ReplyUppercaser;
  readonly #logger: Logger;
  readonly #dropLog: RateLimitedLog;
  readonly #trace: Tracer | undefined;
  /** `--allow`/`--deny`; undefined when no rule is set (nothing to check per datagram). */
  readonly #addressFilter: AddressFilter | undefined;
  readonly #guard: ReflectionGuard;
  readonly #loops: LoopBreaker;
  readonly #rateLimiter: SourceRateLimiter;
  readonly #network: NetworkSimulator;
  readonly #heartbeat: UdpServerOptions["heartbeat"];
  readonly #pendingDelays = new Set<NodeJS.Timeout>();
  #socket: DatagramSocket | undefined;
  /** recvfrom and sendto on the bound socket; the string is the peer, for the trace. */
  #io: DatagramIO<string> | undefined;
  readonly #statistics = {
    datagramsReceived: 0,
    datagramsSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    duplicated: 0,
  };
  readonly #dropped: Record<UdpDropReason, number> = {
    "address-filtered": 0,
    "privileged-port": 0,
    "nfs-port": 0,
    "own-port": 0,
    broadcast: 0,
    multicast: 0,
    "reflection-loop": 0,
    "rate-limited": 0,
    "simulated-loss": 0,
    "send-failed": 0,
  };
  #loopsBroken = 0;
  #closing: Promise<void> | undefined;
  readonly #pendingListen = new PendingListen();

  constructor(options: UdpServerOptions = {}) {
    super();
    const { port, ownPorts } = resolveUdpPorts(options);
    this.#host = options.host;
    this.#port = port;
    this.#replies = new ReplyUppercaser(options.transform, options.maxGrowth ?? UDP_DEFAULTS.maxGrowth);
    this.#logger = options.logger ?? silentLogger();
    this.#dropLog = new RateLimitedLog(this.#logger);
    this.#trace = options.trace;
    this.#addressFilter = options.addressFilter?.isActive ? options.addressFilter : undefined;
    this.#guard = new ReflectionGuard(ownPorts);
    this.#loops = new LoopBreaker(options.loopBreaker);
    this.#rateLimiter = new SourceRateLimiter(options.rateLimit);
    this.#network = new NetworkSimulator(options.network);
    this.#heartbeat = options.heartbeat;
  }

  listen(): Promise<AddressInfo> {
    if (this.#closing !== undefined) return Promise.reject(new Error("UdpServer.listen() after close()"));
    return this.#pendingListen.track(this.#listen());
  }

  async #listen(): Promise<AddressInfo> {
    if (this.#host === undefined) {
      try {
        this.#socket = await this.#bind("udp6", "::");
      } catch (error) {
        // No IPv6 on this machine: IPv4 alone. Any other failure (the port taken, say) is
        // the answer: falling back would listen on IPv4 only while TCP has both.
        const code = ((error as Error).cause as NodeJS.ErrnoException | undefined)?.code;
        if (code !== "EAFNOSUPPORT" && code !== "EADDRNOTAVAIL") throw error;
        this.#socket = await this.#bind("udp4", "0.0.0.0");
      }
    } else {
      const address = isIP(this.#host) !== 0 ? this.#host : await this.#resolve(this.#host);
      this.#socket = await this.#bind(isIP(address) === 6 ? "udp6" : "udp4", address);
    }
    this.#io = new DatagramIO(
      this.#socket,
      (message, remote) => this.#receive(message, remote),
      (reply, remote, peer, error) => this.#sent(reply, remote, peer, error),
    );
    this.#socket.on("error", (error) => this.#logger.error({ err: error }, "udp socket error"));
    // Which of DatagramIO's paths serves this socket: "syscalls" unless the native module was not built.
    this.#logger.debug({ path: this.#io.path }, "udp datagram path");
    logFailedProbes(this.#logger);
    this.#guard.addOwnPort(this.address().port);
    this.state = "listening";
    return this.address();
  }

  address(): AddressInfo {
    if (this.#socket === undefined) throw new Error("UdpServer.address() before listen()");
    return this.#socket.address();
  }

  /** Another port of this mayus (its TCP port, say) that must never be answered. */
  addOwnPort(port: number): void {
    this.#guard.addOwnPort(port);
  }

  /** The simulated network's seed, to repeat a run exactly. */
  get networkSeed(): number {
    return this.#network.seed;
  }

  /** The simulated network's knobs now. */
  get networkSettings(): NetworkSettings {
    return this.#network.settings;
  }

  /** Changes the simulated network's knobs while serving (the web page's sliders); the seed stays. */
  setNetwork(settings: Partial<NetworkSettings>): void {
    this.#network.configure(settings);
  }

  statistics(): UdpServerStatistics {
    return {
      ...this.#statistics,
      growthLimited: this.#replies.growthLimited,
      dropped: { ...this.#dropped },
      rateLimitSources: this.#rateLimiter.size,
      loopsBroken: this.#loopsBroken,
    };
  }

  /**
   * Stops receiving and resolves with nothing (`void`) once the socket is closed: a datagram
   * server has no connections to drain or report on. Replies already handed to the kernel
   * still go out. Safe to call twice.
   */
  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    // A close() right after listen() (a signal during startup) closes what that listen opens.
    const pendingListen = this.#pendingListen.settled;
    if (pendingListen !== undefined) await pendingListen;
    const socket = this.#socket;
    this.state = "closed";
    for (const timer of this.#pendingDelays) clearTimeout(timer);
    this.#pendingDelays.clear();
    if (socket === undefined) return;
    this.#io?.close();
    this.#trace?.({ step: "close", protocol: "udp" });
    await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  async #resolve(host: string): Promise<string> {
    try {
      return (await lookup(host)).address;
    } catch (error) {
      throw listenError(error as NodeJS.ErrnoException, "udp", host, this.#port);
    }
  }

  #bind(type: "udp4" | "udp6", address: string): Promise<DatagramSocket> {
    const socket = createSocket({ type, ipv6Only: false });
    this.#trace?.({ step: "socket", protocol: "udp", note: type });
    return new Promise((resolve, reject) => {
      socket.once("error", (error: NodeJS.ErrnoException) => {
        socket.close();
        reject(listenError(error, "udp", address, this.#port));
      });
      // Not exclusive: under --workers, every worker shares the one socket the primary holds.
      socket.bind({ address, port: this.#port, exclusive: false }, () => {
        socket.removeAllListeners("error");
        this.#trace?.({ step: "bind", protocol: "udp", peer: formatAddress(address, socket.address().port) });
        resolve(socket);
      });
    });
  }

  #receive(message: Buffer, remote: RemoteInfo): void {
    const io = this.#io;
    if (io === undefined || this.state !== "listening") return;
    this.#statistics.datagramsReceived++;
    this.#statistics.bytesReceived += message.length;
    const trace = this.#trace;
    const peer = trace === undefined ? "" : formatAddress(unmapIPv4(remote.address), remote.port);
    trace?.({ step: "recvfrom", protocol: "udp", peer, bytes: message.length, payload: message });

    // The filter caches its answer for the last source: a client's datagrams cost one string compare.
    if (this.#addressFilter !== undefined && !this.#addressFilter.allows(remote.address)) {
      this.#drop("address-filtered", remote);
      return;
    }
    const refusal = this.#guard.refusalFor(remote.address, remote.port);
    if (refusal !== undefined) {
      this.#drop(refusal, remote);
      return;
    }
    const loops = this.#loops.isActive ? this.#loops : undefined;
    if (loops !== undefined) {
      const verdict = loops.check(message, remote.address, remote.port);
      if (verdict !== "answer") {
        if (verdict === "loop-detected") this.#loopDetected(remote);
        this.#drop("reflection-loop", remote);
        return;
      }
    }
    if (this.#rateLimiter.isActive && !this.#rateLimiter.allow(remote.address, message.length)) {
      this.#drop("rate-limited", remote);
      return;
    }
    // Before the reply, which may overwrite the datagram.
    this.#heartbeat?.observe(message, remote.address, remote.port);
    const reply = this.#replies.uppercase(message);
    if (!this.#network.isActive) {
      loops?.replied(reply);
      io.send(reply, remote, peer);
      return;
    }
    const fate = this.#network.decide();
    if (fate.dropped) {
      this.#drop("simulated-loss", remote);
      return;
    }
    loops?.replied(reply);
    if (fate.delaysMs.length > 1) {
      this.#statistics.duplicated++;
      trace?.({ step: "duplicate", protocol: "udp", peer });
    }
    // A reply sent later is a copy: the datagram's memory is DatagramIO's again once this returns.
    let later: Buffer | undefined;
    for (const delayMs of fate.delaysMs) {
      if (delayMs <= 0) {
        io.send(reply, remote, peer);
        continue;
      }
      trace?.({ step: "delay", protocol: "udp", peer, note: `${delayMs.toFixed(1)} ms`, delayMs });
      later ??= Buffer.from(reply);
      const delayed = later;
      const timer = setTimeout(() => {
        this.#pendingDelays.delete(timer);
        if (this.state === "listening") io.send(delayed, remote, peer);
      }, delayMs);
      this.#pendingDelays.add(timer);
    }
  }

  /** The reply, never more than `maxGrowth` times the request: growing characters stay if need be. */
  #sent(reply: Buffer, remote: RemoteInfo, peer: string, error: Error | undefined): void {
    if (error !== undefined) {
      this.#drop("send-failed", remote, error);
      return;
    }
    this.#statistics.datagramsSent++;
    this.#statistics.bytesSent += reply.length;
    this.#trace?.({ step: "sendto", protocol: "udp", peer, bytes: reply.length, payload: reply });
  }

  /** Once per loop found: the datagrams dropped while the source is muted are logged as drops. */
  #loopDetected(remote: RemoteInfo): void {
    this.#loopsBroken++;
    this.#dropLog.warn(
      "loop-detected",
      () => ({ peer: formatAddress(unmapIPv4(remote.address), remote.port), cooldownMs: this.#loops.cooldownMs }),
      "udp reflection loop: this source echoes our replies back; no reply to it for the cooldown",
    );
  }

  #drop(reason: UdpDropReason, remote: RemoteInfo, error?: Error): void {
    this.#dropped[reason]++;
    if (this.#trace !== undefined) {
      const peer = formatAddress(unmapIPv4(remote.address), remote.port);
      this.#trace({ step: "drop", protocol: "udp", peer, note: t(`trace.reason.${reason}`), reason });
    }
    // The fields are built only for a line that is written: a flood of drops stays cheap.
    if (reason !== "simulated-loss")
      this.#dropLog.warn(
        reason,
        () => ({ peer: formatAddress(unmapIPv4(remote.address), remote.port), err: error }),
        "datagram not answered",
      );
  }
}
