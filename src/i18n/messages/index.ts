/** Every message area, joined into one catalogue per language. */
import { benchMessages } from "./bench.js";
import { capabilityMessages } from "./capabilities.js";
import { cliMessages } from "./cli.js";
import { clientMessages } from "./client.js";
import { commonMessages } from "./common.js";
import { heartbeatMessages } from "./heartbeat.js";
import { pingMessages } from "./ping.js";
import { serveMessages } from "./serve.js";
import { tlsMessages } from "./tls.js";
import { traceMessages } from "./trace.js";
import { udpMessages } from "./udp.js";
import { webMessages } from "./web.js";

const areas = [
  benchMessages,
  pingMessages,
  commonMessages,
  serveMessages,
  clientMessages,
  traceMessages,
  udpMessages,
  cliMessages,
  capabilityMessages,
  heartbeatMessages,
  webMessages,
  tlsMessages,
] as const;

export const en = Object.assign({}, ...areas.map((area) => area.en)) as typeof commonMessages.en &
  typeof benchMessages.en &
  typeof pingMessages.en &
  typeof serveMessages.en &
  typeof clientMessages.en &
  typeof traceMessages.en &
  typeof udpMessages.en &
  typeof cliMessages.en &
  typeof capabilityMessages.en &
  typeof heartbeatMessages.en &
  typeof webMessages.en &
  typeof tlsMessages.en;

export type MessageKey = keyof typeof en;

export const es = Object.assign({}, ...areas.map((area) => area.es)) as Record<MessageKey, string>;

/** For the parity test: each area's two sides. */
export const messageAreas: ReadonlyArray<{ en: Record<string, string>; es: Record<string, string> }> = areas;
