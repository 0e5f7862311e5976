/** The named limits of `mayus serve --web`, with their defaults in one place (README and SECURITY.md list them). */

import type { Language } from "../i18n/index.js";

export const WEB_DEFAULTS = {
  /** Loopback: the page shows the traffic and can send lines, so it is not for the network by default. */
  host: "127.0.0.1",
  port: 12080,
  /** Events the page keeps drawn (older ones scroll away), and the history a new page is sent. */
  maxEventsKept: 500,
  /** Events sent to one browser per second, at most; the rest are counted and the count is shown. */
  eventsPerSecondPerBrowser: 200,
  /** Pages connected at once; one more is refused (HTTP 503) until one leaves. */
  maxBrowsers: 16,
  /**
   * HTTP connections open at once (pages' WebSockets among them); one more is closed at
   * accept. Half-sent requests held open must not take the descriptors the uppercase service
   * needs: the web page and the servers share one process.
   */
  maxHttpConnections: 64,
  /** Largest WebSocket message a page may send; a larger one closes its connection (1009). */
  maxMessageBytes: 4096,
  /** Lines from one page still waiting for their answer; one more gets an error frame. */
  maxPendingLinesPerBrowser: 8,
  /** Bytes queued to one slow page before its events are skipped rather than queued. */
  maxBufferedBytesPerBrowser: 1024 * 1024,
} as const;

export interface WebOptions {
  host: string;
  port: number;
  maxEventsKept: number;
  eventsPerSecondPerBrowser: number;
  maxBrowsers: number;
  maxHttpConnections: number;
  maxMessageBytes: number;
  maxPendingLinesPerBrowser: number;
  maxBufferedBytesPerBrowser: number;
  /** `--lang`, when given: the page speaks it whatever the browser's language. */
  language?: Language;
}

/** Whether an address reaches beyond this machine (then `serve` prints a warning). */
export function isBeyondLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  return !(bare === "localhost" || bare === "::1" || /^127\.\d+\.\d+\.\d+$/.test(bare) || bare === "::ffff:127.0.0.1");
}
