/**
 * Closing a listening socket without resetting its backlog. The kernel completes handshakes
 * on its own and queues them until the server accepts; closing the listener resets whatever
 * is still queued, though those clients may have sent their whole request already. So the
 * listener closes only after a turn of the event loop in which nothing more was accepted:
 * libuv accepts everything queued whenever the listener is ready, so a turn that accepts
 * nothing saw an empty queue.
 */

import type { Server } from "node:net";

/** Turns of the event loop at most before the listener closes anyway (a flood never pauses). */
export const MAX_BACKLOG_TURNS = 1000;

/**
 * Resolves once the listener is closed (not once its connections are: see `server.close`).
 * `acceptedSoFar` counts every connection the server's callback has been given.
 */
export async function closeAfterBacklog(
  server: Server,
  acceptedSoFar: () => number,
  maxTurns = MAX_BACKLOG_TURNS,
): Promise<void> {
  let before = -1;
  for (let turn = 0; turn < maxTurns; turn++) {
    // setImmediate runs after the poll phase, and with one pending the poll does not block.
    await new Promise((resolve) => setImmediate(resolve));
    const accepted = acceptedSoFar();
    if (accepted === before) break;
    before = accepted;
  }
  if (server.listening) server.close();
}
