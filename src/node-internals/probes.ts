/**
 * The registry of mayus's probes of Node's private internals: what each checks, the Node
 * majors it was verified on, and which failed in this process (each logged once, at debug).
 */

import type { Logger } from "../observability/logger.js";

/** Every probe of Node's internals in mayus; each lives in this folder. */
export type ProbeName =
  | "onread-fields"
  | "tcp-user-buffer"
  | "tcp-descriptor"
  | "tcp-read-stop"
  | "tcp-accept-options"
  | "udp-send-wrap"
  | "udp-state-handle";

export interface Probe {
  name: ProbeName;
  /** What it looks for in Node, for a person reading a log or this table. */
  checks: string;
  /** What mayus does instead when it fails (the public path). */
  fallback: string;
}

/**
 * The probes. Each was verified (test/node-internals.test.ts, run by CI on every major in
 * NODE_MAJORS_VERIFIED) to find what it looks for, so that the fast path is taken.
 */
export const PROBES: readonly Probe[] = [
  {
    name: "onread-fields",
    checks: "net.Socket keeps its onread option under the symbols kBuffer, kBufferCb and kBufferGen",
    fallback: "accepted sockets are read through data events",
  },
  {
    name: "tcp-user-buffer",
    checks: "a TCP socket's _handle has useUserBuffer(buffer)",
    fallback: "accepted sockets are read through data events",
  },
  {
    name: "tcp-descriptor",
    checks: "a TCP socket's _handle.fd is its descriptor (a number, not -1)",
    fallback: "answers go through socket.write",
  },
  {
    name: "tcp-read-stop",
    checks: "a TCP socket's _handle has reading and readStop(), to stop Node reading a handed-over socket",
    fallback: "a socket a cluster primary hands over is read through data events",
  },
  {
    name: "tcp-accept-options",
    checks:
      "on Node 20, a listening net.Server's _handle has onconnection(status, handle), and the server _connections",
    fallback: "Node's own accept callback makes each socket",
  },
  {
    name: "udp-send-wrap",
    checks: "process.binding('udp_wrap').SendWrap is a constructor (a send request to reuse)",
    fallback: "datagrams come by dgram's message event and go by socket.send",
  },
  {
    name: "udp-state-handle",
    checks: "a dgram socket keeps its handle under the 'state symbol', with send() and dgram's onMessage receiver",
    fallback: "datagrams come by dgram's message event and go by socket.send",
  },
];

/** The Node majors every probe above was verified on: package.json's engines and .ci/run test these. */
export const NODE_MAJORS_VERIFIED: readonly number[] = [20, 22, 24, 26];

/** The first failure of each probe in this process: why, and whether a logger has said it. */
const failures = new Map<ProbeName, { why: string; logged: boolean }>();

/** Records that `name` failed (the public path is taken); only the first failure is kept. */
export function probeFailed(name: ProbeName, why: string): void {
  if (!failures.has(name)) failures.set(name, { why, logged: false });
}

/** The probes that failed in this process so far, with why. */
export function failedProbes(): { name: ProbeName; why: string }[] {
  return [...failures].map(([name, { why }]) => ({ name, why }));
}

/**
 * Logs at debug each failure not logged yet (so once per process, whichever server logs it
 * first). Servers call it when they start: the process-wide probes have run by then.
 *
 * @example
 * ```ts
 * import { logFailedProbes } from "./probes.js";
 * import { silentLogger } from "../observability/logger.js";
 * logFailedProbes(silentLogger());
 * ```
 */
export function logFailedProbes(logger: Logger): void {
  for (const [name, failure] of failures) {
    if (failure.logged) continue;
    failure.logged = true;
    const probe = PROBES.find((each) => each.name === name);
    logger.debug(
      { probe: name, why: failure.why, fallback: probe?.fallback },
      `Node internals: the ${name} probe failed, so the public path serves`,
    );
  }
}
