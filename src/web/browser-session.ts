/**
 * One page connected over the WebSocket: its share of the event stream (rate-limited, the
 * skipped ones counted and shown), its commands (checked, answered or refused with an error
 * frame), and its own bridge to the server.
 */

import type { WebSocket } from "ws";
import { MayusError } from "../errors.js";
import { type Language, translate } from "../i18n/index.js";
import type { Logger } from "../observability/logger.js";
import type { NetworkSettings } from "../udp/network-simulator.js";
import { EventRateLimit, type WebTraceEvent } from "./event-frames.js";
import type { LessonBridge } from "./lesson-bridge.js";
import type { WebOptions } from "./web-options.js";
import { CommandError, type PageCommand, parseCommand } from "./web-protocol.js";

/** What a session needs from the server around it. */
export interface SessionContext {
  options: WebOptions;
  logger: Logger;
  /** The simulated network of the UDP server: `get()` is undefined when there is no UDP server. */
  network: { get(): NetworkSettings | undefined; set(settings: NetworkSettings): void };
  /** Tells every page the knobs changed (this one too). */
  networkChanged(settings: NetworkSettings): void;
  nowMs: () => number;
}

/** How long skipped events wait before their count is sent, when no event comes to carry it. */
const SKIPPED_REPORT_MS = 1000;

export class BrowserSession {
  readonly #limit: EventRateLimit;
  #skipped = 0;
  #skippedTimer: NodeJS.Timeout | undefined;
  #pendingLines = 0;

  constructor(
    readonly socket: WebSocket,
    readonly language: Language,
    readonly bridge: LessonBridge,
    readonly context: SessionContext,
  ) {
    this.#limit = new EventRateLimit(context.options.eventsPerSecondPerBrowser, context.nowMs);
    socket.on("message", (data, isBinary) => this.#received(data.toString(), isBinary));
    // A broken socket closes; its error is not this process's to crash on.
    socket.on("error", (error) => context.logger.debug({ err: error }, "web socket error"));
  }

  /** Sends a frame if the socket is open and not backed up past its bound; returns whether it went. */
  send(frame: object): boolean {
    if (this.socket.readyState !== this.socket.OPEN) return false;
    if (this.socket.bufferedAmount > this.context.options.maxBufferedBytesPerBrowser) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  /** One trace event: sent if within the rate, else counted. */
  event(event: WebTraceEvent): void {
    if (this.#limit.take() && this.#reportSkipped() && this.send({ type: "event", event })) return;
    this.#skipped++;
    this.#skippedTimer ??= setTimeout(() => {
      this.#skippedTimer = undefined;
      this.#reportSkipped();
    }, SKIPPED_REPORT_MS);
  }

  /** Sends the count of events skipped so far; false when it could not (the count is kept). */
  #reportSkipped(): boolean {
    if (this.#skipped === 0) return true;
    if (!this.send({ type: "skipped", count: this.#skipped })) return false;
    this.#skipped = 0;
    return true;
  }

  close(): void {
    clearTimeout(this.#skippedTimer);
    this.bridge.close();
  }

  #received(text: string, isBinary: boolean): void {
    const command = isBinary ? new CommandError("web.error.binary") : parseCommand(text);
    if (command instanceof CommandError) this.#error(command);
    else if (command.type === "send") this.#sendLine(command);
    else this.#setNetwork(command);
  }

  #error(error: CommandError, id?: number): void {
    const message = translate(this.language, error.key, error.parameters);
    this.send({ type: "error", code: error.key, message, ...(id === undefined ? {} : { id }) });
  }

  #sendLine(command: Extract<PageCommand, { type: "send" }>): void {
    const { id, protocol, line } = command;
    if (this.bridge.targets[protocol] === undefined) {
      this.#error(new CommandError("web.error.notServed", { protocol: protocol.toUpperCase() }), id);
      return;
    }
    const maximum = this.context.options.maxPendingLinesPerBrowser;
    if (this.#pendingLines >= maximum) {
      this.#error(new CommandError("web.error.busy", { count: maximum }), id);
      return;
    }
    this.#pendingLines++;
    this.bridge
      .send(protocol, line)
      .then(
        (answer) => this.send({ type: "answer", id, protocol, line, answer }),
        (error: unknown) => {
          const reason = error instanceof MayusError || error instanceof Error ? error.message : String(error);
          const message = translate(this.language, "web.error.sendFailed", {
            protocol: protocol.toUpperCase(),
            reason,
          });
          this.send({ type: "answer", id, protocol, line, error: message });
        },
      )
      .finally(() => {
        this.#pendingLines--;
      });
  }

  #setNetwork(command: Extract<PageCommand, { type: "simulator" }>): void {
    const network = this.context.network;
    if (network.get() === undefined) {
      this.#error(new CommandError("web.error.notServed", { protocol: "UDP" }));
      return;
    }
    const { type: _type, ...settings } = command;
    network.set(settings);
    const changed = network.get();
    if (changed !== undefined) this.context.networkChanged(changed);
  }
}
