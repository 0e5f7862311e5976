// Waiting in tests for something another process or the event loop brings about.

import { setTimeout as sleep } from "node:timers/promises";

/**
 * Checks `condition` every `intervalMs` until it holds; after `timeoutMs` fails, naming `what`.
 *
 * @example
 * await waitFor("every connection to close", () => server.statistics().connectionsActive === 0);
 */
export async function waitFor(
  what: string,
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 10_000,
  intervalMs = 50,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}
