/**
 * The shutdown signals: the first SIGTERM or SIGINT starts a graceful drain, a second one
 * exits at once (with the shell's code for that signal).
 */

import { t } from "../i18n/index.js";

/** Resolves with the first SIGTERM or SIGINT; from then on, another one exits at once. */
export function firstShutdownSignal(onSecond: () => void = () => {}): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onFirst = (signal: NodeJS.Signals) => {
      process.off("SIGINT", onFirst);
      process.off("SIGTERM", onFirst);
      const exitAtOnce = (second: NodeJS.Signals) => {
        onSecond();
        process.exit(second === "SIGINT" ? 130 : 143);
      };
      process.once("SIGINT", exitAtOnce);
      process.once("SIGTERM", exitAtOnce);
      process.stderr.write(`${t("serve.closing", { signal })}\n`);
      resolve(signal);
    };
    process.on("SIGINT", onFirst);
    process.on("SIGTERM", onFirst);
  });
}
