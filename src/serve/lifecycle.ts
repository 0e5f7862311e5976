/**
 * What `mayus serve` tells its operator about its life: the ready lines on stdout (for
 * scripts, in every log format), and on stderr the listeners, the signal, the drain and the
 * exit, as lines for people (`--log-format text`) or one JSON object each (`json`), so that
 * a log shipper never meets a line it cannot parse.
 */

import type { AddressInfo } from "node:net";
import { formatAddress } from "../address/address.js";
import { EXIT_CODES } from "../errors.js";
import { t } from "../i18n/index.js";
import type { ProtocolIoPath } from "../io/io-path.js";
import type { LogFormat, Logger } from "../observability/logger.js";
import type { TcpDrainReport } from "../tcp/tcp-server-options.js";
import { isBeyondLoopback } from "../web/web-options.js";

/** A drain over every server (and every worker): what finished, what was reset. */
export type DrainReport = TcpDrainReport;

export const EMPTY_DRAIN_REPORT: DrainReport = Object.freeze({
  connectionsFinished: 0,
  connectionsReset: 0,
  bytesDiscarded: 0,
});

export function addDrainReports(a: DrainReport, b: DrainReport): DrainReport {
  return {
    connectionsFinished: a.connectionsFinished + b.connectionsFinished,
    connectionsReset: a.connectionsReset + b.connectionsReset,
    bytesDiscarded: a.bytesDiscarded + b.bytesDiscarded,
  };
}

/** The exit code of a drain: 9 when a connection had to be reset. */
export function drainExitCode(report: DrainReport): number {
  return report.connectionsReset > 0 ? EXIT_CODES["drain-timeout"] : EXIT_CODES.ok;
}

/** A translated line without the "mayus: " that starts it on a terminal. */
function message(line: string): string {
  return line.replace(/^mayus: /, "");
}

export class ServeLifecycle {
  readonly #json: boolean;

  constructor(
    readonly logger: Logger,
    format: LogFormat,
    readonly writeOut: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
    readonly writeErr: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
  ) {
    this.#json = format === "json";
  }

  /** Whether stderr carries JSON (then every line must be a log event). */
  get isJson(): boolean {
    return this.#json;
  }

  /** A listener is ready: its line on stdout (scripts wait for it), and a log event in json. */
  listening(protocol: "tcp" | "udp", address: AddressInfo, fields: Record<string, unknown> = {}): void {
    const line = t("serve.ready", { protocol, address: formatAddress(address.address, address.port) });
    this.writeOut(line);
    if (this.#json) {
      this.logger.info(
        { event: "listening", protocol, address: address.address, port: address.port, ...fields },
        message(line),
      );
    }
  }

  metricsListening(port: number): void {
    const line = t("serve.metricsReady", { port });
    this.writeOut(line);
    if (this.#json) this.logger.info({ event: "listening", protocol: "http", port }, message(line));
  }

  /** The web page is ready (`--web`): its URL on stdout; a warning on stderr when it is reachable from elsewhere. */
  webListening(address: AddressInfo): void {
    const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
    const url = `http://${host}:${address.port}/`;
    const line = t("serve.webReady", { url });
    this.writeOut(line);
    if (this.#json) this.logger.info({ event: "listening", protocol: "http", url, port: address.port }, message(line));
    if (!isBeyondLoopback(address.address)) return;
    const warning = t("serve.webExposed", { host: address.address });
    if (this.#json) this.logger.warn({ event: "web-exposed", host: address.address }, message(warning));
    else this.writeErr(warning);
  }

  networkSeed(seed: number): void {
    const line = t("serve.networkSeed", { seed });
    if (this.#json) this.logger.info({ event: "network-seed", seed }, message(line));
    else this.writeErr(line);
  }

  /**
   * Which I/O path each protocol takes, and why (the native module's syscalls, or Node's own
   * I/O and how to get the native one), once, at info: one line for people, an event each in json.
   */
  ioPaths(report: readonly ProtocolIoPath[]): void {
    if (report.length === 0 || !this.logger.isLevelEnabled("info")) return;
    if (this.#json) {
      for (const { protocol, path, reason } of report) {
        this.logger.info({ event: "io-path", protocol, ioPath: path }, `${protocol} I/O path: ${reason}`);
      }
      return;
    }
    const native = t("serve.ioNative");
    const paths = report.map(({ protocol, path, reason }) => `${protocol} ${path === "native" ? native : reason}`);
    this.writeErr(t("serve.ioPaths", { paths: paths.join(", ") }));
  }

  signalReceived(signal: NodeJS.Signals): void {
    const line = t("serve.closing", { signal });
    if (this.#json) this.logger.info({ event: "signal", signal }, message(line));
    else this.writeErr(line);
  }

  /** The second signal: the process exits at once with the shell's code for it. */
  exitAtOnce(signal: NodeJS.Signals, code: number): void {
    if (this.#json) this.logger.warn({ event: "exit", signal, code }, t("serve.exitAtOnce", { signal }));
  }

  drainStarted(fields: Record<string, unknown>): void {
    if (this.#json) this.logger.info({ event: "drain-started", ...fields }, t("serve.drainStarted"));
  }

  drainFinished(report: DrainReport, fields: Record<string, unknown> = {}): void {
    if (this.#json) this.logger.info({ event: "drain-finished", ...report, ...fields }, t("serve.drainFinished"));
  }

  /** The closing line (text) or event (json); returns the exit code, at least `worstWorkerCode`. */
  exited(report: DrainReport, worstWorkerCode = 0): number {
    const code = Math.max(drainExitCode(report), worstWorkerCode);
    const line =
      report.connectionsReset > 0
        ? t("serve.forced", { count: report.connectionsReset })
        : code > drainExitCode(report)
          ? t("serve.closedWorkerCode", { code })
          : t("serve.closed");
    if (this.#json) this.logger.info({ event: "exit", code, ...report }, message(line));
    else this.writeErr(line);
    return code;
  }

  /** Startup failed (a listener could not open): the usual one line, or its json event. */
  failed(error: { message: string; exitCode: number; kind?: string }): void {
    if (this.#json) {
      this.logger.error({ event: "exit", code: error.exitCode, kind: error.kind }, error.message);
    } else this.writeErr(`mayus: ${error.message}`);
  }
}
