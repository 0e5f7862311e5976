/**
 * Trace events as the page receives them: plain JSON with the payload escaped and cut as
 * `--trace` shows it, a bounded history for pages that open later, and the per-page rate
 * limit of the event stream.
 */

import { escapePayload, type TraceEvent } from "../observability/trace.js";

/** One trace event on the wire: what `--trace` prints, as fields. */
export interface WebTraceEvent {
  /** Counts from 1 for the life of the process, so a page can tell a gap. */
  seq: number;
  /** Milliseconds since the web server started. */
  atMs: number;
  step: TraceEvent["step"];
  protocol: TraceEvent["protocol"];
  peer?: string;
  bytes?: number;
  /** The first bytes, escaped exactly as a `--trace` line shows them. */
  payload?: string;
  note?: string;
  reason?: string;
  delayMs?: number;
  sendsFin?: boolean;
}

/** Copies what it needs at once: the event's payload is valid only during the call. */
export function toWebEvent(event: TraceEvent, seq: number, atMs: number): WebTraceEvent {
  const { payload, ...fields } = event;
  const shown = payload !== undefined && payload.length > 0 ? { payload: escapePayload(payload) } : {};
  return { seq, atMs: Math.round(atMs * 10) / 10, ...fields, ...shown };
}

/** The last `capacity` events, oldest first: what a page that opens now is shown. */
export class EventHistory {
  readonly #events: WebTraceEvent[] = [];

  constructor(readonly capacity: number) {}

  push(event: WebTraceEvent): void {
    this.#events.push(event);
    if (this.#events.length > this.capacity) this.#events.shift();
  }

  get events(): readonly WebTraceEvent[] {
    return this.#events;
  }
}

/**
 * A token bucket: `perSecond` tokens a second, at most `perSecond` saved up (a second's
 * burst). `take()` says whether one more event may go now.
 */
export class EventRateLimit {
  #tokens: number;
  #lastMs: number;

  constructor(
    readonly perSecond: number,
    readonly nowMs: () => number = () => performance.now(),
  ) {
    this.#tokens = perSecond;
    this.#lastMs = nowMs();
  }

  take(): boolean {
    const now = this.nowMs();
    this.#tokens = Math.min(this.perSecond, this.#tokens + ((now - this.#lastMs) / 1000) * this.perSecond);
    this.#lastMs = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
