/**
 * The shutdown signals: the first SIGTERM, SIGINT or SIGHUP starts a graceful drain, and
 * another one exits at once (with the shell's code for that signal). SIGHUP drains too: it is
 * what a closed terminal or a supervisor sends, and dying undrained would cut clients off.
 */

/** Signals that start a drain. */
export const SHUTDOWN_SIGNALS = ["SIGTERM", "SIGINT", "SIGHUP"] as const;

/** The shell's exit code for a process ended by this signal (128 + its number). */
export function signalExitCode(signal: NodeJS.Signals): number {
  return signal === "SIGINT" ? 130 : signal === "SIGHUP" ? 129 : 143;
}

/**
 * The same signal again within this long is the same request delivered twice, not a second
 * one: `timeout(1)` signals its child and then the child's whole process group, so a cluster
 * primary gets one SIGTERM twice at once. A person's second Ctrl-C comes later than this.
 */
export const REPEAT_WINDOW_MS = 100;

export interface ShutdownSignals {
  /** Resolves with the first signal. */
  readonly first: Promise<NodeJS.Signals>;
  /** The first signal, once it came (a signal during startup: no ready line then). */
  readonly received: NodeJS.Signals | undefined;
  /** Stops listening (the process keeps Node's default for these signals again). */
  dispose(): void;
}

/**
 * Listens from now on (install it before any listener opens, so a signal during startup
 * drains too). After the first signal, another one calls `onSecond` and exits at once.
 */
export function listenForShutdown(
  onFirst: (signal: NodeJS.Signals) => void,
  onSecond: (signal: NodeJS.Signals) => void = () => {},
): ShutdownSignals {
  let received: NodeJS.Signals | undefined;
  let receivedAtMs = 0;
  let resolveFirst: (signal: NodeJS.Signals) => void = () => {};
  const first = new Promise<NodeJS.Signals>((resolve) => {
    resolveFirst = resolve;
  });
  const handler = (signal: NodeJS.Signals) => {
    if (received === undefined) {
      received = signal;
      receivedAtMs = performance.now();
      onFirst(signal);
      resolveFirst(signal);
      return;
    }
    if (signal === received && performance.now() - receivedAtMs < REPEAT_WINDOW_MS) return;
    onSecond(signal);
    process.exit(signalExitCode(signal));
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, handler);
  return {
    first,
    get received() {
      return received;
    },
    dispose() {
      for (const signal of SHUTDOWN_SIGNALS) process.off(signal, handler);
    },
  };
}

/**
 * SIGUSR1 would open Node's inspector (the CLI's entry point already keeps it from that):
 * say that it arrived and changes nothing.
 */
export function logIgnoredSignals(logger: { info(fields: object, message: string): void }): () => void {
  const onSignal = () => logger.info({ event: "signal", signal: "SIGUSR1" }, "SIGUSR1 ignored: no inspector");
  process.on("SIGUSR1", onSignal);
  return () => process.off("SIGUSR1", onSignal);
}
