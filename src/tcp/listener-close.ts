/**
 * Closing a listening socket without resetting its backlog. The kernel completes handshakes
 * on its own and queues them until the server accepts; closing the listener resets whatever
 * is still queued, though those clients may have sent their whole request already. So first
 * the listener stops beginning handshakes (where the native module can: a socket filter on
 * Linux drops SYNs), so that only the handshakes already under way can still join the queue;
 * then it closes after a turn of the event loop in which nothing more was accepted: libuv
 * accepts everything queued whenever the listener is ready, so a turn that accepts nothing saw
 * an empty queue. What can still be reset: a handshake that was under way when the filter
 * came and completes after that turn (on loopback none is under way for long); without the
 * filter, any connection that completes between that turn and the close.
 */

import type { Server } from "node:net";
import { listenerDescriptorOf } from "../node-internals/tcp-handle.js";
import { streamSyscalls } from "./stream-syscalls.js";

/** Turns of the event loop at most before the listener closes anyway (a flood never pauses). */
export const MAX_BACKLOG_TURNS = 1000;

/**
 * Makes `server`'s listening socket stop beginning handshakes; false where it cannot (no
 * native module, not Linux, a cluster worker's shared socket). Clients that connect from then
 * on get no answer to their SYN and try again a second later, when the listener is closed (a
 * refusal) or another server listens on the port.
 */
export function refuseHandshakes(server: Server): boolean {
  const fd = listenerDescriptorOf(server);
  return fd >= 0 && streamSyscalls !== undefined && streamSyscalls.refuseHandshakes(fd) === 0;
}

/**
 * Resolves once the listener is closed (not once its connections are: see `server.close`).
 * `acceptedSoFar` counts every connection the server's callback has been given;
 * `stopHandshakes` is `refuseHandshakes` (tests replace it).
 */
export async function closeAfterBacklog(
  server: Server,
  acceptedSoFar: () => number,
  maxTurns = MAX_BACKLOG_TURNS,
  stopHandshakes: (server: Server) => boolean = refuseHandshakes,
): Promise<void> {
  if (server.listening) stopHandshakes(server);
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
