/**
 * One stream of trace events with any number of printers: the terminal's `--trace` lines,
 * `--hexdump`, the web page's diagram. The servers call one `Tracer`; each subscriber sees
 * every event in the same order, so the page and the terminal never disagree.
 */

import type { TraceEvent, Tracer } from "./trace.js";

/**
 * @example
 * ```ts
 * import { TcpClient } from "../client/tcp-client.js";
 * import { TcpServer } from "../tcp/tcp-server.js";
 * import { TraceEventSource } from "./trace-events.js";
 * const events = new TraceEventSource();
 * const steps: string[] = [];
 * const unsubscribe = events.subscribe((event) => steps.push(event.step));
 * events.subscribe((event) => console.log(event.protocol, event.step, event.peer ?? "")); // a second printer
 * const server = new TcpServer({ host: "127.0.0.1", port: 0, trace: events.tracer });
 * const { port } = await server.listen();
 * const client = new TcpClient({ host: "127.0.0.1", port });
 * await client.request("hola");
 * await client.end();
 * unsubscribe();
 * await server.close();
 * steps; // ["socket", "bind", "listen", "accept", "recv", "send", ...]
 * ```
 */
export class TraceEventSource {
  readonly #listeners = new Set<Tracer>();

  /** Give this to the servers: it hands each event to every subscriber, in subscription order. */
  readonly tracer: Tracer = (event: TraceEvent) => {
    for (const listener of this.#listeners) listener(event);
  };

  /** Returns the function that unsubscribes. The event's payload is valid only during the call. */
  subscribe(listener: Tracer): () => void {
    // A wrapper, so the same printer subscribed twice prints twice and unsubscribes once.
    const wrapped: Tracer = (event) => listener(event);
    this.#listeners.add(wrapped);
    return () => {
      this.#listeners.delete(wrapped);
    };
  }

  get subscriberCount(): number {
    return this.#listeners.size;
  }
}
