/** `mayus serve`: its flags (serve-flags.ts) turned into `ServeOptions`, then the servers run until a signal. */

import cluster from "node:cluster";
import type { Command } from "commander";
import { EXIT_CODES, MayusError } from "../errors.js";
import { t } from "../i18n/index.js";
import { hexdumpLines, withHexdump } from "../observability/hexdump.js";
import { createLogger, type LogFormat, type Logger } from "../observability/logger.js";
import { escapePayload, type Tracer } from "../observability/trace.js";
import { TraceEventSource } from "../observability/trace-events.js";
import { createTracePrinter } from "../observability/trace-printer.js";
import { runPrimary } from "../serve/cluster-primary.js";
import { runWorker } from "../serve/cluster-worker.js";
import { ServeLifecycle } from "../serve/lifecycle.js";
import { runSingleProcess } from "../serve/single-process.js";
import type { ServeOptions } from "../serve/start-servers.js";
import { useColour } from "./colour.js";
import { newCommand, withExamples } from "./command-kit.js";
import { addHeartbeatServeOptions } from "./heartbeat-command.js";
import { addServeFlags, withFormerNames } from "./serve-flags.js";
import { serveOptionsFrom } from "./serve-options-from-flags.js";
import { serveTls } from "./serve-tls.js";

/** The `serve` subcommand: flags (each with an environment variable) to `runServe`. */
export function serveCommand(): Command {
  const command = addServeFlags(newCommand("serve", "serve.description")).action(async (flags, command: Command) => {
    // `--lang` before or after `serve` (the program's own option takes it when it comes first).
    const options = serveOptionsFrom({ ...withFormerNames(flags, command), lang: command.optsWithGlobals().lang });
    const hexdumpBytes: number | undefined = flags.hexdump ? flags.hexdumpBytes : undefined;
    const logger = createLogger({ ...options.log, colour: useColour(process.stderr) });
    const lifecycle = new ServeLifecycle(logger, options.log.format);
    options.tcpOptions.tls = await serveTls(flags, options, logger, options.log.format);
    try {
      process.exitCode = await runServe(options, logger, lifecycle, hexdumpBytes);
    } catch (error) {
      // In json mode the failure is a log event too; in text mode, the usual one line.
      if (!lifecycle.isJson) throw error;
      const failure =
        error instanceof MayusError
          ? error
          : { message: t("error.internal", { reason: (error as Error)?.message }), exitCode: EXIT_CODES.failure };
      lifecycle.failed(failure);
      process.exitCode = failure.exitCode;
    }
  });
  addHeartbeatServeOptions(command);
  return withExamples(command, [
    { command: "mayus serve", description: "cli.example.serve.default" },
    { command: "mayus serve --tcp --host 127.0.0.1 --trace", description: "cli.example.serve.trace" },
    { command: "mayus serve --udp --drop 0.2 --delay 50±10", description: "cli.example.serve.lossy" },
  ]);
}

function runServe(
  options: ServeOptions,
  logger: Logger,
  lifecycle: ServeLifecycle,
  hexdumpBytes: number | undefined,
): Promise<number> {
  const printer = traceTo(logger, options.log.format, options.trace, hexdumpBytes);
  if (cluster.isWorker) return runWorker(options, logger, lifecycle, printer);
  if (options.workers > 1) return runPrimary(options, logger, lifecycle, printer);
  if (options.web === undefined) return runSingleProcess(options, logger, lifecycle, printer);
  // One event stream, two printers: the terminal's lines and the web page see the same events.
  const events = new TraceEventSource();
  if (printer !== undefined) events.subscribe(printer);
  return runSingleProcess(options, logger, lifecycle, events.tracer, events);
}

/**
 * `--trace` lines for people, or each step as a JSON log event (json: every stderr line is
 * JSON); with `--hexdump`, each payload's dump lines under its step (in json, a `hexdump`
 * field), and only the steps with a payload when `--trace` is off.
 */
function traceTo(
  logger: Logger,
  format: LogFormat,
  trace: boolean,
  hexdumpBytes: number | undefined,
): Tracer | undefined {
  if (!trace && hexdumpBytes === undefined) return undefined;
  if (format === "text") {
    const write = (line: string) => process.stderr.write(`${line}\n`);
    const printer = trace ? createTracePrinter(write) : undefined;
    return hexdumpBytes === undefined ? printer : withHexdump(write, hexdumpBytes, printer);
  }
  return (event) => {
    const { payload, ...fields } = event;
    const hasPayload = payload !== undefined && payload.length > 0;
    if (!trace && !hasPayload) return;
    const shown = hasPayload ? { payload: escapePayload(payload) } : {};
    const dumped = hasPayload && hexdumpBytes !== undefined ? { hexdump: hexdumpLines(payload, hexdumpBytes) } : {};
    logger.info({ event: "trace", ...fields, ...shown, ...dumped }, event.step);
  };
}
