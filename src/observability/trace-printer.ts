/**
 * Prints trace events as lines a learner can follow, one per socket step:
 *   +0.004s tcp accept    127.0.0.1:51234 (new socket for this client)
 *   +0.005s tcp recv      127.0.0.1:51234 5 bytes "hola\n"
 */

import { t } from "../i18n/index.js";
import { escapePayload, type TraceEvent, type Tracer } from "./trace.js";

/** Width of the step column, so the lines line up. */
const STEP_WIDTH = 8;

/**
 * @example
 * ```ts
 * import { createTracePrinter } from "./trace-printer.js";
 * const trace = createTracePrinter((line) => process.stderr.write(`${line}\n`));
 * trace({ step: "listen", protocol: "tcp", peer: "[::]:12000" });
 * ```
 */
export function createTracePrinter(
  write: (line: string) => void,
  nowMs: () => number = () => performance.now(),
): Tracer {
  const startMs = nowMs();
  return (event: TraceEvent) => {
    const seconds = ((nowMs() - startMs) / 1000).toFixed(3);
    const parts = [`+${seconds}s`, event.protocol, event.step.padEnd(STEP_WIDTH)];
    if (event.peer !== undefined) parts.push(event.peer);
    if (event.bytes !== undefined) parts.push(t("trace.bytes", { count: event.bytes }));
    if (event.payload !== undefined && event.payload.length > 0) parts.push(`"${escapePayload(event.payload)}"`);
    if (event.note !== undefined) parts.push(`(${event.note})`);
    write(parts.join(" ").trimEnd());
  };
}
