/**
 * What a page may say over the WebSocket, checked field by field: `send` a line over TCP or
 * UDP to this mayus server (no address: the bridge knows only this server), or set the
 * simulated network's knobs. Anything else is an error value, answered with an error frame.
 */

import type { MessageKey } from "../i18n/index.js";

export type PageCommand =
  | { type: "send"; id: number; protocol: "tcp" | "udp"; line: string }
  | { type: "simulator"; dropProbability: number; duplicateProbability: number; delayMs: number; jitterMs: number };

/** Why a message was refused: a catalogue key and its parameters (the frame is in the page's language). */
export class CommandError extends Error {
  override readonly name = "CommandError";
  constructor(
    readonly key: MessageKey,
    readonly parameters: Record<string, string | number> = {},
    options?: ErrorOptions,
  ) {
    super(key, options);
  }
}

/** Longest delay or jitter the page may set, in milliseconds (a minute: longer is a dead server). */
export const MAX_SIMULATED_DELAY_MS = 60_000;

const FIELDS = {
  send: ["type", "id", "protocol", "line"],
  simulator: ["type", "drop", "duplicate", "delayMs", "jitterMs"],
} as const;

/**
 * @example
 * ```ts
 * import { CommandError, parseCommand } from "./web-protocol.js";
 * parseCommand('{"type":"send","protocol":"udp","line":"hola"}'); // { type: "send", id: 0, protocol: "udp", line: "hola" }
 * parseCommand('{"type":"send","protocol":"udp","line":"hola","host":"192.0.2.1"}'); // CommandError web.error.unknownField
 * const refused = parseCommand("{");
 * if (refused instanceof CommandError) refused.key; // "web.error.badJson", the catalogue key of the page's error frame
 * ```
 */
export function parseCommand(text: string): PageCommand | CommandError {
  let message: unknown;
  try {
    message = JSON.parse(text);
  } catch (error) {
    return new CommandError("web.error.badJson", {}, { cause: error });
  }
  if (typeof message !== "object" || message === null || Array.isArray(message))
    return new CommandError("web.error.notObject");
  const fields = message as Record<string, unknown>;
  const type = fields.type;
  if (type !== "send" && type !== "simulator") return new CommandError("web.error.badType");
  // Unknown fields are refused, not ignored: a page cannot think it chose a host or a port.
  const unknown = Object.keys(fields).find((key) => !(FIELDS[type] as readonly string[]).includes(key));
  if (unknown !== undefined) return new CommandError("web.error.unknownField", { field: JSON.stringify(unknown) });
  return type === "send" ? parseSend(fields) : parseSimulator(fields);
}

function parseSend(fields: Record<string, unknown>): PageCommand | CommandError {
  const { id = 0, protocol, line } = fields;
  if (protocol !== "tcp" && protocol !== "udp") return new CommandError("web.error.badProtocol");
  if (typeof line !== "string") return new CommandError("web.error.badLine");
  if (!Number.isSafeInteger(id) || (id as number) < 0) return new CommandError("web.error.badId");
  return { type: "send", id: id as number, protocol, line };
}

function parseSimulator(fields: Record<string, unknown>): PageCommand | CommandError {
  const values: Record<string, number> = {};
  const ranges = { drop: 1, duplicate: 1, delayMs: MAX_SIMULATED_DELAY_MS, jitterMs: MAX_SIMULATED_DELAY_MS };
  for (const [name, maximum] of Object.entries(ranges)) {
    const value = fields[name] ?? 0;
    if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > maximum) {
      return new CommandError("web.error.badNumber", { name, maximum });
    }
    values[name] = value;
  }
  return {
    type: "simulator",
    dropProbability: values.drop,
    duplicateProbability: values.duplicate,
    delayMs: values.delayMs,
    jitterMs: values.jitterMs,
  };
}
